// The ordered item space of range-based set reconciliation (Aljoscha Meyer, "Range-Based Set
// Reconciliation", 2022; as used by Negentropy). Items are ordered by time, then by id bytes,
// so recent items sit together at the end: a node back from an absence differs from its
// neighbours in one contiguous tail, which a few fingerprints locate.

/** One element of a reconciled set: a record version's `modifiedAtMs` and its 16-byte hash. */
export interface ReconcileItem {
  /** A safe integer ≥ 0. */
  readonly timeMs: number;
  /** Exactly `itemIdBytes` bytes. */
  readonly id: Uint8Array;
}

/** Length of an item id: the first 16 bytes of a record version's SHA-256. */
export const itemIdBytes = 16;

/**
 * A position in the item order, the upper (exclusive) or lower (inclusive) end of a range.
 * `id` is a prefix of 0 to 16 bytes, read as if padded with zero bytes to 16: a short prefix
 * is enough to fall between two neighbouring items, which keeps bounds on the wire small.
 */
export interface Bound {
  /** A safe integer ≥ 0, or `+Infinity` for `endOfSpace`. */
  readonly timeMs: number;
  readonly id: Uint8Array;
}

/** The lowest bound: every item lies at or above it. */
export const startOfSpace: Bound = Object.freeze({ timeMs: 0, id: new Uint8Array(0) });

/** The bound above every item: the upper end of the last range of every message. */
export const endOfSpace: Bound = Object.freeze({ timeMs: Number.POSITIVE_INFINITY, id: new Uint8Array(0) });

/** Whether `bound` is `endOfSpace` (or any bound past every item). */
export function isEndOfSpace(bound: Bound): boolean {
  return bound.timeMs === Number.POSITIVE_INFINITY;
}

/**
 * The summary of the items of a range: their count, and the sum of their ids read as 128-bit
 * little-endian integers, modulo 2^128 (16 bytes, little-endian). A sum, unlike a hash of
 * the concatenation, can be added and subtracted, so any range's fingerprint comes from two
 * prefix sums without touching its items. Ids are already hashes, so accidental collisions
 * are as unlikely as for a 128-bit hash. A deliberate collision needs an author who grinds
 * record hashes (a generalised birthday search): it can only keep that author's own records
 * from being reconciled, and dissemination still carries them.
 */
export interface Fingerprint {
  readonly sum: Uint8Array;
  readonly count: number;
}

/** Whether two fingerprints are equal: same count and same sum. */
export function equalFingerprints(a: Fingerprint, b: Fingerprint): boolean {
  if (a.count !== b.count || a.sum.length !== b.sum.length) return false;
  for (let i = 0; i < a.sum.length; i++) if (a.sum[i] !== b.sum[i]) return false;
  return true;
}

