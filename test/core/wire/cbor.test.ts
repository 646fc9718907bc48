import { expect } from 'chai';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { WireEncodeError } from '../../../src/core/wire/errors.ts';
import { fromHex, hex } from './hex.ts';

/** RFC 8949 Appendix A vectors for the types on the wire, plus the head-size boundaries. */
const vectors: readonly (readonly [WireValue, string])[] = [
  [0, '00'],
  [1, '01'],
  [10, '0a'],
  [23, '17'],
  [24, '1818'],
  [25, '1819'],
  [100, '1864'],
  [255, '18ff'],
  [256, '190100'],
  [1000, '1903e8'],
  [65535, '19ffff'],
  [65536, '1a00010000'],
  [1000000, '1a000f4240'],
  [2 ** 32 - 1, '1affffffff'],
  [2 ** 32, '1b0000000100000000'],
  [1000000000000, '1b000000e8d4a51000'],
  [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
  [-1, '20'],
  [-10, '29'],
  [-24, '37'],
  [-25, '3818'],
  [-100, '3863'],
  [-1000, '3903e7'],
  [Number.MIN_SAFE_INTEGER, '3b001ffffffffffffe'],
  [false, 'f4'],
  [true, 'f5'],
  [null, 'f6'],
  [new Uint8Array(0), '40'],
  [Uint8Array.of(1, 2, 3, 4), '4401020304'],
  ['', '60'],
  ['a', '6161'],
  ['IETF', '6449455446'],
  ['"\\', '62225c'],
  ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'],
  ['\ud800\udd51', '64f0908591'],
  [[], '80'],
  [[1, 2, 3], '83010203'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [Array.from({ length: 25 }, (_, i) => i + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
  [{}, 'a0'],
  [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
  [['a', { b: 'c' }], '826161a161626163'],
  [{ a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }, 'a56161614161626142616361436164614461656145'],
];

describe('deterministic CBOR', () => {
  it('encodes the RFC 8949 Appendix A vectors and decodes them back', () => {
    for (const [value, encoding] of vectors) {
      expect(hex(encodeCbor(value)), encoding).to.equal(encoding);
      expect(decodeCbor(fromHex(encoding)), encoding).to.deep.equal(value);
    }
  });

  it('round-trips every value type nested in arrays and maps', () => {
    const value: WireValue = {
      nothing: null,
      flags: [true, false],
      numbers: [0, -1, 23, 24, -25, 65536, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
      text: ['', 'plain', 'émoji 🍄', '\ufeffleading BOM'],
      blobs: [new Uint8Array(0), new Uint8Array(300).fill(7)],
      nested: { deeper: { deepest: [[[{ leaf: 'x' }]]] }, empty: {}, list: [] },
      long: 'x'.repeat(70000),
    };
    const encoded = encodeCbor(value);
    const decoded = decodeCbor(encoded, { maxBytes: encoded.length });
    expect(decoded).to.deep.equal(value);
    expect(hex(encodeCbor(decoded))).to.equal(hex(encoded));
  });

  it('orders map keys canonically, whatever order they were inserted in', () => {
    const forwards = encodeCbor({ a: 1, b: 2, aa: 3, '10': 4, 2: 5 });
    const backwards = encodeCbor({ aa: 3, b: 2, a: 1, 2: 5, '10': 4 });
    expect(hex(forwards)).to.equal(hex(backwards));
    // Shorter keys first, then bytewise: "2", "a", "b", "10", "aa".
    expect(hex(forwards)).to.equal('a5' + '613205' + '616101' + '616202' + '62313004' + '62616103');
  });

  it('keeps a key named __proto__ as data, not as a prototype', () => {
    const encoded = fromHex('a1 69 5f5f70726f746f5f5f a1 6161 01');
    const decoded = decodeCbor(encoded);
    expect(Object.getPrototypeOf(decoded)).to.equal(Object.prototype);
    expect(Object.keys(decoded as object)).to.deep.equal(['__proto__']);
    expect(hex(encodeCbor(decoded))).to.equal(hex(encoded));
  });

  it('returns byte strings that do not share memory with the input', () => {
    const encoded = fromHex('43 010203');
    const decoded = decodeCbor(encoded) as Uint8Array;
    encoded.fill(0);
    expect(Array.from(decoded)).to.deep.equal([1, 2, 3]);
  });

  it('decodes from a view into a larger buffer', () => {
    const buffer = fromHex('ffff 8201 02 ffff');
    expect(decodeCbor(buffer.subarray(2, 5))).to.deep.equal([1, 2]);
  });

  it('refuses values outside the wire subset', () => {
    const refused: unknown[] = [
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      -(2 ** 53),
      undefined,
      10n,
      () => 1,
      Symbol('s'),
      new Date(0),
      new Map(),
      new Uint16Array(2),
      new ArrayBuffer(2),
      [1, undefined],
      { a: undefined },
      { a: 0.1 },
      'lone \ud800 surrogate',
      '\udc00',
      { ['\ud800']: 1 },
    ];
    for (const value of refused) {
      expect(() => encodeCbor(value as WireValue), String(value)).to.throw(WireEncodeError);
    }
  });

  it('refuses to encode deeper than maxDepth or longer than maxBytes', () => {
    let deep: WireValue = [];
    for (let i = 0; i < 16; i++) deep = [deep];
    expect(() => encodeCbor(deep)).to.throw(WireEncodeError);
    expect(encodeCbor(deep, { maxDepth: 17 }).length).to.equal(17);
    expect(() => encodeCbor(new Uint8Array(100), { maxBytes: 101 })).to.throw(WireEncodeError);
    expect(encodeCbor(new Uint8Array(100), { maxBytes: 102 }).length).to.equal(102);
  });

  it('refuses a cyclic value instead of overflowing the stack', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => encodeCbor(cyclic as WireValue)).to.throw(WireEncodeError);
  });
});
