import { equalBytes } from '../../lib/bytes.ts';
import { commonPrefixDigits, compareDistance, digitAt, digitCount } from './dht-id.ts';

/** A node the routing table knows: its node id, its DHT id and when it last proved alive. */
export interface DhtContact {
  readonly nodeId: string;
  readonly id: Uint8Array;
  readonly lastSeenMs: number;
}

/** Where a contact goes: after `level` digits shared with this node, the bucket of `digit`. */
export interface BucketAddress {
  readonly level: number;
  readonly digit: number;
}

/**
 * What `RoutingTable.add` did. `full`: the bucket has no room, and `oldest` (its least
 * recently seen contact) should be pinged; only if it fails does the newcomer get its place.
 */
export type AddOutcome =
  | { readonly kind: 'added' }
  | { readonly kind: 'refreshed' }
  | { readonly kind: 'self' }
  | { readonly kind: 'full'; readonly oldest: DhtContact };

/** One bucket as `staleBuckets` reports it. */
export interface BucketState extends BucketAddress {
  readonly size: number;
}

interface MutableContact {
  readonly nodeId: string;
  readonly id: Uint8Array;
  lastSeenMs: number;
}

/**
 * A Kademlia routing table with b-bit digits (Maymounkov and Mazières 2002, §4.2; the digit
 * layout of Pastry and PNRP): a contact that shares `level` leading digits with this node and
 * has digit `d` next lives in bucket (level, d), which keeps at most `bucketSize` contacts,
 * least recently seen first. With b = 4 a node keeps 15 buckets per level instead of one, so
 * each hop of a lookup fixes a whole digit and a lookup takes about log16 n hops, not log2 n.
 *
 * Pure state, no I/O: the DHT decides when to ping, evict and refresh.
 */
export class RoutingTable {
  /** This node's DHT id; never a contact. */
  readonly selfId: Uint8Array;
  readonly bucketSize: number;
  readonly bitsPerDigit: number;
  private readonly digitsPerId: number;
  private readonly buckets = new Map<number, MutableContact[]>();
  private readonly bucketOfNode = new Map<string, number>();
  private readonly lookedUpAtMs = new Map<number, number>();

  /** An empty table around `selfId`; `bitsPerDigit` is 1, 2, 4 or 8 (4 by default). */
  constructor(selfId: Uint8Array, options: { readonly bucketSize: number; readonly bitsPerDigit?: number }) {
    const { bucketSize, bitsPerDigit = 4 } = options;
    if (!Number.isSafeInteger(bucketSize) || bucketSize < 1) {
      throw new RangeError(`A bucket holds at least one contact, not ${bucketSize}.`);
    }
    this.selfId = selfId;
    this.bucketSize = bucketSize;
    this.bitsPerDigit = bitsPerDigit;
    this.digitsPerId = digitCount(bitsPerDigit, selfId.length);
  }

  /** Contacts in the table. */
  get size(): number {
    return this.bucketOfNode.size;
  }

  /** The bucket an id belongs in; undefined for this node's own id. */
  bucketOf(id: Uint8Array): BucketAddress | undefined {
    const level = commonPrefixDigits(this.selfId, id, this.bitsPerDigit);
    if (level >= this.digitsPerId) return undefined;
    return { level, digit: digitAt(id, level, this.bitsPerDigit) };
  }

  /**
   * Records that `nodeId` (DHT id `id`) proved alive at `nowMs`: a known contact moves to its
   * bucket's tail, a new one joins a bucket with room. A full bucket is left alone (Kademlia
   * §2.2: old contacts that still answer are the ones most likely to stay).
   */
  add(nodeId: string, id: Uint8Array, nowMs: number): AddOutcome {
    const address = this.bucketOf(id);
    if (address === undefined) return { kind: 'self' };
    if (this.touch(nodeId, nowMs)) return { kind: 'refreshed' };
    const key = this.keyOf(address);
    const bucket = this.buckets.get(key) ?? [];
    if (bucket.length >= this.bucketSize) {
      const oldest = bucket[0];
      if (oldest !== undefined) return { kind: 'full', oldest: { ...oldest } };
    }
    bucket.push({ nodeId, id, lastSeenMs: nowMs });
    this.buckets.set(key, bucket);
    this.bucketOfNode.set(nodeId, key);
    return { kind: 'added' };
  }

