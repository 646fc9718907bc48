import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import type { RecordPage, RecordQuery, RecordStore, StoredRecord } from '../ports.ts';
import { Plumtree } from '../mesh/broadcast/plumtree.ts';
import type { PlumtreeConfig } from '../mesh/broadcast/plumtree-config.ts';
import { plumtreeBody, type PlumtreeMessage } from '../mesh/broadcast/plumtree-messages.ts';
import type { DeliverOutcome } from '../mesh/broadcast/plumtree-types.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { FrameKind } from '../wire/frame.ts';
import { CommitQueue } from './commit-queue.ts';
import { TrafficCounter, type GraphTraffic } from './graph-traffic.ts';
import { GraphNeighbor } from './graph-neighbor.ts';
import type { GraphMessage, GraphPart } from './graph-messages.ts';
import { GraphClosedError, type GraphEvents, type GraphStatus } from './graph-types.ts';
import { encodeRecord } from './record-codec.ts';
import { RecordIndex } from './record-index.ts';
import { RecordIntake, type IntakeVerdict } from './record-intake.ts';
import { defaultMaxClockSkewMs } from './record-rules.ts';
import { reconcileStart, reconcileStep } from './reconcile-adapter.ts';
import { RecordWriter, type GraphAuthor, type RecordChanges, type RecordDraft } from './record-writer.ts';
import type { GraphPeer, SecurityProvider } from './security.ts';

/** How a graph reaches its neighbours: the hub that shares the node's links among graphs. */
export interface GraphLinks {
  /** Sends one part of this graph to a neighbour; rejects if the link is gone. */
  send(nodeId: string, part: GraphPart, kind: FrameKind): Promise<void>;
  /** The proven identity of a mesh neighbour, if it is one. */
  peer(nodeId: string): GraphPeer | undefined;
  /** The mesh's neighbours now. */
  neighbors(): readonly string[];
  /** Whether the node's mesh is started. */
  listening(): boolean;
}

/** What a `Graph` is built from. */
export interface GraphComponents {
  readonly graphId: string;
  readonly nodeId: string;
  readonly author: GraphAuthor;
  readonly provider: SecurityProvider;
  readonly store: RecordStore;
  readonly links: GraphLinks;
  readonly timers: Timers;
  readonly random: Random;
}

/** Settings of a graph; every field has a default. */
export interface GraphConfig {
  /** Lifetime of a record whose writer gave none. Default a year. */
  readonly defaultLifetimeMs: number;
  readonly maxClockSkewMs: number;
  /** How often each neighbour is reconciled with again, to heal what broadcast missed. Default 60 s. */
  readonly resyncIntervalMs: number;
  /** How often expired records are purged. Default 60 s. */
  readonly purgeIntervalMs: number;
  readonly broadcast: Partial<PlumtreeConfig>;
}

const defaultGraphConfig: GraphConfig = {
  defaultLifetimeMs: 365 * 24 * 3_600_000,
  maxClockSkewMs: defaultMaxClockSkewMs,
  resyncIntervalMs: 60_000,
  purgeIntervalMs: 60_000,
  broadcast: {},
};

/** Expired records purged per pass: one transaction's worth, the rest next time. */
const purgeBatch = 500;

/**
 * One graph on one node (Windows Peer Graphing's `HGRAPH`): a replica of signed, versioned
 * records, kept in the store, spread to the graph's neighbours by epidemic broadcast trees,
 * and reconciled with each neighbour when it joins and every `resyncIntervalMs`.
 */
export class Graph extends TypedEventTarget<GraphEvents> {
  readonly graphId: string;
  private readonly components: GraphComponents;
  private readonly config: GraphConfig;
  private readonly index: RecordIndex;
  private readonly intake: RecordIntake;
  private readonly broadcast: Plumtree;
  private readonly writer: RecordWriter;
  private readonly neighbors = new Map<string, GraphNeighbor>();
  /** Neighbours whose hello arrived, with the graph open at both ends. */
  private readonly joined = new Set<string>();
  private currentStatus: GraphStatus = {
    listening: false,
    hasConnections: false,
    synchronized: false,
    storageFull: false,
  };
  private readonly cancelTimers: (() => void)[] = [];
  private readonly refusals = new Map<string, number>();
  private readonly counter = new TrafficCounter();
  private closed = false;

