import { toBase64Url } from '../../../lib/bytes.ts';
import type { WireValue } from '../../wire/cbor.ts';
import { AnnouncementQueues } from './announcement-queues.ts';
import { MissingPayloads } from './missing-payloads.ts';
import { PayloadCache } from './payload-cache.ts';
import { resolvePlumtreeConfig, type PlumtreeConfig } from './plumtree-config.ts';
import {
  announcementRoom,
  maxIdsPerMessage,
  maxPayloadBytes,
  maxRound,
  parsePlumtreeMessage,
  payloadIdBytes,
  type GossipMessage,
  type GraftMessage,
  type IhaveMessage,
  type PlumtreeMessage,
} from './plumtree-messages.ts';
import type {
  DeliverOutcome,
  PlumtreeComponents,
  PlumtreeFootprint,
  PlumtreeRejection,
  PlumtreeStats,
} from './plumtree-types.ts';
import { SeenCache } from './seen-cache.ts';
import { TreeSets } from './tree-sets.ts';

/** The key an id is remembered under in maps. */
function idKey(id: Uint8Array): string {
  return toBase64Url(id);
}

interface PendingDelivery {
  /** Neighbours that sent further copies while the first one was being delivered. */
  readonly otherSenders: Set<string>;
}

/** The counters of `PlumtreeStats` this class keeps itself. */
type Counters = { -readonly [K in Exclude<keyof PlumtreeStats, 'abandoned'>]: number };

/**
 * One node's Plumtree (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007) over
 * its current neighbours: payloads go eagerly along a spanning tree that forms itself (a link
 * that brings a duplicate is pruned to lazy), lazy links carry batched IHAVE announcements,
 * and an announced id that does not arrive in time is asked for with GRAFT, whose answer puts
 * that link back in the tree. One tree per root, the node a payload started from (see
 * `TreeSets`). Pure protocol: messages come in through `receive` and go out through
 * `components.send`, and every timer runs on `components.timers`.
 */
export class Plumtree {
  /** The settings in force. */
  readonly config: PlumtreeConfig;
  private readonly components: PlumtreeComponents;
  private readonly trees: TreeSets;
  private readonly seen: SeenCache;
  private readonly payloads: PayloadCache;
  private readonly deliveries = new Map<string, PendingDelivery>();
  private readonly missing: MissingPayloads;
  private readonly announcements: AnnouncementQueues;
  private pendingLookups = 0;
  private readonly counters: Counters = {
    eagerSent: 0,
    lazySent: 0,
    ihaveIds: 0,
    grafts: 0,
    prunes: 0,
    duplicates: 0,
    delivered: 0,
    rejected: 0,
  };

  /** An instance with no neighbours; `init` overrides `defaultPlumtreeConfig`. */
  constructor(components: PlumtreeComponents, init: Partial<PlumtreeConfig> = {}) {
    this.config = resolvePlumtreeConfig(init);
    this.components = components;
    const config = this.config;
    this.trees = new TreeSets(config.maxRoots);
    this.seen = new SeenCache(config.seenCapacity);
    this.payloads = new PayloadCache({
      maxAgeMs: config.payloadCacheMs,
      maxEntries: config.payloadCacheEntries,
      maxBytes: config.payloadCacheBytes,
    });
    this.missing = new MissingPayloads({
      timers: components.timers,
      graftTimeoutMs: config.graftTimeoutMs,
      secondGraftTimeoutMs: config.secondGraftTimeoutMs,
      maxGraftAttempts: config.maxGraftAttempts,
      maxMissingIds: config.maxMissingIds,
      maxAnnouncersPerId: config.maxAnnouncersPerId,
      maxIdsPerGraft: maxIdsPerMessage,
      isInProgress: (key) => this.deliveries.has(key),
      graft: (nodeId, ids) => this.sendGraft(nodeId, ids),
    });
    this.announcements = new AnnouncementQueues({
      timers: components.timers,
      random: components.random,
      flushMs: config.ihaveFlushMs,
      maxIdsPerFrame: config.maxIdsPerIhave,
      repeats: config.announcementRepeats,
      maxRepeatedIds: config.maxRepeatedIds,
      repeatForMs: config.repeatForMs,
      send: (nodeId, ids) => this.sendIhave(nodeId, ids),
    });
  }

