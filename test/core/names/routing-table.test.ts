import { expect } from 'chai';
import {
  commonPrefixBits,
  compareDistance,
  dhtIdOf,
  digitAt,
  randomIdWithPrefix,
  xorDistance,
} from '../../../src/core/names/dht-id.ts';
import { RoutingTable } from '../../../src/core/names/routing-table.ts';
import { toBase32 } from '../../../src/lib/bytes.ts';
import { createRandom, type Random } from '../../../src/lib/random.ts';

function randomId(random: Random): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => random.int(256));
}

function nodeIdFor(random: Random): string {
  return 'm' + toBase32(randomId(random)).slice(0, 32);
}

/** An id sharing exactly `level` digits with `base`, with `digit` next. */
function idInBucket(base: Uint8Array, level: number, digit: number, random: Random): Uint8Array {
  return randomIdWithPrefix(base, level, digit, 4, random);
}

/** Bytewise comparison of two distances, the definition `compareDistance` must agree with. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

describe('DHT ids', () => {
  it('derives 32-byte ids that differ per node id and stay the same for one', () => {
    const a = dhtIdOf('maaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(a.length).to.equal(32);
    expect(dhtIdOf('maaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).to.deep.equal(a);
    expect(dhtIdOf('maaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab')).to.not.deep.equal(a);
  });

  it('orders by XOR distance exactly as comparing the XOR bytes does', () => {
    const seed = 41;
    const random = createRandom(seed);
    for (let trial = 0; trial < 500; trial++) {
      const [a, b, target] = [randomId(random), randomId(random), randomId(random)];
      // Share a prefix now and then, so ties in the first bytes are exercised.
      if (trial % 3 === 0) b.set(a.subarray(0, random.int(32)));
      const expected = Math.sign(compareBytes(xorDistance(a, target), xorDistance(b, target)));
      expect(Math.sign(compareDistance(a, b, target)), `seed ${seed}, trial ${trial}`).to.equal(expected);
    }
    const id = randomId(random);
    expect(compareDistance(id, id, randomId(random))).to.equal(0);
  });

  it('counts shared leading bits and reads 4-bit digits', () => {
    const a = Uint8Array.from([0b1010_0101, 0xff, ...new Array<number>(30).fill(0)]);
    const b = Uint8Array.from([0b1010_0111, 0xff, ...new Array<number>(30).fill(0)]);
    expect(commonPrefixBits(a, b)).to.equal(6);
    expect(commonPrefixBits(a, a)).to.equal(256);
    expect(digitAt(a, 0, 4)).to.equal(0b1010);
    expect(digitAt(a, 1, 4)).to.equal(0b0101);
    expect(digitAt(a, 2, 4)).to.equal(0xf);
    expect(digitAt(a, 7, 1)).to.equal(1);
    expect(digitAt(a, 3, 2)).to.equal(0b01);
    expect(() => digitAt(a, 64, 4)).to.throw(RangeError);
    expect(() => digitAt(a, 0, 3)).to.throw(RangeError);
  });

  it('makes random ids inside a chosen bucket', () => {
    const seed = 42;
    const random = createRandom(seed);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 8 });
    for (let trial = 0; trial < 200; trial++) {
      const level = random.int(10);
      let digit = random.int(16);
      if (digit === digitAt(self, level, 4)) digit = (digit + 1) % 16;
      const id = idInBucket(self, level, digit, random);
      expect(table.bucketOf(id), `seed ${seed}, trial ${trial}`).to.deep.equal({ level, digit });
    }
  });
});

describe('routing table', () => {
  it('places each contact in the bucket of its shared digits and next digit', () => {
    const seed = 7;
    const random = createRandom(seed);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 8 });
    for (let i = 0; i < 300; i++) {
      const id = randomId(random);
      const level = Math.floor(commonPrefixBits(self, id) / 4);
      expect(table.bucketOf(id), `seed ${seed}`).to.deep.equal({ level, digit: digitAt(id, level, 4) });
    }
    expect(table.bucketOf(self)).to.equal(undefined);
    expect(table.add(nodeIdFor(random), self, 0)).to.deep.equal({ kind: 'self' });
    expect(table.size).to.equal(0);
  });

  it('keeps at most bucketSize contacts per bucket and offers the least recently seen for eviction', () => {
    const random = createRandom(8);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 3 });
    const digit = (digitAt(self, 0, 4) + 1) % 16;
    const ids = Array.from({ length: 5 }, () => idInBucket(self, 0, digit, random));
    const names = ids.map((_, i) => `m${'a'.repeat(31)}${'bcdef'[i] ?? 'z'}`);
    for (let i = 0; i < 3; i++) expect(table.add(names[i] ?? '', ids[i] ?? self, i).kind).to.equal('added');
    const full = table.add(names[3] ?? '', ids[3] ?? self, 10);
    expect(full.kind).to.equal('full');
    expect(full.kind === 'full' ? full.oldest.nodeId : undefined).to.equal(names[0]);
    expect(table.has(names[3] ?? '')).to.equal(false);

    // The oldest answered a ping: it moves to the tail, the next oldest is offered next time.
    expect(table.add(names[0] ?? '', ids[0] ?? self, 11)).to.deep.equal({ kind: 'refreshed' });
    const again = table.add(names[4] ?? '', ids[4] ?? self, 12);
    expect(again.kind === 'full' ? again.oldest.nodeId : undefined).to.equal(names[1]);
    expect(table.bucket({ level: 0, digit }).map((contact) => contact.nodeId)).to.deep.equal([
      names[1],
      names[2],
      names[0],
    ]);

    // The oldest failed: it is removed and the newcomer takes its place.
    expect(table.remove(names[1] ?? '')).to.equal(true);
    expect(table.add(names[4] ?? '', ids[4] ?? self, 13).kind).to.equal('added');
    expect(table.size).to.equal(3);
    expect(table.remove(names[1] ?? '')).to.equal(false);
  });

  it('returns the k closest contacts in the order a brute-force sort gives', () => {
    const seed = 99;
    const random = createRandom(seed);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 8 });
    for (let i = 0; i < 600; i++) table.add(nodeIdFor(random), randomId(random), i);
    const all = table.contacts();
    expect(all.length, `seed ${seed}`).to.be.greaterThan(100);
    for (let trial = 0; trial < 50; trial++) {
      const target = trial % 5 === 0 ? (all[random.int(all.length)]?.id ?? self) : randomId(random);
      const excluded = all[random.int(all.length)]?.nodeId;
      const expected = all
        .filter((contact) => contact.nodeId !== excluded)
        .sort((a, b) => compareBytes(xorDistance(a.id, target), xorDistance(b.id, target)))
        .slice(0, 8)
        .map((contact) => contact.nodeId);
      const got = table.closest(target, 8, (nodeId) => nodeId === excluded).map((contact) => contact.nodeId);
      expect(got, `seed ${seed}, trial ${trial}`).to.deep.equal(expected);
    }
  });

  it('fills far buckets first: with b = 4 a table holds 15 buckets per level', () => {
    const seed = 5;
    const random = createRandom(seed);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 8 });
    for (let i = 0; i < 2000; i++) table.add(nodeIdFor(random), randomId(random), i);
    // 2000 random ids: every level-0 bucket is full, level 1 holds about 2000/256 per bucket.
    for (let digit = 0; digit < 16; digit++) {
      if (digit === digitAt(self, 0, 4)) continue;
      expect(table.bucket({ level: 0, digit }).length, `seed ${seed}, digit ${digit}`).to.equal(8);
    }
    expect(table.size, `seed ${seed}`).to.be.within(15 * 8 + 15 * 5, 15 * 8 * 3);
  });

  it('lists for refresh the buckets above its neighbourhood that nothing touched lately', () => {
    const random = createRandom(6);
    const self = randomId(random);
    const table = new RoutingTable(self, { bucketSize: 8 });
    const own0 = digitAt(self, 0, 4);
    const other0 = (own0 + 1) % 16;
    const other1 = (digitAt(self, 1, 4) + 1) % 16;
    table.add('m' + 'b'.repeat(32), idInBucket(self, 0, other0, random), 1_000);
    table.add('m' + 'c'.repeat(32), idInBucket(self, 1, other1, random), 1_000);
    // The deepest contact is at level 1, so only level 0 is refreshed (15 buckets).
    const stale = table.staleBuckets(0);
    expect(stale.length).to.equal(14);
    expect(stale.some((bucket) => bucket.digit === other0)).to.equal(false);
    expect(stale.every((bucket) => bucket.level === 0 && bucket.digit !== own0)).to.equal(true);
    // Once its contact is older than the window, that bucket is stale too; a lookup through
    // a bucket makes it fresh again.
    expect(table.staleBuckets(2_000).length).to.equal(15);
    const lookedUp = (own0 + 2) % 16;
    table.markLookup(idInBucket(self, 0, lookedUp, random), 3_000);
    const after = table.staleBuckets(2_000);
    expect(after.length).to.equal(14);
    expect(after.some((bucket) => bucket.digit === lookedUp)).to.equal(false);
  });
});