  /** Moves a known contact to its bucket's tail as seen at `nowMs`; false if unknown. */
  touch(nodeId: string, nowMs: number): boolean {
    const key = this.bucketOfNode.get(nodeId);
    const bucket = key === undefined ? undefined : this.buckets.get(key);
    if (bucket === undefined) return false;
    const index = bucket.findIndex((contact) => contact.nodeId === nodeId);
    const [contact] = bucket.splice(index, 1);
    if (contact === undefined) return false;
    contact.lastSeenMs = Math.max(contact.lastSeenMs, nowMs);
    bucket.push(contact);
    return true;
  }

  /** Forgets `nodeId` (it failed to answer); false if it was not a contact. */
  remove(nodeId: string): boolean {
    const key = this.bucketOfNode.get(nodeId);
    if (key === undefined) return false;
    this.bucketOfNode.delete(nodeId);
    const bucket = this.buckets.get(key) ?? [];
    const kept = bucket.filter((contact) => contact.nodeId !== nodeId);
    if (kept.length > 0) this.buckets.set(key, kept);
    else this.buckets.delete(key);
    return true;
  }

  /** Whether `nodeId` is a contact. */
  has(nodeId: string): boolean {
    return this.bucketOfNode.has(nodeId);
  }

  /** The contact `nodeId`, if known. */
  get(nodeId: string): DhtContact | undefined {
    const key = this.bucketOfNode.get(nodeId);
    const contact = key === undefined ? undefined : this.buckets.get(key)?.find((c) => c.nodeId === nodeId);
    return contact === undefined ? undefined : { ...contact };
  }

  /** Every contact, bucket by bucket, least recently seen first within a bucket. */
  contacts(): DhtContact[] {
    const out: DhtContact[] = [];
    for (const bucket of this.buckets.values()) for (const contact of bucket) out.push({ ...contact });
    return out;
  }

  /** The contacts in bucket (level, digit), least recently seen first. */
  bucket(address: BucketAddress): DhtContact[] {
    return (this.buckets.get(this.keyOf(address)) ?? []).map((contact) => ({ ...contact }));
  }

  /**
   * The `count` contacts closest to `target` by XOR distance, closest first, leaving out
   * those `exclude` names. A full sort: a table holds a few hundred contacts at most.
   */
  closest(target: Uint8Array, count: number, exclude?: (nodeId: string) => boolean): DhtContact[] {
    const all: MutableContact[] = [];
    for (const bucket of this.buckets.values()) {
      for (const contact of bucket) if (exclude?.(contact.nodeId) !== true) all.push(contact);
    }
    all.sort((a, b) => compareDistance(a.id, b.id, target));
    return all.slice(0, count).map((contact) => ({ ...contact }));
  }

  /** Notes that a lookup for `target` ran at `nowMs`, which refreshes the bucket it falls in. */
  markLookup(target: Uint8Array, nowMs: number): void {
    const address = this.bucketOf(target);
    if (address !== undefined) this.lookedUpAtMs.set(this.keyOf(address), nowMs);
  }

  /**
   * Buckets that neither a lookup went through nor a contact in them proved alive since
   * `sinceMs` (Kademlia §2.3: traffic keeps buckets fresh, a refresh covers the rest), at
   * the levels above the deepest one holding a contact. The deepest level is this node's
   * neighbourhood, which a lookup of its own id covers; deeper ranges are too small to hold
   * anyone yet. This node's own digit at each level is not a bucket.
   */
  staleBuckets(sinceMs: number): BucketState[] {
    let deepest = 0;
    for (const key of this.buckets.keys()) deepest = Math.max(deepest, this.levelOfKey(key));
    const out: BucketState[] = [];
    const digits = 1 << this.bitsPerDigit;
    for (let level = 0; level < deepest; level++) {
      const own = digitAt(this.selfId, level, this.bitsPerDigit);
      for (let digit = 0; digit < digits; digit++) {
        if (digit === own) continue;
        const key = this.keyOf({ level, digit });
        if ((this.lookedUpAtMs.get(key) ?? -Infinity) >= sinceMs) continue;
        const bucket = this.buckets.get(key) ?? [];
        if (bucket.some((contact) => contact.lastSeenMs >= sinceMs)) continue;
        out.push({ level, digit, size: bucket.length });
      }
    }
    return out;
  }

  /** Whether `id` is this node's own id. */
  isSelf(id: Uint8Array): boolean {
    return equalBytes(id, this.selfId);
  }

  private keyOf(address: BucketAddress): number {
    return address.level * 256 + address.digit;
  }

  private levelOfKey(key: number): number {
    return Math.floor(key / 256);
  }
}
