import type { Graph, GraphConfig } from '../../src/core/graph/graph.ts';
import { GraphHub } from '../../src/core/graph/graph-hub.ts';
import { SignedRecordsProvider } from '../../src/core/graph/signed-records.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { IdbRecordStore } from '../../src/storage/idb/record-store.ts';
import { openProfileDatabase } from '../../src/storage/idb/profile-database.ts';
import {
  createMeshNodes,
  describeMesh,
  isConnected,
  restartMeshNode,
  waitFor,
  type MeshTestNode,
} from './mesh-nodes.ts';

/** A mesh test node with a graph hub on its own IndexedDB profile, and one graph open. */
export interface GraphTestNode extends MeshTestNode {
  readonly store: IdbRecordStore;
  readonly hub: GraphHub;
  readonly graph: Graph;
}

/** The default graph id of the tests. */
export const testGraphId = 'test-graph';

/** Opens `graphId` on `node` with the default security provider (the creator's signature). */
export async function openGraphOn(
  node: MeshTestNode,
  graphId = testGraphId,
  config: Partial<GraphConfig> = {},
): Promise<GraphTestNode> {
  const { id: identityId, publicKey } = node.identity;
  const store = new IdbRecordStore(node.db);
  const hub = new GraphHub({
    mesh: node.mesh,
    store,
    author: { identityId, publicKey },
    timers: realTimeTimers(),
    random: createRandom(node.nodeId.length + node.nodeId.charCodeAt(1)),
  });
  const graph = await hub.openGraph(graphId, signedRecordsOf(node), config);
  return { ...node, store, hub, graph };
}

/** Joins each node through a random earlier one (seeded) and waits for one connected mesh. */
export async function joinMesh(nodes: readonly MeshTestNode[], seed: number): Promise<void> {
  const random = createRandom(seed);
  for (const [i, node] of nodes.entries()) {
    if (i === 0) continue;
    const contact = nodes[random.int(i)];
    if (contact === undefined) throw new Error(`no contact for node ${i}`);
    // A join that fails now (a busy machine) is tried again here: the mesh would try again by
    // itself only while isolated, and a later node joining through this one would leave two
    // islands that never learn of each other.
    for (let attempt = 0; attempt < 5 && !(await node.mesh.connect([contact.nodeId])); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await waitFor(
    () => isConnected(nodes),
    'one connected mesh',
    60_000,
    () => describeMesh(nodes),
  );
}

/** `count` nodes in one connected mesh, each with the test graph open. */
export async function createGraphNodes(
  count: number,
  seed: number,
  config: Partial<GraphConfig> = {},
): Promise<GraphTestNode[]> {
  const meshNodes = await createMeshNodes(count);
  await joinMesh(meshNodes, seed);
  const nodes: GraphTestNode[] = [];
  for (const node of meshNodes) nodes.push(await openGraphOn(node, testGraphId, config));
  return nodes;
}

/** Closes every graph hub (the meshes and profiles are left to `destroyMeshNodes`). */
export function closeGraphs(nodes: readonly GraphTestNode[]): void {
  for (const node of nodes) node.hub.stop();
}

/** Each node's record count, status and refusals, for a failure message. */
export function describeGraphs(nodes: readonly GraphTestNode[]): string {
  return nodes
    .map(
      (node, i) =>
        `#${i} records ${node.graph.recordCount} ${JSON.stringify(node.graph.status)} sync ${JSON.stringify(node.graph.syncProgress())} refused ${JSON.stringify(node.graph.rejections())} hub ${JSON.stringify(node.hub.rejections())} mesh ${JSON.stringify(node.mesh.rejections())}`,
    )
    .join('\n');
}

/**
 * What a reload does to a node, short of reloading the page: the graph, mesh and transport
 * stop at once (nothing is flushed or said), the database connection closes, and the node
 * comes back with the same identity and profile: a new database connection, transport and
 * mesh, and the graph opened again from what IndexedDB kept. It is not joined to anyone.
 */
export async function reloadGraphNode(node: GraphTestNode, seed: number): Promise<GraphTestNode> {
  node.hub.stop();
  node.mesh.stop();
  node.transport.stop();
  node.db.close();
  const db = await openProfileDatabase(node.profileName);
  const restarted = await restartMeshNode({ ...node, db }, seed);
  return openGraphOn(restarted, node.graph.graphId);
}

/** The default security provider for `node`'s identity, to open more graphs on its hub. */
export function signedRecordsOf(node: MeshTestNode): SignedRecordsProvider {
  const { id: identityId, publicKey, signingKey } = node.identity;
  return new SignedRecordsProvider({ identityId, publicKey, signingKey });
}