/** Lexicographic order of ids read as padded with zero bytes to the longer length. */
function compareIds(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The order of bounds and items: by time, then by id (negative when `a` comes first). */
export function compareBounds(a: Bound, b: Bound): number {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs ? -1 : 1;
  return compareIds(a.id, b.id);
}

/**
 * The shortest bound `b` with `previous < b ≤ next` (Negentropy's bound trimming): the time of
 * `next` alone when the times differ, else the prefix of `next`'s id up to the first byte where
 * the two ids differ. `previous` must come before `next`.
 */
export function separatingBound(previous: ReconcileItem, next: ReconcileItem): Bound {
  if (previous.timeMs !== next.timeMs) return { timeMs: next.timeMs, id: new Uint8Array(0) };
  let shared = 0;
  while (shared < next.id.length && previous.id[shared] === next.id[shared]) shared++;
  return { timeMs: next.timeMs, id: next.id.slice(0, shared + 1) };
}

/** Throws a `RangeError` unless `item` has a safe time ≥ 0 and a 16-byte id. */
function checkItem(item: ReconcileItem): void {
  if (!Number.isSafeInteger(item.timeMs) || item.timeMs < 0) {
    throw new RangeError(`An item's timeMs must be a safe integer ≥ 0, not ${item.timeMs}.`);
  }
  if (item.id.length !== itemIdBytes) {
    throw new RangeError(`An item id must be ${itemIdBytes} bytes, not ${item.id.length}.`);
  }
}

const wordsPerSum = 4;
const twoTo32 = 2 ** 32;

/** Word `word` (0..3) of `id` read as a little-endian 128-bit integer. */
function idWord(id: Uint8Array, word: number): number {
  const at = word * 4;
  return (
    ((id[at] ?? 0) | ((id[at + 1] ?? 0) << 8) | ((id[at + 2] ?? 0) << 16) | ((id[at + 3] ?? 0) << 24)) >>> 0
  );
}

/**
 * A sorted set of items: add, remove and look up in O(log n) search plus an array shift, and
 * the fingerprint of any range in O(log n) from prefix sums. The prefix sums are rebuilt
 * lazily from the lowest changed index, so appending new (recent) items is cheap and a batch
 * of changes costs one rebuild.
 */
export class ItemSet {
  private readonly items: ReconcileItem[] = [];
  /** `prefixSums[4i .. 4i+3]`: sum of the ids of items `[0, i)`, as 32-bit little-endian words. */
  private prefixSums = new Uint32Array(wordsPerSum * 64);
  /** Prefix sums `0..validSums` are up to date. */
  private validSums = 0;

  /** A set holding `items` (duplicates count once); throws `RangeError` on a malformed item. */
  static from(items: Iterable<ReconcileItem>): ItemSet {
    const set = new ItemSet();
    const sorted = [...items].map((item) => {
      checkItem(item);
      return { timeMs: item.timeMs, id: item.id.slice() };
    });
    sorted.sort(compareBounds);
    for (const item of sorted) {
      const last = set.items.at(-1);
      if (last === undefined || compareBounds(last, item) !== 0) set.items.push(item);
    }
    return set;
  }

  /** How many items the set holds. */
  get size(): number {
    return this.items.length;
  }

  /** Adds a copy of `item`; false if it was already there. Throws `RangeError` on a malformed item. */
  add(item: ReconcileItem): boolean {
    checkItem(item);
    const index = this.lowerIndex(item);
    const present = this.items[index];
    if (present !== undefined && compareBounds(present, item) === 0) return false;
    this.items.splice(index, 0, { timeMs: item.timeMs, id: item.id.slice() });
    this.validSums = Math.min(this.validSums, index);
    return true;
  }

  /** Removes `item`; false if it was not there. */
  remove(item: ReconcileItem): boolean {
    const index = this.lowerIndex(item);
    const present = this.items[index];
    if (present === undefined || compareBounds(present, item) !== 0) return false;
    this.items.splice(index, 1);
    this.validSums = Math.min(this.validSums, index);
    return true;
  }

  /** Whether the set holds `item` (same time and id). */
  has(item: ReconcileItem): boolean {
    const present = this.items[this.lowerIndex(item)];
    return present !== undefined && compareBounds(present, item) === 0;
  }

  /** The item at `index` in the order, if there is one. Do not modify its id. */
  at(index: number): ReconcileItem | undefined {
    return this.items[index];
  }

  /** The index of the first item at or above `bound` (`size` when there is none): a binary search. */
  lowerIndex(bound: Bound): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const item = this.items[middle];
      if (item !== undefined && compareBounds(item, bound) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The items in `[lower, upper)`, in order. Do not modify their ids. */
  *range(lower: Bound, upper: Bound): Generator<ReconcileItem> {
    const end = this.lowerIndex(upper);
    for (let index = this.lowerIndex(lower); index < end; index++) {
      const item = this.items[index];
      if (item !== undefined) yield item;
    }
  }

  /** How many items lie in `[lower, upper)`. */
  count(lower: Bound, upper: Bound): number {
    return Math.max(0, this.lowerIndex(upper) - this.lowerIndex(lower));
  }

  /** The fingerprint of the items in `[lower, upper)`. */
  fingerprint(lower: Bound, upper: Bound): Fingerprint {
    const from = this.lowerIndex(lower);
    return this.fingerprintOfIndexes(from, Math.max(from, this.lowerIndex(upper)));
  }

  /** The fingerprint of the items at indexes `[from, to)`, with `0 ≤ from ≤ to ≤ size`. */
  fingerprintOfIndexes(from: number, to: number): Fingerprint {
    if (!(
      Number.isSafeInteger(from) &&
      Number.isSafeInteger(to) &&
      0 <= from &&
      from <= to &&
      to <= this.size
    )) {
      throw new RangeError(`No index range [${from}, ${to}) in a set of ${this.size} items.`);
    }
    this.updatePrefixSums(to);
    const sum = new Uint8Array(itemIdBytes);
    const view = new DataView(sum.buffer);
    let borrow = 0;
    for (let word = 0; word < wordsPerSum; word++) {
      let difference =
        (this.prefixSums[to * wordsPerSum + word] ?? 0) -
        (this.prefixSums[from * wordsPerSum + word] ?? 0) -
        borrow;
      borrow = difference < 0 ? 1 : 0;
      if (difference < 0) difference += twoTo32;
      view.setUint32(word * 4, difference, true);
    }
    return { sum, count: to - from };
  }

  /** Brings the prefix sums up to date for indexes `0..upTo`. */
  private updatePrefixSums(upTo: number): void {
    if (upTo <= this.validSums) return;
    const needed = (this.items.length + 1) * wordsPerSum;
    if (this.prefixSums.length < needed) {
      const grown = new Uint32Array(Math.max(needed, this.prefixSums.length * 2));
      grown.set(this.prefixSums.subarray(0, (this.validSums + 1) * wordsPerSum));
      this.prefixSums = grown;
    }
    const sums = this.prefixSums;
    for (let index = this.validSums; index < upTo; index++) {
      const id = this.items[index]?.id ?? new Uint8Array(itemIdBytes);
      let carry = 0;
      for (let word = 0; word < wordsPerSum; word++) {
        const total = (sums[index * wordsPerSum + word] ?? 0) + idWord(id, word) + carry;
        carry = total >= twoTo32 ? 1 : 0;
        sums[(index + 1) * wordsPerSum + word] = total >>> 0;
      }
    }
    this.validSums = upTo;
  }
}
