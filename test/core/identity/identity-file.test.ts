import { expect } from 'chai';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../src/lib/bytes.ts';
import { deriveKeyFromPassphrase, seal } from '../../../src/core/crypto/aead.ts';
import { MycelError } from '../../../src/lib/errors.ts';
import { generateSigningKeyPair, exportPrivateKey, sign, verify } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import {
  DuplicateIdentityError,
  IdentityFileError,
  IdentityFileTooLargeError,
  IdentityKeyMismatchError,
  NotAnIdentityFileError,
  UnsupportedIdentityFileError,
  WeakPassphraseError,
} from '../../../src/core/identity/errors.ts';
import { encryptIdentityFile } from '../../../src/core/identity/identity-file.ts';
import { Identities } from '../../../src/core/identity/identities.ts';
import { nodeIdOf } from '../../../src/core/identity/ids.ts';
import { IdbIdentityStore } from '../../../src/storage/idb/identity-store.ts';
import type { StoredIdentity } from '../../../src/core/ports.ts';
import { openTestProfile, rejectionOf, snapshot, testIterations, type TestProfile } from './profile.ts';

const passphrase = 'correct horse battery staple';
const wrongOrChanged = 'The passphrase is wrong, or the file was changed.';
const notAFile = 'This file is not a Mycel identity file.';

type ErrorClass = new (...args: never[]) => MycelError;

function fileJson(file: Uint8Array): Record<string, unknown> {
  return JSON.parse(fromUtf8(file)) as Record<string, unknown>;
}

function toFile(json: unknown): Uint8Array {
  return utf8(JSON.stringify(json));
}

/** The file with one base64url character in the middle of the ciphertext replaced. */
function withCiphertextChanged(file: Uint8Array): Uint8Array {
  const json = fileJson(file);
  const ciphertext = String(json['ciphertext']);
  const middle = Math.floor(ciphertext.length / 2);
  const replacement = ciphertext[middle] === 'A' ? 'B' : 'A';
  return toFile({
    ...json,
    ciphertext: ciphertext.slice(0, middle) + replacement + ciphertext.slice(middle + 1),
  });
}

function withKdf(file: Uint8Array, change: Record<string, unknown>): Uint8Array {
  const json = fileJson(file);
  return toFile({ ...json, kdf: { ...(json['kdf'] as object), ...change } });
}

async function signsFor(identity: StoredIdentity): Promise<boolean> {
  const message = utf8('proof of key');
  const signature = await sign(identity.signingKey, SigningNamespaces.link, message);
  return verify(identity.publicKey, SigningNamespaces.link, message, signature);
}

