import { expect } from 'chai';
import { Bitfield } from '../../../src/core/dist/bitfield.ts';
import { maxBlocks } from '../../../src/core/dist/content-info.ts';
import { createRandom } from '../../../src/lib/random.ts';

const sizes = [1, 7, 8, 9, maxBlocks];
const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

/** The indexes set in `field`, ascending. */
function indexesOf(field: Bitfield): number[] {
  return Array.from({ length: field.size }, (_, index) => index).filter((index) => field.has(index));
}

describe('a bitfield of held blocks', () => {
  it('adds, removes and counts bits, each once', () => {
    const field = new Bitfield(9);
    expect([field.add(3), field.add(3), field.add(8)]).to.deep.equal([true, false, true]);
    expect([field.count, field.has(3), field.has(8), field.has(4)]).to.deep.equal([2, true, true, false]);
    expect([field.remove(3), field.remove(3), field.remove(4)]).to.deep.equal([true, false, false]);
    expect([field.count, field.has(3)]).to.deep.equal([1, false]);
  });

  it('refuses indexes outside the content', () => {
    const field = new Bitfield(9);
    for (const index of [-1, 9, 16, 1.5, Number.NaN]) expect(field.add(index), `${index}`).to.equal(false);
    expect(field.remove(9)).to.equal(false);
    expect(field.has(9)).to.equal(false);
    expect(field.count).to.equal(0);
  });

  it('lays bits out most significant first, byte `i >> 3`', () => {
    expect([...new Bitfield(9, [0, 8]).bytes()]).to.deep.equal([0x80, 0x80]);
    expect([...new Bitfield(9, [7]).bytes()]).to.deep.equal([0x01, 0x00]);
    expect([...new Bitfield(3, [1, 2]).bytes()]).to.deep.equal([0x60]);
  });

  for (const size of sizes) {
    describe(`of ${size} blocks`, () => {
      const length = Math.ceil(size / 8);

      it('is sent as nothing while empty, and nothing reads as empty', () => {
        const field = new Bitfield(size);
        expect(field.bytes().length).to.equal(0);
        expect(field.complete).to.equal(false);
        const read = Bitfield.read(size, new Uint8Array(0));
        expect(read?.count).to.equal(0);
        expect(read?.size).to.equal(size);
        // The full-length form with no bit set means the same.
        expect(Bitfield.read(size, new Uint8Array(length))?.count).to.equal(0);
      });

      it('is complete when every block is held, and survives the wire', () => {
        const all = Array.from({ length: size }, (_, index) => index);
        const field = new Bitfield(size, all);
        expect([field.count, field.complete]).to.deep.equal([size, true]);
        const bytes = field.bytes();
        expect(bytes.length).to.equal(length);
        const read = Bitfield.read(size, bytes);
        expect(read?.complete).to.equal(true);
        expect(indexesOf(read ?? new Bitfield(size))).to.deep.equal(all);
        expect(field.remove(size - 1)).to.equal(true);
        expect(field.complete).to.equal(false);
      });

      it('refuses a wire form of the wrong length', () => {
        expect(Bitfield.read(size, new Uint8Array(length + 1).fill(0x80))).to.equal(undefined);
        // One byte short is the empty form when the content fits in one byte.
        if (length > 1)
          expect(Bitfield.read(size, new Uint8Array(length - 1).fill(0x80))).to.equal(undefined);
      });

      it('refuses a wire form with a bit set past the end', () => {
        const bytes = new Bitfield(size, [0]).bytes();
        if (size % 8 === 0) {
          // No spare bit: the last bit is a block, and reading it is fine.
          bytes[length - 1] = (bytes[length - 1] ?? 0) | 0x01;
          expect(Bitfield.read(size, bytes)?.has(size - 1)).to.equal(true);
          return;
        }
        bytes[length - 1] = (bytes[length - 1] ?? 0) | (0x80 >> (size % 8));
        expect(Bitfield.read(size, bytes)).to.equal(undefined);
        bytes[length - 1] = ((bytes[length - 1] ?? 0) & ~(0x80 >> (size % 8))) | 0x01;
        expect(Bitfield.read(size, bytes)).to.equal(undefined);
      });
    });
  }

  for (const seed of seeds) {
    it(`holds exactly a random set, on the wire too (seed ${seed})`, () => {
      const random = createRandom(seed);
      const size = 1 + random.int(maxBlocks);
      const chosen = new Set<number>();
      const field = new Bitfield(size);
      for (let step = 0; step < size * 2; step += 1) {
        const index = random.int(size);
        if (random.chance(0.3)) {
          expect(field.remove(index), `seed ${seed}`).to.equal(chosen.delete(index));
        } else {
          expect(field.add(index), `seed ${seed}`).to.equal(!chosen.has(index));
          chosen.add(index);
        }
      }
      const expected = [...chosen].sort((a, b) => a - b);
      expect(field.count, `seed ${seed}`).to.equal(chosen.size);
      expect(indexesOf(field), `seed ${seed}`).to.deep.equal(expected);
      const read = Bitfield.read(size, field.bytes());
      expect(read, `seed ${seed}`).to.not.equal(undefined);
      expect(read?.count, `seed ${seed}`).to.equal(chosen.size);
      expect(indexesOf(read ?? new Bitfield(size)), `seed ${seed}`).to.deep.equal(expected);
    });
  }
});
