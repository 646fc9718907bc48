/**
 * Synchronisation in one page, between two graph nodes over real WebRTC and IndexedDB (and a
 * third that only keeps the first company in the mesh): a late joiner B pulls every record of
 * A; then B leaves, A writes more, and B comes back on the same identity and database to catch
 * up; then B leaves and comes back with nothing missing. Each reconnection is timed and its
 * graph bytes counted at B, whose graph is new each time.
 */
import type { StoredRecord } from '../../src/core/ports.ts';
import type { Graph } from '../../src/core/graph/graph.ts';
import {
  addCounts,
  createGraphIdentity,
  deleteDatabases,
  describeGraph,
  rejectionsOf,
  startGraphNode,
  stopGraphNode,
  trafficOf,
  uniqueRunName,
  waitUntil,
  whenGraph,
  type GraphIdentity,
  type GraphNode,
} from './graph-nodes.ts';
import type { Counts, Reconnection, SyncOptions, SyncReport, TrafficReport } from './graph-reports.ts';
import { withTimeout } from './timeout.ts';

/** The record type written. */
const itemType = 'bench/item';

/** Data bytes of the first record, which shows how many bytes the rest of the encoding takes. */
const probeDataBytes = 256;

/**
 * Periodic resynchronisation is pushed beyond the run, so the only reconciliation counted is
 * the one every (re)connection starts, which is what these figures are about.
 */
const quietResyncMs = 3_600_000;

/**
 * How long the two graphs must go without a frame, once both are synchronized, for the
 * reconnection to count as over: messages already sent (a last `synced`, a second answer to
 * a want asked twice) are counted too.
 */
const quietTrafficMs = 500;

/** The graph C opens: not A's, so C keeps A company in the mesh without taking part. */
const otherGraphId = 'bench-other';

/**
 * Writes `count` records to `graph` with `graph.add`, `batch` at a time, sized so that each
 * encoding is about `recordBytes` (the first one, with `probeDataBytes` of data, measures the
 * rest of the encoding).
 */
async function writeRecords(
  graph: Graph,
  count: number,
  recordBytes: number,
  batch: number,
): Promise<StoredRecord[]> {
  const data = (bytes: number): Uint8Array => crypto.getRandomValues(new Uint8Array(bytes));
  const probe = await graph.add({ type: itemType, data: data(probeDataBytes) });
  const dataBytes = Math.max(0, recordBytes - (probe.bytes - probeDataBytes));
  const written = [probe];
  while (written.length < count) {
    const size = Math.min(batch, count - written.length);
    const adds = Array.from({ length: size }, () => graph.add({ type: itemType, data: data(dataBytes) }));
    written.push(...(await Promise.all(adds)));
  }
  return written;
}

/** Frames in and out of `graphs`, all parts. */
function framesOf(graphs: readonly Graph[]): number {
  let frames = 0;
  for (const graph of graphs) {
    const { framesIn, framesOut } = graph.traffic();
    for (const count of [...Object.values(framesIn), ...Object.values(framesOut)]) frames += count;
  }
  return frames;
}

/** Waits until neither graph sent or received a frame for `quietTrafficMs`. */
async function trafficStopped(a: GraphNode, b: GraphNode, timeoutMs: number): Promise<void> {
  let frames = framesOf([a.graph, b.graph]);
  let changedAt = performance.now();
  await waitUntil(
    () => {
      const now = framesOf([a.graph, b.graph]);
      if (now !== frames) {
        frames = now;
        changedAt = performance.now();
      }
      return performance.now() - changedAt >= quietTrafficMs;
    },
    timeoutMs,
    'the graph traffic between A and B to stop',
    () => `A: ${describeGraph(a.graph)}\nB: ${describeGraph(b.graph)}`,
  );
}

/**
 * Connects B to A, waits until B holds `expected` records and both graphs are synchronized
 * with each other, then until their traffic stops; B's graph is new, so its traffic is all
 * of the reconnection's.
 */
async function reconnect(
  a: GraphNode,
  b: GraphNode,
  expected: number,
  timeoutMs: number,
): Promise<Reconnection> {
  let received = 0;
  const off = b.graph.on('record-changed', () => (received += 1));
  try {
    const bReady = whenGraph(
      b.graph,
      () => b.graph.status.synchronized && b.graph.recordCount >= expected,
      timeoutMs,
      `B synchronized with ${expected} records`,
    );
    const aReady = whenGraph(
      a.graph,
      () => a.graph.status.synchronized && a.graph.graphNeighbors().includes(b.nodeId),
      timeoutMs,
      'A synchronized with B',
    );
    const both = Promise.all([bReady, aReady]);
    // Attached before the join, so a timeout during it cannot go unhandled.
    both.catch(() => undefined);
    const aBefore = trafficOf(a.graph);
    const startedAt = performance.now();
    // A failed join is retried by the mesh itself; the waits above bound it.
    await b.mesh.connect([a.nodeId]);
    const [bAt] = await both;
    await trafficStopped(a, b, timeoutMs);
    return {
      elapsedMs: bAt - startedAt,
      reopenMs: b.graphOpenMs,
      traffic: trafficOf(b.graph),
      peerTraffic: trafficSince(aBefore, trafficOf(a.graph)),
      received,
    };
  } finally {
    off();
  }
}

