import { expect } from 'chai';
import { GroupProvider } from '../../../src/core/groups/group-provider.ts';
import { GroupRecordTypes, writeData } from '../../../src/core/groups/group-records.ts';
import type { GroupState } from '../../../src/core/groups/group-state.ts';
import type { SignedInvitation } from '../../../src/core/groups/invitation.ts';
import type { GraphRecord, StoredRecord } from '../../../src/core/ports.ts';
import {
  accept,
  adminRecord,
  chatRecord,
  groupRecord,
  invite,
  join,
  memberRecord,
  minuteMs,
  newIdentity,
  newTestGroup,
  reactionRecord,
  receiptRecord,
  removalRecord,
  revocationRecord,
  roleRecord,
  stateOf,
  toStored,
  type TestGroup,
  type TestIdentity,
} from './group-fixtures.ts';

/** The provider of a node whose identity is `self`, over `state`. */
function providerOf(state: GroupState, self: TestIdentity): GroupProvider {
  return new GroupProvider({ author: self, state, credential: () => Promise.resolve(undefined) });
}

describe('GroupProvider', () => {
  let owner: TestIdentity;
  let admin: TestIdentity;
  let member: TestIdentity;
  let joiner: TestIdentity;
  let second: TestIdentity;
  let stranger: TestIdentity;
  let group: TestGroup;
  let ownerRecord: StoredRecord;
  let asAdmin: SignedInvitation;
  let open: SignedInvitation;
  /** Owner, an admin (by an admin invitation) and a plain member. */
  let base: StoredRecord[];

  /** What the owner's node says of `record` once it holds `records`. */
  async function judge(
    record: GraphRecord,
    records: readonly StoredRecord[] = base,
  ): Promise<string | undefined> {
    return providerOf(stateOf(group, records), owner).validateRecord(record, undefined);
  }

  before(async () => {
    owner = await newIdentity('Olga');
    admin = await newIdentity('Ada');
    member = await newIdentity('Mia');
    joiner = await newIdentity('Jun');
    second = await newIdentity('Sam');
    stranger = await newIdentity('Eve');
    group = await newTestGroup(owner);
    ownerRecord = toStored(await memberRecord(group, owner));
    asAdmin = await invite(group, owner, { role: 'admin' });
    open = await invite(group, owner);
    base = [ownerRecord, await join(group, asAdmin, admin, 10), await join(group, open, member, 20)];
  });

  it('tells the group of each refusal', async () => {
    const refused: string[] = [];
    const provider = new GroupProvider({
      author: owner,
      state: stateOf(group, base),
      credential: () => Promise.resolve(undefined),
      refused: (reason) => refused.push(reason),
    });
    await provider.validateRecord(await chatRecord(group, stranger, 'hi', 30), undefined);
    await provider.validateRecord(await chatRecord(group, member, 'hi', 30), undefined);
    expect(refused).to.deep.equal(['unknown-member']);
  });

  describe('member records', () => {
    it('the owner’s needs no certificate; anyone else’s does', async () => {
      expect(await judge(ownerRecord.record, [])).to.equal(undefined);
      expect(await judge(await memberRecord(group, joiner))).to.equal('no-certificate');
    });

    it('a certificate from an owner-signed invitation admits', async () => {
      expect(await judge((await join(group, open, joiner, 30)).record)).to.equal(undefined);
    });

    it('an inviter the group does not know is pending', async () => {
      const byStranger = await invite(group, stranger);
      expect(await judge((await join(group, byStranger, joiner, 30)).record)).to.equal('unknown-inviter');
    });

    it('an inviter who is a plain member cannot admit', async () => {
      const byMember = await invite(group, member);
      expect(await judge((await join(group, byMember, joiner, 30)).record)).to.equal('inviter-not-admin');
    });

    it('an inviter made admin by its invitation, or promoted by a role record, admits', async () => {
      const byAdmin = await invite(group, admin);
      expect(await judge((await join(group, byAdmin, joiner, 30)).record)).to.equal(undefined);
      const byMember = await invite(group, member);
      const promoted = await roleRecord(group, owner, member.identityId, 'admin', 25);
      expect(await judge((await join(group, byMember, joiner, 30)).record, [...base, promoted])).to.equal(
        undefined,
      );
    });

    it('an invitation revoked before the acceptance does not admit; revoked after, it does', async () => {
      const revocation = await revocationRecord(group, admin, open.invitation.id, 25);
      const records = [...base, revocation];
      expect(await judge((await join(group, open, joiner, 30)).record, records)).to.equal(
        'invitation-revoked',
      );
      expect(await judge((await join(group, open, joiner, 25)).record, records)).to.equal(
        'invitation-revoked',
      );
      expect(await judge((await join(group, open, joiner, 24)).record, records)).to.equal(undefined);
    });

    it('a used-up invitation admits nobody else, but its user may update its record', async () => {
      const once = await invite(group, owner, { maxUses: 1 });
      const first = await join(group, once, joiner, 30);
      const records = [...base, first];
      expect(await judge(first.record, base)).to.equal(undefined);
      expect(await judge((await join(group, once, second, 40)).record, records)).to.equal(
        'invitation-used-up',
      );
      const renamed = await join(group, once, { ...joiner, name: 'Jun R.' }, 30, {
        version: 2,
        modifiedAtMs: 50,
      });
      expect(await judge(renamed.record, records)).to.equal(undefined);
    });

    it('on a single-use invitation the earliest acceptance is admitted, even if it arrives second', async () => {
      // Every replica must settle on the earliest acceptance (GroupState ranks them so); a
      // node that heard the later one first must still take the earlier one.
      const once = await invite(group, owner, { maxUses: 1 });
      const later = await join(group, once, joiner, 40);
      const earlier = await join(group, once, second, 30);
      expect(await judge(earlier.record, [...base, later])).to.equal(undefined);
    });

    it('a certificate replayed in another identity’s record is not theirs', async () => {
      const once = await invite(group, owner, { maxUses: 1 });
      const certificate = await accept(once, joiner, 30);
      const replay = await memberRecord(group, second, certificate, { createdAtMs: 40 });
      const records = [
        ...base,
        toStored(await memberRecord(group, joiner, certificate, { createdAtMs: 30 })),
      ];
      expect(await judge(replay, records)).to.equal('certificate-not-yours');
      expect(await judge(replay, base)).to.equal('certificate-not-yours');
    });

    it('a certificate problem is named with its reason', async () => {
      const expired = await join(group, open, joiner, 2 * 24 * 60 * minuteMs);
      expect(await judge(expired.record)).to.equal('certificate-not-accepted-in-time');
      const other = await newTestGroup(stranger);
      const elsewhere = await invite(other, stranger);
      expect(await judge((await join(group, elsewhere, joiner, 30)).record)).to.equal(
        'certificate-wrong-group',
      );
    });

    it('a member record must be named after its creator', async () => {
      const certificate = await accept(open, joiner, 30);
      const misnamed = await memberRecord(group, joiner, certificate, { id: second.identityId });
      expect(await judge(misnamed)).to.equal('wrong-member-id');
    });

    it('a removed member cannot come back with its old acceptance', async () => {
      const removal = await removalRecord(group, admin, member.identityId, 30);
      const again = await join(group, open, member, 20, { version: 2, modifiedAtMs: 40 });
      expect(await judge(again.record, [...base, removal])).to.equal('removed');
      const reinvited = await invite(group, owner);
      const back = await join(group, reinvited, member, 50, { version: 2, createdAtMs: 20 });
      expect(await judge(back.record, [...base, removal])).to.equal(undefined);
    });
  });

  describe('member writes', () => {
    it('a member’s chat, reaction and receipt pass', async () => {
      const chat = await chatRecord(group, member, 'hello', 30);
      expect(await judge(chat)).to.equal(undefined);
      const messageKey = `${chat.creator}/${chat.id}`;
      expect(await judge((await reactionRecord(group, admin, messageKey, '👍', true)).record)).to.equal(
        undefined,
      );
      expect(await judge((await receiptRecord(group, admin, 30)).record)).to.equal(undefined);
    });

    it('a non-member’s chat, reaction or receipt is from an unknown member', async () => {
      const chat = await chatRecord(group, stranger, 'hello', 30);
      expect(await judge(chat)).to.equal('unknown-member');
      const messageKey = `${member.identityId}/AAAAAAAAAAAAAAAAAAAAAA`;
      expect(await judge((await reactionRecord(group, stranger, messageKey, '👍', true)).record)).to.equal(
        'unknown-member',
      );
      expect(await judge((await receiptRecord(group, stranger, 30)).record)).to.equal('unknown-member');
    });

    it('a removed member’s chat is refused as removed', async () => {
      const records = [...base, await removalRecord(group, admin, member.identityId, 30)];
      expect(await judge(await chatRecord(group, member, 'still here?', 40), records)).to.equal('removed');
      const messageKey = `${admin.identityId}/AAAAAAAAAAAAAAAAAAAAAA`;
      expect(
        await judge((await reactionRecord(group, member, messageKey, '👍', true)).record, records),
      ).to.equal('removed');
    });

    it('a chat time more than ten minutes from the record’s creation is refused', async () => {
      const at = (offsetMs: number): Promise<GraphRecord> =>
        chatRecord(group, member, 'when?', 1000 + offsetMs, { createdAtMs: 1000 });
      expect(await judge(await at(11 * minuteMs))).to.equal('bad-chat-time');
      expect(await judge(await at(-11 * minuteMs))).to.equal('bad-chat-time');
      expect(await judge(await at(9 * minuteMs))).to.equal(undefined);
      expect(await judge(await at(-9 * minuteMs))).to.equal(undefined);
    });

    it('a deleted chat passes without data', async () => {
      const deleted = await groupRecord(group, member, {
        type: GroupRecordTypes.chat,
        version: 2,
        createdAtMs: 30,
        modifiedAtMs: 40,
        deleted: true,
      });
      expect(await judge(deleted)).to.equal(undefined);
    });
  });

  describe('admin records', () => {
    /** A record of every admin type by `author`, with valid data. */
    async function adminRecords(author: TestIdentity, targetId: string): Promise<GraphRecord[]> {
      const own = await invite(group, author);
      return [
        await groupRecord(group, author, {
          type: GroupRecordTypes.info,
          id: 'info',
          data: writeData({ n: 'Renamed', d: '', c: '#aabbcc' }),
        }),
        (await roleRecord(group, author, targetId, 'admin', 30)).record,
        await adminRecord(group, author, GroupRecordTypes.removal, targetId, 30),
        await adminRecord(group, author, GroupRecordTypes.revocation, open.invitation.id, 30),
        await adminRecord(group, author, GroupRecordTypes.invitation, own.invitation.id, 30, {
          data: writeData({ i: own.body, s: own.signature }),
        }),
      ];
    }

    it('pass when an admin or the owner signs them', async () => {
      for (const author of [owner, admin]) {
        for (const record of await adminRecords(author, joiner.identityId)) {
          expect(await judge(record), `${record.type} by ${author.name}`).to.equal(undefined);
        }
      }
    });

    it('signed by a member are refused as not-admin, by a stranger as unknown-member', async () => {
      for (const record of await adminRecords(member, joiner.identityId)) {
        expect(await judge(record), record.type).to.equal('not-admin');
      }
      for (const record of await adminRecords(stranger, joiner.identityId)) {
        expect(await judge(record), record.type).to.equal('unknown-member');
      }
    });

    it('a role or removal aimed at the owner is refused: the owner is fixed', async () => {
      const demotion = await roleRecord(group, admin, owner.identityId, 'member', 30);
      const removal = await removalRecord(group, admin, owner.identityId, 30);
      expect(await judge(demotion.record)).to.equal('owner-is-fixed');
      expect(await judge(removal.record)).to.equal('owner-is-fixed');
      expect(await judge((await removalRecord(group, owner, owner.identityId, 30)).record)).to.equal(
        'owner-is-fixed',
      );
    });

    it('an invitation record must carry its creator’s valid invitation under its id', async () => {
      const byOwner = await invite(group, owner);
      const asAdminRecord = await adminRecord(
        group,
        admin,
        GroupRecordTypes.invitation,
        byOwner.invitation.id,
        30,
        {
          data: writeData({ i: byOwner.body, s: byOwner.signature }),
        },
      );
      expect(await judge(asAdminRecord)).to.equal('invitation-not-yours');
      const forged = await adminRecord(group, owner, GroupRecordTypes.invitation, byOwner.invitation.id, 30, {
        data: writeData({ i: byOwner.body, s: new Uint8Array(64) }),
      });
      expect(await judge(forged)).to.equal('invitation-bad-signature');
    });
  });

  describe('any record', () => {
    it('an edit of someone else’s message is refused as not-creator', async () => {
      const edit = await chatRecord(group, admin, 'edited by Ada', 30, {
        creator: member.identityId,
        version: 2,
        modifiedAtMs: 40,
      });
      expect(await judge(edit)).to.equal('not-creator');
    });

    it('a bad signature is refused', async () => {
      const chat = await chatRecord(group, member, 'hello', 30);
      const tampered = { ...chat, data: writeData({ t: 'hellO', at: chat.createdAtMs }) };
      expect(await judge(tampered)).to.equal('bad-signature');
      const signature = new Uint8Array(chat.signature);
      signature[0] = (signature[0] ?? 0) ^ 1;
      expect(await judge({ ...chat, signature })).to.equal('bad-signature');
    });

    it('an unknown type is refused', async () => {
      const record = await groupRecord(group, member, { type: 'mycel/unknown', data: writeData({}) });
      expect(await judge(record)).to.equal('unknown-type');
    });

    it('malformed data is refused as bad-data', async () => {
      const garbage = Uint8Array.of(0xff, 0x00, 0x13, 0x37);
      for (const type of [GroupRecordTypes.chat, GroupRecordTypes.member, GroupRecordTypes.role]) {
        const record = await groupRecord(group, member, { type, id: member.identityId, data: garbage });
        expect(await judge(record), type).to.equal('bad-data');
      }
      expect(await judge(await chatRecord(group, member, 'x'.repeat(4001), 30))).to.equal('bad-data');
      expect(await judge(await chatRecord(group, member, 'x'.repeat(4000), 30))).to.equal(undefined);
      expect(await judge(await chatRecord(group, member, '', 30))).to.equal('bad-data');
      const extraKey = await groupRecord(group, member, {
        type: GroupRecordTypes.chat,
        data: writeData({ t: 'hi', at: 0, x: 1 }),
      });
      expect(await judge(extraKey)).to.equal('bad-data');
    });
  });

  describe('authorizeLink', () => {
    const peerOf = (identity: TestIdentity): { nodeId: string; publicKey: Uint8Array } => ({
      nodeId: identity.nodeId,
      publicKey: identity.publicKey,
    });

    it('lets members in and keeps removed members and strangers out', async () => {
      const provider = providerOf(
        stateOf(group, [...base, await removalRecord(group, owner, member.identityId, 30)]),
        admin,
      );
      expect(await provider.authorizeLink(peerOf(owner))).to.equal(true);
      expect(await provider.authorizeLink(peerOf(admin))).to.equal(true);
      expect(await provider.authorizeLink(peerOf(member))).to.equal(false);
      expect(await provider.authorizeLink(peerOf(stranger))).to.equal(false);
      expect(
        await provider.authorizeLink({ nodeId: stranger.nodeId, publicKey: new Uint8Array(31) }),
      ).to.equal(false);
    });

    it('lets anyone in while this node knows no member record but its own', async () => {
      const mine = await join(group, open, joiner, 30);
      const provider = providerOf(stateOf(group, [mine]), joiner);
      expect(await provider.authorizeLink(peerOf(stranger))).to.equal(true);
      expect(await provider.authorizeLink(peerOf(owner))).to.equal(true);
      const later = providerOf(stateOf(group, [mine, ownerRecord]), joiner);
      expect(await later.authorizeLink(peerOf(stranger))).to.equal(false);
    });

    it('a joiner accepts its own record before it knows its inviter', async () => {
      const byAdmin = await invite(group, admin);
      const mine = await join(group, byAdmin, joiner, 30);
      expect(await providerOf(stateOf(group, []), joiner).validateRecord(mine.record, undefined)).to.equal(
        undefined,
      );
      expect(await providerOf(stateOf(group, []), owner).validateRecord(mine.record, undefined)).to.equal(
        'unknown-inviter',
      );
    });
  });
});
