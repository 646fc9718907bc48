import { Distribution } from '../../src/core/dist/distribution.ts';
import type { GraphMesh } from '../../src/core/graph/graph-hub.ts';
import { createGroup, inviteTo, joinGroup } from '../../src/core/groups/group-actions.ts';
import type { Group } from '../../src/core/groups/group.ts';
import type { BlockStore, StorageQuota } from '../../src/core/ports.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { IdbBlockStore } from '../../src/storage/idb/block-store.ts';
import { joinMesh } from './graph-nodes.ts';
import { describeGroups, groupNodeOf, signedFrom, type GroupTestNode } from './group-nodes.ts';
import { createMeshNodes, waitFor, type MeshTestNode } from './mesh-nodes.ts';

/** A group test node with file distribution over its mesh and IndexedDB. */
export interface DistTestNode extends GroupTestNode {
  readonly distribution: Distribution;
  readonly blocks: IdbBlockStore;
}

/** A quota that never says no. */
export const roomyQuota: StorageQuota = {
  available: () => Promise.resolve(undefined),
  persist: () => Promise.resolve(true),
};

/** Gives a mesh node a graph hub and a distribution; `mesh` stands in for its own (a liar's). */
export function distNodeOf(
  node: MeshTestNode,
  name: string,
  options: { mesh?: GraphMesh; quota?: StorageQuota; wrapBlocks?: (blocks: BlockStore) => BlockStore } = {},
): DistTestNode {
  const groupNode = groupNodeOf(node, name);
  const blocks = new IdbBlockStore(node.db);
  const distribution = new Distribution({
    mesh: options.mesh ?? node.mesh,
    store: options.wrapBlocks?.(blocks) ?? blocks,
    quota: options.quota ?? roomyQuota,
    timers: realTimeTimers(),
    random: createRandom(node.nodeId.charCodeAt(3) * 17 + 5),
  });
  return { ...groupNode, blocks, distribution, components: { ...groupNode.components, distribution } };
}

/** `count` nodes in one mesh and one group (node 0 owns it), every member seen by every other. */
export async function createFileGroup(
  count: number,
  options: (node: MeshTestNode, i: number) => Parameters<typeof distNodeOf>[2] = () => ({}),
): Promise<{ nodes: DistTestNode[]; groups: Group[] }> {
  const meshNodes = await createMeshNodes(count);
  await joinMesh(meshNodes, 7);
  const nodes = meshNodes.map((node, i) => distNodeOf(node, `Node ${i}`, options(node, i)));
  const [owner] = nodes;
  if (owner === undefined) throw new Error('no nodes');
  const groups = [await createGroup(owner.components, owner.me, { n: 'Files', d: '', c: '#336699' })];
  const link = await inviteTo(groups[0] as Group, owner.me, {
    role: 'member',
    expiresInMs: 3600_000,
    maxUses: 0,
    note: '',
  });
  for (const node of nodes.slice(1)) {
    groups.push(await joinGroup(node.components, node.me, await signedFrom(link)));
  }
  await waitFor(
    () => groups.every((group) => group.state.members().length === count),
    'every member to know every other',
    90_000,
    () => describeGroups(groups),
  );
  return { nodes, groups };
}

/** Closes groups and distributions, then the nodes. */
export async function closeFileGroup(groups: Group[], nodes: DistTestNode[]): Promise<void> {
  for (const node of nodes) node.distribution.stop();
  const { closeGroupNodes } = await import('./group-nodes.ts');
  await closeGroupNodes(groups, nodes);
}

/** Seeded pseudo-random bytes, fast enough for tens of megabytes. */
export function randomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  const random = createRandom(seed);
  const words = new Uint32Array(out.buffer, 0, Math.floor(length / 4));
  for (let i = 0; i < words.length; i += 1) words[i] = random.uint32();
  for (let i = words.length * 4; i < length; i += 1) out[i] = random.int(256);
  return out;
}

/** SHA-256 of what a stream yields, as hex. */
export async function streamDigest(stream: ReadableStream<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const reader = stream.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return hex(await crypto.subtle.digest('SHA-256', all));
}

export function hex(buffer: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Shares `bytes` from `groups[from]` and waits until every group has its record; its content id and key. */
export async function shareBytes(
  groups: readonly Group[],
  from: number,
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
): Promise<{ contentId: string; key: string }> {
  const sender = groups[from] as Group;
  const message = await sender.shareFile(new Blob([bytes]), { name, mime: 'application/octet-stream' });
  const key = message.file ?? '';
  await waitFor(
    () => groups.every((group) => group.files.fileByKey(key) !== undefined),
    'every member to have the file record',
    60_000,
    () => describeGroups(groups),
  );
  return { contentId: sender.files.fileByKey(key)?.contentId ?? '', key };
}

export function describeFiles(nodes: readonly DistTestNode[], contentId: string): string {
  return nodes
    .map((node, i) => {
      const progress = node.distribution.progress(contentId);
      return `#${i} ${JSON.stringify(progress)} sources ${JSON.stringify([...node.distribution.sources(contentId)])} refused ${JSON.stringify(node.distribution.rejections())}`;
    })
    .join('\n');
}

/** Members `which` fetch a shared file; resolves once each holds all of it. */
export async function fetchOn(
  nodes: readonly DistTestNode[],
  groups: readonly Group[],
  which: readonly number[],
  file: { contentId: string; key: string },
  what: string,
): Promise<void> {
  const { contentId, key } = file;
  for (const i of which) await nodes[i]?.distribution.download(groups[i]?.id ?? '', contentId, key);
  await waitFor(
    () => which.every((i) => nodes[i]?.distribution.progress(contentId)?.state === 'complete'),
    what,
    120_000,
    () => describeFiles(nodes, contentId),
  );
}

/** Waits until member `i` knows `count` holders of a file. */
export function holdersKnown(
  groups: readonly Group[],
  i: number,
  contentId: string,
  count: number,
): Promise<void> {
  return waitFor(
    () => groups[i]?.files.holders(contentId).length === count,
    `member ${i} to know ${count} holders`,
    30_000,
    () => JSON.stringify(groups[i]?.files.holders(contentId)),
  );
}

/** `mesh` as a `GraphMesh`, with `handle` and `sendTo` replaced where given (liars, puppets). */
export function meshWith(
  mesh: MeshTestNode['mesh'],
  changes: Partial<Pick<GraphMesh, 'handle' | 'sendTo'>>,
): GraphMesh {
  return {
    get nodeId() {
      return mesh.nodeId;
    },
    get status() {
      return mesh.status;
    },
    handle: changes.handle ?? ((protocol, handler) => mesh.handle(protocol, handler)),
    sendTo: changes.sendTo ?? ((nodeId, protocol, body, kind) => mesh.sendTo(nodeId, protocol, body, kind)),
    neighborPeer: (nodeId) => mesh.neighborPeer(nodeId),
    neighbors: () => mesh.neighbors(),
    openDirect: (nodeId, signal) => mesh.openDirect(nodeId, signal),
    closeDirect: (nodeId) => mesh.closeDirect(nodeId),
    blame: (nodeId, reason) => mesh.blame(nodeId, reason),
    on: (type, listener) => mesh.on(type, listener),
  };
}
