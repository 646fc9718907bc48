import type { WireValue } from '../wire/cbor.ts';

/** How DHT messages reach other nodes. */
export interface DhtCarrier {
  readonly nodeId: string;
  /** Sends one message to `nodeId`, opening a link if needed; rejects when it cannot be reached. */
  send(nodeId: string, body: WireValue): Promise<void>;
  /** Nodes reachable now at no cost (mesh neighbours): the first contacts. */
  neighbors(): readonly string[];
}

/** What the DHT asks of the layer that owns the values (names). */
export interface DhtValuePolicy {
  /**
   * Checks `value` offered for `key`; `slot` names whose value it is (one value per key and
   * slot), `version` orders values of one slot (higher wins), `expiresAtMs` is when it is
   * dropped.
   */
  check(key: Uint8Array, value: Uint8Array, nowMs: number): Promise<DhtValueVerdict>;
}

/** The policy's answer about one value. */
export type DhtValueVerdict =
  | { readonly ok: true; readonly slot: string; readonly version: number; readonly expiresAtMs: number }
  | { readonly ok: false; readonly reason: string };

/** What `Dht.put` achieved. */
export interface DhtPutResult {
  /** Replicas that acknowledged the value (this node included when it is one of them). */
  readonly stored: number;
  /** Depth of the closest node that answered the lookup (see `DhtGetResult.hops`). */
  readonly hops: number;
}

/** What `Dht.get` found. */
export interface DhtGetResult {
  /** Raw values from every answering replica, de-duplicated by bytes; the caller verifies them. */
  readonly values: readonly Uint8Array[];
  /**
   * Depth of the first node that returned a value: contacts this node started with are at
   * depth 1, a contact learned from a node at depth d is at d + 1 (0 when this node held a
   * value itself, and the depth of the closest answering node when nobody had one).
   */
  readonly hops: number;
  /** Nodes that answered during the lookup. */
  readonly contacted: number;
}

/** Settings of a `Dht`; every field has a default (see `defaultDhtConfig`). */
export interface DhtConfig {
  /** Replicas of each value: a key is stored on this many live nodes closest to it. */
  readonly replication: number;
  /**
   * Holders that must answer before a get ends (it also ends when the lookup converges): a
   * majority of the replicas, so a get meets at least one replica of every put that reached a
   * majority, without waiting for the slowest replicas.
   */
  readonly readQuorum: number;
  /** Contacts per routing-table bucket, and how many closest nodes a lookup waits for (k). */
  readonly bucketSize: number;
  /** Bits per routing digit (b): 4 gives 15 buckets per level and about log16 n hops. */
  readonly bitsPerDigit: number;
  /** Requests a lookup keeps in flight (α). */
  readonly parallelism: number;
  /** How long one request waits for its answer before the contact counts as failed. */
  readonly requestTimeoutMs: number;
  /** Requests one lookup may send in all, so a hostile or huge network cannot keep it going. */
  readonly maxLookupRequests: number;
  /** Buckets no lookup went through for this long are refreshed with a lookup of a random id in them. */
  readonly refreshIntervalMs: number;
  /** How often a node stores the values it holds again on the closest nodes for their key. */
  readonly republishIntervalMs: number;
  /** How often expired values are swept out of the store. */
  readonly sweepIntervalMs: number;
  /** Lookups a refresh or republish round runs at once. */
  readonly maintenanceConcurrency: number;
  /** Largest value accepted, in bytes. */
  readonly maxValueBytes: number;
  /** Values (slots) held per key. */
  readonly maxSlotsPerKey: number;
  /** Values held for others in all. */
  readonly maxStoredValues: number;
  /** Stores one sender may make per second, on average. */
  readonly storesPerSecond: number;
  /** Stores one sender may make at once after a quiet spell. */
  readonly storeBurst: number;
  /** Lookup requests (find, ping) one sender may make per second, on average. */
  readonly lookupsPerSecond: number;
  /** Lookup requests one sender may make at once after a quiet spell. */
  readonly lookupBurst: number;
}

/** Events of a `Dht`. */
export interface DhtEvents {
  /** A value offered by `from` passed the policy and is now held (new, or a newer version). */
  stored: {
    readonly key: Uint8Array;
    readonly slot: string;
    readonly version: number;
    readonly from: string;
  };
  /** A message from `from` was refused for `reason` (also counted in `rejections()`). */
  rejected: { readonly from: string; readonly reason: string };
}

/** Counters of a `Dht`'s work since it was made. */
export interface DhtStats {
  /** Lookups this node ran (gets, puts, joins, refreshes, republishes). */
  readonly lookups: number;
  /** Values this node stored for others (accepted stores). */
  readonly stores: number;
  /** Values held now (expired ones count until the next sweep). */
  readonly held: number;
  /** Requests this node sent. */
  readonly requests: number;
  /** Requests that failed: no answer in time, or the node could not be reached. */
  readonly failedRequests: number;
  /** Answers that came after their request had timed out (not counted as rejections). */
  readonly lateResponses: number;
  /** Bucket refresh lookups run. */
  readonly refreshes: number;
  /** Values this node republished (each to the replicas of its key). */
  readonly republished: number;
}
