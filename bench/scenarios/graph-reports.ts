/**
 * What the graph page scenarios (graph.ts) take and return. Import-free, so the harness
 * (bench/graph.ts) can use these types without typechecking src/ for Node.
 */
import type { BenchBroker } from './mesh-reports.ts';

/** Counts by name: frames or bytes by graph part, broadcast counters, refusals. */
export type Counts = Readonly<Record<string, number>>;

/** A graph's protocol traffic, as `Graph.traffic()` reports it. */
export interface TrafficReport {
  readonly framesOut: Counts;
  readonly framesIn: Counts;
  readonly bytesOut: Counts;
  readonly bytesIn: Counts;
}

export interface PropagationOptions {
  readonly broker: BenchBroker;
  readonly nodeCount: number;
  /** Seeds who joins whom, who publishes each record, and every node's randomness. */
  readonly seed: number;
  /** Records published, one at a time, after the warm-up. */
  readonly records: number;
  /** Time between the starts of two publications. */
  readonly intervalMs: number;
  /** Application bytes of each record. */
  readonly dataBytes: number;
  /** How long the mesh should go without a neighbour change before publishing starts... */
  readonly quietMs: number;
  /** ...waiting at most this long for it; then publishing starts anyway. */
  readonly quietLimitMs: number;
  /** Time allowed to idle after the last delivery, so batched IHAVEs and grafts are counted. */
  readonly settleMs: number;
  /** Limit for forming the mesh and synchronizing the graphs, and for each round's deliveries. */
  readonly timeoutMs: number;
}

/** One round of publications, one at a time, and what the graphs sent meanwhile. */
export interface PublishingRound {
  /** `graph.add` start at the origin → `record-changed` at one other node, every such pair. */
  readonly latenciesMs: number[];
  /** Per record: `graph.add` start → `record-changed` at the last node to get it. */
  readonly lastDeliveryMs: number[];
  /** Records each node published. */
  readonly published: number[];
  /** Every node's mesh degree when the round started. */
  readonly degrees: number[];
  /** Frames all the graphs sent during the round and its settle time, by part (`tree` is Plumtree). */
  readonly framesOut: Counts;
  /** Broadcast counters summed over the nodes over the same time (eagerSent, lazySent, ...). */
  readonly broadcast: Counts;
  /**
   * What flooding the same records over the same mesh would send: each record once to every
   * neighbour of its origin, and once to every neighbour but the sender at every other node.
   */
  readonly floodingFrames: number;
  /** First `graph.add` → last delivery, before the settle time. */
  readonly publishingMs: number;
}

export interface PropagationReport {
  /** One record from every node in turn, so every node's broadcast tree is built. */
  readonly warmup: PublishingRound;
  /** `records` records from random nodes: the figures. */
  readonly measured: PublishingRound;
  /** Every node's mesh degree after the measured round. */
  readonly degreesAfter: number[];
  /** Neighbour changes across the nodes during both rounds (each link counts at both ends). */
  readonly neighborChanges: number;
  /** Whether the mesh had gone `quietMs` without a neighbour change when publishing started. */
  readonly quiet: boolean;
  /** First join → the mesh formed (every node ≥ 3 neighbours, connected), every graph synchronized (and quiet, if it got so). */
  readonly readyMs: number;
  /** Joins whose `connect` resolved false (the node then rejoined by itself). */
  readonly failedJoins: number;
  /** Refusals summed over the nodes' meshes and graphs, by reason. */
  readonly rejections: Counts;
  readonly peerConnections: { readonly created: number; readonly refused: number };
}

export interface SyncOptions {
  readonly broker: BenchBroker;
  readonly seed: number;
  /** Records node A holds before B joins. */
  readonly records: number;
  /** Encoded size aimed at for each record. */
  readonly recordBytes: number;
  /** Records A writes while B is away. */
  readonly missingRecords: number;
  /** Records written at once: their signatures run together and their commits group. */
  readonly writeBatch: number;
  /** Limit for each step (writing, one synchronization). */
  readonly timeoutMs: number;
}

/** One reconnection of B to A, from B's `mesh.connect` until both graphs are synchronized. */
export interface Reconnection {
  readonly elapsedMs: number;
  /** B's graph opened on its store (the cold load from IndexedDB), before the clock. */
  readonly reopenMs: number;
  /** B's graph traffic: its graph is new, so this is all of the reconnection. */
  readonly traffic: TrafficReport;
  /** A's graph traffic over the same time, from A's side (A's counters keep running). */
  readonly peerTraffic: TrafficReport;
  /** Records B committed meanwhile. */
  readonly received: number;
}

export interface SyncReport {
  readonly records: number;
  /** Encoded bytes of A's records, summed. */
  readonly recordBytes: number;
  /** A writing its records with `graph.add`, alone. */
  readonly writeMs: number;
  /** B's `mesh.connect` → B synchronized and holding every record. */
  readonly syncMs: number;
  /** B's traffic during the first synchronization. */
  readonly syncTraffic: TrafficReport;
  /** Encoded bytes of the records A wrote while B was away. */
  readonly missingBytes: number;
  readonly missingRecords: number;
  readonly catchUp: Reconnection;
  /** B away and back with nothing missing. */
  readonly upToDate: Reconnection;
  readonly rejections: Counts;
}

export interface CommitOptions {
  readonly records: number;
  readonly recordBytes: number;
  /** Records committed at once, as a frame of synchronized records arrives. */
  readonly batchRecords: number;
  /** Runs of each kind, alternating, each into a fresh database. */
  readonly runs: number;
  readonly timeoutMs: number;
}

export interface CommitReport {
  /** Records/s through `CommitQueue` → `IdbRecordStore.commit`, per run. */
  readonly storeRecordsPerSecond: number[];
  /** Records/s of plain `put`s of the same records, one transaction per batch, per run. */
  readonly plainRecordsPerSecond: number[];
  /** Signing the records beforehand (not timed in the runs). */
  readonly prepareMs: number;
  readonly meanRecordBytes: number;
}

export interface GraphModule {
  runPropagation(options: PropagationOptions): Promise<PropagationReport>;
  runSync(options: SyncOptions): Promise<SyncReport>;
  runCommit(options: CommitOptions): Promise<CommitReport>;
}
