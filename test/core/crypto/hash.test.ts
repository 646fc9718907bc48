import { expect } from 'chai';
import { toBase32, utf8 } from '../../../src/lib/bytes.ts';
import { domainHash, labelledBytes, sha256 } from '../../../src/core/crypto/hash.ts';
import { HashDomains } from '../../../src/core/crypto/namespaces.ts';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

describe('hashing', () => {
  it('computes SHA-256 as FIPS 180-2 says', async () => {
    expect(hex(await sha256(utf8('abc')))).to.equal(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hex(await sha256(new Uint8Array(0)))).to.equal(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('hashes under a domain as SHA-256 of utf8(domain) || 0x00 || parts', async () => {
    const parts = [Uint8Array.of(1, 2), Uint8Array.of(3)];
    const expected = await sha256(labelledBytes(HashDomains.nodeId, Uint8Array.of(1, 2, 3)));
    expect(toBase32(await domainHash(HashDomains.nodeId, ...parts))).to.equal(toBase32(expected));
    expect(Array.from(labelledBytes('ab', Uint8Array.of(9)))).to.deep.equal([97, 98, 0, 9]);
  });
});
