import { expect } from 'chai';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import {
  deriveKeyFromPassphrase,
  generateSealingKey,
  randomBytes,
  seal,
  unseal,
} from '../../../src/core/crypto/aead.ts';

describe('AES-GCM sealing', () => {
  const additionalData = utf8('header');

  it('unseals what it sealed, with the same additional data', async () => {
    const key = await generateSealingKey();
    expect(key.extractable).to.equal(false);
    const sealed = await seal(key, utf8('secret'), additionalData);
    expect(sealed.iv.length).to.equal(12);
    const opened = await unseal(key, sealed, additionalData);
    expect(opened === undefined ? undefined : fromUtf8(opened)).to.equal('secret');
  });

  it('returns undefined for other additional data, a changed ciphertext or another key', async () => {
    const key = await generateSealingKey();
    const sealed = await seal(key, utf8('secret'), additionalData);
    const changed = Uint8Array.from(sealed.ciphertext);
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(await unseal(key, sealed, utf8('other'))).to.equal(undefined);
    expect(await unseal(key, { iv: sealed.iv, ciphertext: changed }, additionalData)).to.equal(undefined);
    expect(await unseal(await generateSealingKey(), sealed, additionalData)).to.equal(undefined);
  });

  it('derives the same key from the same passphrase and salt, another from another salt', async () => {
    const salt = randomBytes(16);
    const sealed = await seal(
      await deriveKeyFromPassphrase('correct horse', salt, 1000),
      utf8('x'),
      additionalData,
    );
    const same = await deriveKeyFromPassphrase('correct horse', salt, 1000);
    const otherSalt = await deriveKeyFromPassphrase('correct horse', randomBytes(16), 1000);
    const otherCount = await deriveKeyFromPassphrase('correct horse', salt, 1001);
    expect(await unseal(same, sealed, additionalData)).to.not.equal(undefined);
    expect(await unseal(otherSalt, sealed, additionalData)).to.equal(undefined);
    expect(await unseal(otherCount, sealed, additionalData)).to.equal(undefined);
  });
});
