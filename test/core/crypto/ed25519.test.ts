import { expect } from 'chai';
import { utf8 } from '../../../src/lib/bytes.ts';
import {
  exportPrivateKey,
  generateSigningKeyPair,
  importPrivateKey,
  sign,
  signedMessage,
  verify,
} from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';

describe('Ed25519 signatures', () => {
  const message = utf8('a record worth signing');

  it('verifies a signature made under the same namespace', async () => {
    const { publicKey, privateKey } = await generateSigningKeyPair();
    const signature = await sign(privateKey, SigningNamespaces.record, message);
    expect(publicKey.length).to.equal(32);
    expect(signature.length).to.equal(64);
    expect(await verify(publicKey, SigningNamespaces.record, message, signature)).to.equal(true);
  });

  it('covers utf8(namespace) || 0x00 || bytes exactly', () => {
    expect(Array.from(signedMessage(SigningNamespaces.link, Uint8Array.of(1, 2)))).to.deep.equal([
      ...utf8('mycel/link/1'),
      0,
      1,
      2,
    ]);
  });

  it('refuses a signature made for another purpose', async () => {
    const { publicKey, privateKey } = await generateSigningKeyPair();
    const signature = await sign(privateKey, SigningNamespaces.link, message);
    expect(await verify(publicKey, SigningNamespaces.record, message, signature)).to.equal(false);
    expect(await verify(publicKey, SigningNamespaces.identityCheck, message, signature)).to.equal(false);
  });

  it('refuses tampered bytes, a tampered signature and another key', async () => {
    const { publicKey, privateKey } = await generateSigningKeyPair();
    const other = await generateSigningKeyPair();
    const signature = await sign(privateKey, SigningNamespaces.record, message);
    const tamperedMessage = Uint8Array.from(message);
    tamperedMessage[0] = (tamperedMessage[0] ?? 0) ^ 1;
    const tamperedSignature = Uint8Array.from(signature);
    tamperedSignature[10] = (tamperedSignature[10] ?? 0) ^ 0x80;
    expect(await verify(publicKey, SigningNamespaces.record, tamperedMessage, signature)).to.equal(false);
    expect(await verify(publicKey, SigningNamespaces.record, message, tamperedSignature)).to.equal(false);
    expect(await verify(other.publicKey, SigningNamespaces.record, message, signature)).to.equal(false);
  });

  it('returns false, never throws, for keys and signatures of the wrong length', async () => {
    const { publicKey, privateKey } = await generateSigningKeyPair();
    const signature = await sign(privateKey, SigningNamespaces.record, message);
    const cases: Array<[Uint8Array, Uint8Array]> = [
      [publicKey.subarray(0, 31), signature],
      [new Uint8Array(33), signature],
      [new Uint8Array(0), signature],
      [publicKey, signature.subarray(0, 63)],
      [publicKey, new Uint8Array(65)],
      [publicKey, new Uint8Array(0)],
    ];
    for (const [key, sig] of cases) {
      expect(await verify(key, SigningNamespaces.record, message, sig)).to.equal(false);
    }
  });

  it('returns false for a 32-byte key that is not a curve point', async () => {
    // y = 2 has no x on edwards25519, so this encoding is not a point; all-0xff is non-canonical.
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    for (const key of [notAPoint, new Uint8Array(32).fill(0xff)]) {
      expect(await verify(key, SigningNamespaces.record, message, new Uint8Array(64))).to.equal(false);
    }
  });

  it('exports an extractable private key as PKCS#8 and signs the same after re-import', async () => {
    const { publicKey, privateKey } = await generateSigningKeyPair({ extractable: true });
    const reimported = await importPrivateKey(await exportPrivateKey(privateKey));
    expect(reimported.extractable).to.equal(false);
    const signature = await sign(reimported, SigningNamespaces.invite, message);
    expect(await verify(publicKey, SigningNamespaces.invite, message, signature)).to.equal(true);
  });

  it('generates non-extractable private keys by default', async () => {
    const { privateKey } = await generateSigningKeyPair();
    let rejected = false;
    await exportPrivateKey(privateKey).catch(() => {
      rejected = true;
    });
    expect(rejected).to.equal(true);
  });
});
