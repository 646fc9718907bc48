import { expect } from 'chai';
import {
  compareBounds,
  endOfSpace,
  equalFingerprints,
  ItemSet,
  separatingBound,
  startOfSpace,
  type Fingerprint,
  type ReconcileItem,
} from '../../../../src/core/graph/reconcile/item-set.ts';
import { createRandom, type Random } from '../../../../src/lib/random.ts';

function randomId(random: Random): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < 16; i++) id[i] = random.int(256);
  return id;
}

function item(timeMs: number, ...prefix: number[]): ReconcileItem {
  const id = new Uint8Array(16);
  id.set(prefix);
  return { timeMs, id };
}

/** The fingerprint computed the slow way: a BigInt sum of the ids, little-endian, mod 2^128. */
function naiveFingerprint(items: readonly ReconcileItem[]): Fingerprint {
  let total = 0n;
  for (const { id } of items) {
    let value = 0n;
    for (let i = 15; i >= 0; i--) value = (value << 8n) | BigInt(id[i] ?? 0);
    total = (total + value) % (1n << 128n);
  }
  const sum = new Uint8Array(16);
  for (let i = 0; i < 16; i++) sum[i] = Number((total >> BigInt(8 * i)) & 0xffn);
  return { sum, count: items.length };
}

describe('ItemSet', () => {
  it('orders items by time, then by id bytes, and keeps each once', () => {
    const set = ItemSet.from([item(5, 2), item(3, 9), item(5, 1), item(3, 9), item(0, 200)]);
    expect(set.size).to.equal(4);
    const order = [...set.range(startOfSpace, endOfSpace)].map((entry) => [entry.timeMs, entry.id[0]]);
    expect(order).to.deep.equal([
      [0, 200],
      [3, 9],
      [5, 1],
      [5, 2],
    ]);
  });

  it('adds, removes and finds items', () => {
    const set = new ItemSet();
    expect(set.add(item(7, 1))).to.equal(true);
    expect(set.add(item(7, 1))).to.equal(false);
    expect(set.add(item(2, 3))).to.equal(true);
    expect(set.has(item(7, 1))).to.equal(true);
    expect(set.has(item(7, 2))).to.equal(false);
    expect(set.has(item(6, 1))).to.equal(false);
    expect(set.remove(item(7, 2))).to.equal(false);
    expect(set.remove(item(7, 1))).to.equal(true);
    expect(set.size).to.equal(1);
    expect(set.at(0)?.timeMs).to.equal(2);
  });

  it('keeps its own copy of an added id', () => {
    const id = new Uint8Array(16).fill(4);
    const set = ItemSet.from([{ timeMs: 1, id }]);
    id.fill(0);
    expect(set.has({ timeMs: 1, id: new Uint8Array(16).fill(4) })).to.equal(true);
  });

  it('refuses malformed items', () => {
    const set = new ItemSet();
    expect(() => set.add({ timeMs: -1, id: new Uint8Array(16) })).to.throw(RangeError);
    expect(() => set.add({ timeMs: 1.5, id: new Uint8Array(16) })).to.throw(RangeError);
    expect(() => set.add({ timeMs: 1, id: new Uint8Array(15) })).to.throw(RangeError);
    expect(() => ItemSet.from([{ timeMs: 1, id: new Uint8Array(17) }])).to.throw(RangeError);
  });

  it('reads a bound id as a prefix padded with zeros', () => {
    const set = ItemSet.from([item(4, 1, 0), item(4, 1, 5), item(4, 2)]);
    // (4, [1]) is (4, [1, 0, 0, ...]): the item (4, [1, 0, ...]) is at it, so not below it.
    expect(set.count(startOfSpace, { timeMs: 4, id: Uint8Array.of(1) })).to.equal(0);
    expect(set.count(startOfSpace, { timeMs: 4, id: Uint8Array.of(1, 1) })).to.equal(1);
    expect(set.count({ timeMs: 4, id: Uint8Array.of(1, 1) }, { timeMs: 4, id: Uint8Array.of(2) })).to.equal(
      1,
    );
    expect(set.count({ timeMs: 4, id: new Uint8Array(0) }, { timeMs: 5, id: new Uint8Array(0) })).to.equal(3);
    expect(
      compareBounds({ timeMs: 4, id: Uint8Array.of(1) }, { timeMs: 4, id: Uint8Array.of(1, 0) }),
    ).to.equal(0);
    expect(set.count(endOfSpace, startOfSpace)).to.equal(0);
  });

  it('finds the shortest bound between two neighbours', () => {
    expect(separatingBound(item(3, 9, 9), item(8, 1))).to.deep.equal({ timeMs: 8, id: new Uint8Array(0) });
    expect(separatingBound(item(8, 1, 2, 3), item(8, 1, 2, 7))).to.deep.equal({
      timeMs: 8,
      id: Uint8Array.of(1, 2, 7),
    });
    expect(separatingBound(item(8, 1, 255), item(8, 2, 0))).to.deep.equal({
      timeMs: 8,
      id: Uint8Array.of(2),
    });
  });

  it('separating bounds fall strictly above the lower item and at or below the upper one', () => {
    const seed = 7;
    const random = createRandom(seed);
    for (let round = 0; round < 500; round++) {
      const a = { timeMs: random.int(3), id: randomId(random) };
      const b = { timeMs: random.int(3), id: randomId(random) };
      a.id[0] = b.id[0] ?? 0; // share a first byte often, so prefixes grow
      if (compareBounds(a, b) === 0) continue;
      const [low, high] = compareBounds(a, b) < 0 ? [a, b] : [b, a];
      const bound = separatingBound(low, high);
      expect(compareBounds(low, bound) < 0, `seed ${seed} round ${round}`).to.equal(true);
      expect(compareBounds(bound, high) <= 0, `seed ${seed} round ${round}`).to.equal(true);
    }
  });

  it('fingerprints any range as the count and the 128-bit sum of its ids, across changes', () => {
    const seed = 20240611;
    const random = createRandom(seed);
    const set = new ItemSet();
    const reference: ReconcileItem[] = [];
    for (let step = 0; step < 400; step++) {
      if (reference.length > 0 && random.chance(0.3)) {
        const [victim] = reference.splice(random.int(reference.length), 1);
        if (victim !== undefined) expect(set.remove(victim)).to.equal(true);
      } else {
        const added = { timeMs: random.int(20), id: randomId(random) };
        // Ids of all 0xff make every word carry, the hardest case for the sums.
        if (random.chance(0.1)) added.id.fill(0xff);
        if (set.add(added)) reference.push(added);
      }
      reference.sort(compareBounds);
      const from = random.int(reference.length + 1);
      const to = from + random.int(reference.length - from + 1);
      const lower = reference[from] ?? endOfSpace;
      const upper = reference[to] ?? endOfSpace;
      const expected = naiveFingerprint(reference.slice(from, to));
      const actual = set.fingerprint(lower, upper);
      expect(equalFingerprints(actual, expected), `seed ${seed} step ${step}`).to.equal(true);
      expect(actual.sum).to.deep.equal(expected.sum);
      expect(set.size).to.equal(reference.length);
    }
  });

  it('tells different fingerprints apart', () => {
    const sum = new Uint8Array(16);
    expect(equalFingerprints({ sum, count: 1 }, { sum: new Uint8Array(16), count: 1 })).to.equal(true);
    expect(equalFingerprints({ sum, count: 1 }, { sum, count: 2 })).to.equal(false);
    expect(
      equalFingerprints({ sum, count: 1 }, { sum: Uint8Array.of(1, ...new Uint8Array(15)), count: 1 }),
    ).to.equal(false);
  });

  it('holds 100,000 items and fingerprints ranges of them', () => {
    const random = createRandom(99);
    const items = Array.from({ length: 100_000 }, () => ({
      timeMs: random.int(1_000_000),
      id: randomId(random),
    }));
    const set = ItemSet.from(items);
    expect(set.size).to.equal(100_000);
    const whole = set.fingerprint(startOfSpace, endOfSpace);
    expect(whole).to.deep.equal(naiveFingerprint(items));
    const middle = { timeMs: 500_000, id: new Uint8Array(0) };
    const low = set.fingerprint(startOfSpace, middle);
    const high = set.fingerprint(middle, endOfSpace);
    expect(low.count + high.count).to.equal(100_000);
    expect(set.add({ timeMs: 1_000_001, id: randomId(random) })).to.equal(true);
    expect(set.fingerprint(startOfSpace, middle)).to.deep.equal(low);
    expect(set.fingerprint(middle, endOfSpace).count).to.equal(high.count + 1);
  });
});
