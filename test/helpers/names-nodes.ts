import { DirectPool } from '../../src/core/mesh/direct-pool.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { Dht } from '../../src/core/names/dht.ts';
import { MeshCarrier } from '../../src/core/names/mesh-carrier.ts';
import { namePolicy } from '../../src/core/names/name-policy.ts';
import { PeerNames } from '../../src/core/names/peer-names.ts';
import { createRandom } from '../../src/lib/random.ts';
import type { MeshTestNode } from './mesh-nodes.ts';

/** A mesh test node with the app's name stack: a link pool, the DHT on the mesh, and PeerNames. */
export interface NamesTestNode extends MeshTestNode {
  readonly pool: DirectPool;
  readonly carrier: MeshCarrier;
  readonly dht: Dht;
  readonly names: PeerNames;
}

/** Starts the name stack on `node`'s mesh, as the app's collaboration service does. */
export function namesNodeOf(node: MeshTestNode, seed: number): NamesTestNode {
  const timers = realTimeTimers();
  const pool = new DirectPool(node.mesh, timers);
  const carrier = new MeshCarrier(node.mesh, timers, pool);
  const dht = new Dht({ carrier, timers, random: createRandom(seed), policy: namePolicy });
  carrier.bind(dht);
  dht.start();
  const { id: identityId, publicKey, signingKey } = node.identity;
  const names = new PeerNames({ identity: { identityId, publicKey, signingKey }, timers });
  names.attach(dht, node.nodeId);
  return { ...node, pool, carrier, dht, names };
}

/** Stops the name stack of every node (meshes and profiles are left to `destroyMeshNodes`). */
export function stopNames(nodes: readonly NamesTestNode[]): void {
  for (const node of nodes) {
    node.names.stop();
    node.dht.stop();
    node.carrier.stop();
    node.pool.stop();
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
