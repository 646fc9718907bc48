import type { StoredRecord } from '../ports.ts';
import { compareVersions } from '../graph/record-codec.ts';
import { readAcceptedAtMs, readInvitation, type Invitation } from './invitation.ts';
import {
  GroupRecordTypes,
  infoData,
  invitationData,
  memberData,
  readData,
  roleData,
  targetRecordId,
  type InfoData,
} from './group-records.ts';

/** A member's standing in the group. */
export type GroupRole = 'owner' | 'admin' | 'member';

/** A member as the group's records say. */
export interface GroupMember {
  readonly identityId: string;
  readonly name: string;
  readonly nodeId: string;
  readonly role: GroupRole;
  /** When they joined (their acceptance; the member record's creation for the owner). */
  readonly joinedAtMs: number;
}

/** An invitation an admin published, with what became of it. */
export interface GroupInvitation {
  readonly invitation: Invitation;
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
  readonly creator: string;
  readonly used: number;
  readonly revoked: boolean;
}

interface Candidate {
  readonly identityId: string;
  readonly name: string;
  readonly nodeId: string;
  readonly invitedRole: GroupRole;
  readonly invitationId: string | undefined;
  readonly maxUses: number;
  readonly acceptedAtMs: number;
}

const stateTypes: ReadonlySet<string> = new Set([
  GroupRecordTypes.info,
  GroupRecordTypes.member,
  GroupRecordTypes.invitation,
  GroupRecordTypes.revocation,
  GroupRecordTypes.role,
  GroupRecordTypes.removal,
]);

/**
 * Who is in a group and with what role, derived from its records alone, so every replica
 * that holds the same records agrees. The owner is fixed by the group id. Everyone else is a
 * member by a certificate, unless the invitation was revoked before they accepted it, they
 * were removed after they accepted it, or the invitation's uses were taken by earlier
 * acceptances (ranked by time, then identity id, so concurrent joins settle the same way).
 */
export class GroupState {
  private readonly records = new Map<string, StoredRecord>();
  private derived: { members: Map<string, GroupMember>; uses: Map<string, Candidate[]> } | undefined;

  constructor(
    readonly groupId: string,
    readonly ownerId: string,
  ) {}

  /** Whether records of `type` shape the state (and go to `apply`). */
  static tracks(type: string): boolean {
    return stateTypes.has(type);
  }

  /** Takes in a committed record (a newer version of a key replaces the older one). */
  apply(stored: StoredRecord): void {
    if (!stateTypes.has(stored.record.type)) return;
    const before = this.records.get(stored.key);
    if (before !== undefined && compareVersions(stored, before) <= 0) return;
    this.records.set(stored.key, stored);
    this.derived = undefined;
  }

  /** Forgets a purged record. */
  forget(key: string): void {
    if (this.records.delete(key)) this.derived = undefined;
  }

  roleOf(identityId: string): GroupRole | undefined {
    return this.view().members.get(identityId)?.role;
  }

  isAdmin(identityId: string): boolean {
    const role = this.roleOf(identityId);
    return role === 'owner' || role === 'admin';
  }

  isMember(identityId: string): boolean {
    return this.roleOf(identityId) !== undefined;
  }

  /** Members in no particular order; the owner is one even before its member record arrives. */
  members(): GroupMember[] {
    return [...this.view().members.values()];
  }

  member(identityId: string): GroupMember | undefined {
    return this.view().members.get(identityId);
  }

  /** The name a member record gives `identityId`, member or not (a removed author's messages stay). */
  nameOf(identityId: string): string | undefined {
    const stored = this.records.get(`${identityId}/${identityId}`);
    if (stored === undefined || stored.record.type !== GroupRecordTypes.member) return undefined;
    return readData(memberData, stored.record.data)?.n;
  }

  /** The node id a member record (withdrawn or not, valid or not) names for `identityId`. */
  nodeOf(identityId: string): string | undefined {
    const stored = this.records.get(`${identityId}/${identityId}`);
    if (stored === undefined || stored.record.type !== GroupRecordTypes.member) return undefined;
    return readData(memberData, stored.record.data)?.node;
  }

  /** Whether this node knows any member record but `self`'s: false while it has just joined. */
  knowsOthers(self: string): boolean {
    for (const stored of this.records.values()) {
      if (stored.record.type === GroupRecordTypes.member && stored.record.creator !== self) return true;
    }
    return false;
  }

  /** When `identityId` was last removed, if a removal stands. */
  removedAtMs(identityId: string): number | undefined {
    return this.latestFor(GroupRecordTypes.removal, identityId)?.record.modifiedAtMs;
  }

  /** When the invitation `invitationId` was revoked, if it was. */
  revokedAtMs(invitationId: string): number | undefined {
    return this.latestFor(GroupRecordTypes.revocation, invitationId)?.record.createdAtMs;
  }

  /** How many identities hold a place from an invitation now. */
  usesOf(invitationId: string): number {
    return (this.view().uses.get(invitationId) ?? []).length;
  }

  /**
   * How many of an invitation's places are taken by acceptances ranked before one made at
   * `acceptedAtMs` by `identityId` (earlier first, then the smaller identity id): the order
   * `members` keeps, so a replica that heard of the later joiner first still agrees.
   */
  usesBefore(invitationId: string, acceptedAtMs: number, identityId: string): number {
    return (this.view().uses.get(invitationId) ?? []).filter((use) =>
      ranksBefore(use, { acceptedAtMs, identityId }),
    ).length;
  }

