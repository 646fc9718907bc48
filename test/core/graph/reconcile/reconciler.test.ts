import { expect } from 'chai';
import { cborDefaultLimits, decodeCbor, encodeCbor, type WireValue } from '../../../../src/core/wire/cbor.ts';
import {
  compareBounds,
  endOfSpace,
  ItemSet,
  startOfSpace,
  type Bound,
  type ReconcileItem,
} from '../../../../src/core/graph/reconcile/item-set.ts';
import {
  maxIdsPerMessage,
  maxRangesPerMessage,
  maxReconcileMessageBytes,
  maxReconcileMessageItems,
  parseReconcileMessage,
  reconcileMessageToWire,
  type ReconcileMessage,
  type ReconcileRange,
} from '../../../../src/core/graph/reconcile/reconcile-messages.ts';
import { initiate, reconcileLocally, respond } from '../../../../src/core/graph/reconcile/reconciler.ts';
import { createRandom, type Random } from '../../../../src/lib/random.ts';

const nowMs = 1_718_000_000_000;

function randomId(random: Random): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < 16; i++) id[i] = random.int(256);
  return id;
}

/** `count` items with distinct ids, one every few seconds, as records written over a day. */
function history(random: Random, count: number): ReconcileItem[] {
  return Array.from({ length: count }, (_, index) => ({
    timeMs: nowMs + index * 5_000,
    id: randomId(random),
  }));
}

