/**
 * Chat nodes for the chat page scenarios: an identity, a PeerJS transport on the bench broker,
 * a started `Mesh`, an IndexedDB profile database with its record store and a `GraphHub`,
 * ready to create or join groups with the production graph settings (what a person in a chat
 * gets). Also forms a mesh of them and a group over it, as the app would: one owner, everyone
 * else through one join link; and builds message texts.
 */
import { GraphHub } from '../../src/core/graph/graph-hub.ts';
import { createGroup, inviteTo, joinGroup, type GroupIdentity } from '../../src/core/groups/group-actions.ts';
import type { Group, GroupComponents } from '../../src/core/groups/group.ts';
import { readJoinLink, type SignedInvitation } from '../../src/core/groups/invitation.ts';
import { identityIdOf } from '../../src/core/identity/ids.ts';
import { Mesh, type MeshConfig } from '../../src/core/mesh/mesh.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/profile-database.ts';
import { IdbRecordStore } from '../../src/storage/idb/record-store.ts';
import type { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { createBenchNode, sleep } from './bench-nodes.ts';
import { waitUntil } from './graph-nodes.ts';
import type { BenchBroker } from './mesh-reports.ts';
import { withTimeout } from './timeout.ts';

/**
 * The test suite's `quickMesh`, as the mesh and graph pages use it (graph-nodes.ts says why: a
 * page-sized mesh joined one node at a time converges in seconds instead of staying split).
 */
const quickMesh: MeshConfig = {
  membership: { shuffleIntervalMs: 1000, dialTimeoutMs: 5000, neighborReplyTimeoutMs: 3000 },
  rejoinDelayMs: 200,
  maxRejoinDelayMs: 2000,
};

/** The degree every node must reach (or every other node, in a smaller mesh) before the group forms. */
const minDegree = 3;

/** A node running: transport, mesh, database and graph hub, with what a group needs of it. */
export interface ChatNode {
  readonly nodeId: string;
  readonly identityId: string;
  readonly transport: PeerJsTransport;
  readonly mesh: Mesh;
  readonly databaseName: string;
  readonly database: ProfileDatabase;
  readonly hub: GraphHub;
  readonly components: GroupComponents;
  readonly me: GroupIdentity;
}

/**
 * Starts a fresh node on the broker with its own profile database `databaseName`; its mesh is
 * started, not joined. Start nodes one after another: Chromium throttles a burst of
 * WebSocket handshakes.
 */
export async function startChatNode(
  broker: BenchBroker,
  databaseName: string,
  seed: number,
  displayName: string,
): Promise<ChatNode> {
  const { self, nodeId, transport } = await createBenchNode(broker);
  const identityId = await identityIdOf(new Uint8Array(self.publicKey));
  const random = createRandom(seed);
  const timers = realTimeTimers();
  const mesh = new Mesh(
    {
      self,
      bootstrap: transport,
      createMeshTransport: (signaller) =>
        new RtcTransport({ nodeId, signaller, iceServers: [], dialTimeoutMs: 5000 }),
      timers,
      random: random.fork('mesh'),
    },
    quickMesh,
  );
  await mesh.start();
  const database = await openProfileDatabase(databaseName);
  const store = new IdbRecordStore(database);
  const author = { identityId, publicKey: self.publicKey, signingKey: self.signingKey };
  const hub = new GraphHub({ mesh, store, author, timers, random: random.fork('graphs') });
  return {
    nodeId,
    identityId,
    transport,
    mesh,
    databaseName,
    database,
    hub,
    components: { hub, store, author, nodeId, timers },
    me: { displayName, publicKey: self.publicKey, signingKey: self.signingKey },
  };
}

/** Closes the node's groups, mesh, broker registration and database; the data stays. */
export function stopChatNode(node: ChatNode): void {
  node.hub.stop();
  node.mesh.stop();
  node.transport.stop();
  node.database.close();
}

/** How long deleting the databases may take: it waits for any connection left open. */
const deleteTimeoutMs = 30_000;

/** Deletes the profile databases of `nodes` (they must be stopped). */
export async function deleteChatDatabases(nodes: readonly ChatNode[]): Promise<void> {
  const deleted = Promise.all(nodes.map((node) => deleteProfileDatabase(node.databaseName)));
  await withTimeout(deleted, deleteTimeoutMs, `deleting ${nodes.length} profile databases`);
}

/** What forming a mesh needs of a bench node. */
export type MeshMember = Pick<ChatNode, 'nodeId' | 'mesh'>;

/** Whether the neighbour graph of `nodes` (links either way) is connected. */
function connected(nodes: readonly MeshMember[]): boolean {
  const ids = new Set(nodes.map((node) => node.nodeId));
  const edges = new Map<string, Set<string>>(nodes.map((node) => [node.nodeId, new Set<string>()]));
  for (const node of nodes) {
    for (const peer of node.mesh.neighbors()) {
      if (!ids.has(peer)) continue;
      edges.get(node.nodeId)?.add(peer);
      edges.get(peer)?.add(node.nodeId);
    }
  }
  const first = nodes[0]?.nodeId;
  if (first === undefined) return true;
  const reached = new Set([first]);
  const queue = [first];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const next of edges.get(id) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      queue.push(next);
    }
  }
  return reached.size === nodes.length;
}