  /** The group's name, description and colour: the newest an admin wrote. */
  info(): InfoData | undefined {
    let newest: StoredRecord | undefined;
    for (const stored of this.records.values()) {
      if (stored.record.type !== GroupRecordTypes.info || stored.record.deleted) continue;
      if (newest === undefined || byModified(stored, newest) > 0) newest = stored;
    }
    return newest === undefined ? undefined : readData(infoData, newest.record.data);
  }

  /** Invitations admins published, newest first. */
  invitations(): GroupInvitation[] {
    const out: GroupInvitation[] = [];
    for (const stored of this.records.values()) {
      const { record } = stored;
      if (record.type !== GroupRecordTypes.invitation || record.deleted) continue;
      const data = readData(invitationData, record.data);
      const invitation = data === undefined ? undefined : readInvitation(data.i);
      if (data === undefined || invitation === undefined) continue;
      out.push({
        invitation,
        body: data.i,
        signature: data.s,
        creator: record.creator,
        used: this.usesOf(invitation.id),
        revoked: this.revokedAtMs(invitation.id) !== undefined,
      });
    }
    return out.sort((a, b) => b.invitation.createdAtMs - a.invitation.createdAtMs);
  }

  /** The newest standing admin record of `type` about `target`, by any admin. */
  private latestFor(type: string, target: string): StoredRecord | undefined {
    const id = targetRecordId(type, target);
    let newest: StoredRecord | undefined;
    for (const stored of this.records.values()) {
      const { record } = stored;
      if (record.type !== type || record.id !== id || record.deleted) continue;
      if (newest === undefined || byModified(stored, newest) > 0) newest = stored;
    }
    return newest;
  }

  private view(): NonNullable<GroupState['derived']> {
    this.derived ??= this.derive();
    return this.derived;
  }

  private derive(): NonNullable<GroupState['derived']> {
    const candidates = this.candidates();
    const uses = new Map<string, Candidate[]>();
    const ranked = [...candidates.values()].sort((a, b) => (ranksBefore(a, b) ? -1 : 1));
    const members = new Map<string, GroupMember>();
    members.set(this.ownerId, {
      identityId: this.ownerId,
      name: candidates.get(this.ownerId)?.name ?? 'Owner',
      nodeId: candidates.get(this.ownerId)?.nodeId ?? '',
      role: 'owner',
      joinedAtMs: candidates.get(this.ownerId)?.acceptedAtMs ?? 0,
    });
    for (const candidate of ranked) {
      if (candidate.identityId === this.ownerId || candidate.invitationId === undefined) continue;
      const removedAt = this.removedAtMs(candidate.identityId);
      if (removedAt !== undefined && removedAt >= candidate.acceptedAtMs) continue;
      const revokedAt = this.revokedAtMs(candidate.invitationId);
      if (revokedAt !== undefined && revokedAt <= candidate.acceptedAtMs) continue;
      const users = uses.get(candidate.invitationId) ?? [];
      if (candidate.maxUses > 0 && users.length >= candidate.maxUses) continue;
      users.push(candidate);
      uses.set(candidate.invitationId, users);
      members.set(candidate.identityId, {
        identityId: candidate.identityId,
        name: candidate.name,
        nodeId: candidate.nodeId,
        role: candidate.invitedRole,
        joinedAtMs: candidate.acceptedAtMs,
      });
    }
    for (const [identityId, member] of members) {
      if (member.role === 'owner') continue;
      const role = this.latestFor(GroupRecordTypes.role, identityId);
      const data = role === undefined ? undefined : readData(roleData, role.record.data);
      if (data !== undefined && role !== undefined && role.record.modifiedAtMs >= member.joinedAtMs) {
        members.set(identityId, { ...member, role: data.r });
      }
    }
    return { members, uses };
  }

  /** Every member record that is not withdrawn, as a candidate for membership. */
  private candidates(): Map<string, Candidate> {
    const out = new Map<string, Candidate>();
    for (const stored of this.records.values()) {
      const { record } = stored;
      if (record.type !== GroupRecordTypes.member || record.deleted || record.id !== record.creator) continue;
      const data = readData(memberData, record.data);
      if (data === undefined) continue;
      if (data.c === undefined) {
        if (record.creator !== this.ownerId) continue;
        out.set(record.creator, {
          identityId: record.creator,
          name: data.n,
          nodeId: data.node,
          invitedRole: 'owner',
          invitationId: undefined,
          maxUses: 0,
          acceptedAtMs: record.createdAtMs,
        });
        continue;
      }
      const invitation = readInvitation(data.c.i);
      const acceptedAtMs = readAcceptedAtMs(data.c);
      if (invitation === undefined || acceptedAtMs === undefined) continue;
      out.set(record.creator, {
        identityId: record.creator,
        name: data.n,
        nodeId: data.node,
        invitedRole: invitation.role,
        invitationId: invitation.id,
        maxUses: invitation.maxUses,
        acceptedAtMs,
      });
    }
    return out;
  }
}

/** Whether acceptance `a` ranks before `b` for an invitation's places. */
function ranksBefore(
  a: { readonly acceptedAtMs: number; readonly identityId: string },
  b: { readonly acceptedAtMs: number; readonly identityId: string },
): boolean {
  return (
    a.acceptedAtMs < b.acceptedAtMs || (a.acceptedAtMs === b.acceptedAtMs && a.identityId < b.identityId)
  );
}

function byModified(a: StoredRecord, b: StoredRecord): number {
  return a.record.modifiedAtMs - b.record.modifiedAtMs || compareVersions(a, b);
}
