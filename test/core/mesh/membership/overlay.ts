import { MembershipNode } from '../../../../src/core/mesh/membership/membership-node.ts';
import type { MembershipConfig } from '../../../../src/core/mesh/membership/config.ts';
import { createRandom, type Random } from '../../../../src/lib/random.ts';
import { MemoryNetwork } from '../../../../src/transport/memory/memory-network.ts';
import type { MemoryTransport } from '../../../../src/transport/memory/memory-transport.ts';

/** A simulated overlay: a seeded network and one membership node per started transport. */
export interface Overlay {
  readonly seed: number;
  readonly network: MemoryNetwork;
  readonly random: Random;
  readonly nodes: Map<string, MembershipNode>;
  readonly transports: Map<string, MemoryTransport>;
}

/** A fresh overlay for `seed`, with 5–50 ms links and no loss. */
export function createOverlay(seed: number): Overlay {
  const random = createRandom(seed);
  const network = new MemoryNetwork({ random: random.fork('network'), dialTimeoutMs: 2_000 });
  return { seed, network, random, nodes: new Map(), transports: new Map() };
}

/** Starts a transport and a membership node for `nodeId`. */
export async function addNode(
  overlay: Overlay,
  nodeId: string,
  init: Partial<MembershipConfig> = {},
): Promise<MembershipNode> {
  const transport = overlay.network.createTransport(nodeId);
  await transport.start();
  const node = new MembershipNode(
    { transport, clock: overlay.network.clock, random: overlay.random.fork(`membership/${nodeId}`) },
    init,
  );
  node.start();
  overlay.transports.set(nodeId, transport);
  overlay.nodes.set(nodeId, node);
  return node;
}

/** Crashes `nodeId`: its transport stops (its links close) and its membership stops. */
export function crash(overlay: Overlay, nodeId: string): void {
  overlay.transports.get(nodeId)?.stop();
  overlay.nodes.get(nodeId)?.stop();
  overlay.transports.delete(nodeId);
  overlay.nodes.delete(nodeId);
}

/** Problems with the live nodes' active views; empty when the overlay is healthy. */
export function overlayProblems(overlay: Overlay, activeViewSize: number): string[] {
  const problems: string[] = [];
  const live = overlay.nodes;
  for (const [id, node] of live) {
    const view = node.activeView();
    if (view.length < 1 || view.length > activeViewSize) problems.push(`${id} has ${view.length} neighbours`);
    for (const peer of view) {
      const other = live.get(peer);
      if (other === undefined) problems.push(`${id} keeps stopped ${peer} active`);
      else if (!other.activeView().includes(id)) problems.push(`${id} has ${peer} but not back`);
    }
  }
  const reached = reachable(overlay);
  if (reached < live.size) problems.push(`only ${reached} of ${live.size} nodes are connected`);
  return problems;
}

/** How many live nodes the first one reaches over active links (taken as undirected). */
function reachable(overlay: Overlay): number {
  const live = overlay.nodes;
  const edges = new Map<string, Set<string>>();
  for (const [id, node] of live) {
    for (const peer of node.activeView()) {
      if (!live.has(peer)) continue;
      if (!edges.has(id)) edges.set(id, new Set());
      if (!edges.has(peer)) edges.set(peer, new Set());
      edges.get(id)?.add(peer);
      edges.get(peer)?.add(id);
    }
  }
  const first = live.keys().next();
  if (first.done === true) return 0;
  const seen = new Set([first.value]);
  const queue = [first.value];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const peer of edges.get(id) ?? []) {
      if (!seen.has(peer)) {
        seen.add(peer);
        queue.push(peer);
      }
    }
  }
  return seen.size;
}

/** Mean and largest active-view size over the live nodes. */
export function degreeStats(overlay: Overlay): { mean: number; max: number } {
  const degrees = [...overlay.nodes.values()].map((node) => node.activeView().length);
  const total = degrees.reduce((sum, degree) => sum + degree, 0);
  return { mean: degrees.length === 0 ? 0 : total / degrees.length, max: Math.max(0, ...degrees) };
}
