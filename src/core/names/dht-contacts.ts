import type { Timers } from '../mesh/timers.ts';
import { dhtIdOf } from './dht-id.ts';
import type { LookupContact } from './dht-lookup.ts';
import { RoutingTable } from './routing-table.ts';

/** Replacements waiting on a liveness ping at once: bounds the pings a burst of newcomers causes. */
const maxPendingEvictions = 32;

/** DHT ids remembered, so hashing a node id is done once, not on every message. */
const maxCachedIds = 4096;

/** What `DhtContacts` needs from the DHT around it. */
export interface DhtContactsPort {
  readonly timers: Timers;
  /** Pings `nodeId`; resolves if it answered, rejects if not (the DHT then forgets it). */
  ping(nodeId: string): Promise<unknown>;
  /** Whether the DHT still runs: a stopped one takes no newcomer after a failed ping. */
  running(): boolean;
}

/**
 * Who this node knows: the routing table, fed by every node that proves alive, with
 * Kademlia's eviction rule (§2.2): a full bucket pings its least recently seen contact and
 * gives its place to the newcomer only if that contact fails to answer, since nodes that have
 * been up long are the likeliest to stay up. Also the mesh neighbours, the free first contacts.
 */
export class DhtContacts {
  readonly table: RoutingTable;
  private readonly port: DhtContactsPort;
  private readonly ids = new Map<string, Uint8Array>();
  /** Oldest contacts being pinged, each with the newcomer that takes its place if it fails. */
  private readonly evictions = new Map<string, string>();
  private readonly free = new Set<string>();

  /** An empty table around `selfNodeId`'s DHT id. */
  constructor(
    selfNodeId: string,
    options: { readonly bucketSize: number; readonly bitsPerDigit: number },
    port: DhtContactsPort,
  ) {
    this.port = port;
    this.table = new RoutingTable(this.idOf(selfNodeId), options);
  }

  /** The DHT id of `nodeId`, hashed once. */
  idOf(nodeId: string): Uint8Array {
    const cached = this.ids.get(nodeId);
    if (cached !== undefined) return cached;
    if (this.ids.size >= maxCachedIds) this.ids.clear();
    const id = dhtIdOf(nodeId);
    this.ids.set(nodeId, id);
    return id;
  }

  /** `nodeId` proved alive now: it joins or moves up in its bucket, or contends for a full one. */
  learn(nodeId: string): void {
    const outcome = this.table.add(nodeId, this.idOf(nodeId), this.port.timers.nowMs());
    if (outcome.kind !== 'full') return;
    const oldest = outcome.oldest.nodeId;
    if (this.evictions.has(oldest)) {
      this.evictions.set(oldest, nodeId);
      return;
    }
    if (this.evictions.size >= maxPendingEvictions) return;
    this.evictions.set(oldest, nodeId);
    // A pong from `oldest` is a message like any other: learning it moves it to the tail.
    this.port.ping(oldest).then(
      () => this.evictions.delete(oldest),
      () => {
        const newcomer = this.evictions.get(oldest);
        this.evictions.delete(oldest);
        if (newcomer !== undefined && this.port.running()) {
          this.table.add(newcomer, this.idOf(newcomer), this.port.timers.nowMs());
        }
      },
    );
  }

  /** `nodeId` failed to answer: it leaves the table. */
  forget(nodeId: string): void {
    this.table.remove(nodeId);
  }

  /** A mesh neighbour appeared: a free contact, alive by definition. */
  neighborUp(nodeId: string): void {
    this.free.add(nodeId);
    this.learn(nodeId);
  }

  /** A mesh neighbour left; as a contact it stays until it fails a request. */
  neighborDown(nodeId: string): void {
    this.free.delete(nodeId);
  }

  /**
   * Where a lookup of `target` starts: the `count` closest contacts, or the free ones (and
   * `alsoFree`, the carrier's neighbours now) while the table is empty.
   */
  startingPoints(target: Uint8Array, count: number, alsoFree: readonly string[]): LookupContact[] {
    const closest = this.table.closest(target, count);
    if (closest.length > 0) return closest.map(({ nodeId, id }) => ({ nodeId, id, depth: 1 }));
    const free = new Set([...this.free, ...alsoFree]);
    return [...free]
      .filter((nodeId) => !this.table.isSelf(this.idOf(nodeId)))
      .map((nodeId) => ({ nodeId, id: this.idOf(nodeId), depth: 1 }));
  }
}
