import { TypedEventTarget } from '../../lib/events.ts';
import type { RecordPage, RecordQuery, StoredRecord } from '../ports.ts';
import { Plumtree } from '../mesh/broadcast/plumtree.ts';
import { plumtreeBody, type PlumtreeMessage } from '../mesh/broadcast/plumtree-messages.ts';
import type { DeliverOutcome } from '../mesh/broadcast/plumtree-types.ts';
import { repeatEvery } from '../mesh/timers.ts';
import type { FrameKind } from '../wire/frame.ts';
import { CommitQueue } from './commit-queue.ts';
import { DirectChannels, type DirectChannel } from './direct-channel.ts';
import { TrafficCounter, type GraphTraffic } from './graph-traffic.ts';
import { GraphNeighbors } from './graph-neighbors.ts';
import type { GraphMessage, GraphPart } from './graph-messages.ts';
import { GraphClosedError, type GraphEvents, type GraphNodeInfo, type GraphStatus } from './graph-types.ts';
import { exportGraph, importGraph, type ImportProgress, type ImportSummary } from './graph-export.ts';
import { Presence } from './presence.ts';
import { RecordIndex } from './record-index.ts';
import { isSendersFault, RecordIntake, type IntakeVerdict } from './record-intake.ts';
import { RecordWriter, type RecordChanges, type RecordDraft } from './record-writer.ts';
import type { GraphPeer } from './security.ts';
import { GraphStatusFlags } from './graph-status.ts';
import { defaultGraphConfig, type GraphComponents, type GraphConfig } from './graph-config.ts';

