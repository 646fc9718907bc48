import { equalBytes, toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { importVerifyKey, sign, verify, verifyWithKey } from '../crypto/ed25519.ts';
import { SigningNamespaces } from '../crypto/namespaces.ts';
import { identityIdOf } from '../identity/ids.ts';
import type { GraphRecord } from '../ports.ts';
import { WireEncodeError } from '../wire/errors.ts';
import {
  InvalidRecordError,
  parseRecord,
  recordSignatureBytes,
  recordToWire,
  RecordTooLargeError,
  signableBytes,
  signerKeyBytes,
} from './record-codec.ts';
import type { GraphPeer, SecurityProvider, UnsignedRecord } from './security.ts';

// Records signed by their authors, and the default security provider built on them: a record
// is valid when its signer's key hashes to `modifiedBy` and the signature covers every field
// (record-codec.ts, `signableBytes`) under the `mycel/record/1` namespace.

/** Who signs the records this node publishes: the identity in use. */
export interface RecordAuthor {
  /** Identity id of `publicKey`; goes into `modifiedBy` (and `creator` of new records). */
  readonly identityId: string;
  /** Raw Ed25519 public key, 32 bytes; goes into `signerKey`. */
  readonly publicKey: Uint8Array;
  /** The Ed25519 private key; signs, never leaves Web Crypto. */
  readonly signingKey: CryptoKey;
}

/** A record was handed to an author it does not name as `modifiedBy` and `signerKey`. A bug. */
export class RecordAuthorMismatchError extends MycelError {
  override name = 'RecordAuthorMismatchError';

  constructor() {
    super('Mycel tried to sign a record in the name of another identity.', {
      hint: 'This is a bug in Mycel; please report it with the steps that led here.',
    });
  }
}

/**
 * Which identity ids a public key was proven to hash to, so a graph full of records by a few
 * authors does not hash their keys again for every record. Only proofs are kept, at most
 * `maxEntries` (the oldest goes first), so a flood of forged keys cannot grow it.
 */
export class SignerKeyCache {
  private readonly keys = new Map<string, Uint8Array>();
  /** Imported verifying keys of the proven keys: importing costs as much as a verification. */
  private readonly verifyKeys = new Map<string, Promise<CryptoKey | undefined>>();

  constructor(private readonly maxEntries = 1024) {}

  /** How many proven keys are kept. */
  get size(): number {
    return this.keys.size;
  }

  /** Whether `identityIdOf(publicKey) === identityId`. `publicKey` must have 32 bytes. */
  async derives(publicKey: Uint8Array, identityId: string): Promise<boolean> {
    const known = this.keys.get(identityId);
    if (known !== undefined) return equalBytes(known, publicKey);
    // A copy: the caller's bytes could change after the proof, and identityIdOf wants an ArrayBuffer.
    const key = new Uint8Array(publicKey);
    if ((await identityIdOf(key)) !== identityId) return false;
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) {
        this.keys.delete(oldest.value);
        this.verifyKeys.delete(oldest.value);
      }
    }
    this.keys.set(identityId, key);
    return true;
  }

  /** The imported verifying key of an identity `derives` proved; undefined if Web Crypto refused it. */
  verifyKey(identityId: string): Promise<CryptoKey | undefined> {
    const known = this.keys.get(identityId);
    if (known === undefined) return Promise.resolve(undefined);
    let imported = this.verifyKeys.get(identityId);
    if (imported === undefined) {
      imported = importVerifyKey(known);
      this.verifyKeys.set(identityId, imported);
    }
    return imported;
  }
}

/**
 * Signs `unsigned` as `author`: the same record with an Ed25519 signature over
 * `signableBytes(unsigned)` under `mycel/record/1`. Throws `RecordAuthorMismatchError` if the
 * record does not name `author` as `modifiedBy` and `signerKey`, `RecordTooLargeError` if it
 * is over the size cap, and `InvalidRecordError` if it breaks another rule of the format:
 * all three are bugs of the caller, caught before anything is signed.
 */
