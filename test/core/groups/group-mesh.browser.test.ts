import { expect } from 'chai';
import { createGroup, inviteTo, joinGroup } from '../../../src/core/groups/group-actions.ts';
import type { Group } from '../../../src/core/groups/group.ts';
import { GroupActionError } from '../../../src/core/groups/group.ts';
import { joinMesh } from '../../helpers/graph-nodes.ts';
import {
  closeGroupNodes,
  describeGroups,
  groupNodeOf,
  signedFrom,
  type GroupTestNode,
} from '../../helpers/group-nodes.ts';
import { createMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';

describe('Groups over real WebRTC', function () {
  this.timeout(240_000);
  let nodes: GroupTestNode[] = [];
  const groups: Group[] = [];

  afterEach(() => closeGroupNodes(groups, nodes));

  it('8 nodes join through links from different inviters, agree on members and messages, and a removed member cannot post', async () => {
    const meshNodes = await createMeshNodes(8);
    await joinMesh(meshNodes, 5);
    nodes = meshNodes.map((node, i) => groupNodeOf(node, `Node ${i}`));
    const [owner, admin] = nodes;
    if (owner === undefined || admin === undefined) throw new Error('no nodes');

    const created = await createGroup(owner.components, owner.me, {
      n: 'Eight',
      d: 'a test group',
      c: '#3366cc',
    });
    groups.push(created);
    const adminLink = await inviteTo(created, owner.me, {
      role: 'admin',
      expiresInMs: 3600_000,
      maxUses: 1,
      note: 'for node 1',
    });
    const byAdmin = await joinGroup(
      admin.components,
      admin.me,
      await signedFrom(`https://mycel.test/#join=${adminLink}`),
    );
    groups.push(byAdmin);
    await waitFor(
      () => created.state.isAdmin(admin.identity.id) && byAdmin.state.isAdmin(admin.identity.id),
      'node 1 to be an admin everywhere',
      60_000,
      () => describeGroups(groups),
    );

    const ownerLink = await inviteTo(created, owner.me, {
      role: 'member',
      expiresInMs: 3600_000,
      maxUses: 0,
      note: '',
    });
    const adminsLink = await inviteTo(byAdmin, admin.me, {
      role: 'member',
      expiresInMs: 3600_000,
      maxUses: 3,
      note: '',
    });
    for (const [i, node] of nodes.entries()) {
      if (i < 2) continue;
      const link = i < 5 ? ownerLink : adminsLink;
      groups.push(await joinGroup(node.components, node.me, await signedFrom(link)));
    }
    const ids = nodes.map((node) => node.identity.id).sort();
    await waitFor(
      () =>
        groups.every(
          (group) =>
            JSON.stringify(
              group.state
                .members()
                .map((m) => m.identityId)
                .sort(),
            ) === JSON.stringify(ids),
        ),
      'every node to see all 8 members',
      120_000,
      () => describeGroups(groups),
    );

    for (const [i, group] of groups.entries()) await group.send(`hello from ${i}`);
    await waitFor(
      () => groups.every((group) => group.chat.size === 8),
      'every node to hold 8 messages',
      120_000,
      () => describeGroups(groups),
    );
    const orders = groups.map((group) =>
      group.chat
        .list()
        .map((message) => message.key)
        .join(','),
    );
    expect(new Set(orders).size, 'one order on every node').to.equal(1);
    const names = groups.map((group) =>
      group
        .members()
        .map((member) => `${member.identityId}:${member.name}:${member.role}`)
        .sort()
        .join(),
    );
    expect(new Set(names).size, 'one member list on every node').to.equal(1);
    expect(groups[0]?.members().find((member) => member.identityId === admin.identity.id)?.role).to.equal(
      'admin',
    );

    const idle = nodes[2];
    if (idle === undefined) throw new Error('no node 2');
    await groups[2]?.setAway(true);
    const idleSeen = (group: Group): boolean | undefined =>
      group.members().find((member) => member.identityId === idle.identity.id)?.away;
    await waitFor(() => groups.every((group) => idleSeen(group) === true), 'node 2 to show as away', 30_000);
    await groups[2]?.setAway(false);
    await waitFor(() => groups.every((group) => idleSeen(group) === false), 'node 2 to show as back', 30_000);

    const removed = nodes[7];
    const removedGroup = groups[7];
    if (removed === undefined || removedGroup === undefined) throw new Error('no node 7');
    await byAdmin.admin.remove(removed.identity.id);
    await waitFor(
      () => groups.every((group) => !group.state.isMember(removed.identity.id)),
      'the removal to reach every node',
      60_000,
      () => describeGroups(groups),
    );
    let refusal: unknown;
    try {
      await removedGroup.send('still here?');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(GroupActionError);
    await groups[3]?.send('after the removal');
    await waitFor(
      () => groups.slice(0, 7).every((group) => group.chat.size === 9),
      'the last message to reach the members',
      60_000,
      () => describeGroups(groups),
    );
    for (const group of groups.slice(0, 7)) {
      expect(group.chat.list().some((message) => message.text === 'still here?')).to.equal(false);
    }
    await waitFor(
      () => groups.slice(0, 7).every((group) => !group.neighbors().includes(removed.nodeId)),
      'every member to drop its link with the removed node',
      30_000,
      () => describeGroups(groups),
    );
  });
});