  private constructor(components: GraphComponents, config: Partial<GraphConfig>) {
    super();
    this.components = components;
    this.config = { ...defaultGraphConfig, ...config };
    this.graphId = components.graphId;
    const { store, provider, timers, random } = components;
    this.index = new RecordIndex(store, this.graphId);
    this.intake = new RecordIntake({
      graphId: this.graphId,
      index: this.index,
      commits: new CommitQueue(store, this.graphId),
      provider,
      timers,
      maxClockSkewMs: this.config.maxClockSkewMs,
      committed: (stored, previous) => this.report(stored, previous),
      isOpen: () => !this.closed,
    });
    this.writer = new RecordWriter({
      graphId: this.graphId,
      author: components.author,
      provider,
      index: this.index,
      timers,
      defaultLifetimeMs: this.config.defaultLifetimeMs,
      offer: (encoded) => this.offer(encoded),
      spread: (stored, encoded) => this.broadcast.broadcast(stored.hash, encoded),
    });
    this.broadcast = new Plumtree(
      {
        nodeId: components.nodeId,
        timers,
        random: random.fork('broadcast'),
        send: (nodeId, message) => this.sendTree(nodeId, message),
        deliver: (_id, payload) => this.deliverBroadcast(payload),
        lookup: (id) => this.lookup(id),
      },
      this.config.broadcast,
    );
  }

  /** Loads the graph from the store and starts it; see `GraphHub.openGraph`. */
  static async open(components: GraphComponents, config: Partial<GraphConfig> = {}): Promise<Graph> {
    const graph = new Graph(components, config);
    await graph.index.load();
    graph.start();
    return graph;
  }

  get status(): GraphStatus {
    return this.currentStatus;
  }

  /** Number of records held (tombstones included). */
  get recordCount(): number {
    return this.index.size;
  }

  /** Writes a new record: signed, committed, then broadcast. Resolves with what was stored. */
  add(draft: RecordDraft): Promise<StoredRecord> {
    return this.write(() => this.writer.add(draft));
  }

  /** Writes the next version of one of this identity's records. */
  update(key: string, changes: RecordChanges): Promise<StoredRecord> {
    return this.write(() => this.writer.update(key, changes));
  }

  /** Deletes one of this identity's records: a tombstone that stays until the record expires. */
  delete(key: string): Promise<StoredRecord> {
    return this.write(() => this.writer.delete(key));
  }

  /** The current version of a record (a tombstone if deleted), or undefined. */
  get(key: string): Promise<StoredRecord | undefined> {
    return this.index.current(key);
  }

  /** Records by type, creator, attribute and creation time, a page at a time, from the store. */
  query(query: RecordQuery): Promise<RecordPage> {
    return this.components.store.query(this.graphId, query);
  }

  /** Synchronisation with each neighbour of the graph: rounds open, ids wanted and asked for. */
  syncProgress(): Record<string, ReturnType<GraphNeighbor['progress']>> {
    return Object.fromEntries([...this.neighbors].map(([nodeId, neighbor]) => [nodeId, neighbor.progress()]));
  }

  /** Neighbours taking part in this graph now. */
  graphNeighbors(): string[] {
    return [...this.neighbors.keys()];
  }

  /** Refused records and messages since open, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.refusals);
  }

  /** Frames and bytes of this graph's protocol, by part. */
  traffic(): GraphTraffic {
    return this.counter.snapshot();
  }

  /** Broadcast counters (frames and ids sent), for benches and the Network page. */
  broadcastStats(): ReturnType<Plumtree['stats']> {
    return this.broadcast.stats();
  }

  /** Stops taking part; the records stay in the store. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.cancelTimers.splice(0)) cancel();
    for (const nodeId of [...this.neighbors.keys()]) {
      this.post(nodeId, { t: 'bye' });
      this.leave(nodeId);
    }
    this.joined.clear();
    this.setStatus({ listening: false });
  }

  /** The hub's news that the mesh gained a neighbour: greets it for this graph. */
  neighborUp(nodeId: string): void {
    if (!this.closed) this.post(nodeId, { t: 'hello', reply: false });
  }

