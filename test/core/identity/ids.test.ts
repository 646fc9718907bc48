import { expect } from 'chai';
import { concatBytes, toBase32, utf8 } from '../../../src/lib/bytes.ts';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { sha256 } from '../../../src/core/crypto/hash.ts';
import { identityIdOf, nodeIdOf, shortId } from '../../../src/core/identity/ids.ts';

const peerJsIdRule = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

describe('identity and node ids', () => {
  it('derives the identity id as lower-case base32 of SHA-256 of the public key', async () => {
    const { publicKey } = await generateSigningKeyPair();
    const id = await identityIdOf(publicKey);
    expect(id).to.equal(toBase32(await sha256(publicKey)));
    expect(id).to.match(/^[a-z2-7]{52}$/);
  });

  it('shows a short id of the first eight characters as abcd-efgh', () => {
    expect(shortId('abcdefghijklmnop')).to.equal('abcd-efgh');
  });

  it('derives a node id PeerJS accepts, from the public key and the node salt', async () => {
    const { publicKey } = await generateSigningKeyPair();
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const nodeId = await nodeIdOf(publicKey, salt);
    const hash = await sha256(concatBytes(utf8('mycel/node/1'), Uint8Array.of(0), publicKey, salt));
    expect(nodeId).to.equal('m' + toBase32(hash).slice(0, 32));
    expect(nodeId).to.match(peerJsIdRule);
    expect(nodeId).to.have.length(33);
  });

  it('gives the same node id for the same key and salt, another for another salt', async () => {
    const { publicKey } = await generateSigningKeyPair();
    const salt = new Uint8Array(16).fill(1);
    const otherSalt = new Uint8Array(16).fill(2);
    expect(await nodeIdOf(publicKey, salt)).to.equal(
      await nodeIdOf(Uint8Array.from(publicKey), Uint8Array.from(salt)),
    );
    expect(await nodeIdOf(publicKey, salt)).to.not.equal(await nodeIdOf(publicKey, otherSalt));
  });

  it('refuses keys and salts of the wrong length', async () => {
    const { publicKey } = await generateSigningKeyPair();
    const salt = new Uint8Array(16);
    for (const attempt of [
      () => nodeIdOf(publicKey.subarray(1), salt),
      () => nodeIdOf(publicKey, salt.subarray(1)),
      () => identityIdOf(new Uint8Array(31)),
    ]) {
      const error: unknown = await attempt().catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(RangeError);
    }
  });
});
