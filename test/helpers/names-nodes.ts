import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { startMeshDht, type MeshDht } from '../../src/core/names/mesh-dht.ts';
import { PeerNames } from '../../src/core/names/peer-names.ts';
import { createRandom } from '../../src/lib/random.ts';
import type { MeshTestNode } from './mesh-nodes.ts';

/** A mesh test node with the app's name stack: a link pool, the DHT on the mesh, and PeerNames. */
export interface NamesTestNode extends MeshTestNode, Omit<MeshDht, 'stop'> {
  readonly names: PeerNames;
  readonly stopDht: () => void;
}

/** Starts the name stack on `node`'s mesh, as the app's collaboration service does. */
export function namesNodeOf(node: MeshTestNode, seed: number): NamesTestNode {
  const timers = realTimeTimers();
  const { stop: stopDht, ...parts } = startMeshDht(node.mesh, { timers, random: createRandom(seed) });
  const { id: identityId, publicKey, signingKey } = node.identity;
  const names = new PeerNames({ identity: { identityId, publicKey, signingKey }, timers });
  names.attach(parts.dht, node.nodeId);
  return { ...node, ...parts, names, stopDht };
}

/** Stops the name stack of every node (meshes and profiles are left to `destroyMeshNodes`). */
export function stopNames(nodes: readonly NamesTestNode[]): void {
  for (const node of nodes) {
    node.names.stop();
    node.stopDht();
  }
}

/** Each node's DHT contacts, refusals and own names, for a failure message. */
export function describeNames(nodes: readonly NamesTestNode[]): string {
  return nodes
    .map(
      (node, i) =>
        `#${i} contacts ${node.dht.contactCount()} dht ${JSON.stringify(node.dht.rejections())} names ${JSON.stringify(node.names.rejections())} mesh ${JSON.stringify(node.mesh.rejections())}`,
    )
    .join('\n');
}