  /** The hub's news that the mesh lost a neighbour. */
  neighborDown(nodeId: string): void {
    this.joined.delete(nodeId);
    this.leave(nodeId);
  }

  /** The hub's news that the mesh started or stopped. */
  meshChanged(): void {
    this.setStatus({ listening: !this.closed && this.components.links.listening() });
  }

  /** A checked message of this graph from a neighbour; returns a rejection reason, if any. */
  receive(from: GraphPeer, message: GraphMessage): string | undefined | Promise<string | undefined> {
    if (this.closed) return undefined;
    this.counter.received(message);
    if (message.t === 'hello') return this.greet(from, message.reply);
    if (message.t === 'bye') {
      this.joined.delete(from.nodeId);
      this.leave(from.nodeId);
      return undefined;
    }
    const neighbor = this.neighbors.get(from.nodeId);
    if (neighbor === undefined) return 'not-in-graph';
    if (message.t === 'tree') return this.broadcast.receive(from.nodeId, message.m);
    if (message.t === 'direct') {
      this.emit('incoming-data', { from: from.nodeId, data: message.data });
      return undefined;
    }
    return neighbor.receive(message);
  }

  private start(): void {
    const { timers } = this.components;
    const every = (intervalMs: number, task: () => void): void => {
      const run = (): void => {
        if (this.closed) return;
        task();
        this.cancelTimers.push(timers.schedule(intervalMs, run));
      };
      this.cancelTimers.push(timers.schedule(intervalMs, run));
    };
    every(this.config.resyncIntervalMs, () => {
      for (const neighbor of this.neighbors.values()) {
        if (neighbor.initiator && neighbor.isSettled) neighbor.reconcile();
      }
    });
    every(this.config.purgeIntervalMs, () => void this.purge());
    this.meshChanged();
    for (const nodeId of this.components.links.neighbors()) this.neighborUp(nodeId);
  }

  private async greet(from: GraphPeer, isReply: boolean): Promise<string | undefined> {
    if (!(await this.components.provider.authorizeLink(from))) return 'link-not-authorized';
    if (this.closed || this.components.links.peer(from.nodeId) === undefined) return undefined;
    if (!isReply) {
      this.post(from.nodeId, { t: 'hello', reply: true });
      // A first hello from a peer already in the graph: it opened the graph again, or came
      // back on a new link that replaced the old one. Whatever was under way with it is gone.
      this.leave(from.nodeId);
      this.joined.delete(from.nodeId);
    }
    if (this.joined.has(from.nodeId)) return undefined;
    this.joined.add(from.nodeId);
    this.join(from.nodeId);
    return undefined;
  }

  private join(nodeId: string): void {
    const neighbor = new GraphNeighbor(
      nodeId,
      {
        index: this.index,
        send: (part, kind) => this.send(nodeId, part, kind ?? 'control'),
        reconcileStart: () => reconcileStart(this.index.items),
        reconcileStep: (message: WireValue) => reconcileStep(this.index.items, message),
        loadEncoded: (keys) => this.loadEncoded(keys),
        offer: (encoded) => this.offer(encoded),
        settled: () => this.updateSynchronized(),
      },
      this.components.nodeId < nodeId,
    );
    this.neighbors.set(nodeId, neighbor);
    this.broadcast.addNeighbor(nodeId);
    if (neighbor.initiator) neighbor.reconcile();
    this.emit('neighbor-changed', { nodeId, change: 'connected' });
    this.setStatus({ hasConnections: true, synchronized: false });
  }

  private leave(nodeId: string): void {
    const neighbor = this.neighbors.get(nodeId);
    if (neighbor === undefined) return;
    neighbor.close();
    this.neighbors.delete(nodeId);
    this.broadcast.removeNeighbor(nodeId);
    this.emit('neighbor-changed', { nodeId, change: 'disconnected' });
    this.setStatus({ hasConnections: this.neighbors.size > 0 });
    this.updateSynchronized();
  }