export type { GraphComponents, GraphConfig, GraphLinks } from './graph-config.ts';
export type { RecordChanges, RecordDraft } from './record-writer.ts';

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
  private readonly neighbors: GraphNeighbors;
  private readonly presence: Presence;
  private readonly flags = new GraphStatusFlags((status) => this.emit('status-changed', { status }));
  private readonly cancelTimers: (() => void)[] = [];
  private readonly counter = new TrafficCounter();
  private readonly directs: DirectChannels;
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
        deliver: (id, payload, from) => this.deliverBroadcast(id, payload, from),
        lookup: (id) => this.index.encodedByHash(id),
      },
      this.config.broadcast,
    );
    this.directs = new DirectChannels({
      open: (nodeId) => components.links.openDirect(nodeId),
      close: (nodeId) => components.links.closeDirect(nodeId),
      send: (nodeId, data) => this.send(nodeId, { t: 'direct', data }, 'bulk'),
    });
    this.presence = new Presence(
      {
        graph: this,
        nodeId: components.nodeId,
        identityId: components.author.identityId,
        timers,
        onNodeChanged: (node) => this.emit('node-changed', { node }),
      },
      this.config.presence,
    );
    this.neighbors = new GraphNeighbors({
      nodeId: components.nodeId,
      provider,
      index: this.index,
      timers,
      passOnDelayMs: this.config.passOnDelayMs,
      stallTimeoutMs: this.config.stallTimeoutMs,
      isMeshNeighbor: (nodeId) => components.links.peer(nodeId) !== undefined,
      send: (nodeId, part, kind) => this.send(nodeId, part, kind),
      offer: (encoded) => this.offer(encoded),
      loadEncoded: (keys) => this.index.encoded(keys),
      changed: (nodeId, change) => {
        if (change === 'connected') this.broadcast.addNeighbor(nodeId);
        else this.broadcast.removeNeighbor(nodeId);
        this.emit('neighbor-changed', { nodeId, change });
      },
      recheck: () => this.recheck(),
    });
  }

  /** Loads the graph from the store and starts it; see `GraphHub.openGraph`. */
  static async open(components: GraphComponents, config: Partial<GraphConfig> = {}): Promise<Graph> {
    const graph = new Graph(components, config);
    await graph.index.load();
    graph.start();
    return graph;
  }

  get status(): GraphStatus {
    return this.flags.value;
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

  /**
   * Opens a private channel to one node of the graph (`PeerGraphOpenDirectConnection`), a
   * neighbour or not: its data goes over a link between the two nodes only. Rejects if no
   * link to the node can be made.
   */
  openDirect(nodeId: string): Promise<DirectChannel> {
    if (this.closed) return Promise.reject(new GraphClosedError(this.graphId));
    return this.directs.open(nodeId);
  }

  /**
   * Publishes this node's presence in the graph, refreshed while it runs, or stops
   * (`PeerGraphSetPresence`); while on, `node-changed` reports every node's presence. `away`
   * says the user is idle.
   */
  async setPresence(on: boolean, away = false): Promise<void> {
    if (!on) {
      this.presence.stop();
      return;
    }
    if (this.closed) throw new GraphClosedError(this.graphId);
    await this.presence.setAway(away);
    await this.presence.start();
  }

  /** The nodes whose presence the graph holds, online or not, with when they were last seen. */
  nodes(): Promise<GraphNodeInfo[]> {
    return this.presence.nodes();
  }

  /** The graph's records as a file, tombstones included (`PeerGraphExportDatabase`). */
  exportRecords(): Promise<Blob> {
    return exportGraph(this, this.nowMs());
  }

  /**
   * Imports records from an exported file (`PeerGraphImportDatabase`): every record goes
   * through the same checks as one from a peer. Rejects with `GraphImportError` on a file
   * that is not an export of this graph, or that breaks off (records before stay imported).
   */
  importRecords(file: Blob | Uint8Array, onProgress?: ImportProgress): Promise<ImportSummary> {
    if (this.closed) return Promise.reject(new GraphClosedError(this.graphId));
    return importGraph({ graphId: this.graphId, offer: (encoded) => this.offer(encoded) }, file, onProgress);
  }

  /** Synchronisation with each neighbour of the graph: rounds open, ids wanted and asked for. */
  syncProgress(): ReturnType<GraphNeighbors['progress']> {
    return this.neighbors.progress();
  }

  /** Reconciles with every neighbour now, and asks about refused peers again: the provider knows more. */
  resync(): void {
    this.neighbors.retryRefused();
    this.neighbors.resyncAll();
  }

  /** Greets linked nodes not in the graph yet: after the credential changed they may let this node in. */
  greetAgain(): void {
    this.neighbors.greetOutsiders(this.components.links.neighbors());
  }

  /** Links to a graph node that is not a mesh neighbour (a direct session) and greets it. */
  async link(nodeId: string): Promise<void> {
    if (this.closed) throw new GraphClosedError(this.graphId);
    await this.components.links.openDirect(nodeId);
    this.neighbors.greet(nodeId);
  }

  /** Parts with a neighbour the provider no longer authorizes; its next hello is asked again. */
  disconnect(nodeId: string): void {
    this.neighbors.dismiss(nodeId);
  }

  /** Neighbours taking part in this graph now. */
  graphNeighbors(): string[] {
    return this.neighbors.ids();
  }

  /** Refused records and messages since open, by reason. */
  rejections(): Record<string, number> {
    return this.intake.rejections();
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
    this.directs.closeAll('graph closed');
    this.neighbors.close();
    this.broadcast.stop();
    this.presence.stop();
    this.flags.set({ listening: false });
  }

  /** The hub's news that the mesh gained a neighbour: greets it for this graph. */
  neighborUp(nodeId: string): void {
    this.neighbors.greet(nodeId);
  }

  /** The hub's news that the mesh lost a neighbour. */
  neighborDown(nodeId: string): void {
    this.neighbors.leave(nodeId);
  }

  /** The hub's news that the mesh started or stopped. */
  meshChanged(): void {
    this.flags.set({ listening: !this.closed && this.components.links.listening() });
  }

  /** A checked message of this graph from a neighbour; returns a rejection reason, if any. */
  receive(from: GraphPeer, message: GraphMessage): string | undefined | Promise<string | undefined> {
    if (this.closed) return undefined;
    this.counter.received(message);
    if (message.t === 'hello') return this.neighbors.hello(from, message.reply, message.cred);
    if (message.t === 'direct') return this.incoming(from, message.data);
    if (message.t === 'refused') {
      this.neighbors.wasRefused(from.nodeId);
      this.emit('link-refused', { nodeId: from.nodeId, reason: message.reason });
      return undefined;
    }
    if (message.t === 'bye') {
      this.neighbors.leave(from.nodeId);
      return undefined;
    }
    const neighbor = this.neighbors.get(from.nodeId);
    if (neighbor === undefined) return 'not-in-graph';
    if (message.t === 'tree') return this.broadcast.receive(from.nodeId, message.m);
    return neighbor.receive(message);
  }

  private start(): void {
    const { timers } = this.components;
    this.cancelTimers.push(
      repeatEvery(timers, this.config.resyncIntervalMs, () => this.neighbors.resync()),
      repeatEvery(timers, this.config.purgeIntervalMs, () => void this.purge()),
    );
    this.meshChanged();
    for (const nodeId of this.components.links.neighbors()) this.neighborUp(nodeId);
  }

  /** Direct data, from a node the security provider lets take part in the graph. */
  private async incoming(from: GraphPeer, data: Uint8Array): Promise<string | undefined> {
    if (
      this.neighbors.get(from.nodeId) === undefined &&
      !(await this.components.provider.authorizeLink(from))
    ) {
      return 'link-not-authorized';
    }
    this.emit('incoming-data', { from: from.nodeId, data });
    this.directs.deliver(from.nodeId, data);
    return undefined;
  }

  private recheck(): void {
    const synchronized = this.neighbors.synchronized();
    this.flags.set({ hasConnections: this.neighbors.size > 0 });
    if (synchronized === this.flags.value.synchronized) return;
    this.flags.set({ synchronized });
    if (synchronized) this.emit('synchronized', { neighbors: this.neighbors.size });
  }

  /** Every record, from any source, goes through here; storage trouble shows in the status. */
  private async offer(encoded: Uint8Array, expectedHash?: Uint8Array): Promise<IntakeVerdict> {
    const verdict = await this.intake.offer(encoded, expectedHash);
    if (verdict.outcome === 'failed') {
      // By name: the store's error class lives in its adapter, which the core cannot import.
      if (verdict.error instanceof Error && verdict.error.name === 'StorageFullError') {
        this.flags.set({ storageFull: true });
      }
    } else if (verdict.outcome === 'accepted' && this.flags.value.storageFull) {
      this.flags.set({ storageFull: false });
    }
    return verdict;
  }

  /**
   * A record pushed down a broadcast tree. Plumtree answers the sender before this settles,
   * so a refusal that is the sender's fault is blamed here.
   */
  private async deliverBroadcast(id: Uint8Array, payload: Uint8Array, from: string): Promise<DeliverOutcome> {
    const verdict = await this.offer(payload, id);
    if (verdict.outcome === 'refused') {
      if (isSendersFault(verdict.reason)) this.components.links.blame(from, verdict.reason);
      return verdict.reason;
    }
    if (verdict.outcome === 'failed') return 'commit-failed';
    return verdict.outcome;
  }

  private report(stored: StoredRecord, previous: StoredRecord | undefined): void {
    const change = stored.record.deleted ? 'deleted' : previous === undefined ? 'added' : 'updated';
    this.emit('record-changed', { change, record: stored });
  }

  private async purge(): Promise<void> {
    const gone = await this.index.purgeExpired(this.nowMs(), purgeBatch);
    for (const stored of gone) this.emit('record-changed', { change: 'purged', record: stored });
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

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }
}
