/**
 * File distribution nodes for the dist page scenario: chat nodes (chat-nodes.ts: identity,
 * PeerJS transport on the bench broker, mesh, IndexedDB profile, graph hub) that also run a
 * `Distribution` on their mesh over an `IdbBlockStore` in their own profile database, and a
 * group over them in which files are shared and fetched as the app does.
 */
import { Distribution } from '../../src/core/dist/distribution.ts';
import type { Group } from '../../src/core/groups/group.ts';
import type { StorageQuota } from '../../src/core/ports.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { IdbBlockStore } from '../../src/storage/idb/block-store.ts';
import {
  deleteChatDatabases,
  describeGroups,
  formGroup,
  formMesh,
  rejectionsOf,
  startChatNode,
  stopChatNode,
  type ChatNode,
} from './chat-nodes.ts';
import { uniqueRunName, waitUntil } from './graph-nodes.ts';
import type { BenchBroker } from './mesh-reports.ts';

/** A chat node whose groups can share and fetch files. */
export interface DistNode extends ChatNode {
  readonly distribution: Distribution;
}

/**
 * A quota that never says no: the bench measures transfer, not the browser's estimate (in the
 * bench's fresh browser context, storage is held in memory and the estimate is not the disk's).
 */
const roomyQuota: StorageQuota = {
  available: () => Promise.resolve(undefined),
  persist: () => Promise.resolve(true),
};

/** Starts a chat node (see `startChatNode`) with a distribution over its mesh and database. */
export async function startDistNode(
  broker: BenchBroker,
  databaseName: string,
  seed: number,
  displayName: string,
): Promise<DistNode> {
  const node = await startChatNode(broker, databaseName, seed, displayName);
  const distribution = new Distribution({
    mesh: node.mesh,
    store: new IdbBlockStore(node.database),
    quota: roomyQuota,
    timers: realTimeTimers(),
    random: createRandom(seed).fork('dist'),
  });
  return { ...node, distribution, components: { ...node.components, distribution } };
}

/** The nodes and groups of a file group, filled in as they start, so a failure can still close them. */
export interface FileGroup {
  readonly nodes: DistNode[];
  readonly groups: Group[];
}

/**
 * Starts `members` nodes into `into`, forms a group over them (node 0 owns it, the others join
 * through its link before any link exists, as chat-nodes.ts explains) and then the mesh;
 * resolves once every member sees every member, with how long that took from the first
 * node's start. `closeFileGroup(into)` must be called whatever happens.
 */
export async function formFileGroup(
  broker: BenchBroker,
  members: number,
  seed: number,
  timeoutMs: number,
  into: FileGroup,
): Promise<number> {
  const startedAt = performance.now();
  const runName = uniqueRunName(`bench-dist-${members}`);
  // One after another: Chromium throttles a burst of WebSocket handshakes.
  for (let i = 0; i < members; i += 1) {
    into.nodes.push(await startDistNode(broker, `${runName}-${i}`, seed * 1000 + i, `Member ${i}`));
  }
  into.groups.push(...(await formGroup(into.nodes)).groups);
  await formMesh(into.nodes, createRandom(seed).fork('mesh'), timeoutMs);
  await waitUntil(
    () => into.groups.every((group) => group.state.members().length === members),
    timeoutMs,
    `every node of ${members} to see every member`,
    () => describeGroups(into.groups),
  );
  return performance.now() - startedAt;
}

/** Refusals of the meshes, hubs, groups and distributions, by reason. */
export function distRejectionsOf({ nodes, groups }: FileGroup): Record<string, number> {
  const all = rejectionsOf(nodes, groups);
  for (const node of nodes) {
    for (const [name, count] of Object.entries(node.distribution.rejections())) {
      all[name] = (all[name] ?? 0) + count;
    }
  }
  return all;
}

/** Closes the groups, distributions and nodes, then deletes their databases. */
export async function closeFileGroup({ nodes, groups }: FileGroup): Promise<void> {
  for (const group of groups) group.close();
  for (const node of nodes) {
    node.distribution.stop();
    stopChatNode(node);
  }
  await deleteChatDatabases(nodes);
}