/** What a traffic report counted between `before` and `after`. */
function trafficSince(before: TrafficReport, after: TrafficReport): TrafficReport {
  const since = (name: keyof TrafficReport): Counts => {
    const delta: Record<string, number> = { ...after[name] };
    addCounts(delta, before[name], -1);
    return Object.fromEntries(Object.entries(delta).filter(([, count]) => count !== 0));
  };
  return {
    framesOut: since('framesOut'),
    framesIn: since('framesIn'),
    bytesOut: since('bytesOut'),
    bytesIn: since('bytesIn'),
  };
}

function bytesOf(records: readonly StoredRecord[]): number {
  return records.reduce((sum, stored) => sum + stored.bytes, 0);
}

/** The nodes of one run, started and stopped as the run goes. */
class SyncRun {
  readonly running = new Set<GraphNode>();

  constructor(private readonly options: SyncOptions) {}

  async start(identity: GraphIdentity, seed: number, graphId?: string): Promise<GraphNode> {
    const config = { resyncIntervalMs: quietResyncMs };
    const { broker } = this.options;
    const node = await startGraphNode(
      identity,
      graphId === undefined ? { broker, seed, config } : { broker, seed, graphId, config },
    );
    this.running.add(node);
    return node;
  }

  /** Stops B and waits until A has let go of it, in its graph and in its mesh. */
  async leave(a: GraphNode, b: GraphNode): Promise<void> {
    this.running.delete(b);
    stopGraphNode(b);
    await waitUntil(
      () => !a.graph.graphNeighbors().includes(b.nodeId) && !a.mesh.neighbors().includes(b.nodeId),
      this.options.timeoutMs,
      'A letting go of B',
      () => describeGraph(a.graph),
    );
  }

  write(a: GraphNode, count: number, what: string): Promise<StoredRecord[]> {
    const { recordBytes, writeBatch, timeoutMs } = this.options;
    return withTimeout(writeRecords(a.graph, count, recordBytes, writeBatch), timeoutMs, what);
  }

  stopAll(): void {
    for (const node of this.running) stopGraphNode(node);
    this.running.clear();
  }
}

/**
 * A holds `records`; B joins empty, then leaves and comes back twice. A third node C, with
 * another graph open, keeps A in the mesh while B is away: alone, A would keep dialling B to
 * rejoin, and its dial racing B's on return would make two links where one is meant.
 */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const runName = uniqueRunName('bench-graph-sync');
  const identities = await Promise.all([0, 1, 2].map((index) => createGraphIdentity(runName, index)));
  const [identityA, identityB, identityC] = identities;
  if (identityA === undefined || identityB === undefined || identityC === undefined) {
    throw new RangeError('three identities were asked for');
  }
  const run = new SyncRun(options);
  try {
    const a = await run.start(identityA, options.seed);
    const c = await run.start(identityC, options.seed + 10, otherGraphId);
    if (!(await c.mesh.connect([a.nodeId]))) throw new Error('C could not join A');
    const writeStartedAt = performance.now();
    const written = await run.write(a, options.records, `A writing ${options.records} records`);
    const writeMs = performance.now() - writeStartedAt;
    let b = await run.start(identityB, options.seed + 1);
    const first = await reconnect(a, b, options.records, options.timeoutMs);
    await run.leave(a, b);
    const missing = await run.write(a, options.missingRecords, `A writing ${options.missingRecords} records`);
    const total = options.records + options.missingRecords;
    b = await run.start(identityB, options.seed + 2);
    const catchUp = await reconnect(a, b, total, options.timeoutMs);
    await run.leave(a, b);
    b = await run.start(identityB, options.seed + 3);
    const upToDate = await reconnect(a, b, total, options.timeoutMs);
    return {
      records: written.length,
      recordBytes: bytesOf(written),
      writeMs,
      syncMs: first.elapsedMs,
      syncTraffic: first.traffic,
      missingRecords: missing.length,
      missingBytes: bytesOf(missing),
      catchUp,
      upToDate,
      rejections: rejectionsOf([...run.running]),
    };
  } finally {
    run.stopAll();
    await deleteDatabases(identities);
  }
}
