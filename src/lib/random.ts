/**
 * A seeded pseudo-random generator for simulations and tests, so a run replays exactly from
 * its seed. Not for keys, nonces or anything an attacker may guess: use `crypto` for those.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from
 * PractRand), seeded through splitmix32 (SplitMix with MurmurHash3's 32-bit finalizer) so
 * that nearby seeds give unrelated streams.
 */
export interface Random {
  /** The seed this stream was created from (for a fork, the seed derived from its label). */
  readonly seed: number;
  /** A float in [0, 1) with 32 random bits. */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [0, maxExclusive), without modulo bias; `maxExclusive` in 1..2^32. */
  int(maxExclusive: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy of `items` (Fisher–Yates); `items` itself is left alone. */
  shuffle<T>(items: readonly T[]): T[];
  /** True with probability `probability` (0 never, 1 always). */
  chance(probability: number): boolean;
  /**
   * An independent stream derived from this stream's seed and `label` only, never from how
   * many values were drawn: giving a new consumer its own fork leaves every other stream as
   * it was, so old seeds still replay the same runs.
   */
  fork(label: string): Random;
}

const twoTo32 = 2 ** 32;

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit words with full avalanche. */
function fmix32(word: number): number {
  let z = word | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** splitmix32: a Weyl sequence through `fmix32`, used only to fill sfc32's state. */
function splitmix32(state: number): () => number {
  let current = state | 0;
  return () => {
    current = (current + 0x9e3779b9) | 0;
    return fmix32(current);
  };
}

/** A 32-bit hash of `text` under `salt`, for deriving fork seeds. */
function hashLabel(text: string, salt: number): number {
  let hash = fmix32(salt ^ 0x243f6a88);
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x5bd1e995);
    hash ^= hash >>> 15;
  }
  return fmix32(hash ^ text.length);
}

class Sfc32Random implements Random {
  readonly seed: number;
  private readonly low: number;
  private readonly high: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.seed = seed;
    // Both halves of the seed feed the state, so seeds above 2^32 are distinct streams too.
    this.low = seed >>> 0;
    this.high = Math.floor(seed / twoTo32) >>> 0;
    const fromLow = splitmix32(this.low);
    const fromHigh = splitmix32(this.high ^ 0x5be0cd19);
    this.a = fromLow();
    this.b = fromLow();
    this.c = fromHigh();
    this.d = fromHigh();
    // The usual warm-up, so the first outputs do not echo the seeding.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / twoTo32;
  }

  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > twoTo32) {
      throw new RangeError(`int() needs an integer bound in 1..2^32, not ${maxExclusive}.`);
    }
    // Draws at or above `limit` would make the low residues more likely; redraw them.
    const limit = twoTo32 - (twoTo32 % maxExclusive);
    let draw = this.uint32();
    while (draw >= limit) draw = this.uint32();
    return draw % maxExclusive;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array.');
    return items[this.int(items.length)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = swap;
    }
    return copy;
  }

  chance(probability: number): boolean {
    if (!(probability >= 0 && probability <= 1)) {
      throw new RangeError(`chance() needs a probability in [0, 1], not ${probability}.`);
    }
    return this.next() < probability;
  }

  fork(label: string): Random {
    const low = hashLabel(label, this.low);
    const high = hashLabel(label, this.high ^ low);
    // 21 + 32 bits: the largest seed that stays a safe integer.
    return new Sfc32Random((high & 0x1fffff) * twoTo32 + low);
  }
}

/**
 * A seeded stream of random numbers: the same seed always gives the same sequence.
 * `seed` is any safe integer (print it in test failures so a run can be replayed).
 */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`A seed must be a safe integer, not ${seed}.`);
  return new Sfc32Random(seed);
}
