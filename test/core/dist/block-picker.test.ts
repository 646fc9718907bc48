import { expect } from 'chai';
import { Bitfield } from '../../../src/core/dist/bitfield.ts';
import { BlockPicker, type PickerPeer } from '../../../src/core/dist/block-picker.ts';
import { createRandom } from '../../../src/lib/random.ts';

const seeds = Array.from({ length: 20 }, (_, n) => n + 1);
const nothing: ReadonlySet<number> = new Set();

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, n) => from + n);
}

function peerOf(nodeId: string, size: number, has: Iterable<number>): PickerPeer {
  return { nodeId, has: new Bitfield(size, has), asked: new Set() };
}

/** Picks a block for `peer` and asks it, as a download does; the block, if any. */
function ask(
  picker: BlockPicker,
  peer: PickerPeer,
  done: Bitfield,
  refused: ReadonlySet<number> = nothing,
): number | undefined {
  const index = picker.pick(peer, done, refused);
  if (index === undefined) return undefined;
  peer.asked.add(index);
  picker.asked(index);
  return index;
}

/** Asks `peer` until the picker has nothing more for it; the blocks in order. */
function askAll(picker: BlockPicker, peer: PickerPeer, done: Bitfield, refused = nothing): number[] {
  const picks: number[] = [];
  for (let index = ask(picker, peer, done, refused); index !== undefined;) {
    picks.push(index);
    index = ask(picker, peer, done, refused);
  }
  return picks;
}

function sorted(indexes: Iterable<number>): number[] {
  return [...indexes].sort((a, b) => a - b);
}

