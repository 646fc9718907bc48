import { expect } from 'chai';
import { generateSigningKeyPair, sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import {
  decodeRecord,
  encodeRecord,
  InvalidRecordError,
  maxRecordBytes,
  recordIdPattern,
  RecordTooLargeError,
  signableBytes,
} from '../../../src/core/graph/record-codec.ts';
import type { UnsignedRecord } from '../../../src/core/graph/security.ts';
import {
  newRecordId,
  RecordAuthorMismatchError,
  SignedRecordsProvider,
  SignerKeyCache,
  signRecord,
  verifyRecordSignature,
  type RecordAuthor,
} from '../../../src/core/graph/signed-records.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import type { GraphRecord } from '../../../src/core/ports.ts';

async function newAuthor(): Promise<RecordAuthor> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  return { identityId: await identityIdOf(publicKey), publicKey, signingKey: privateKey };
}

/** A new record of `author`'s, not yet signed. */
function draft(author: RecordAuthor, changes: Partial<UnsignedRecord> = {}): UnsignedRecord {
  return {
    graphId: 'team.notes',
    type: 'app/note',
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    version: 1,
    creator: author.identityId,
    modifiedBy: author.identityId,
    signerKey: author.publicKey,
    createdAtMs: 1_700_000_000_000,
    modifiedAtMs: 1_700_000_000_000,
    expiresAtMs: 1_800_000_000_000,
    deleted: false,
    attributes: { title: 'Groceries' },
    data: Uint8Array.of(1, 2, 3),
    ...changes,
  };
}

/** `record` with `changes`, keeping its signature: what a tampering relay would send. */
function tampered(record: GraphRecord, changes: Partial<GraphRecord>): GraphRecord {
  return { ...record, ...changes };
}

describe('signed records', () => {
  let alice: RecordAuthor;
  let mallory: RecordAuthor;
  let signed: GraphRecord;

  before(async () => {
    alice = await newAuthor();
    mallory = await newAuthor();
    signed = await signRecord(alice, draft(alice));
  });

  it('signs a record that verifies, and survives the wire', async () => {
    expect(signed.signature.length).to.equal(64);
    expect(await verifyRecordSignature(signed)).to.equal(undefined);
    const decoded = decodeRecord(encodeRecord(signed));
    if (!decoded.ok) throw new Error(`refused: ${decoded.reason}`);
    expect(await verifyRecordSignature(decoded.record)).to.equal(undefined);
  });

  it('refuses tampered data, version, attributes, expiry or deletion', async () => {
    const changes: readonly Partial<GraphRecord>[] = [
      { data: Uint8Array.of(1, 2, 4) },
      { version: 2 },
      { attributes: { title: 'Groceries!' } },
      { expiresAtMs: 1_900_000_000_000 },
      { deleted: true, data: new Uint8Array(0), attributes: {} },
      { id: 'BBBBBBBBBBBBBBBBBBBBBB' },
    ];
    for (const change of changes) {
      expect(await verifyRecordSignature(tampered(signed, change)), Object.keys(change).join()).to.equal(
        'bad-signature',
      );
    }
  });

  it('refuses a record replayed into another graph', async () => {
    expect(await verifyRecordSignature(tampered(signed, { graphId: 'other.graph' }))).to.equal(
      'bad-signature',
    );
  });

  it("refuses someone else's key with their real signature over other content", async () => {
    const mallorys = await signRecord(mallory, draft(mallory, { data: Uint8Array.of(6, 6, 6) }));
    // Alice's record, claimed by Mallory, carrying a genuine signature of Mallory's over other bytes.
    const claimed = tampered(signed, {
      modifiedBy: mallory.identityId,
      signerKey: mallory.publicKey,
      signature: mallorys.signature,
    });
    expect(await verifyRecordSignature(claimed)).to.equal('bad-signature');
    // The same, still naming Alice as the signer: the key does not hash to her id.
    const impersonating = tampered(claimed, { modifiedBy: alice.identityId });
    expect(await verifyRecordSignature(impersonating)).to.equal('signer-mismatch');
  });

  it('refuses a signer key that does not hash to modifiedBy', async () => {
    expect(await verifyRecordSignature(tampered(signed, { modifiedBy: mallory.identityId }))).to.equal(
      'signer-mismatch',
    );
    expect(await verifyRecordSignature(tampered(signed, { signerKey: new Uint8Array(31) }))).to.equal(
      'signer-mismatch',
    );
  });

  it('refuses a signature made for another purpose over the same bytes', async () => {
    const unsigned = draft(alice);
    const signature = await sign(alice.signingKey, SigningNamespaces.invite, signableBytes(unsigned));
    expect(await verifyRecordSignature({ ...unsigned, signature })).to.equal('bad-signature');
  });

  it('refuses values the wire cannot carry instead of throwing', async () => {
    expect(await verifyRecordSignature(tampered(signed, { version: 1.5 }))).to.equal('bad-schema');
  });

  it('signs only as the author the record names', async () => {
    let error: unknown;
    try {
      await signRecord(alice, draft(mallory));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RecordAuthorMismatchError);
    error = undefined;
    try {
      await signRecord(alice, draft(alice, { signerKey: mallory.publicKey }));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RecordAuthorMismatchError);
  });

  it('refuses to sign a record peers would refuse', async () => {
    const failures: [Partial<UnsignedRecord>, new (...args: never[]) => Error, string?][] = [
      [{ data: new Uint8Array(maxRecordBytes) }, RecordTooLargeError],
      [{ version: 0 }, InvalidRecordError, 'bad-schema'],
      [{ createdAtMs: 1_700_000_000_001 }, InvalidRecordError, 'created-after-modified'],
      [{ deleted: true }, InvalidRecordError, 'tombstone-with-content'],
    ];
    for (const [changes, errorClass, reason] of failures) {
      let error: unknown;
      try {
        await signRecord(alice, draft(alice, changes));
      } catch (caught) {
        error = caught;
      }
      expect(error, Object.keys(changes).join()).to.be.instanceOf(errorClass);
      if (reason !== undefined && error instanceof InvalidRecordError) expect(error.reason).to.equal(reason);
    }
  });
});

