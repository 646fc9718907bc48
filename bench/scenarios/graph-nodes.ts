/**
 * Graph nodes for the graph page scenarios: an identity, a PeerJS transport on the bench
 * broker, a started `Mesh`, an IndexedDB profile database with its record store, and a
 * `GraphHub` with the bench graph open under the default security provider (the author's
 * signature). A node can stop and start again on the same identity and database.
 */
import type { Graph, GraphConfig } from '../../src/core/graph/graph.ts';
import { GraphHub } from '../../src/core/graph/graph-hub.ts';
import { SignedRecordsProvider } from '../../src/core/graph/signed-records.ts';
import { identityIdOf } from '../../src/core/identity/ids.ts';
import type { LinkSelf } from '../../src/core/mesh/link-handshake.ts';
import { Mesh, type MeshConfig } from '../../src/core/mesh/mesh.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/profile-database.ts';
import { IdbRecordStore } from '../../src/storage/idb/record-store.ts';
import { BrokerError } from '../../src/transport/errors.ts';
import { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { createLinkSelf, sleep } from './bench-nodes.ts';
import type { BenchBroker } from './mesh-reports.ts';
import type { Counts, TrafficReport } from './graph-reports.ts';
import { BenchTimeoutError, withTimeout } from './timeout.ts';

/** The graph the bench nodes open. */
export const benchGraphId = 'bench-graph';

/**
 * The test suite's `quickMesh` (test/helpers/mesh-nodes.ts, as bench/scenarios/mesh.ts): a
 * shuffle every second, so a node short of neighbours tops up every second and a page-sized
 * mesh converges in seconds. With the production settings (a shuffle every 10 s) a 32-node
 * mesh joined one node at a time was seen to stay split in two for minutes. The price: each
 * shuffle reply opens a short-lived link, about N link setups a second in the page.
 */
const quickMesh: MeshConfig = {
  membership: { shuffleIntervalMs: 1000, dialTimeoutMs: 5000, neighborReplyTimeoutMs: 3000 },
  rejoinDelayMs: 200,
  maxRejoinDelayMs: 2000,
};

/** Who a node is, kept across restarts. */
export interface GraphIdentity {
  readonly self: LinkSelf;
  readonly identityId: string;
  /** Its profile database, one per node, deleted at the end of the scenario. */
  readonly databaseName: string;
}

/** A node running: transport, mesh, database and the bench graph. */
export interface GraphNode {
  readonly identity: GraphIdentity;
  readonly nodeId: string;
  readonly transport: PeerJsTransport;
  readonly mesh: Mesh;
  readonly database: ProfileDatabase;
  readonly store: IdbRecordStore;
  readonly hub: GraphHub;
  readonly graph: Graph;
  /** How long `openGraph` took: the cold load of the graph's records from IndexedDB. */
  readonly graphOpenMs: number;
}

/** A fresh identity whose profile database is named after `runName` and `index`. */
export async function createGraphIdentity(runName: string, index: number): Promise<GraphIdentity> {
  const self = await createLinkSelf();
  const identityId = await identityIdOf(new Uint8Array(self.publicKey));
  return { self, identityId, databaseName: `${runName}-${index}` };
}

/** A name no earlier run left a database under. */
export function uniqueRunName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * The broker frees a node id once it sees the old registration's socket close, which can come
 * after a restarted node asks for the id again: it is asked again, this often, this long.
 */
const registerRetryMs = 250;
const registerTimeoutMs = 10_000;

/** Whether `error` is the broker's refusal of a node id it still holds. */
function isIdTaken(error: unknown): boolean {
  if (!(error instanceof BrokerError) || typeof error.cause !== 'object' || error.cause === null)
    return false;
  return 'type' in error.cause && error.cause.type === 'unavailable-id';
}

/** A PeerJS transport registered as `nodeId`, waiting for the broker to free the id if it must. */
export async function registerOnBroker(nodeId: string, broker: BenchBroker): Promise<PeerJsTransport> {
  const deadline = performance.now() + registerTimeoutMs;
  for (;;) {
    const transport = new PeerJsTransport({
      nodeId,
      broker: { host: broker.host, port: broker.port, path: broker.path, secure: false },
      iceServers: [],
    });
    try {
      await transport.start();
      return transport;
    } catch (error) {
      if (!isIdTaken(error) || performance.now() > deadline) throw error;
      await sleep(registerRetryMs);
    }
  }
}

/** How to start a node. */
export interface GraphNodeOptions {
  readonly broker: BenchBroker;
  readonly seed: number;
  /** The graph it opens; default `benchGraphId`. */
  readonly graphId?: string;
  readonly config?: Partial<GraphConfig>;
}

/**
 * Starts `identity` as a node: registers on the broker, starts a mesh (not joined), opens its
 * database and its graph, which loads whatever records the database holds.
 * Start nodes one after another: Chromium throttles a burst of WebSocket handshakes.
 */
export async function startGraphNode(identity: GraphIdentity, options: GraphNodeOptions): Promise<GraphNode> {
  const { broker, seed, graphId = benchGraphId, config = {} } = options;
  const { self, identityId } = identity;
  const transport = await registerOnBroker(self.nodeId, broker);
  const random = createRandom(seed);
  const mesh = new Mesh(
    {
      self,
      bootstrap: transport,
      createMeshTransport: (signaller) =>
        new RtcTransport({ nodeId: self.nodeId, signaller, iceServers: [], dialTimeoutMs: 5000 }),
      timers: realTimeTimers(),
      random: random.fork('mesh'),
    },
    quickMesh,
  );
  await mesh.start();
  const database = await openProfileDatabase(identity.databaseName);
  const store = new IdbRecordStore(database);
  const hub = new GraphHub({
    mesh,
    store,
    author: { identityId, publicKey: self.publicKey },
    timers: realTimeTimers(),
    random: random.fork('graphs'),
  });
  const provider = new SignedRecordsProvider({
    identityId,
    publicKey: self.publicKey,
    signingKey: self.signingKey,
  });
  const openedAt = performance.now();
  const graph = await hub.openGraph(graphId, provider, config);
  const graphOpenMs = performance.now() - openedAt;
  return { identity, nodeId: self.nodeId, transport, mesh, database, store, hub, graph, graphOpenMs };
}

/** Closes the node's graphs, mesh, broker registration and database; the data stays. */
export function stopGraphNode(node: GraphNode): void {
  node.hub.stop();
  node.mesh.stop();
  node.transport.stop();
  node.database.close();
}

/** How long deleting the databases may take: it waits for any connection left open. */
const deleteTimeoutMs = 30_000;

/** Deletes the profile databases of `identities` (their nodes must be stopped). */
export async function deleteDatabases(identities: readonly GraphIdentity[]): Promise<void> {
  const deleted = Promise.all(identities.map((identity) => deleteProfileDatabase(identity.databaseName)));
  await withTimeout(deleted, deleteTimeoutMs, `deleting ${identities.length} profile databases`);
}

/**
 * Resolves with `performance.now()` at the first `record-changed` or `status-changed` event
 * of `graph` (or at once) after which `holds()` is true; rejects after `timeoutMs` with
 * `what` and the graph's state.
 */
export function whenGraph(
  graph: Graph,
  holds: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  if (holds()) return Promise.resolve(performance.now());
  const offs: (() => void)[] = [];
  const reached = new Promise<number>((resolve) => {
    const check = (): void => {
      if (!holds()) return;
      resolve(performance.now());
      for (const off of offs.splice(0)) off();
    };
    offs.push(graph.on('record-changed', check), graph.on('status-changed', check));
  });
  const explained = `${what} (${describeGraph(graph)})`;
  return withTimeout(reached, timeoutMs, explained).finally(() => {
    for (const off of offs.splice(0)) off();
  });
}

/**
 * Waits, checking every 100 ms, until `holds()`; after `timeoutMs` throws a
 * `BenchTimeoutError` naming `what` and what `explain` says of the state.
 */
export async function waitUntil(
  holds: () => boolean,
  timeoutMs: number,
  what: string,
  explain: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!holds()) {
    if (performance.now() > deadline) {
      throw new BenchTimeoutError(`${what} took over ${timeoutMs} ms:\n${explain()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A graph's record count, status and refusals, for a timeout message. */
export function describeGraph(graph: Graph): string {
  const { synchronized, hasConnections } = graph.status;
  return `records ${graph.recordCount}, synchronized ${synchronized}, connected ${hasConnections}, neighbours ${graph.graphNeighbors().length}, refused ${JSON.stringify(graph.rejections())}`;
}

/** `graph.traffic()` as a plain report. */
export function trafficOf(graph: Graph): TrafficReport {
  const { framesOut, framesIn, bytesOut, bytesIn } = graph.traffic();
  return { framesOut, framesIn, bytesOut, bytesIn };
}

/** Adds `counts` into `total`, name by name (scaled by `sign`, -1 to subtract). */
export function addCounts(total: Record<string, number>, counts: Counts, sign = 1): void {
  for (const [name, count] of Object.entries(counts)) total[name] = (total[name] ?? 0) + sign * count;
}

/** Refusals summed over the nodes' meshes, hubs and graphs, by reason. */
export function rejectionsOf(nodes: readonly GraphNode[]): Record<string, number> {
  const all: Record<string, number> = {};
  for (const node of nodes) {
    addCounts(all, node.mesh.rejections());
    addCounts(all, node.hub.rejections());
    addCounts(all, node.graph.rejections());
  }
  return all;
}
