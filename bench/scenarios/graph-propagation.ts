/**
 * Record propagation in one page: N graph nodes in one mesh over real WebRTC, each graph on
 * its own IndexedDB profile; records published one at a time, each timed from `graph.add` at
 * its origin to `record-changed` at every other node (one page, one clock), and the graphs'
 * frames counted against what flooding would send. A warm-up round, one record from every
 * node, builds each node's broadcast tree first; it is reported apart.
 */
import { createRandom, type Random } from '../../src/lib/random.ts';
import { countPeerConnections, sleep } from './bench-nodes.ts';
import {
  addCounts,
  createGraphIdentity,
  deleteDatabases,
  describeGraph,
  rejectionsOf,
  startGraphNode,
  stopGraphNode,
  uniqueRunName,
  waitUntil,
  type GraphIdentity,
  type GraphNode,
} from './graph-nodes.ts';
import type { Counts, PropagationOptions, PropagationReport, PublishingRound } from './graph-reports.ts';
import { withTimeout } from './timeout.ts';

/** The degree every node must reach, with the graph connected, before publishing starts. */
const minDegree = 3;

/** The record type published. */
const noteType = 'bench/note';

/** A record's arrival at one node. */
interface Arrival {
  readonly key: string;
  readonly node: number;
  readonly atMs: number;
}

/** Where and when a record's `graph.add` started. */
interface Publication {
  readonly origin: number;
  readonly atMs: number;
}

/** What the graphs had sent at one moment. */
interface Counters {
  readonly framesOut: Counts;
  readonly broadcast: Counts;
}

/** Neighbour changes across the nodes, and when the last one happened. */
interface ChangeLog {
  count: number;
  lastAtMs: number;
  stop(): void;
}