export async function signRecord(author: RecordAuthor, unsigned: UnsignedRecord): Promise<GraphRecord> {
  if (unsigned.modifiedBy !== author.identityId || !equalBytes(unsigned.signerKey, author.publicKey)) {
    throw new RecordAuthorMismatchError();
  }
  // Checked with a stand-in signature of the real length, so the size check is exact too.
  const placeholder = { ...unsigned, signature: new Uint8Array(recordSignatureBytes) };
  const checked = parseRecord(recordToWire(placeholder));
  if (!checked.ok) {
    if (checked.reason === 'oversize') throw new RecordTooLargeError();
    throw new InvalidRecordError(checked.reason, checked.detail);
  }
  const signature = await sign(author.signingKey, SigningNamespaces.record, signableBytes(unsigned));
  return { ...unsigned, signature };
}

/**
 * Why `record`'s signature does not hold, or undefined when it does: `signer-mismatch` if
 * `signerKey` does not hash to `modifiedBy` (or is not 32 bytes), `bad-signature` if the
 * signature is not `signerKey`'s over the record's signable bytes under `mycel/record/1`,
 * `bad-schema` if a field cannot even be encoded. Pass a `SignerKeyCache` to skip hashing
 * keys already proven. Never throws.
 */
export async function verifyRecordSignature(
  record: GraphRecord,
  signerKeys?: SignerKeyCache,
): Promise<'signer-mismatch' | 'bad-signature' | 'bad-schema' | undefined> {
  if (record.signerKey.length !== signerKeyBytes) return 'signer-mismatch';
  const derives =
    signerKeys === undefined
      ? (await identityIdOf(new Uint8Array(record.signerKey))) === record.modifiedBy
      : await signerKeys.derives(record.signerKey, record.modifiedBy);
  if (!derives) return 'signer-mismatch';
  let signed: Uint8Array;
  try {
    signed = signableBytes(record);
  } catch (error) {
    // Only a record that skipped parseRecord can hold values the wire cannot carry.
    if (error instanceof WireEncodeError) return 'bad-schema';
    throw error;
  }
  const key = signerKeys === undefined ? undefined : await signerKeys.verifyKey(record.modifiedBy);
  const valid =
    key === undefined
      ? await verify(record.signerKey, SigningNamespaces.record, signed, record.signature)
      : await verifyWithKey(key, SigningNamespaces.record, signed, record.signature);
  return valid ? undefined : 'bad-signature';
}

/**
 * The default security provider: records are signed by the identity in use, and a record is
 * valid when its signature holds and its creator signed it. Groups replace it with one that
 * lets admins and members write by their roles.
 */
export class SignedRecordsProvider implements SecurityProvider {
  private readonly signerKeys = new SignerKeyCache();

  constructor(private readonly author: RecordAuthor) {}

  /** Signs a record of this node's author; throws as `signRecord` on a record it cannot sign. */
  secureRecord(record: UnsignedRecord): Promise<GraphRecord> {
    return signRecord(this.author, record);
  }

  /**
   * The signature first (`signer-mismatch`, `bad-signature`), then `not-creator` unless the
   * creator signed this version: by default only a record's creator may change or delete it.
   */
  async validateRecord(record: GraphRecord, _previous: GraphRecord | undefined): Promise<string | undefined> {
    const signatureProblem = await verifyRecordSignature(record, this.signerKeys);
    if (signatureProblem !== undefined) return signatureProblem;
    return record.modifiedBy === record.creator ? undefined : 'not-creator';
  }

  /** Every proven peer may take part: the default graph is open to whoever has its id. */
  authorizeLink(_peer: GraphPeer): Promise<boolean> {
    return Promise.resolve(true);
  }
}

/** Bytes of randomness in a record id: 128 bits, so ids chosen apart never collide. */
export const recordIdRandomBytes = 16;

/**
 * A new record id: 22 base64url characters of 16 random bytes, from `crypto.getRandomValues`
 * unless `random` is given (simulations pass a seeded source). Throws a `RangeError` if
 * `random` returns another number of bytes.
 */
export function newRecordId(
  random: () => Uint8Array = () => crypto.getRandomValues(new Uint8Array(recordIdRandomBytes)),
): string {
  const bytes = random();
  if (bytes.length !== recordIdRandomBytes) {
    throw new RangeError(`A record id needs ${recordIdRandomBytes} random bytes, not ${bytes.length}.`);
  }
  return toBase64Url(bytes);
}