describe('SignerKeyCache', () => {
  it('remembers proven keys only, and never more than its bound', async () => {
    const [first, second, third] = await Promise.all([newAuthor(), newAuthor(), newAuthor()]);
    const cache = new SignerKeyCache(2);
    expect(await cache.derives(first.publicKey, second.identityId)).to.equal(false);
    expect(cache.size).to.equal(0);
    expect(await cache.derives(first.publicKey, first.identityId)).to.equal(true);
    // Once proven for an id, another key under that id is still refused.
    expect(await cache.derives(second.publicKey, first.identityId)).to.equal(false);
    expect(await cache.derives(second.publicKey, second.identityId)).to.equal(true);
    expect(await cache.derives(third.publicKey, third.identityId)).to.equal(true);
    expect(cache.size).to.equal(2);
    expect(await cache.derives(first.publicKey, first.identityId)).to.equal(true);
  });

  it('gives the same verdicts through a cache as without one', async () => {
    const alice = await newAuthor();
    const mallory = await newAuthor();
    const record = await signRecord(alice, draft(alice));
    const cache = new SignerKeyCache();
    const forged = tampered(record, { signerKey: mallory.publicKey });
    for (const candidate of [record, forged, record, forged]) {
      expect(await verifyRecordSignature(candidate, cache)).to.equal(await verifyRecordSignature(candidate));
    }
    expect(await verifyRecordSignature(forged, cache)).to.equal('signer-mismatch');
  });
});

describe('SignedRecordsProvider', () => {
  it("secures records as its author and accepts the creator's own versions", async () => {
    const alice = await newAuthor();
    const provider = new SignedRecordsProvider(alice);
    const first = await provider.secureRecord(draft(alice));
    expect(await provider.validateRecord(first, undefined)).to.equal(undefined);
    const second = await provider.secureRecord(draft(alice, { version: 2, modifiedAtMs: 1_700_000_000_500 }));
    expect(await provider.validateRecord(second, first)).to.equal(undefined);
  });

  it("refuses a valid signature by someone who is not the record's creator", async () => {
    const alice = await newAuthor();
    const bob = await newAuthor();
    const bobsVersion = await signRecord(
      bob,
      draft(alice, { version: 2, modifiedBy: bob.identityId, signerKey: bob.publicKey }),
    );
    expect(await verifyRecordSignature(bobsVersion)).to.equal(undefined);
    expect(await new SignedRecordsProvider(alice).validateRecord(bobsVersion, undefined)).to.equal(
      'not-creator',
    );
  });

  it('refuses forged signatures before looking at the creator', async () => {
    const alice = await newAuthor();
    const provider = new SignedRecordsProvider(alice);
    const record = await provider.secureRecord(draft(alice));
    expect(await provider.validateRecord(tampered(record, { data: Uint8Array.of(0) }), record)).to.equal(
      'bad-signature',
    );
  });

  it('lets every proven peer link', async () => {
    const alice = await newAuthor();
    const provider = new SignedRecordsProvider(alice);
    expect(await provider.authorizeLink({ nodeId: 'mpeer', publicKey: alice.publicKey })).to.equal(true);
  });
});

describe('newRecordId', () => {
  it('makes 22 base64url characters of 16 random bytes', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const id = newRecordId();
      expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(id).to.match(recordIdPattern);
      ids.add(id);
    }
    expect(ids.size).to.equal(50);
  });

  it('takes its bytes from the source it is given', () => {
    expect(newRecordId(() => new Uint8Array(16))).to.equal('A'.repeat(22));
    expect(newRecordId(() => new Uint8Array(16).fill(0xff))).to.equal('_'.repeat(21) + 'w');
    expect(() => newRecordId(() => new Uint8Array(15))).to.throw(RangeError);
  });
});