  // --- neighbours ------------------------------------------------------------------------

  /** Takes `nodeId` as a neighbour; a new neighbour starts eager in every tree, as in the paper. */
  addNeighbor(nodeId: string): void {
    this.trees.addNeighbor(nodeId);
  }

  /**
   * Forgets `nodeId`: it leaves every tree and its queued IHAVEs are dropped. Ids it announced
   * are asked of their other announcers, at once for those it was already asked for.
   */
  removeNeighbor(nodeId: string): void {
    if (!this.trees.removeNeighbor(nodeId)) return;
    this.announcements.drop(nodeId);
    this.missing.dropAnnouncer(nodeId);
  }

  /** Whether `nodeId` is a neighbour. */
  hasNeighbor(nodeId: string): boolean {
    return this.trees.hasNeighbor(nodeId);
  }

  /** Every neighbour. */
  neighbors(): string[] {
    return this.trees.neighborIds();
  }

  /** Neighbours that get `root`'s payloads pushed (by default this node's own tree). */
  eagerPeers(root: string = this.components.nodeId): string[] {
    return this.trees.eagerPeers(root);
  }

  /** Neighbours that get `root`'s payloads announced only. */
  lazyPeers(root: string = this.components.nodeId): string[] {
    return this.trees.lazyPeers(root);
  }

  /** Cancels every timer and forgets neighbours and trees; seen ids and cached payloads stay. */
  stop(): void {
    this.announcements.clear();
    this.missing.clear();
    this.trees.clear();
  }

  // --- sending -------------------------------------------------------------------------

  /**
   * Spreads this node's own new payload, already committed by the caller: pushed to the eager
   * neighbours, announced to the lazy ones. False if the id was already seen or is being
   * delivered. Throws `RangeError` on an id or payload no peer would accept.
   */
  broadcast(id: Uint8Array, payload: Uint8Array): boolean {
    if (id.length !== payloadIdBytes) {
      throw new RangeError(`A payload id has ${payloadIdBytes} bytes, not ${id.length}.`);
    }
    if (payload.length < 1 || payload.length > maxPayloadBytes) {
      throw new RangeError(`A payload has 1 to ${maxPayloadBytes} bytes, not ${payload.length}.`);
    }
    const key = idKey(id);
    if (this.seen.has(key) || this.deliveries.has(key)) return false;
    const root = this.components.nodeId;
    this.spread(key, { type: 'gossip', id: id.slice(), root, round: 0, payload }, new Set());
    return true;
  }

  /**
   * Remembers a payload new to this node and sends `gossip` on: pushed to the neighbours eager
   * in its root's tree, announced to the lazy ones, except to `holders`, known to have it.
   */
  private spread(key: string, gossip: GossipMessage, holders: ReadonlySet<string>): void {
    const { id, root, round, payload } = gossip;
    this.seen.add(key);
    this.trees.touch(root);
    const announcers = this.missing.resolve(key);
    this.payloads.put(key, { payload, root, round, storedAtMs: this.components.timers.nowMs() });
    for (const peer of this.trees.neighborIds()) {
      if (holders.has(peer)) continue;
      if (this.trees.isEager(root, peer)) this.sendGossip(peer, gossip);
      else if (!announcers.includes(peer)) this.announcements.add(peer, key, { id, round });
    }
  }

