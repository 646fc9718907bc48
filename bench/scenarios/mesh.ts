/**
 * Mesh formation in one page: N nodes, each with an identity, a PeerJS transport on the bench
 * broker and a `Mesh` over real WebRTC, join one after another through a random earlier node.
 * Imported by bench/mesh.ts; use a fresh page per N (a page holds at most 500 peer connections).
 */
import { Mesh, type MeshConfig } from '../../src/core/mesh/mesh.ts';
import { defaultMembershipConfig } from '../../src/core/mesh/membership/config.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { countPeerConnections, createBenchNode, type BenchNode } from './bench-nodes.ts';
import type { FailedJoin, FormationOptions, FormationReport } from './mesh-reports.ts';

/** The test suite's `quickMesh` (test/helpers/mesh-nodes.ts): a page-sized mesh converges in seconds. */
const quickMesh: MeshConfig = {
  membership: { shuffleIntervalMs: 1000, dialTimeoutMs: 5000, neighborReplyTimeoutMs: 3000 },
  rejoinDelayMs: 200,
  maxRejoinDelayMs: 2000,
};

/** The degree every node must reach, with the graph connected, for the mesh to count as formed. */
const minDegree = 3;

interface MeshNode extends BenchNode {
  readonly mesh: Mesh;
}

class FormationTimeoutError extends Error {
  override name = 'FormationTimeoutError';
}

async function createMeshNode(options: FormationOptions, index: number): Promise<MeshNode> {
  const node = await createBenchNode(options.broker);
  const mesh = new Mesh(
    {
      self: node.self,
      bootstrap: node.transport,
      createMeshTransport: (signaller) =>
        new RtcTransport({ nodeId: node.nodeId, signaller, iceServers: [], dialTimeoutMs: 5000 }),
      timers: realTimeTimers(),
      random: createRandom(options.seed * 1000 + index),
    },
    quickMesh,
  );
  await mesh.start();
  return { ...node, mesh };
}

/** The neighbour graph, links either way. */
function adjacency(nodes: readonly MeshNode[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>(nodes.map((node) => [node.nodeId, new Set<string>()]));
  for (const node of nodes) {
    for (const peer of node.mesh.neighbors()) {
      if (!edges.has(peer)) continue;
      edges.get(node.nodeId)?.add(peer);
      edges.get(peer)?.add(node.nodeId);
    }
  }
  return edges;
}

/** Hops from `from` to every node it reaches. */
function distancesFrom(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string): Map<string, number> {
  const distances = new Map([[from, 0]]);
  const queue = [from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const hops = (distances.get(id) ?? 0) + 1;
    for (const next of edges.get(id) ?? []) {
      if (distances.has(next)) continue;
      distances.set(next, hops);
      queue.push(next);
    }
  }
  return distances;
}

function formed(nodes: readonly MeshNode[]): boolean {
  if (nodes.some((node) => node.mesh.neighbors().length < minDegree)) return false;
  const first = nodes[0];
  return first === undefined || distancesFrom(adjacency(nodes), first.nodeId).size === nodes.length;
}

function diameterOf(nodes: readonly MeshNode[]): number {
  const edges = adjacency(nodes);
  let diameter = 0;
  for (const node of nodes) {
    for (const hops of distancesFrom(edges, node.nodeId).values()) diameter = Math.max(diameter, hops);
  }
  return diameter;
}

/** Distinct links by route, each counted once (from the end that lists it first). */
function linksByRoute(nodes: readonly MeshNode[]): { broker: number; mesh: number } {
  const counted = new Set<string>();
  const byRoute = { broker: 0, mesh: 0 };
  for (const node of nodes) {
    for (const link of node.mesh.snapshot().neighbors) {
      const key = [node.nodeId, link.nodeId].sort().join(' ');
      if (counted.has(key)) continue;
      counted.add(key);
      byRoute[link.route] += 1;
    }
  }
  return byRoute;
}

function rejectionsOf(nodes: readonly MeshNode[]): Record<string, number> {
  const all: Record<string, number> = {};
  for (const node of nodes) {
    for (const [reason, count] of Object.entries(node.mesh.rejections()))
      all[reason] = (all[reason] ?? 0) + count;
  }
  return all;
}

/** The mesh at the moment it formed. */
interface Formed {
  readonly atMs: number;
  readonly degrees: number[];
  readonly diameter: number;
  readonly linksByRoute: { readonly broker: number; readonly mesh: number };
}

/**
 * Resolves with the mesh as it first counts as formed. Degrees and links only change on
 * neighbour events, so it checks after each (a task later, once the views have settled).
 */
function whenFormed(nodes: readonly MeshNode[], timeoutMs: number): Promise<Formed> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      for (const off of offs) off();
    };
    const check = (): void => {
      if (!formed(nodes)) return;
      const atMs = performance.now();
      finish();
      resolve({
        atMs,
        degrees: nodes.map((node) => node.mesh.neighbors().length),
        diameter: diameterOf(nodes),
        linksByRoute: linksByRoute(nodes),
      });
    };
    const timer = setTimeout(() => {
      finish();
      const degrees = nodes.map((node) => node.mesh.neighbors().length).join(',');
      reject(new FormationTimeoutError(`no mesh after ${timeoutMs} ms; degrees ${degrees}`));
    }, timeoutMs);
    for (const node of nodes) {
      offs.push(
        node.mesh.on('neighbor-up', () => setTimeout(check, 0)),
        node.mesh.on('neighbor-down', () => setTimeout(check, 0)),
      );
    }
  });
}

