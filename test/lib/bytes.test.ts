import { expect } from 'chai';
import { fromBase64Url, fromUtf8, toBase32, toBase64Url, utf8 } from '../../src/lib/bytes.ts';

describe('bytes', () => {
  it('round-trips base64url without padding', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 255);
      const text = toBase64Url(bytes);
      expect(text).to.match(/^[A-Za-z0-9_-]*$/);
      expect(Array.from(fromBase64Url(text))).to.deep.equal(Array.from(bytes));
    }
  });

  it('refuses characters outside base64url', () => {
    expect(() => fromBase64Url('ab+c')).to.throw(SyntaxError);
    expect(() => fromBase64Url('abcde')).to.throw(SyntaxError);
  });

  it('encodes base32 as RFC 4648 does, lower case, unpadded', () => {
    expect(toBase32(utf8('foobar'))).to.equal('mzxw6ytboi');
    expect(toBase32(utf8('f'))).to.equal('my');
  });

  it('keeps a leading byte-order mark, so decoded text re-encodes to the same bytes', () => {
    const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61);
    expect(Array.from(utf8(fromUtf8(bytes)))).to.deep.equal(Array.from(bytes));
  });
});