/** The sizes of the neighbour graph's connected components (links either way), largest first. */
function componentSizes(nodes: readonly GraphNode[]): number[] {
  const edges = new Map<string, Set<string>>(nodes.map((node) => [node.nodeId, new Set<string>()]));
  for (const node of nodes) {
    for (const peer of node.mesh.neighbors()) {
      edges.get(node.nodeId)?.add(peer);
      edges.get(peer)?.add(node.nodeId);
    }
  }
  const reached = new Set<string>();
  const sizes: number[] = [];
  for (const { nodeId } of nodes) {
    if (reached.has(nodeId)) continue;
    reached.add(nodeId);
    const queue = [nodeId];
    let size = 0;
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      size += 1;
      for (const next of edges.get(id) ?? []) {
        if (reached.has(next) || !edges.has(next)) continue;
        reached.add(next);
        queue.push(next);
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

function ready(nodes: readonly GraphNode[]): boolean {
  return (
    nodes.every((node) => node.mesh.neighbors().length >= minDegree && node.graph.status.synchronized) &&
    componentSizes(nodes).length === 1
  );
}

function describeNodes(nodes: readonly GraphNode[]): string {
  const each = nodes.map(
    (node, i) => `#${i} degree ${node.mesh.neighbors().length}, ${describeGraph(node.graph)}`,
  );
  return [`mesh components of ${componentSizes(nodes).join(', ')} nodes`, ...each].join('\n');
}

function logChanges(nodes: readonly GraphNode[]): ChangeLog {
  const offs: (() => void)[] = [];
  const log: ChangeLog = {
    count: 0,
    lastAtMs: performance.now(),
    stop: () => {
      for (const off of offs.splice(0)) off();
    },
  };
  const changed = (): void => {
    log.count += 1;
    log.lastAtMs = performance.now();
  };
  for (const node of nodes)
    offs.push(node.mesh.on('neighbor-up', changed), node.mesh.on('neighbor-down', changed));
  return log;
}

/** Joins each node through a random earlier one; the mesh retries a failed join by itself. */
async function joinAll(nodes: readonly GraphNode[], random: Random): Promise<number> {
  let failedJoins = 0;
  for (let i = 1; i < nodes.length; i += 1) {
    const node = nodes[i];
    const contact = nodes[random.int(i)];
    if (node === undefined || contact === undefined) throw new RangeError(`no node ${i}`);
    if (!(await node.mesh.connect([contact.nodeId]))) failedJoins += 1;
  }
  return failedJoins;
}

function countersOf(nodes: readonly GraphNode[]): Counters {
  const framesOut: Record<string, number> = {};
  const broadcast: Record<string, number> = {};
  for (const node of nodes) {
    addCounts(framesOut, node.graph.traffic().framesOut);
    addCounts(broadcast, { ...node.graph.broadcastStats() });
  }
  return { framesOut, broadcast };
}

function difference(after: Counts, before: Counts): Record<string, number> {
  const delta: Record<string, number> = { ...after };
  addCounts(delta, before, -1);
  return delta;
}

/**
 * Records every node's `added` reports in `arrivals`; `all` resolves once `expected` arrived
 * (the origin's own commit counts as one), `stop` removes the listeners.
 */
function recordArrivals(
  nodes: readonly GraphNode[],
  arrivals: Arrival[],
  expected: number,
): { readonly all: Promise<void>; stop(): void } {
  const offs: (() => void)[] = [];
  const all = new Promise<void>((resolve) => {
    for (const [index, node] of nodes.entries()) {
      offs.push(
        node.graph.on('record-changed', ({ change, record }) => {
          if (change !== 'added') return;
          arrivals.push({ key: record.key, node: index, atMs: performance.now() });
          if (arrivals.length === expected) resolve();
        }),
      );
    }
  });
  return {
    all,
    stop: () => {
      for (const off of offs.splice(0)) off();
    },
  };
}

/** Publishes one record from each of `origins` in turn, one every `intervalMs`. */
async function publish(
  nodes: readonly GraphNode[],
  origins: readonly number[],
  options: PropagationOptions,
): Promise<Map<string, Publication>> {
  const publications = new Map<string, Publication>();
  const firstAt = performance.now();
  for (const [index, origin] of origins.entries()) {
    const waitMs = firstAt + index * options.intervalMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    const node = nodes[origin];
    if (node === undefined) throw new RangeError(`no node ${origin}`);
    const data = crypto.getRandomValues(new Uint8Array(options.dataBytes));
    const atMs = performance.now();
    const stored = await node.graph.add({ type: noteType, data });
    publications.set(stored.key, { origin, atMs });
  }
  return publications;
}

/** Every delivery's latency, and each record's latency to its last node. */
function latencies(
  arrivals: readonly Arrival[],
  publications: ReadonlyMap<string, Publication>,
): { latenciesMs: number[]; lastDeliveryMs: number[] } {
  const latenciesMs: number[] = [];
  const last = new Map<string, number>();
  for (const { key, node, atMs } of arrivals) {
    const publication = publications.get(key);
    if (publication === undefined) throw new RangeError(`record ${key} arrived but was not published`);
    if (node === publication.origin) continue;
    const latencyMs = atMs - publication.atMs;
    latenciesMs.push(latencyMs);
    last.set(key, Math.max(last.get(key) ?? 0, latencyMs));
  }
  return { latenciesMs, lastDeliveryMs: [...last.values()] };
}

/** Publishes from `origins`, waits for every delivery and the settle time, and sums it up. */
async function publishingRound(
  nodes: readonly GraphNode[],
  origins: readonly number[],
  options: PropagationOptions,
): Promise<PublishingRound> {
  const degrees = nodes.map((node) => node.mesh.neighbors().length);
  const arrivals: Arrival[] = [];
  const expected = origins.length * nodes.length;
  const listening = recordArrivals(nodes, arrivals, expected);
  try {
    const start = countersOf(nodes);
    const startedAt = performance.now();
    const publications = await publish(nodes, origins, options);
    await withTimeout(
      listening.all,
      options.timeoutMs,
      `delivering ${origins.length} records to ${nodes.length} nodes`,
    );
    const publishingMs = performance.now() - startedAt;
    await sleep(options.settleMs);
    const end = countersOf(nodes);
    const published = nodes.map(() => 0);
    for (const origin of origins) published[origin] = (published[origin] ?? 0) + 1;
    // Flooding sends a record to every neighbour of its origin and to every neighbour but the
    // sender at each other node: sum(degree) - (N - 1) frames per record, whoever the origin.
    const degreeSum = degrees.reduce((sum, degree) => sum + degree, 0);
    return {
      ...latencies(arrivals, publications),
      published,
      degrees,
      framesOut: difference(end.framesOut, start.framesOut),
      broadcast: difference(end.broadcast, start.broadcast),
      floodingFrames: origins.length * (degreeSum - (nodes.length - 1)),
      publishingMs,
    };
  } finally {
    listening.stop();
  }
}

async function startNodes(
  options: PropagationOptions,
  identities: GraphIdentity[],
  nodes: GraphNode[],
): Promise<void> {
  const runName = uniqueRunName(`bench-graph-${options.nodeCount}`);
  for (let i = 0; i < options.nodeCount; i += 1) {
    const identity = await createGraphIdentity(runName, i);
    identities.push(identity);
    nodes.push(await startGraphNode(identity, { broker: options.broker, seed: options.seed * 1000 + i }));
  }
}

/** Whether `holds()` comes true within `limitMs`, checking every 100 ms. */
async function holdsWithin(holds: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!holds()) {
    if (performance.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Forms the mesh and waits until every graph is synchronized and, for up to `quietLimitMs`,
 * until no neighbour changed for `quietMs`; then a warm-up round and the measured round.
 */
export async function runPropagation(options: PropagationOptions): Promise<PropagationReport> {
  const identities: GraphIdentity[] = [];
  const nodes: GraphNode[] = [];
  let changes: ChangeLog | undefined;
  try {
    const peerConnections = countPeerConnections();
    await startNodes(options, identities, nodes);
    const random = createRandom(options.seed);
    const before = { ...peerConnections };
    changes = logChanges(nodes);
    const log = changes;
    const joinedAt = performance.now();
    const failedJoins = await joinAll(nodes, random);
    const explain = (): string => describeNodes(nodes);
    const what = `a mesh of ${options.nodeCount} with every graph synchronized`;
    await waitUntil(() => ready(nodes), options.timeoutMs, what, explain);
    // A quiet spell is hoped for, not required: a node short of neighbours keeps trying
    // candidates every shuffle, and in a big mesh some node usually is.
    const quiet = await holdsWithin(
      () => ready(nodes) && performance.now() - log.lastAtMs >= options.quietMs,
      options.quietLimitMs,
    );
    if (!quiet) await waitUntil(() => ready(nodes), options.timeoutMs, what, explain);
    const readyMs = performance.now() - joinedAt;
    const changesBefore = log.count;
    const warmup = await publishingRound(nodes, random.shuffle(nodes.map((_, i) => i)), options);
    const origins = Array.from({ length: options.records }, () => random.int(nodes.length));
    const measured = await publishingRound(nodes, origins, options);
    return {
      warmup,
      measured,
      degreesAfter: nodes.map((node) => node.mesh.neighbors().length),
      neighborChanges: log.count - changesBefore,
      quiet,
      readyMs,
      failedJoins,
      rejections: rejectionsOf(nodes),
      peerConnections: {
        created: peerConnections.created - before.created,
        refused: peerConnections.refused - before.refused,
      },
    };
  } finally {
    changes?.stop();
    for (const node of nodes) stopGraphNode(node);
    await deleteDatabases(identities);
  }
}
