import { expect } from 'chai';
import {
  decodeCbor,
  encodeCbor,
  type CborDecodeLimits,
  type WireValue,
} from '../../../src/core/wire/cbor.ts';
import { WireDecodeError, type WireDecodeReason } from '../../../src/core/wire/errors.ts';
import { fromHex, hex } from './hex.ts';
import { createRandom, type Random } from '../../../src/lib/random.ts';

/** The reason `decodeCbor` gives for `input`, failing the test if it decodes or throws otherwise. */
function reasonOf(input: Uint8Array, limits: CborDecodeLimits = {}): WireDecodeReason {
  try {
    decodeCbor(input, limits);
  } catch (error) {
    if (error instanceof WireDecodeError) return error.reason;
    throw error;
  }
  throw new Error(`${hex(input)} decoded, but should have been refused`);
}

const nestedArrays = (levels: number): string => '81'.repeat(levels - 1) + '80';

/** Crafted inputs for every reason; a Record, so a reason without a case fails to compile. */
const hostile: Record<WireDecodeReason, readonly string[]> = {
  truncated: [
    '', // nothing at all
    '18', // one-byte argument missing
    '19 00', // two-byte argument cut short
    '1b 00000001 000000', // eight-byte argument cut short
    '62 61', // text body shorter than declared
    '44 0102', // byte body shorter than declared
    '82 01', // array missing an element
    'a1 6161', // map missing a value
    'a1', // map missing its entry
    '5a ffffffff 00', // 4 GiB declared, one byte present: refused before allocating
    '7b 00000001 00000000 61', // 4 GiB text declared
    '9a ffffffff 00', // four billion elements declared
    'ba ffffffff 6161 00', // four billion entries declared
  ],
  'trailing-bytes': ['00 00', '80 f6', 'a0 a0', '6161 61'],
  'non-canonical': [
    '18 17', // 23 with a one-byte argument
    '19 00ff', // 255 with a two-byte argument
    '1a 0000ffff', // 65535 with a four-byte argument
    '1b 00000000 ffffffff', // 2^32 - 1 with an eight-byte argument
    '38 00', // -1 with a one-byte argument
    '58 01 00', // a one-byte string with a long length head
    '5f 41 01 ff', // indefinite-length bytes
    '7f 61 61 ff', // indefinite-length text
    '9f ff', // indefinite-length array
    'bf ff', // indefinite-length map
    'a2 6162 01 6161 02', // keys out of order
    'a2 626161 01 6162 02', // longer key before a shorter one
  ],
  malformed: ['1c', '1d', '1e', '1f', '3f', 'ff', 'fc', 'fd', 'fe', '82 01 ff'],
  'unsupported-type': [
    'c0 60', // tag 0 (date-time)
    'd8 20 60', // tag 32 (URI)
    'c2 41 01', // tag 2 (bignum)
    'f9 3c00', // half float 1.0
    'fa 3f800000', // single float 1.0
    'fb 3ff0000000000000', // double float 1.0
    'f7', // undefined
    'e0', // simple value 0
    'f3', // simple value 19
    'f8 20', // simple value 32
    'a1 01 02', // integer key
    'a1 41 61 02', // byte-string key
    'a1 f6 02', // null key
    'a1 80 02', // array key
  ],
  'too-deep': [nestedArrays(17), '81'.repeat(16) + 'a0', 'a1 6161'.repeat(16) + '80'],
  'too-many-items': [
    '99 1001' + '00'.repeat(4097),
    '82 99 0800' + '00'.repeat(2048) + '99 0800' + '00'.repeat(2048),
  ],
  'too-large': [], // by limit, below
  'bad-utf8': [
    '61 ff', // never valid
    '61 80', // lone continuation byte
    '62 c328', // bad continuation
    '62 c080', // overlong NUL
    '63 eda080', // UTF-8 of a surrogate
    '64 f4908080', // beyond U+10FFFF
    'a1 61 ff 00', // as a map key
  ],
  'duplicate-key': ['a2 6161 01 6161 02', 'a3 6161 01 6162 02 6162 03'],
  'integer-range': [
    '1b 0020000000000000', // 2^53
    '1b ffffffffffffffff', // 2^64 - 1
    '3b 001fffffffffffff', // -2^53
    '3b ffffffffffffffff', // -2^64
  ],
};