  /** Sends a payload, with whatever announcements are due to the same peer riding along. */
  private sendGossip(nodeId: string, gossip: GossipMessage): void {
    this.counters.eagerSent++;
    const key = idKey(gossip.id);
    // The payload itself goes now: announcing or repeating its id in the same frame is moot.
    this.announcements.forget(nodeId, key);
    const ihave = this.announcements.take(nodeId, announcementRoom(gossip.payload.length));
    this.announcements.pushed(nodeId, key, { id: gossip.id, round: gossip.round });
    this.counters.ihaveIds += ihave.length;
    this.components.send(nodeId, ihave.length === 0 ? gossip : { ...gossip, ihave });
  }

  private sendIhave(nodeId: string, ids: IhaveMessage['ids']): void {
    this.counters.lazySent++;
    this.counters.ihaveIds += ids.length;
    this.components.send(nodeId, { type: 'ihave', ids });
  }

  private sendPrune(nodeId: string, root: string): void {
    this.counters.prunes++;
    this.components.send(nodeId, { type: 'prune', root });
  }

  private sendGraft(nodeId: string, ids: readonly Uint8Array[]): void {
    if (!this.hasNeighbor(nodeId)) return;
    this.counters.grafts++;
    this.components.send(nodeId, { type: 'graft', ids });
  }

  // --- receiving -----------------------------------------------------------------------

  /**
   * Handles one message from neighbour `from`, as decoded from the wire. Returns why it was
   * refused, or undefined. Never throws; returns at once, and any delivery or store lookup
   * it starts runs after.
   */
  receive(from: string, value: WireValue): PlumtreeRejection | undefined {
    if (!this.hasNeighbor(from)) return 'not-neighbor';
    const parsed = parsePlumtreeMessage(value);
    if (!parsed.ok) return parsed.reason;
    try {
      return this.dispatch(from, parsed.message);
    } catch {
      // Only a bug (or a `send` that broke its promise not to throw) lands here: counted by
      // the caller as a reason, so one bad message cannot take the receive loop down.
      return 'internal-error';
    }
  }

  private dispatch(from: string, message: PlumtreeMessage): PlumtreeRejection | undefined {
    switch (message.type) {
      case 'gossip': {
        const reason = this.onGossip(from, message);
        if (message.ihave !== undefined) this.onIhave(from, message.ihave);
        return reason;
      }
      case 'ihave':
        this.onIhave(from, message.ids);
        return undefined;
      case 'graft':
        this.onGraft(from, message);
        return undefined;
      case 'prune':
        // A root this node never spread (or forgot) has no tree here to change.
        this.trees.makeLazy(message.root, from);
        return undefined;
    }
  }

  private onGossip(from: string, message: GossipMessage): PlumtreeRejection | undefined {
    const key = idKey(message.id);
    this.announcements.forget(from, key);
    if (this.seen.has(key)) {
      this.onDuplicate(from, message.root);
      return undefined;
    }
    const pending = this.deliveries.get(key);
    if (pending !== undefined) {
      // Settled when the first copy's outcome is known: a duplicate if it is accepted, a
      // source to graft from if it is rejected (this copy may be the honest one).
      if (pending.otherSenders.size < this.config.maxAnnouncersPerId) pending.otherSenders.add(from);
      return undefined;
    }
    if (this.deliveries.size >= this.config.maxPendingDeliveries) {
      // The sender holds the payload: ask it again once the backlog has drained.
      this.missing.announce(key, message.id.slice(), from);
      return 'busy';
    }
    this.deliveries.set(key, { otherSenders: new Set() });
    void this.deliverGossip(from, key, message);
    return undefined;
  }