  private updateSynchronized(): void {
    const all = [...this.neighbors.values()];
    const synchronized = all.length > 0 && all.every((neighbor) => neighbor.isSettled);
    if (synchronized === this.currentStatus.synchronized) return;
    this.setStatus({ synchronized });
    if (synchronized) this.emit('synchronized', { neighbors: all.length });
  }

  /** Every record, from any source, goes through here; storage trouble shows in the status. */
  private async offer(encoded: Uint8Array): Promise<IntakeVerdict> {
    const verdict = await this.intake.offer(encoded);
    if (verdict.outcome === 'refused') this.refuse(verdict.reason);
    if (verdict.outcome === 'failed') {
      // By name: the store's error class lives in its adapter, which the core cannot import.
      if (verdict.error instanceof Error && verdict.error.name === 'StorageFullError') {
        this.setStatus({ storageFull: true });
      }
      this.refuse('commit-failed');
    } else if (verdict.outcome === 'accepted' && this.currentStatus.storageFull) {
      this.setStatus({ storageFull: false });
    }
    return verdict;
  }

  private async deliverBroadcast(payload: Uint8Array): Promise<DeliverOutcome> {
    const verdict = await this.offer(payload);
    switch (verdict.outcome) {
      case 'accepted':
      case 'duplicate':
        return verdict.outcome;
      case 'superseded':
        return 'superseded';
      case 'refused':
        return verdict.reason;
      case 'failed':
        return 'commit-failed';
    }
  }

  private async lookup(id: Uint8Array): Promise<Uint8Array | undefined> {
    const key = this.index.keyOfHash(id);
    if (key === undefined) return undefined;
    const [encoded] = await this.loadEncoded([key]);
    return encoded;
  }

  private async loadEncoded(keys: readonly string[]): Promise<Uint8Array[]> {
    const { store } = this.components;
    const found = await Promise.all(keys.map((key) => store.get(this.graphId, key)));
    return found.flatMap((stored) => (stored === undefined ? [] : [encodeRecord(stored.record)]));
  }

  private report(stored: StoredRecord, previous: StoredRecord | undefined): void {
    const change = stored.record.deleted ? 'deleted' : previous === undefined ? 'added' : 'updated';
    this.emit('record-changed', { change, record: stored });
  }

  private async purge(): Promise<void> {
    const { store } = this.components;
    const keys = await store.expired(this.graphId, this.nowMs(), purgeBatch);
    if (keys.length === 0 || this.closed) return;
    const gone = (await Promise.all(keys.map((key) => store.get(this.graphId, key)))).flatMap((stored) =>
      stored === undefined ? [] : [stored],
    );
    await store.commit(this.graphId, { put: [], remove: keys });
    for (const stored of gone) {
      this.index.remove(stored.key);
      this.emit('record-changed', { change: 'purged', record: stored });
    }
  }

  private sendTree(nodeId: string, message: PlumtreeMessage): void {
    this.post(
      nodeId,
      { t: 'tree', m: plumtreeBody(message) },
      message.type === 'gossip' ? 'bulk' : 'control',
    );
  }

  private post(nodeId: string, part: GraphPart, kind: FrameKind = 'control'): void {
    this.send(nodeId, part, kind).catch(() => undefined);
  }

  private send(nodeId: string, part: GraphPart, kind: FrameKind): Promise<void> {
    this.counter.sent(part);
    return this.components.links.send(nodeId, part, kind);
  }

  private write(task: () => Promise<StoredRecord>): Promise<StoredRecord> {
    return this.closed ? Promise.reject(new GraphClosedError(this.graphId)) : task();
  }

  private refuse(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }

  private setStatus(changes: Partial<GraphStatus>): void {
    const next = { ...this.currentStatus, ...changes };
    const same = (Object.keys(next) as (keyof GraphStatus)[]).every((k) => next[k] === this.currentStatus[k]);
    if (same) return;
    this.currentStatus = next;
    this.emit('status-changed', { status: next });
  }
}