/** Forms a mesh of `nodeCount` nodes and describes it at the moment it formed. */
export async function runFormation(options: FormationOptions): Promise<FormationReport> {
  const nodes: MeshNode[] = [];
  try {
    const peerConnections = countPeerConnections();
    const setupStartedAt = performance.now();
    for (let i = 0; i < options.nodeCount; i += 1) nodes.push(await createMeshNode(options, i));
    const nodeSetupMs = performance.now() - setupStartedAt;
    const random = createRandom(options.seed);
    const formedAt = whenFormed(nodes, options.timeoutMs);
    // Attached before the first join, so a failed join cannot leave it unhandled.
    formedAt.catch(() => undefined);
    const before = { ...peerConnections };
    const startedAt = performance.now();
    const joinMs: number[] = [];
    const failedJoins: FailedJoin[] = [];
    for (let i = 1; i < nodes.length; i += 1) {
      const node = nodes[i];
      const contact = nodes[random.int(i)];
      if (node === undefined || contact === undefined) throw new RangeError(`no node ${i}`);
      const joinStartedAt = performance.now();
      const joined = await node.mesh.connect([contact.nodeId]);
      joinMs.push(performance.now() - joinStartedAt);
      // The mesh retries a failed join by itself (rejoin with backoff); the clock keeps running.
      if (!joined) {
        failedJoins.push({
          node: i,
          contact: nodes.indexOf(contact),
          afterMs: performance.now() - joinStartedAt,
          status: node.mesh.status,
          rejections: node.mesh.rejections(),
          contactRejections: contact.mesh.rejections(),
          contactDegree: contact.mesh.neighbors().length,
        });
      }
    }
    const joinedMs = performance.now() - startedAt;
    const { atMs, degrees, diameter, linksByRoute: byRoute } = await formedAt;
    const created = peerConnections.created - before.created;
    const refused = peerConnections.refused - before.refused;
    return {
      formedMs: atMs - startedAt,
      joinedMs,
      joinMs,
      nodeSetupMs,
      degrees,
      diameter,
      linksByRoute: byRoute,
      activeViewSize: quickMesh.membership?.activeViewSize ?? defaultMembershipConfig.activeViewSize,
      rejections: rejectionsOf(nodes),
      failedJoins,
      peerConnections: { created, refused },
    };
  } finally {
    for (const node of nodes) {
      node.mesh.stop();
      node.transport.stop();
    }
  }
}
