import { nodeIdOf } from '../../src/core/identity/ids.ts';
import { Mesh, type MeshConfig } from '../../src/core/mesh/mesh.ts';
import type { LinkRoute } from '../../src/core/mesh/mesh-types.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { linkSelfOf } from './links.ts';
import { createTestNodes, destroyTestNodes, type TestNode } from './nodes.ts';
import { brokerTransport } from './transports.ts';

/** A test node running a whole mesh service, with the neighbour changes it saw. */
export interface MeshTestNode extends TestNode {
  readonly mesh: Mesh;
  /** Every neighbour that came up, with its route and when (performance.now()). */
  readonly ups: { nodeId: string; route: LinkRoute; atMs: number }[];
}

/** Mesh settings that make a small page-sized mesh converge in seconds. */
export const quickMesh: MeshConfig = {
  membership: { shuffleIntervalMs: 1000, dialTimeoutMs: 5000, neighborReplyTimeoutMs: 3000 },
  rejoinDelayMs: 200,
  maxRejoinDelayMs: 2000,
};

/** `count` nodes, each with its own identity, broker transport and started mesh (not joined). */
export async function createMeshNodes(
  count: number,
  config: MeshConfig = quickMesh,
): Promise<MeshTestNode[]> {
  const nodes = await createTestNodes(count);
  const meshNodes: MeshTestNode[] = [];
  for (const [i, node] of nodes.entries()) meshNodes.push(await startMesh(node, 1000 + i, config));
  return meshNodes;
}

/** Starts a mesh for `node` on its broker transport, seeded with `seed`. */
async function startMesh(node: TestNode, seed: number, config: MeshConfig): Promise<MeshTestNode> {
  const mesh = new Mesh(
    {
      self: linkSelfOf(node),
      bootstrap: node.transport,
      createMeshTransport: (signaller) =>
        new RtcTransport({ nodeId: node.nodeId, signaller, iceServers: [], dialTimeoutMs: 5000 }),
      timers: realTimeTimers(),
      random: createRandom(seed),
    },
    config,
  );
  const ups: MeshTestNode['ups'] = [];
  mesh.on('neighbor-up', ({ nodeId, route }) => ups.push({ nodeId, route, atMs: performance.now() }));
  await mesh.start();
  return { ...node, mesh, ups };
}

/** Stops every mesh, then the nodes' transports and databases. */
export async function destroyMeshNodes(nodes: readonly MeshTestNode[]): Promise<void> {
  for (const node of nodes) node.mesh.stop();
  await destroyTestNodes(nodes);
}

/**
 * Waits until `condition` holds, checking every 100 ms; after `timeoutMs` throws saying `what`
 * it waited for and, if given, the state `explain` describes.
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 30_000,
  explain?: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}. ${explain?.() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the neighbour graph of `nodes` (links either way) is connected. */
export function isConnected(nodes: readonly MeshTestNode[]): boolean {
  if (nodes.length === 0) return true;
  const ids = new Set(nodes.map((node) => node.nodeId));
  const edges = new Map<string, Set<string>>([...ids].map((id) => [id, new Set<string>()]));
  for (const node of nodes) {
    for (const peer of node.mesh.neighbors()) {
      if (!ids.has(peer)) continue;
      edges.get(node.nodeId)?.add(peer);
      edges.get(peer)?.add(node.nodeId);
    }
  }
  const first = nodes[0]?.nodeId ?? '';
  const seen = new Set([first]);
  const queue = [first];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of edges.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen.size === ids.size;
}

/**
 * Brings `node` back after it was stopped: the same identity and node id on a new broker
 * transport and a new mesh, started but not joined.
 */
export async function restartMeshNode(
  node: MeshTestNode,
  seed: number,
  config: MeshConfig = quickMesh,
): Promise<MeshTestNode> {
  const transport = await brokerTransport(node.nodeId);
  await transport.start();
  return startMesh({ ...node, transport }, seed, config);
}

/**
 * Brings `node` back as another browser profile of the same identity would: a new node salt,
 * hence a new node id, on a new broker transport and mesh, started but not joined.
 */
export async function moveMeshNode(node: MeshTestNode, seed: number): Promise<MeshTestNode> {
  const identity = { ...node.identity, nodeSalt: crypto.getRandomValues(new Uint8Array(16)) };
  const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
  const transport = await brokerTransport(nodeId);
  await transport.start();
  return startMesh({ ...node, identity, nodeId, transport, incoming: [] }, seed, quickMesh);
}

/** Each node's degree, status, passive view size and refusals, for a failure message. */
export function describeMesh(nodes: readonly MeshTestNode[]): string {
  return nodes
    .map((node, i) => {
      const snapshot = node.mesh.snapshot();
      return `#${i} ${snapshot.status} degree ${snapshot.neighbors.length} known ${snapshot.known.length} ${JSON.stringify(snapshot.rejections)}`;
    })
    .join('\n');
}