function describeMesh(nodes: readonly MeshMember[]): string {
  return nodes.map((node, i) => `#${i} degree ${node.mesh.neighbors().length}`).join(', ');
}

/**
 * Joins each node through a random earlier one and waits until every node has its neighbours
 * in one connected mesh; resolves with how long that took from the first join.
 */
export async function formMesh(
  nodes: readonly MeshMember[],
  random: Random,
  timeoutMs: number,
): Promise<number> {
  const startedAt = performance.now();
  for (let i = 1; i < nodes.length; i += 1) {
    const node = nodes[i];
    const contact = nodes[random.int(i)];
    if (node === undefined || contact === undefined) throw new RangeError(`no node ${i}`);
    // A failed join is tried again here: the mesh tries again by itself only while isolated,
    // and a later node joining through this one would leave two islands that never meet.
    for (let attempt = 0; attempt < 5 && !(await node.mesh.connect([contact.nodeId])); attempt++) {
      await sleep(500);
    }
  }
  const wanted = Math.min(minDegree, nodes.length - 1);
  await waitUntil(
    () => nodes.every((node) => node.mesh.neighbors().length >= wanted) && connected(nodes),
    timeoutMs,
    `a mesh of ${nodes.length} nodes`,
    () => describeMesh(nodes),
  );
  return performance.now() - startedAt;
}

/** Each group's members, messages, neighbours and refusals, for a timeout message. */
export function describeGroups(groups: readonly Group[]): string {
  return groups
    .map(
      (group, i) =>
        `#${i} members ${group.state.members().length} messages ${group.chat.size} neighbours ${group.neighbors().length} refused ${JSON.stringify(group.rejections())}`,
    )
    .join('\n');
}

/** A chat bench step that failed where it must not: a refused join link, a failed mesh join. */
export class ChatBenchError extends Error {
  override name = 'ChatBenchError';
}

/** A join link's checked invitation; throws if the link is refused, since a bench link must not be. */
export async function signedFrom(link: string): Promise<SignedInvitation> {
  const read = await readJoinLink(link);
  if (!read.ok) throw new ChatBenchError(`the join link was refused: ${read.reason}`);
  return read.signed;
}

/** A group over the nodes: the first creates it, the others join through one link. */
export interface ChatGroup {
  readonly groups: Group[];
  /** The join link payload (reusable, member role) everyone joined through. */
  readonly link: string;
  /** Created → every node joined (locally: no node is linked yet). */
  readonly readyMs: number;
}

/** How long the bench's invitation lasts: longer than any run. */
const invitationLifetimeMs = 3_600_000;

/** Creates a group on the first node and joins every other node through its link, before any link exists. */
export async function formGroup(nodes: readonly ChatNode[]): Promise<ChatGroup> {
  const [owner, ...others] = nodes;
  if (owner === undefined) throw new RangeError('a group needs a node');
  const startedAt = performance.now();
  const created = await createGroup(owner.components, owner.me, {
    n: 'Bench',
    d: 'chat bench',
    c: '#3366cc',
  });
  const groups = [created];
  const link = await inviteTo(created, owner.me, {
    role: 'member',
    expiresInMs: invitationLifetimeMs,
    maxUses: 0,
    note: '',
  });
  // Joined before the mesh forms, as the app does (join, then dial the link's nodes): a
  // joiner already linked greets its neighbours before its member record exists, and the
  // members refuse that greeting for good (reported as a core bug).
  for (const node of others) groups.push(await joinGroup(node.components, node.me, await signedFrom(link)));
  return { groups, link, readyMs: performance.now() - startedAt };
}

/** Refusals summed over the nodes' meshes and hubs and the groups, by reason. */
export function rejectionsOf(nodes: readonly ChatNode[], groups: readonly Group[]): Record<string, number> {
  const all: Record<string, number> = {};
  const add = (counts: Readonly<Record<string, number>>): void => {
    for (const [name, count] of Object.entries(counts)) all[name] = (all[name] ?? 0) + count;
  };
  for (const node of nodes) {
    add(node.mesh.rejections());
    add(node.hub.rejections());
  }
  for (const group of groups) add(group.rejections());
  return all;
}

/** Words for message texts: short and long messages, as people write them. */
const words = [
  'ok',
  'yes',
  'see',
  'you',
  'at',
  'the',
  'meeting',
  'tomorrow',
  'thanks',
  'sounds',
  'good',
  'link',
];

/** A text of 1 to 24 words from `random`, numbered so every message differs. */
export function messageText(random: Random, index: number): string {
  const count = 1 + random.int(24);
  return [`#${index}`, ...Array.from({ length: count }, () => random.pick(words))].join(' ');
}
