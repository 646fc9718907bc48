import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { GroupRecordTypes, targetRecordId, writeData } from '../../../src/core/groups/group-records.ts';
import type { GroupState } from '../../../src/core/groups/group-state.ts';
import type { StoredRecord } from '../../../src/core/ports.ts';
import {
  accept,
  baseMs,
  invitationRecord,
  invite,
  join,
  memberRecord,
  newIdentity,
  newTestGroup,
  removalRecord,
  revocationRecord,
  roleRecord,
  stateOf,
  storedGroupRecord,
  toStored,
  type TestGroup,
  type TestIdentity,
} from './group-fixtures.ts';

/** Every member's role, by name, sorted: what two replicas must agree on. */
function rolesOf(state: GroupState, people: readonly TestIdentity[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const person of people) out[person.name] = state.roleOf(person.identityId) ?? 'none';
  return out;
}

describe('GroupState', () => {
  let owner: TestIdentity;
  let admin: TestIdentity;
  let m1: TestIdentity;
  let m2: TestIdentity;
  let m3: TestIdentity;
  let c1: TestIdentity;
  let c2: TestIdentity;
  let r1: TestIdentity;
  let r2: TestIdentity;
  let people: TestIdentity[];
  let group: TestGroup;
  let ownerRecord: StoredRecord;

  before(async () => {
    owner = await newIdentity('Olga');
    admin = await newIdentity('Ada');
    m1 = await newIdentity('Mia');
    m2 = await newIdentity('Max');
    m3 = await newIdentity('Moe');
    c1 = await newIdentity('Cid');
    c2 = await newIdentity('Cy');
    r1 = await newIdentity('Rae');
    r2 = await newIdentity('Rex');
    people = [owner, admin, m1, m2, m3, c1, c2, r1, r2];
    group = await newTestGroup(owner);
    ownerRecord = toStored(await memberRecord(group, owner));
  });

  it('knows the owner from the group id alone, before any record', () => {
    const state = stateOf(group, []);
    expect(state.roleOf(owner.identityId)).to.equal('owner');
    expect(state.isAdmin(owner.identityId)).to.equal(true);
    expect(state.members().map((member) => member.identityId)).to.deep.equal([owner.identityId]);
    expect(state.isMember(admin.identityId)).to.equal(false);
  });

  it('ignores a member record without a certificate unless it is the owner’s', async () => {
    const state = stateOf(group, [ownerRecord, toStored(await memberRecord(group, m1))]);
    expect(state.member(owner.identityId)?.name).to.equal('Olga');
    expect(state.member(owner.identityId)?.joinedAtMs).to.equal(baseMs);
    expect(state.isMember(m1.identityId)).to.equal(false);
    expect(state.nodeOf(m1.identityId)).to.equal(m1.nodeId);
  });

  describe('the same roles whatever order records arrive in', () => {
    let records: StoredRecord[];
    let singleId: string;
    const expected = {
      Olga: 'owner',
      Ada: 'admin',
      Mia: 'member',
      Max: 'admin',
      Moe: 'member',
      Cid: 'none',
      Cy: 'member',
      Rae: 'member',
      Rex: 'none',
    };

    before(async () => {
      const asAdmin = await invite(group, owner, { role: 'admin', maxUses: 1 });
      const open = await invite(group, owner);
      const single = await invite(group, admin, { maxUses: 1 });
      const revoked = await invite(group, owner);
      const again = await invite(group, owner);
      const miaCertificate = await accept(open, m1, 20);
      singleId = single.invitation.id;
      records = [
        ownerRecord,
        await invitationRecord(group, owner, asAdmin, 1),
        await invitationRecord(group, owner, open, 1),
        await invitationRecord(group, admin, single, 11),
        await join(group, asAdmin, admin, 10),
        // Mia renames herself: the newer version of her record counts, with the same certificate.
        toStored(await memberRecord(group, m1, miaCertificate, { createdAtMs: 20 })),
        toStored(
          await memberRecord(group, { ...m1, name: 'Mia B.' }, miaCertificate, {
            version: 2,
            createdAtMs: 20,
            modifiedAtMs: 200,
          }),
        ),
        await join(group, open, m2, 30),
        await join(group, open, m3, 40),
        // Two joins over one single-use invitation: Cy accepted first and keeps it.
        await join(group, single, c1, 50),
        await join(group, single, c2, 45),
        // Mia promoted, then demoted by a newer version of the same role record.
        await roleRecord(group, owner, m1.identityId, 'admin', 60),
        await roleRecord(group, owner, m1.identityId, 'member', 60, { version: 2, modifiedAtMs: 70 }),
        await roleRecord(group, admin, m2.identityId, 'admin', 80),
        // Moe removed, then back through a new invitation accepted after the removal.
        await removalRecord(group, admin, m3.identityId, 90),
        await join(group, again, m3, 100, { version: 2, createdAtMs: 40 }),
        // Rae accepted before the revocation, Rex after.
        await join(group, revoked, r1, 34),
        await revocationRecord(group, owner, revoked.invitation.id, 35),
        await join(group, revoked, r2, 36),
      ];
    });

    it('settles to the expected roles in arrival order', () => {
      expect(rolesOf(stateOf(group, records), people)).to.deep.equal(expected);
    });

    for (let seed = 1; seed <= 12; seed++) {
      it(`settles to the same roles in a shuffled order (seed ${seed})`, () => {
        const random = createRandom(seed);
        const shuffled = random.shuffle(records);
        // Some records twice, as a replica that hears them from two neighbours.
        const withRepeats = [...shuffled, ...random.shuffle(records).slice(0, 5)];
        const state = stateOf(group, withRepeats);
        expect(rolesOf(state, people), `seed ${seed}`).to.deep.equal(expected);
        expect(state.member(m1.identityId)?.name, `seed ${seed}`).to.equal('Mia B.');
        expect(state.usesOf(singleId), `seed ${seed}`).to.equal(1);
      });
    }
  });

  describe('concurrent joins over a single-use invitation', () => {
    it('keep exactly the earliest acceptance, whichever arrived first', async () => {
      const single = await invite(group, owner, { maxUses: 1 });
      const late = await join(group, single, c1, 50);
      const early = await join(group, single, c2, 49);
      for (const order of [
        [late, early],
        [early, late],
      ]) {
        const state = stateOf(group, [ownerRecord, ...order]);
        expect(state.isMember(c2.identityId)).to.equal(true);
        expect(state.isMember(c1.identityId)).to.equal(false);
        expect(state.usesOf(single.invitation.id)).to.equal(1);
        expect(state.usesBefore(single.invitation.id, baseMs + 49, c2.identityId)).to.equal(0);
        expect(state.usesBefore(single.invitation.id, baseMs + 50, c1.identityId)).to.equal(1);
      }
    });

    it('break a tie in time on the smaller identity id', async () => {
      const single = await invite(group, owner, { maxUses: 1 });
      const first = await join(group, single, c1, 50);
      const second = await join(group, single, c2, 50);
      const smaller = c1.identityId < c2.identityId ? c1 : c2;
      const larger = smaller === c1 ? c2 : c1;
      for (const order of [
        [first, second],
        [second, first],
      ]) {
        const state = stateOf(group, [ownerRecord, ...order]);
        expect(state.isMember(smaller.identityId)).to.equal(true);
        expect(state.isMember(larger.identityId)).to.equal(false);
      }
    });

    it('let as many join as the limit allows', async () => {
      const twice = await invite(group, owner, { maxUses: 2 });
      const state = stateOf(group, [
        await join(group, twice, c1, 3),
        await join(group, twice, c2, 1),
        await join(group, twice, r1, 2),
      ]);
      expect(rolesOf(state, [c1, c2, r1])).to.deep.equal({ Cid: 'none', Cy: 'member', Rae: 'member' });
    });
  });

  describe('roles', () => {
    it('the latest role record wins, across versions and across admins', async () => {
      const asAdmin = await invite(group, owner, { role: 'admin' });
      const open = await invite(group, owner);
      const base = [ownerRecord, await join(group, asAdmin, admin, 1), await join(group, open, m1, 2)];
      const promoted = await roleRecord(group, owner, m1.identityId, 'admin', 10);
      const demoted = await roleRecord(group, owner, m1.identityId, 'member', 10, {
        version: 2,
        modifiedAtMs: 20,
      });
      const byAdmin = await roleRecord(group, admin, m1.identityId, 'admin', 30);
      expect(stateOf(group, [...base, promoted]).roleOf(m1.identityId)).to.equal('admin');
      expect(stateOf(group, [...base, demoted, promoted]).roleOf(m1.identityId)).to.equal('member');
      expect(stateOf(group, [...base, promoted, demoted]).roleOf(m1.identityId)).to.equal('member');
      expect(stateOf(group, [...base, byAdmin, demoted]).roleOf(m1.identityId)).to.equal('admin');
      const demotesAdmin = await roleRecord(group, owner, admin.identityId, 'member', 40);
      expect(stateOf(group, [...base, demotesAdmin]).roleOf(admin.identityId)).to.equal('member');
    });

    it('a withdrawn role record no longer counts', async () => {
      const open = await invite(group, owner);
      const base = [ownerRecord, await join(group, open, m1, 2)];
      const promoted = await roleRecord(group, owner, m1.identityId, 'admin', 10);
      const withdrawn = await storedGroupRecord(group, owner, {
        type: GroupRecordTypes.role,
        id: targetRecordId(GroupRecordTypes.role, m1.identityId),
        version: 2,
        createdAtMs: 10,
        modifiedAtMs: 20,
        deleted: true,
      });
      expect(stateOf(group, [...base, promoted, withdrawn]).roleOf(m1.identityId)).to.equal('member');
    });

    it('the owner keeps its role whatever role records say', async () => {
      const state = stateOf(group, [
        ownerRecord,
        await roleRecord(group, owner, owner.identityId, 'member', 5),
      ]);
      expect(state.roleOf(owner.identityId)).to.equal('owner');
    });
  });

  describe('removals', () => {
    it('a removal after the acceptance removes; a new acceptance after it lets the member back', async () => {
      const open = await invite(group, owner);
      const again = await invite(group, owner);
      const joined = await join(group, open, m3, 10);
      const removed = await removalRecord(group, owner, m3.identityId, 20);
      const stale = await join(group, open, m3, 10, { version: 2, modifiedAtMs: 30 });
      const back = await join(group, again, m3, 30, { version: 2, createdAtMs: 10 });
      expect(stateOf(group, [ownerRecord, joined]).isMember(m3.identityId)).to.equal(true);
      const gone = stateOf(group, [ownerRecord, joined, removed]);
      expect(gone.isMember(m3.identityId)).to.equal(false);
      expect(gone.removedAtMs(m3.identityId)).to.equal(baseMs + 20);
      expect(stateOf(group, [ownerRecord, removed, stale]).isMember(m3.identityId)).to.equal(false);
      const returned = stateOf(group, [ownerRecord, back, removed, joined]);
      expect(returned.roleOf(m3.identityId)).to.equal('member');
      expect(returned.member(m3.identityId)?.joinedAtMs).to.equal(baseMs + 30);
    });

    it('a role given before a removal does not come back with the member', async () => {
      const open = await invite(group, owner);
      const again = await invite(group, owner);
      const state = stateOf(group, [
        ownerRecord,
        await roleRecord(group, owner, m3.identityId, 'admin', 15),
        await removalRecord(group, owner, m3.identityId, 20),
        await join(group, open, m3, 10),
        await join(group, again, m3, 30, { version: 2, createdAtMs: 10 }),
      ]);
      expect(state.roleOf(m3.identityId)).to.equal('member');
    });
  });

  describe('invitations()', () => {
    it('lists published invitations newest first, with their uses and whether revoked', async () => {
      const asAdmin = await invite(group, owner, { role: 'admin' });
      const older = await invite(group, owner, { maxUses: 2 });
      const newer = await invite(group, owner, { createdAtMs: baseMs + 100 });
      const state = stateOf(group, [
        ownerRecord,
        await join(group, asAdmin, admin, 1),
        await invitationRecord(group, owner, older, 0),
        await invitationRecord(group, owner, newer, 100),
        await join(group, older, c1, 10),
        await join(group, older, c2, 20),
        await join(group, older, r1, 30),
        await join(group, newer, r2, 110),
        // Revoked by another admin: see the next test for its own publisher.
        await revocationRecord(group, admin, newer.invitation.id, 120),
      ]);
      const listed = state.invitations().map((item) => ({
        id: item.invitation.id,
        used: item.used,
        revoked: item.revoked,
        creator: item.creator,
      }));
      expect(listed).to.deep.equal([
        { id: newer.invitation.id, used: 1, revoked: true, creator: owner.identityId },
        { id: older.invitation.id, used: 2, revoked: false, creator: owner.identityId },
      ]);
      expect(state.isMember(r1.identityId)).to.equal(false);
      expect(state.revokedAtMs(newer.invitation.id)).to.equal(baseMs + 120);
      expect(state.invitations()[0]?.body).to.deep.equal(newer.body);
    });

    it('an invitation revoked by the admin who published it stays listed, as revoked', async () => {
      // Each admin record type has its own id prefix, so one admin's invitation and its
      // revocation are two records, not two versions of one key.
      const own = await invite(group, owner);
      const published = await invitationRecord(group, owner, own, 0);
      const revocation = await revocationRecord(group, owner, own.invitation.id, 10);
      expect(revocation.key, 'the two records have their own keys').to.not.equal(published.key);
      for (const order of [
        [published, revocation],
        [revocation, published],
      ]) {
        const state = stateOf(group, [ownerRecord, ...order]);
        expect(state.revokedAtMs(own.invitation.id)).to.equal(baseMs + 10);
        expect(state.invitations().map((item) => [item.invitation.id, item.revoked])).to.deep.equal([
          [own.invitation.id, true],
        ]);
      }
    });

    it('the newest info record gives the group’s name', async () => {
      const info = (n: string, version: number, modifiedAtMs: number): Promise<StoredRecord> =>
        storedGroupRecord(group, owner, {
          type: GroupRecordTypes.info,
          id: 'info',
          data: writeData({ n, d: '', c: '#112233' }),
          version,
          modifiedAtMs,
        });
      const state = stateOf(group, [await info('Second', 2, 20), await info('First', 1, 10)]);
      expect(state.info()?.n).to.equal('Second');
    });
  });

  it('knowsOthers is false while only the own member record is known', async () => {
    const open = await invite(group, owner);
    const mine = await join(group, open, m1, 1);
    expect(stateOf(group, [mine]).knowsOthers(m1.identityId)).to.equal(false);
    expect(stateOf(group, [mine, ownerRecord]).knowsOthers(m1.identityId)).to.equal(true);
  });
});