  private async deliverGossip(from: string, key: string, message: GossipMessage): Promise<void> {
    let outcome: DeliverOutcome;
    try {
      outcome = await this.components.deliver(message.id, message.payload, from);
    } catch {
      // The caller's validation failed on this input: a rejection like any other, counted below.
      outcome = 'deliver-failed';
    }
    const others = this.deliveries.get(key)?.otherSenders ?? new Set<string>();
    this.deliveries.delete(key);
    const { id, root, payload } = message;
    if (outcome === 'accepted') {
      this.counters.delivered++;
      this.trees.touch(root);
      for (const other of others) this.onDuplicate(other, root);
      // The paper adds the sender to the eager set: it pushed to us, so its end is eager.
      this.trees.makeEager(root, from);
      const round = Math.min(message.round + 1, maxRound);
      const forward: GossipMessage = { type: 'gossip', id: id.slice(), root, round, payload };
      this.spread(key, forward, new Set([from, ...others]));
    } else if (outcome === 'duplicate') {
      this.seen.add(key);
      this.missing.resolve(key);
      this.trees.touch(root);
      this.onDuplicate(from, root);
      for (const other of others) this.onDuplicate(other, root);
    } else {
      // Not marked seen, not forwarded, no prune: an honest copy must still get through.
      this.counters.rejected++;
      for (const other of others) {
        if (this.hasNeighbor(other)) this.missing.announce(key, id.slice(), other);
      }
    }
  }

  /** The paper's duplicate rule: the link that brought it is redundant in `root`'s tree. */
  private onDuplicate(from: string, root: string): void {
    this.counters.duplicates++;
    if (!this.hasNeighbor(from)) return;
    this.trees.makeLazy(root, from);
    this.sendPrune(from, root);
  }

  private onIhave(from: string, announcements: IhaveMessage['ids']): void {
    for (const { id } of announcements) {
      const key = idKey(id);
      this.announcements.forget(from, key);
      // Copied: the parsed id is a view into the whole frame, which should not stay alive.
      if (!this.seen.has(key)) this.missing.announce(key, id.slice(), from);
    }
  }

  private onGraft(from: string, message: GraftMessage): void {
    const nowMs = this.components.timers.nowMs();
    const answered = new Set<string>();
    for (const view of message.ids) {
      // Copied: the parsed id is a view into the whole frame, which should not stay alive.
      const id = view.slice();
      const key = idKey(id);
      if (answered.has(key)) continue;
      answered.add(key);
      const cached = this.payloads.get(key, nowMs);
      if (cached !== undefined) {
        const { root, round, payload } = cached;
        // The paper's GRAFT rule: the asker joins the eager set (of this payload's tree).
        this.trees.makeEager(root, from);
        this.sendGossip(from, { type: 'gossip', id, root, round, payload });
      } else if (this.pendingLookups < this.config.maxPendingLookups) {
        void this.answerFromStore(from, id);
      }
    }
  }

  private async answerFromStore(from: string, id: Uint8Array): Promise<void> {
    this.pendingLookups++;
    let payload: Uint8Array | undefined;
    try {
      payload = await this.components.lookup(id);
    } catch {
      // A store that cannot answer is a payload this node does not hold: nothing to send.
      payload = undefined;
    } finally {
      this.pendingLookups--;
    }
    if (payload === undefined || payload.length < 1 || payload.length > maxPayloadBytes) return;
    // Root and round are unknown once a payload has left the cache. Naming this node as root
    // only tells the asker which tree to put the link in; the round only feeds statistics.
    const root = this.components.nodeId;
    if (this.hasNeighbor(from)) this.sendGossip(from, { type: 'gossip', id, root, round: 0, payload });
  }

  // --- introspection ---------------------------------------------------------------------

  /** Counters since this instance was created. */
  stats(): PlumtreeStats {
    return { ...this.counters, abandoned: this.missing.abandoned };
  }

  /** What the instance holds right now; every figure has a cap in `config`. */
  footprint(): PlumtreeFootprint {
    return {
      seenIds: this.seen.size,
      cachedPayloads: this.payloads.size,
      cachedBytes: this.payloads.bytes,
      missingIds: this.missing.size,
      queuedAnnouncements: this.announcements.pending,
      repeatedAnnouncements: this.announcements.repeating,
      pendingDeliveries: this.deliveries.size,
      pendingLookups: this.pendingLookups,
      roots: this.trees.rootCount,
    };
  }
}
