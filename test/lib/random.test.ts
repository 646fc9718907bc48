import { expect } from 'chai';
import { createRandom, type Random } from '../../src/lib/random.ts';

function draws(random: Random, count: number): number[] {
  return Array.from({ length: count }, () => random.uint32());
}

describe('seeded random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER - 1, -7]) {
      expect(draws(createRandom(seed), 500), `seed ${seed}`).to.deep.equal(draws(createRandom(seed), 500));
      expect(draws(createRandom(seed), 50), `seed ${seed}`).to.not.deep.equal(
        draws(createRandom(seed + 1), 50),
      );
    }
  });

  it('keeps the streams of old seeds (changing the generator breaks recorded replays)', () => {
    const seed = 1;
    // Recorded when the generator was written.
    expect(draws(createRandom(seed), 4), `seed ${seed}`).to.deep.equal([
      1869778203, 3867533310, 2773425334, 2997429716,
    ]);
  });

  it('uses the high bits of a seed too', () => {
    const seed = 2 ** 40 + 5;
    expect(draws(createRandom(seed), 20), `seed ${seed}`).to.not.deep.equal(draws(createRandom(5), 20));
  });

  it('gives a fork a stream that depends on the label and seed, not on draws made before', () => {
    const seed = 99;
    const fresh = createRandom(seed);
    const used = createRandom(seed);
    draws(used, 1234);
    expect(draws(used.fork('latency'), 100), `seed ${seed}`).to.deep.equal(draws(fresh.fork('latency'), 100));
    expect(draws(fresh.fork('latency'), 100), `seed ${seed}`).to.not.deep.equal(
      draws(fresh.fork('loss'), 100),
    );
    expect(draws(createRandom(seed + 1).fork('latency'), 100), `seed ${seed}`).to.not.deep.equal(
      draws(fresh.fork('latency'), 100),
    );
    expect(fresh.fork('a').fork('b').seed, `seed ${seed}`).to.equal(
      createRandom(seed).fork('a').fork('b').seed,
    );
  });

  it('does not move the parent stream when forking', () => {
    const seed = 7;
    const forking = createRandom(seed);
    const plain = createRandom(seed);
    const mixed: number[] = [];
    for (let i = 0; i < 50; i++) {
      forking.fork(`consumer ${i}`).uint32();
      mixed.push(forking.uint32());
    }
    expect(mixed, `seed ${seed}`).to.deep.equal(draws(plain, 50));
  });

  it('spreads int() evenly over its range and never leaves it', () => {
    const seed = 2024;
    const random = createRandom(seed);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const value = random.int(10);
      expect(Number.isInteger(value) && value >= 0 && value < 10, `seed ${seed}: ${value}`).to.equal(true);
      buckets[value] = (buckets[value] ?? 0) + 1;
    }
    for (const count of buckets)
      expect(count, `seed ${seed}: ${buckets.join(',')}`).to.be.within(9_500, 10_500);
    for (let i = 0; i < 1000; i++) expect(random.next(), `seed ${seed}`).to.be.within(0, 1 - 2 ** -32);
  });

  it('shuffles into a permutation without touching the input, and picks members', () => {
    const seed = 5;
    const random = createRandom(seed);
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = random.shuffle(items);
    expect(items, `seed ${seed}`).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
    expect(shuffled, `seed ${seed}`).to.not.deep.equal(items);
    expect(
      [...shuffled].sort((x, y) => x - y),
      `seed ${seed}`,
    ).to.deep.equal(items);
    for (let i = 0; i < 100; i++) expect(items, `seed ${seed}`).to.include(random.pick(items));
  });

  it('answers chance(0) never and chance(1) always, and about p otherwise', () => {
    const seed = 11;
    const random = createRandom(seed);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      expect(random.chance(0), `seed ${seed}`).to.equal(false);
      expect(random.chance(1), `seed ${seed}`).to.equal(true);
      if (random.chance(0.25)) hits++;
    }
    expect(hits, `seed ${seed}`).to.be.within(2_300, 2_700);
  });

  it('refuses arguments it cannot honour', () => {
    const random = createRandom(3);
    expect(() => createRandom(0.5)).to.throw(RangeError);
    expect(() => createRandom(2 ** 60)).to.throw(RangeError);
    expect(() => random.int(0)).to.throw(RangeError);
    expect(() => random.int(2.5)).to.throw(RangeError);
    expect(() => random.pick([])).to.throw(RangeError);
    expect(() => random.chance(1.5)).to.throw(RangeError);
    expect(() => random.chance(Number.NaN)).to.throw(RangeError);
  });
});