function key(id: Uint8Array): string {
  return Array.from(id, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function keys(ids: Iterable<Uint8Array>): Set<string> {
  return new Set(Array.from(ids, key));
}

function idsOf(items: readonly ReconcileItem[]): Uint8Array[] {
  return items.map((item) => item.id);
}

/** Encodes `message` as a peer would receive it, checked against our caps when it is ours. */
function onTheWire(message: ReconcileMessage, ours = true): WireValue {
  const encoded = encodeCbor(reconcileMessageToWire(message));
  if (ours) expect(encoded.length).to.be.at.most(maxReconcileMessageBytes);
  const maxItems = ours ? maxReconcileMessageItems : cborDefaultLimits.maxItems;
  return decodeCbor(encoded, { ...cborDefaultLimits, maxItems });
}

const emptyId = new Uint8Array(0);
const fingerprintOf = (upper: Bound): ReconcileRange => ({
  mode: 'fingerprint',
  upper,
  fingerprint: { sum: new Uint8Array(16).fill(7), count: 3 },
});

describe('range-based set reconciliation', () => {
  it('two identical sets of 10,000 items settle in one round trip of a few dozen bytes', () => {
    const items = history(createRandom(1), 10_000);
    const result = reconcileLocally(ItemSet.from(items), ItemSet.from(items));
    expect(result.rounds).to.equal(1);
    expect(result.bytesAtoB + result.bytesBtoA).to.be.below(300);
    expect(result.aNeed).to.deep.equal([]);
    expect(result.bNeed).to.deep.equal([]);
  });

  for (const staleFirst of [false, true]) {
    it(`a node that missed the newest 100 of 10,000 items learns exactly those (${staleFirst ? 'it' : 'its peer'} speaks first)`, () => {
      const items = history(createRandom(2), 10_000);
      const stale = ItemSet.from(items.slice(0, 9_900));
      const current = ItemSet.from(items);
      const result = staleFirst ? reconcileLocally(stale, current) : reconcileLocally(current, stale);
      const staleNeed = staleFirst ? result.aNeed : result.bNeed;
      const currentNeed = staleFirst ? result.bNeed : result.aNeed;
      expect(keys(staleNeed)).to.deep.equal(keys(idsOf(items.slice(9_900))));
      expect(staleNeed.length).to.equal(100);
      expect(currentNeed).to.deep.equal([]);
      // Measured: 1.7 KB (stale side first) and 1.8 KB (current side first), in 3 round trips.
      expect(result.bytesAtoB + result.bytesBtoA).to.be.below(6_000);
      expect(result.rounds).to.be.at.most(4);
    });
  }

  for (const emptyFirst of [false, true]) {
    it(`an empty node gets everything from a node with 10,000 items in a few bytes (${emptyFirst ? 'empty' : 'full'} speaks first)`, () => {
      const items = history(createRandom(3), 10_000);
      const empty = new ItemSet();
      const full = ItemSet.from(items);
      const result = emptyFirst ? reconcileLocally(empty, full) : reconcileLocally(full, empty);
      const emptyNeed = emptyFirst ? result.aNeed : result.bNeed;
      expect(keys(emptyNeed)).to.deep.equal(keys(idsOf(items)));
      expect(emptyFirst ? result.bNeed : result.aNeed).to.deep.equal([]);
      expect(result.rounds).to.be.at.most(2);
      expect(result.bytesAtoB + result.bytesBtoA).to.be.below(100);
    });
  }

  it('two empty sets settle at once', () => {
    const result = reconcileLocally(new ItemSet(), new ItemSet());
    expect(result).to.include({ rounds: 1, messages: 2 });
    expect(result.aNeed).to.deep.equal([]);
  });

  it('random differences both ways: each side learns exactly what the other has and it lacks', function () {
    this.timeout(120_000);
    const seed = 424_242;
    const random = createRandom(seed);
    let truncatedRuns = 0;
    for (let iteration = 0; iteration < 200; iteration++) {
      const context = `seed ${seed} iteration ${iteration}`;
      const size = random.int(3001);
      // Few distinct times make long runs of equal times, told apart by id prefixes only.
      const timeSpan = random.pick([1, 3, 50, 1_000_000]);
      const pool = Array.from({ length: size }, () => ({
        timeMs: random.int(timeSpan),
        id: randomId(random),
      }));
      const [onlyA, onlyB] = [random.next(), random.next()];
      const a: ReconcileItem[] = [];
      const b: ReconcileItem[] = [];
      for (const item of pool) {
        const draw = random.next();
        if (draw < onlyA) a.push(item);
        else if (draw < onlyA + onlyB) b.push(item);
        else {
          a.push(item);
          b.push(item);
        }
      }
      const result = reconcileLocally(ItemSet.from(a), ItemSet.from(b));
      const [aKeys, bKeys] = [keys(idsOf(a)), keys(idsOf(b))];
      const missingInA = [...bKeys].filter((id) => !aKeys.has(id));
      const missingInB = [...aKeys].filter((id) => !bKeys.has(id));
      expect(keys(result.aNeed), context).to.deep.equal(new Set(missingInA));
      expect(keys(result.bNeed), context).to.deep.equal(new Set(missingInB));
      expect(result.aNeed.length, context).to.equal(missingInA.length);
      if (result.largestMessageBytes > maxReconcileMessageBytes / 2) truncatedRuns++;
    }
    // Large, very different sets must have pushed some replies against the cap.
    expect(truncatedRuns, `seed ${seed}`).to.be.above(0);
  });

  it('two disjoint sets of 3,000 items reconcile through replies cut at the size cap', () => {
    const random = createRandom(5);
    const a = history(random, 3_000);
    const b = history(random, 3_000);
    const result = reconcileLocally(ItemSet.from(a), ItemSet.from(b));
    expect(result.largestMessageBytes).to.be.above(maxReconcileMessageBytes - 2_000);
    expect(result.largestMessageBytes).to.be.at.most(maxReconcileMessageBytes);
    expect(keys(result.aNeed)).to.deep.equal(keys(idsOf(b)));
    expect(keys(result.bNeed)).to.deep.equal(keys(idsOf(a)));
  });

  it('is deterministic', () => {
    const random = createRandom(6);
    const items = history(random, 2_000);
    const a = ItemSet.from(items.filter(() => random.chance(0.9)));
    const b = ItemSet.from(items.filter(() => random.chance(0.9)));
    expect(reconcileLocally(a, b)).to.deep.equal(reconcileLocally(a, b));
  });

  it('opens with the ids of a small set and one fingerprint of a large one', () => {
    const random = createRandom(8);
    const small = initiate(ItemSet.from(history(random, 10)));
    expect(small.ranges.map((range) => range.mode)).to.deep.equal(['ids']);
    const large = initiate(ItemSet.from(history(random, 1_000)));
    expect(large.ranges.map((range) => range.mode)).to.deep.equal(['fingerprint']);
    expect(large.ranges[0]?.upper).to.equal(endOfSpace);
  });

  it('a reply to an id list names what each side lacks and asks nothing back', () => {
    const items = history(createRandom(9), 5);
    const set = ItemSet.from(items.slice(0, 3));
    const peerIds = [items[1], items[3], items[4]].map((item) => item?.id ?? emptyId);
    const response = respond(set, { ranges: [{ mode: 'ids', upper: endOfSpace, ids: peerIds }] });
    expect(keys(response.need)).to.deep.equal(keys(idsOf(items.slice(3))));
    expect(keys(response.have)).to.deep.equal(
      keys(idsOf([items[0], items[2]].filter((item) => item !== undefined))),
    );
    expect(response.reply?.ranges).to.deep.equal([{ mode: 'skip', upper: endOfSpace }]);
    expect(respond(set, response.reply ?? { ranges: [] }).reply).to.equal(undefined);
  });
});

describe('reconciliation messages', () => {
  it('round-trip through the wire unchanged', () => {
    const message: ReconcileMessage = {
      ranges: [
        { mode: 'skip', upper: { timeMs: 10, id: emptyId } },
        fingerprintOf({ timeMs: nowMs, id: Uint8Array.of(4, 2) }),
        { mode: 'ids', upper: { timeMs: nowMs, id: Uint8Array.of(9) }, ids: [new Uint8Array(16).fill(1)] },
        { mode: 'ids', upper: endOfSpace, ids: [] },
      ],
    };
    const parsed = parseReconcileMessage(onTheWire(message));
    expect(parsed).to.deep.equal({ ok: true, message });
  });

  /** A distinct id for each `n` below 65,536. */
  const id = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8, ...new Uint8Array(14));
  const fp = { f: id(3), n: 4 };
  const hostile: [string, WireValue, string][] = [
    ['null', null, 'bad-schema'],
    ['a number', 5, 'bad-schema'],
    ['an array', [{}], 'bad-schema'],
    ['no ranges', { ranges: [] }, 'bad-schema'],
    ['an unknown field', { ranges: [{ q: 1 }] }, 'bad-schema'],
    ['a negative time step', { ranges: [{ t: -1 }, {}] }, 'bad-schema'],
    ['a 15-byte id', { ranges: [{ i: [new Uint8Array(15)] }] }, 'bad-schema'],
    ['a 17-byte fingerprint', { ranges: [{ f: new Uint8Array(17), n: 1 }] }, 'bad-schema'],
    ['a negative count', { ranges: [{ f: id(1), n: -1 }] }, 'bad-schema'],
    ['both ids and a fingerprint', { ranges: [{ ...fp, i: [] }] }, 'bad-schema'],
    ['a 17-byte bound', { ranges: [{ t: 1, p: new Uint8Array(17) }, {}] }, 'bad-schema'],
    ['no end of space', { ranges: [{ t: 5, ...fp }] }, 'bad-bounds'],
    ['a range after the end', { ranges: [{}, {}] }, 'bad-bounds'],
    ['a prefix without a time', { ranges: [{ p: Uint8Array.of(1) }] }, 'bad-bounds'],
    ['a first bound at the start', { ranges: [{ t: 0 }, {}] }, 'bad-bounds'],
    ['duplicate ranges', { ranges: [{ t: 5, ...fp }, { t: 0, ...fp }, {}] }, 'bad-bounds'],
    [
      'unsorted bounds',
      { ranges: [{ t: 5, p: Uint8Array.of(9) }, { t: 0, p: Uint8Array.of(3) }, {}] },
      'bad-bounds',
    ],
    ['a time past the safe range', { ranges: [{ t: Number.MAX_SAFE_INTEGER }, { t: 1 }, {}] }, 'bad-bounds'],
    [
      'an oversize id list',
      { ranges: [{ i: Array.from({ length: maxIdsPerMessage + 1 }, (_, n) => id(n)) }] },
      'too-many-ids',
    ],
    [
      'too many ids over two ranges',
      {
        ranges: [
          { t: 1, i: Array.from({ length: 600 }, (_, n) => id(n)) },
          { i: Array.from({ length: 600 }, (_, n) => id(n)) },
        ],
      },
      'too-many-ids',
    ],
    [
      'too many ranges',
      { ranges: [...Array.from({ length: maxRangesPerMessage }, () => ({ t: 1 })), {}] },
      'too-many-ranges',
    ],
    [
      'too many CBOR items',
      { ranges: [...Array.from({ length: 900 }, () => ({ t: 1, p: Uint8Array.of(1), ...fp })), {}] },
      'too-many-items',
    ],
    ['a repeated id', { ranges: [{ i: [id(1), id(2), id(1)] }] }, 'duplicate-ids'],
  ];
  for (const [name, value, reason] of hostile) {
    it(`refuses ${name} with "${reason}"`, () => {
      expect(parseReconcileMessage(value)).to.deep.equal({ ok: false, reason });
    });
  }

  it('never throws on random garbage', () => {
    const seed = 77;
    const random = createRandom(seed);
    const garbage = (depth: number): WireValue => {
      switch (random.int(depth > 3 ? 6 : 8)) {
        case 0:
          return random.int(1000) - 10;
        case 1:
          return random.pick([null, true, 'x', '']);
        case 2:
          return new Uint8Array(random.pick([0, 1, 15, 16, 17]));
        case 3:
          return random.pick(['t', 'p', 'f', 'n', 'i']);
        case 4:
          return random.int(5);
        case 5:
          return id(random.int(256));
        case 6:
          return Array.from({ length: random.int(5) }, () => garbage(depth + 1));
        default: {
          const map: { [key: string]: WireValue } = {};
          for (let n = random.int(4); n > 0; n--)
            map[random.pick(['t', 'p', 'f', 'n', 'i', 'ranges'])] = garbage(depth + 1);
          return map;
        }
      }
    };
    for (let round = 0; round < 2_000; round++) {
      const value = random.chance(0.5) ? { ranges: garbage(1) } : garbage(0);
      const result = parseReconcileMessage(value);
      if (result.ok) {
        expect(
          compareBounds(result.message.ranges.at(-1)?.upper ?? startOfSpace, endOfSpace),
          `seed ${seed}`,
        ).to.equal(0);
      } else {
        expect(result.reason, `seed ${seed} round ${round}`).to.be.a('string');
      }
    }
  });

  it('replies to any valid message, however hostile, within the schema and the caps', function () {
    this.timeout(60_000);
    const seed = 31_337;
    const random = createRandom(seed);
    const ours = ItemSet.from(
      Array.from({ length: 5_000 }, () => ({ timeMs: nowMs + random.int(200), id: randomId(random) })),
    );
    for (let round = 0; round < 60; round++) {
      // Increasing bounds drawn from our own items, so ranges land on real data.
      const rangeCount = 1 + random.int(random.chance(0.3) ? 500 : 40);
      const uppers = new Set<number>();
      while (uppers.size < rangeCount - 1) uppers.add(random.int(ours.size));
      const bounds = [...uppers]
        .sort((x, y) => x - y)
        .map((index) => ours.at(index))
        .filter((item) => item !== undefined)
        .filter((item, index, all) => index === 0 || compareBounds(all[index - 1] ?? startOfSpace, item) < 0)
        .filter((item) => compareBounds(startOfSpace, item) < 0);
      const ranges: ReconcileRange[] = [...bounds, endOfSpace].map((upper) => {
        const draw = random.int(10);
        if (draw < 1) return { mode: 'skip', upper };
        if (draw < 2) return { mode: 'ids', upper, ids: [randomId(random)] };
        return fingerprintOf(upper);
      });
      // A peer's message may fill a 16 KiB frame: only the item cap binds it.
      const parsed = parseReconcileMessage(onTheWire({ ranges }, false));
      expect(parsed.ok, `seed ${seed} round ${round}`).to.equal(true);
      if (!parsed.ok) continue;
      const { reply } = respond(ours, parsed.message);
      expect(reply, `seed ${seed} round ${round}`).to.not.equal(undefined);
      if (reply === undefined) continue;
      const reparsed = parseReconcileMessage(onTheWire(reply));
      expect(reparsed, `seed ${seed} round ${round}`).to.deep.equal({ ok: true, message: reply });
      if (rangeCount > 300)
        expect(reply.ranges.at(-1)?.mode, `seed ${seed} round ${round}`).to.equal('fingerprint');
    }
  });
});