describe('the block picker', () => {
  for (const seed of seeds.slice(0, 8)) {
    it(`asks for the rarest blocks first (seed ${seed})`, () => {
      const size = 12;
      const picker = new BlockPicker(size, createRandom(seed));
      const a = peerOf('a', size, range(0, 12));
      for (const peer of [a, peerOf('b', size, range(0, 8)), peerOf('c', size, range(0, 4))]) {
        picker.count(peer.has, 1);
      }
      const picks = askAll(picker, a, new Bitfield(size));
      expect(sorted(picks.slice(0, 4)), `seed ${seed}`).to.deep.equal(range(8, 12));
      expect(sorted(picks.slice(4, 8)), `seed ${seed}`).to.deep.equal(range(4, 8));
      expect(sorted(picks.slice(8)), `seed ${seed}`).to.deep.equal(range(0, 4));
    });
  }

  for (const seed of seeds.slice(0, 8)) {
    it(`follows availability as peers leave and announce blocks (seed ${seed})`, () => {
      const size = 4;
      const picker = new BlockPicker(size, createRandom(seed));
      const a = peerOf('a', size, range(0, 4));
      const b = peerOf('b', size, [0, 1]);
      picker.count(a.has, 1);
      picker.count(b.has, 1);
      expect([2, 3], `seed ${seed}`).to.include(picker.pick(a, new Bitfield(size), nothing));
      picker.count(b.has, -1);
      picker.gained(2);
      picker.gained(3);
      expect([0, 1], `seed ${seed}`).to.include(picker.pick(a, new Bitfield(size), nothing));
    });
  }

  for (const seed of seeds.slice(0, 8)) {
    it(`never asks for a block done, refused or already asked of this peer (seed ${seed})`, () => {
      const size = 16;
      const picker = new BlockPicker(size, createRandom(seed));
      const peer = peerOf('a', size, range(0, 16));
      picker.count(peer.has, 1);
      for (const index of [6, 7]) {
        peer.asked.add(index);
        picker.asked(index);
      }
      const picks = askAll(picker, peer, new Bitfield(size, [0, 1, 2, 3]), new Set([4, 5]));
      expect(sorted(picks), `seed ${seed}`).to.deep.equal(range(8, 16));
    });
  }

  it('spreads two downloaders over the blocks by breaking ties at random', () => {
    const size = 64;
    let shared = 0;
    const firstPicks = new Set<number>();
    for (const seed of seeds) {
      const picks = [seed, seed + 1_000].map((pickerSeed) => {
        const picker = new BlockPicker(size, createRandom(pickerSeed));
        const peer = peerOf('seeder', size, range(0, size));
        picker.count(peer.has, 1);
        return range(0, 8).map(() => ask(picker, peer, new Bitfield(size)));
      });
      const [mine = [], theirs = []] = picks;
      firstPicks.add(mine[0] ?? -1);
      shared += mine.filter((index) => theirs.includes(index)).length;
    }
    // Two random 8-block draws from 64 share one block on average; identical choices share 8.
    expect(shared, 'blocks both downloaders asked for, over 20 seeds').to.be.below(3 * seeds.length);
    expect(firstPicks.size, 'distinct first blocks over 20 seeds').to.be.above(seeds.length / 2);
  });

  it('replays the same picks from the same seed', () => {
    const picksOf = (seed: number): number[] => {
      const picker = new BlockPicker(32, createRandom(seed));
      const peer = peerOf('a', 32, range(0, 32));
      picker.count(peer.has, 1);
      return askAll(picker, peer, new Bitfield(32));
    };
    expect(picksOf(7)).to.deep.equal(picksOf(7));
    expect(picksOf(7)).to.not.deep.equal(picksOf(8));
  });

  for (const seed of seeds.slice(0, 8)) {
    it(`enters end-game only once every missing block is asked, then re-asks single requests (seed ${seed})`, () => {
      const size = 5;
      const picker = new BlockPicker(size, createRandom(seed));
      const done = new Bitfield(size, [4]);
      const a = peerOf('a', size, [0, 1, 2, 4]);
      const b = peerOf('b', size, range(0, 5));
      const c = peerOf('c', size, range(0, 5));
      for (const peer of [a, b, c]) picker.count(peer.has, 1);
      const d = peerOf('d', size, [0, 1, 2]);
      picker.count(d.has, 1);
      expect(sorted(askAll(picker, a, done)), `seed ${seed}`).to.deep.equal([0, 1, 2]);
      // Block 3 is asked of nobody (and `d` lacks it): no block asked of `a` is asked again.
      expect(picker.pick(d, done, nothing), `seed ${seed}`).to.equal(undefined);
      expect(ask(picker, b, done), `seed ${seed}`).to.equal(3);
      expect([0, 1, 2], `seed ${seed}`).to.include(picker.pick(d, done, nothing));
      const spare = ask(picker, b, done);
      expect([0, 1, 2], `seed ${seed}`).to.include(spare);
      // `spare` is asked of two peers now: a third is asked for every other block once more.
      const third = askAll(picker, c, done);
      expect(sorted(third), `seed ${seed}`).to.deep.equal(range(0, 4).filter((index) => index !== spare));
    });
  }

  it('ends end-game when a request is answered and the block is still missing', () => {
    const size = 2;
    const picker = new BlockPicker(size, createRandom(1));
    const a = peerOf('a', size, [0, 1]);
    const b = peerOf('b', size, [0]);
    picker.count(a.has, 1);
    picker.count(b.has, 1);
    expect(sorted(askAll(picker, a, new Bitfield(size)))).to.deep.equal([0, 1]);
    expect(picker.pick(b, new Bitfield(size), nothing)).to.equal(0);
    // `a` answered `none` for block 1: it is asked of nobody, so `b` may not re-ask block 0.
    a.asked.delete(1);
    picker.answered(1);
    expect(picker.pick(b, new Bitfield(size), nothing)).to.equal(undefined);
  });

  it('has nothing for a peer that holds nothing useful', () => {
    const size = 8;
    const picker = new BlockPicker(size, createRandom(1));
    const empty = peerOf('empty', size, []);
    const stale = peerOf('stale', size, [0, 1]);
    const refusing = peerOf('refusing', size, [2, 3]);
    for (const peer of [empty, stale, refusing]) picker.count(peer.has, 1);
    const done = new Bitfield(size, [0, 1]);
    expect(picker.pick(empty, done, nothing)).to.equal(undefined);
    expect(picker.pick(stale, done, nothing)).to.equal(undefined);
    expect(picker.pick(refusing, done, new Set([2, 3]))).to.equal(undefined);
    expect(picker.pick(refusing, done, new Set([2]))).to.equal(3);
    expect(new BlockPicker(0, createRandom(1)).pick(peerOf('a', 0, []), new Bitfield(0), nothing)).to.equal(
      undefined,
    );
  });
});