describe('identity files', () => {
  let home: TestProfile;
  let elsewhere: TestProfile;
  let exported: StoredIdentity;
  let file: Uint8Array;

  beforeEach(async () => {
    home = await openTestProfile();
    elsewhere = await openTestProfile();
    exported = await home.identities.create('Ada');
    file = await home.identities.exportFile(exported.id, passphrase);
  });

  afterEach(async () => {
    await home.destroy();
    await elsewhere.destroy();
  });

  it('writes the documented JSON format with the chosen iterations', () => {
    const json = fileJson(file);
    expect(Object.keys(json)).to.deep.equal(['format', 'version', 'kdf', 'cipher', 'ciphertext']);
    expect(json['format']).to.equal('mycel-identity');
    expect(json['version']).to.equal(1);
    expect(json['kdf']).to.include({ name: 'PBKDF2', hash: 'SHA-256', iterations: testIterations });
    expect(json['cipher']).to.include({ name: 'AES-GCM' });
    expect(fromUtf8(file)).to.not.include('Ada');
  });

  it('imports into another profile: same id, another node id, a key that signs', async () => {
    let changes = 0;
    elsewhere.identities.on('changed', () => changes++);
    const imported = await elsewhere.identities.importFile(file, passphrase);
    expect(imported.id).to.equal(exported.id);
    expect(imported.displayName).to.equal('Ada');
    expect(imported.createdAtMs).to.equal(exported.createdAtMs);
    expect(await nodeIdOf(imported.publicKey, imported.nodeSalt)).to.not.equal(
      await nodeIdOf(exported.publicKey, exported.nodeSalt),
    );
    expect(imported.signingKey.extractable).to.equal(false);
    expect(await signsFor(imported)).to.equal(true);
    expect((await elsewhere.identities.current())?.id).to.equal(exported.id);
    expect(changes).to.equal(1);
  });

  it('survives a reload after import and can be exported again from there', async () => {
    const other = await elsewhere.identities.create('Grace');
    await elsewhere.identities.importFile(file, passphrase);
    await elsewhere.reload();
    const current = await elsewhere.identities.current();
    if (current === undefined) throw new Error('no current identity after reload');
    expect(current.id).to.equal(exported.id);
    expect(await signsFor(current)).to.equal(true);
    const ids = (await elsewhere.identities.list()).map((identity) => identity.id);
    expect(ids.sort()).to.deep.equal([exported.id, other.id].sort());
    const again = await elsewhere.identities.exportFile(exported.id, 'another passphrase');
    await home.identities.delete(exported.id);
    expect((await home.identities.importFile(again, 'another passphrase')).id).to.equal(exported.id);
  });

  it('writes 600,000 iterations by default, which import reads back', async () => {
    const identities = new Identities({ store: new IdbIdentityStore(home.db) });
    const strong = await identities.exportFile(exported.id, passphrase);
    expect(fileJson(strong)['kdf']).to.include({ iterations: 600_000 });
    expect((await elsewhere.identities.importFile(strong, passphrase)).id).to.equal(exported.id);
  });

  it('refuses a passphrase shorter than 8 characters on export', async () => {
    const error = await rejectionOf(home.identities.exportFile(exported.id, 'short'));
    expect(error).to.be.instanceOf(WeakPassphraseError);
    expect((error as Error).message).to.equal('The passphrase is too short: use at least 8 characters.');
  });

  describe('refuses, leaving the profile as it was,', () => {
    let bystander: StoredIdentity;
    let before: unknown;

    beforeEach(async () => {
      bystander = await elsewhere.identities.create('Grace');
      before = await snapshot(elsewhere.identities);
    });

    async function expectRefused(
      bytes: Uint8Array,
      errorClass: ErrorClass,
      message: string | RegExp,
      phrase = passphrase,
    ): Promise<void> {
      let changes = 0;
      const stop = elsewhere.identities.on('changed', () => changes++);
      const error = await rejectionOf(elsewhere.identities.importFile(bytes, phrase));
      stop();
      expect(error).to.be.instanceOf(errorClass);
      const mycelError = error as MycelError;
      expect(mycelError.name).to.equal(errorClass.name);
      if (typeof message === 'string') expect(mycelError.message).to.equal(message);
      else expect(mycelError.message).to.match(message);
      expect(mycelError.hint).to.be.a('string').and.not.equal('');
      expect(changes).to.equal(0);
      expect(await snapshot(elsewhere.identities)).to.deep.equal(before);
      expect(await signsFor(await elsewhere.identities.get(bystander.id))).to.equal(true);
    }

    it('a wrong passphrase', async () => {
      await expectRefused(file, IdentityFileError, wrongOrChanged, 'not the passphrase');
      await expectRefused(file, IdentityFileError, wrongOrChanged, '');
    });

    it('a changed ciphertext', async () => {
      await expectRefused(withCiphertextChanged(file), IdentityFileError, wrongOrChanged);
    });

    it('a changed header: iterations, salt or nonce', async () => {
      await expectRefused(
        withKdf(file, { iterations: testIterations + 1 }),
        IdentityFileError,
        wrongOrChanged,
      );
      await expectRefused(
        withKdf(file, { salt: toBase64Url(new Uint8Array(16)) }),
        IdentityFileError,
        wrongOrChanged,
      );
      const json = fileJson(file);
      const cipher = { name: 'AES-GCM', iv: toBase64Url(new Uint8Array(12)) };
      await expectRefused(toFile({ ...json, cipher }), IdentityFileError, wrongOrChanged);
    });

    it('a file whose ciphertext was not sealed with its header as additional data', async () => {
      const json = fileJson(file);
      const kdf = json['kdf'] as { salt: string; iterations: number };
      const iv = fromBase64Url((json['cipher'] as { iv: string }).iv);
      const key = await deriveKeyFromPassphrase(passphrase, fromBase64Url(kdf.salt), kdf.iterations);
      const plaintext = utf8(
        JSON.stringify({
          displayName: 'Ada',
          publicKey: toBase64Url(exported.publicKey),
          privateKey: toBase64Url(new Uint8Array(48)),
          createdAtMs: 1,
        }),
      );
      const { ciphertext } = await seal(key, plaintext, new Uint8Array(0), iv);
      await expectRefused(
        toFile({ ...json, ciphertext: toBase64Url(ciphertext) }),
        IdentityFileError,
        wrongOrChanged,
      );
    });

    it('iterations outside 1,000 to 10,000,000', async () => {
      for (const iterations of [999, 10_000_001, 0, -1, 1000.5, '1000']) {
        await expectRefused(withKdf(file, { iterations }), NotAnIdentityFileError, notAFile);
      }
    });

    it('a truncated file', async () => {
      await expectRefused(file.subarray(0, Math.floor(file.length / 2)), NotAnIdentityFileError, notAFile);
      await expectRefused(file.subarray(0, file.length - 3), NotAnIdentityFileError, notAFile);
    });

    it('garbage that is not JSON', async () => {
      await expectRefused(utf8('hello, world'), NotAnIdentityFileError, notAFile);
      await expectRefused(Uint8Array.of(0xff, 0xfe, 0x00, 0x7b), NotAnIdentityFileError, notAFile);
      await expectRefused(new Uint8Array(0), NotAnIdentityFileError, notAFile);
    });

    it('JSON of another shape', async () => {
      const json = fileJson(file);
      const shapes: unknown[] = [
        null,
        [1, 2, 3],
        'mycel-identity',
        { hello: 'world' },
        { format: 'mycel-identity', version: 1 },
        { ...json, format: 'mycel-contact' },
        { ...json, version: '1' },
        { ...json, extra: true },
        { ...json, ciphertext: 42 },
        { ...json, ciphertext: '***' },
        { ...json, kdf: { ...(json['kdf'] as object), hash: 'SHA-1' } },
        { ...json, cipher: { name: 'AES-CBC', iv: (json['cipher'] as { iv: string }).iv } },
        { ...json, cipher: { name: 'AES-GCM', iv: toBase64Url(new Uint8Array(16)) } },
      ];
      for (const shape of shapes) await expectRefused(toFile(shape), NotAnIdentityFileError, notAFile);
    });

    it('a file from a newer Mycel', async () => {
      await expectRefused(
        toFile({ ...fileJson(file), version: 2 }),
        UnsupportedIdentityFileError,
        /version 2/,
      );
    });

    it('a file larger than 64 KiB', async () => {
      const padded = new Uint8Array(64 * 1024 + 1).fill(0x20);
      padded.set(file);
      await expectRefused(padded, IdentityFileTooLargeError, /too large/);
    });

    it('a file whose private key does not belong to its public key', async () => {
      const pair = await generateSigningKeyPair({ extractable: true });
      const mismatched = await encryptIdentityFile(
        {
          displayName: 'Mallory',
          publicKey: exported.publicKey,
          privateKey: await exportPrivateKey(pair.privateKey),
          createdAtMs: 1,
        },
        passphrase,
        testIterations,
      );
      await expectRefused(mismatched, IdentityKeyMismatchError, /do not belong together/);
    });

    it('an identity already in this browser', async () => {
      const ownFile = await elsewhere.identities.exportFile(bystander.id, passphrase);
      await expectRefused(ownFile, DuplicateIdentityError, 'This identity is already in this browser.');
    });
  });
});
