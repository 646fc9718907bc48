import { GraphHub } from '../../src/core/graph/graph-hub.ts';
import type { GraphConfig } from '../../src/core/graph/graph.ts';
import type { Group, GroupComponents } from '../../src/core/groups/group.ts';
import type { GroupIdentity } from '../../src/core/groups/group-actions.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import { IdbRecordStore } from '../../src/storage/idb/record-store.ts';
import { readJoinLink, type SignedInvitation } from '../../src/core/groups/invitation.ts';
import { destroyMeshNodes, type MeshTestNode } from './mesh-nodes.ts';

/** A mesh test node with a graph hub, ready to create or join groups. */
export interface GroupTestNode extends MeshTestNode {
  readonly hub: GraphHub;
  readonly components: GroupComponents;
  readonly me: GroupIdentity;
}

/** Graph settings that make a page of nodes settle in seconds. */
export const quickGroups: Partial<GraphConfig> = { resyncIntervalMs: 5000, passOnDelayMs: 200 };

/** Gives `node` a graph hub and the identity it acts as in groups, named `name`. */
export function groupNodeOf(node: MeshTestNode, name: string): GroupTestNode {
  const { id: identityId, publicKey, signingKey } = node.identity;
  const store = new IdbRecordStore(node.db);
  const timers = realTimeTimers();
  const hub = new GraphHub({
    mesh: node.mesh,
    store,
    author: { identityId, publicKey },
    timers,
    random: createRandom(node.nodeId.charCodeAt(1) * 31 + node.nodeId.charCodeAt(2)),
  });
  return {
    ...node,
    hub,
    components: {
      hub,
      store,
      author: { identityId, publicKey, signingKey },
      nodeId: node.nodeId,
      timers,
      graphConfig: quickGroups,
    },
    me: { displayName: name, publicKey, signingKey },
  };
}

/** Each group's members and message count, for a failure message. */
export function describeGroups(groups: readonly Group[]): string {
  return groups
    .map(
      (group, i) =>
        `#${i} members ${group.state.members().length} messages ${group.chat.size} neighbours ${group.neighbors().length} status ${JSON.stringify(group.status)} refused ${JSON.stringify(group.rejections())}`,
    )
    .join('\n');
}

/** The checked invitation of a join link (or its payload); throws if the link is refused. */
export async function signedFrom(link: string): Promise<SignedInvitation> {
  const read = await readJoinLink(link);
  if (!read.ok) throw new Error(`link refused: ${read.reason}`);
  return read.signed;
}

/** Closes `groups`, then stops every node's hub, mesh, transport and database; empties both. */
export async function closeGroupNodes(groups: Group[], nodes: GroupTestNode[]): Promise<void> {
  for (const group of groups.splice(0)) group.close();
  for (const node of nodes) node.hub.stop();
  await destroyMeshNodes(nodes.splice(0));
}