describe('deterministic CBOR on hostile input', () => {
  for (const [reason, inputs] of Object.entries(hostile)) {
    if (inputs.length === 0) continue;
    it(`refuses crafted inputs as ${reason}`, () => {
      for (const input of inputs) expect(reasonOf(fromHex(input)), input).to.equal(reason);
    });
  }

  it('refuses input longer than maxBytes as too-large before reading it', () => {
    expect(reasonOf(new Uint8Array(64 * 1024 + 1))).to.equal('too-large');
    expect(reasonOf(fromHex('83 010203'), { maxBytes: 3 })).to.equal('too-large');
    expect(decodeCbor(fromHex('83 010203'), { maxBytes: 4 })).to.deep.equal([1, 2, 3]);
  });

  it('accepts exactly the limits and refuses one past them', () => {
    expect(() => decodeCbor(fromHex(nestedArrays(16)))).not.to.throw();
    expect(reasonOf(fromHex(nestedArrays(4)), { maxDepth: 3 })).to.equal('too-deep');
    expect(decodeCbor(fromHex(nestedArrays(3)), { maxDepth: 3 })).to.deep.equal([[[]]]);
    expect(() => decodeCbor(fromHex('99 1000' + '00'.repeat(4096)))).not.to.throw();
    expect(reasonOf(fromHex('83 010203'), { maxItems: 2 })).to.equal('too-many-items');
    expect(reasonOf(fromHex('a2 6161 01 6162 02'), { maxItems: 1 })).to.equal('too-many-items');
    expect(decodeCbor(fromHex('3b 001ffffffffffffe'))).to.equal(Number.MIN_SAFE_INTEGER);
  });

  it('refuses limits it cannot honour with a RangeError', () => {
    expect(() => decodeCbor(fromHex('00'), { maxDepth: 257 })).to.throw(RangeError);
    expect(() => decodeCbor(fromHex('00'), { maxItems: -1 })).to.throw(RangeError);
    expect(() => decodeCbor(fromHex('00'), { maxBytes: 1.5 })).to.throw(RangeError);
  });

  it('reports where in the input it found the problem', () => {
    try {
      decodeCbor(fromHex('83 01 02 1817'));
      expect.fail('decoded a non-canonical head');
    } catch (error) {
      expect(error).to.be.instanceOf(WireDecodeError);
      expect((error as WireDecodeError).offset).to.equal(3);
    }
  });
});

const interestingIntegers = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
const interestingTexts = ['', 'a', 'b', 'aa', 'key', 'é', '🍄', '\ufeff', 'x'.repeat(24), 'mycel/1'];
// Initial bytes of every major type and head size, plus the refused ones, to reach deep paths.
const interestingBytes = fromHex(
  '00 17 18 19 1a 1b 1c 1f 20 38 3b 40 41 58 5a 5f 60 61 78 7b 7f 80 81 98 9b 9f' +
    ' a0 a1 b8 bf c0 d8 e0 f4 f5 f6 f7 f8 f9 fb ff',
);

function randomValue(random: Random, depth: number): WireValue {
  const choice = random.int(depth >= 4 ? 6 : 8);
  switch (choice) {
    case 0:
      return random.pick([null, true, false]);
    case 1:
    case 2: {
      const magnitude = random.next() < 0.5 ? random.pick(interestingIntegers) : random.int(2 ** 20);
      return random.next() < 0.5 ? magnitude : -magnitude - (magnitude === 2 ** 53 - 1 ? 0 : 1);
    }
    case 3:
      return random.next() < 0.7 ? random.pick(interestingTexts) : String.fromCodePoint(random.int(0xd000));
    case 4:
      return Uint8Array.from({ length: random.int(30) }, () => random.int(256));
    case 5:
      return random.pick(interestingTexts).repeat(random.int(3));
    case 6:
      return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
    default: {
      const map: Record<string, WireValue> = {};
      for (let i = random.int(5); i > 0; i--)
        map[random.pick(interestingTexts)] = randomValue(random, depth + 1);
      return map;
    }
  }
}

function mutate(random: Random, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  const at = random.int(bytes.length + 1);
  switch (random.int(6)) {
    case 0:
      if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ (1 << random.int(8));
      break;
    case 1:
      if (at < bytes.length) bytes[at] = random.pick(Array.from(interestingBytes));
      break;
    case 2:
      bytes.splice(at, 0, random.int(256));
      break;
    case 3:
      bytes.splice(at, 1 + random.int(3));
      break;
    case 4:
      bytes.length = at;
      break;
    default:
      bytes.splice(at, 0, ...bytes.slice(random.int(bytes.length), random.int(bytes.length + 1)));
  }
  return Uint8Array.from(bytes);
}

/** Decodes `input`: only WireDecodeError may escape, and what decodes re-encodes to the same bytes. */
function checkDecode(input: Uint8Array, seed: number): boolean {
  let value: WireValue;
  try {
    value = decodeCbor(input);
  } catch (error) {
    expect(error, `seed ${seed}, input ${hex(input)}`).to.be.instanceOf(WireDecodeError);
    return false;
  }
  expect(hex(encodeCbor(value)), `seed ${seed}, input ${hex(input)}`).to.equal(hex(input));
  return true;
}

describe('deterministic CBOR under fuzzing', () => {
  const seeds = [0x6d796365, 1, 20240601];

  for (const seed of seeds) {
    it(`round-trips random values and survives mutations of them (seed ${seed})`, () => {
      const random = createRandom(seed);
      let accepted = 0;
      for (let i = 0; i < 1500; i++) {
        const value = randomValue(random, 0);
        const encoded = encodeCbor(value);
        expect(decodeCbor(encoded), `seed ${seed}, case ${i}`).to.deep.equal(value);
        expect(checkDecode(encoded, seed)).to.equal(true);
        for (let m = 0; m < 3; m++) if (checkDecode(mutate(random, encoded), seed)) accepted++;
      }
      // Some mutations stay valid (a flipped payload bit); if none did, the check above was idle.
      expect(accepted, `seed ${seed}`).to.be.greaterThan(100);
    });

    it(`never throws anything but WireDecodeError on random bytes (seed ${seed})`, () => {
      const random = createRandom(seed);
      let accepted = 0;
      for (let i = 0; i < 3000; i++) {
        const input = Uint8Array.from({ length: random.int(24) }, () =>
          random.next() < 0.5 ? random.pick(Array.from(interestingBytes)) : random.int(256),
        );
        if (checkDecode(input, seed)) accepted++;
      }
      expect(accepted, `seed ${seed}`).to.be.greaterThan(0);
    });
  }
});
