import { expect } from 'chai';
import { generateSigningKeyPair, sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { graphProtocol } from '../../../src/core/graph/graph-messages.ts';
import { recordHash, recordToWire, signableBytes } from '../../../src/core/graph/record-codec.ts';
import type { UnsignedRecord } from '../../../src/core/graph/security.ts';
import { newRecordId } from '../../../src/core/graph/signed-records.ts';
import { createGroup, inviteTo, joinGroup } from '../../../src/core/groups/group-actions.ts';
import type { Group } from '../../../src/core/groups/group.ts';
import { GroupRecordTypes, targetRecordId, writeData } from '../../../src/core/groups/group-records.ts';
import { acceptInvitation } from '../../../src/core/groups/invitation.ts';
import { identityIdOf, nodeIdOf } from '../../../src/core/identity/ids.ts';
import { encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { joinMesh } from '../../helpers/graph-nodes.ts';
import {
  closeGroupNodes,
  describeGroups,
  groupNodeOf,
  signedFrom,
  type GroupTestNode,
} from '../../helpers/group-nodes.ts';
import { createMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';

/** A key pair that is nobody's membership: an outsider's identity. */
async function outsider(): Promise<{
  id: string;
  publicKey: Uint8Array;
  signingKey: CryptoKey;
  nodeId: string;
}> {
  const pair = await generateSigningKeyPair();
  const id = await identityIdOf(pair.publicKey);
  return {
    id,
    publicKey: pair.publicKey,
    signingKey: pair.privateKey,
    nodeId: await nodeIdOf(pair.publicKey, new Uint8Array(16)),
  };
}

/** Signs `unsigned` with `signingKey`, whoever it names, and encodes it: what no honest writer makes. */
async function forge(unsigned: UnsignedRecord, signingKey: CryptoKey): Promise<Uint8Array> {
  const signature = await sign(signingKey, SigningNamespaces.record, signableBytes(unsigned));
  return encodeCbor(recordToWire({ ...unsigned, signature }));
}

function draft(
  groupId: string,
  author: { id: string; publicKey: Uint8Array },
  changes: Partial<UnsignedRecord>,
): UnsignedRecord {
  const nowMs = Date.now();
  return {
    graphId: groupId,
    type: GroupRecordTypes.chat,
    id: newRecordId(),
    version: 1,
    creator: author.id,
    modifiedBy: author.id,
    signerKey: author.publicKey,
    createdAtMs: nowMs,
    modifiedAtMs: nowMs,
    expiresAtMs: nowMs + 3_600_000,
    deleted: false,
    attributes: {},
    data: writeData({ t: 'forged', at: nowMs }),
    ...changes,
  };
}

describe('a group under a hostile member, over real WebRTC', function () {
  this.timeout(180_000);
  let nodes: GroupTestNode[] = [];
  const groups: Group[] = [];

  afterEach(() => closeGroupNodes(groups, nodes));

  it('refuses non-members, edits of others’ messages, admin records by members, used-up invitations and garbage; shows nothing', async () => {
    const meshNodes = await createMeshNodes(2);
    await joinMesh(meshNodes, 3);
    nodes = meshNodes.map((node, i) => groupNodeOf(node, i === 0 ? 'Owner' : 'Mallory'));
    const [owner, mallory] = nodes;
    if (owner === undefined || mallory === undefined) throw new Error('no nodes');
    const group = await createGroup(owner.components, owner.me, { n: 'Guarded', d: '', c: '#884422' });
    groups.push(group);
    const single = await signedFrom(
      await inviteTo(group, owner.me, { role: 'member', expiresInMs: 3600_000, maxUses: 1, note: '' }),
    );
    const malloryGroup = await joinGroup(mallory.components, mallory.me, single);
    groups.push(malloryGroup);
    await waitFor(
      () => group.neighbors().includes(mallory.nodeId) && group.state.isMember(mallory.identity.id),
      'Mallory to be a member',
      60_000,
      () => describeGroups(groups),
    );
    const original = await group.send('the owner wrote this');
    await waitFor(
      () => malloryGroup.chat.size === 1,
      'Mallory to hold the message',
      30_000,
      () => describeGroups(groups),
    );

    const stranger = await outsider();
    const mal = { id: mallory.identity.id, publicKey: mallory.identity.publicKey };
    const malKey = mallory.identity.signingKey;
    const [creator, id] = original.key.split('/') as [string, string];
    const stored = await owner.hub.graph(group.id)?.get(original.key);
    if (stored === undefined) throw new Error('the original is not stored');
    const forged: [string, Uint8Array][] = [
      ['unknown-member', await forge(draft(group.id, stranger, {}), stranger.signingKey)],
      [
        'not-creator',
        await forge(
          draft(group.id, mal, {
            creator,
            id,
            version: 2,
            // The original's times, so only the provider can object.
            createdAtMs: stored.record.createdAtMs,
            expiresAtMs: stored.record.expiresAtMs,
            data: writeData({ t: 'edited by Mallory', at: original.atMs }),
          }),
          malKey,
        ),
      ],
      [
        'not-admin',
        await forge(
          draft(group.id, mal, {
            type: GroupRecordTypes.role,
            id: targetRecordId(GroupRecordTypes.role, mal.id),
            data: writeData({ r: 'admin' }),
          }),
          malKey,
        ),
      ],
      [
        'not-admin',
        await forge(
          draft(group.id, mal, {
            type: GroupRecordTypes.removal,
            id: targetRecordId(GroupRecordTypes.removal, owner.identity.id),
            data: writeData({}),
          }),
          malKey,
        ),
      ],
      [
        'not-admin',
        await forge(
          draft(group.id, mal, {
            type: GroupRecordTypes.info,
            id: 'info',
            data: writeData({ n: 'Taken over', d: '', c: '#000000' }),
          }),
          malKey,
        ),
      ],
    ];
    // A second outsider replays the single-use invitation Mallory already used.
    const replayer = await outsider();
    const certificate = await acceptInvitation(single, replayer, Date.now());
    forged.push([
      'invitation-used-up',
      await forge(
        draft(group.id, replayer, {
          type: GroupRecordTypes.member,
          id: replayer.id,
          data: writeData({ n: 'Replayer', node: replayer.nodeId, c: certificate }),
        }),
        replayer.signingKey,
      ),
    ]);
    const refusedTimes = (times: number): Promise<void> => {
      const expected: Record<string, number> = {};
      for (const [reason] of forged) expected[reason] = (expected[reason] ?? 0) + times;
      return waitFor(
        () => Object.entries(expected).every(([reason, count]) => (group.rejections()[reason] ?? 0) >= count),
        `every forgery to be refused ${times} times`,
        30_000,
        () => `${JSON.stringify(group.rejections())} mesh ${JSON.stringify(owner.mesh.rejections())}`,
      );
    };
    const send = (body: WireValue, kind: 'control' | 'bulk' = 'bulk'): Promise<void> =>
      mallory.mesh.sendTo(owner.nodeId, graphProtocol, body, kind);
    for (const [, payload] of forged) {
      await send({
        g: group.id,
        t: 'tree',
        m: { type: 'gossip', id: recordHash(payload), root: mallory.nodeId, round: 0, payload },
      });
    }
    // One at a time: a record judged while the same bytes are in flight counts as a duplicate.
    await refusedTimes(1);
    // The same forgeries as hello credentials, which any linked node may show.
    for (const [, payload] of forged)
      await send({ g: group.id, t: 'hello', reply: true, cred: payload }, 'control');
    // Garbage: a refusal with a bad reason, an oversize credential, a credential of noise.
    await send({ g: group.id, t: 'refused', reason: '<script>' }, 'control');
    await send({ g: group.id, t: 'hello', reply: true, cred: new Uint8Array(9000) }, 'bulk');
    await send(
      { g: group.id, t: 'hello', reply: true, cred: crypto.getRandomValues(new Uint8Array(300)) },
      'control',
    );

    await refusedTimes(2);
    expect(owner.mesh.rejections()['graph:credential:bad-encoding'], 'the noise credential').to.equal(1);
    expect(owner.hub.rejections()['graph:bad-message'] ?? 0, 'the garbage bodies').to.be.at.least(2);
    expect(group.chat.list().map((message) => message.text)).to.deep.equal(['the owner wrote this']);
    expect(
      group.state
        .members()
        .map((member) => member.identityId)
        .sort(),
    ).to.deep.equal([owner.identity.id, mal.id].sort());
    expect(group.state.roleOf(mal.id)).to.equal('member');
    expect(group.info()?.n).to.equal('Guarded');
    // The owner still talks with Mallory's node: forgeries do not break the group.
    await group.send('still fine');
    await waitFor(
      () => malloryGroup.chat.size === 2,
      'the next message to arrive',
      30_000,
      () => describeGroups(groups),
    );
  });

  it('tells a joiner with a used-up invitation why it is refused', async () => {
    const meshNodes = await createMeshNodes(3);
    await joinMesh(meshNodes, 4);
    nodes = meshNodes.map((node, i) => groupNodeOf(node, `Node ${i}`));
    const [owner, first, late] = nodes;
    if (owner === undefined || first === undefined || late === undefined) throw new Error('no nodes');
    const group = await createGroup(owner.components, owner.me, { n: 'Small', d: '', c: '#224488' });
    groups.push(group);
    const single = await signedFrom(
      await inviteTo(group, owner.me, { role: 'member', expiresInMs: 3600_000, maxUses: 1, note: '' }),
    );
    groups.push(await joinGroup(first.components, first.me, single));
    await waitFor(
      () => group.state.isMember(first.identity.id),
      'the first joiner to be a member',
      60_000,
      () => describeGroups(groups),
    );
    const lateGroup = await joinGroup(late.components, late.me, single);
    groups.push(lateGroup);
    await waitFor(
      () => lateGroup.refusal === 'invitation-used-up',
      'the late joiner to hear why',
      60_000,
      () => `${lateGroup.refusal} ${describeGroups(groups)}`,
    );
    expect(group.state.isMember(late.identity.id)).to.equal(false);
    expect(group.neighbors()).to.not.include(late.nodeId);
  });
});
