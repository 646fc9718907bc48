import type { GraphRecord } from '../ports.ts';
import type { GraphPeer, SecurityProvider, UnsignedRecord } from '../graph/security.ts';
import {
  signRecord,
  SignerKeyCache,
  verifyRecordSignature,
  type RecordAuthor,
} from '../graph/signed-records.ts';
import { presenceRecordType } from '../graph/presence.ts';
import { identityIdOf } from '../identity/ids.ts';
import { checkCertificate, checkInvitation } from './invitation.ts';
import {
  adminRecordTypes,
  chatData,
  dataSchemas,
  GroupRecordTypes,
  invitationData,
  memberData,
  readData,
  targetOf,
} from './group-records.ts';
import type { GroupState } from './group-state.ts';
import { judgeFileRecord } from './file-records.ts';

/** How far a message's chat time may stray from its record's creation time. */
const maxChatSkewMs = 10 * 60_000;

/**
 * Refusals that may pass once more records arrive (the signer's membership or role, or the
 * inviter's, is on its way): the group asks its neighbours again when its state grows.
 */
export const pendingReasons: ReadonlySet<string> = new Set(['unknown-member', 'unknown-inviter']);

/** What a `GroupProvider` is built from. */
export interface GroupProviderComponents {
  readonly author: RecordAuthor;
  readonly state: GroupState;
  /** The encoded member record of this node's identity, shown in hellos. */
  readonly credential: () => Promise<Uint8Array | undefined>;
  /** Told of each refusal, so the group can count them and retry pending ones. */
  readonly refused?: (reason: string) => void;
}

/**
 * The security provider of a group's graph (Windows Peer Grouping's): records of admin types
 * need an admin's signature, every other record a member's, nobody writes another's record,
 * and a member record needs a certificate whose inviter is an admin.
 */
export class GroupProvider implements SecurityProvider {
  private readonly signerKeys = new SignerKeyCache();

  constructor(private readonly components: GroupProviderComponents) {}

  secureRecord(record: UnsignedRecord): Promise<GraphRecord> {
    return signRecord(this.components.author, record);
  }

  async validateRecord(record: GraphRecord, _previous: GraphRecord | undefined): Promise<string | undefined> {
    const reason = await this.judge(record);
    if (reason !== undefined) this.components.refused?.(reason);
    return reason;
  }

  /** Members, and anyone while this node knows no member but itself (it has just joined). */
  async authorizeLink(peer: GraphPeer): Promise<boolean> {
    if (peer.publicKey.length !== 32) return false;
    const identityId = await identityIdOf(new Uint8Array(peer.publicKey));
    const { state, author } = this.components;
    if (state.isMember(identityId)) return true;
    if (state.removedAtMs(identityId) !== undefined) return false;
    return !state.knowsOthers(author.identityId);
  }

  credential(): Promise<Uint8Array | undefined> {
    return this.components.credential();
  }

  private async judge(record: GraphRecord): Promise<string | undefined> {
    const signature = await verifyRecordSignature(record, this.signerKeys);
    if (signature !== undefined) return signature;
    if (record.modifiedBy !== record.creator) return 'not-creator';
    const schema = record.type === presenceRecordType ? undefined : dataSchemas[record.type];
    if (schema === undefined && record.type !== presenceRecordType) return 'unknown-type';
    if (!record.deleted && schema !== undefined && readData(schema, record.data) === undefined)
      return 'bad-data';
    if (record.type === GroupRecordTypes.member) return this.judgeMember(record);
    if (adminRecordTypes.has(record.type)) return this.judgeAdmin(record);
    return this.judgeMemberWrite(record);
  }

  private async judgeMemberWrite(record: GraphRecord): Promise<string | undefined> {
    const { state } = this.components;
    if (!state.isMember(record.creator)) {
      return state.removedAtMs(record.creator) === undefined ? 'unknown-member' : 'removed';
    }
    if (record.type === GroupRecordTypes.chat && !record.deleted) {
      const data = readData(chatData, record.data);
      if (data === undefined || Math.abs(data.at - record.createdAtMs) > maxChatSkewMs)
        return 'bad-chat-time';
    }
    if (record.type === GroupRecordTypes.file || record.type === GroupRecordTypes.holding) {
      return judgeFileRecord(record);
    }
    return undefined;
  }

  private async judgeAdmin(record: GraphRecord): Promise<string | undefined> {
    const { state } = this.components;
    if (!state.isAdmin(record.creator))
      return state.isMember(record.creator) ? 'not-admin' : 'unknown-member';
    const target = targetOf(record.type, record.id);
    if (target === undefined) return 'wrong-target-id';
    const targetsPerson = record.type === GroupRecordTypes.role || record.type === GroupRecordTypes.removal;
    if (targetsPerson && target === state.ownerId) return 'owner-is-fixed';
    if (record.type === GroupRecordTypes.invitation && !record.deleted) {
      const data = readData(invitationData, record.data);
      if (data === undefined) return 'bad-data';
      const checked = await checkInvitation(data.i, data.s);
      if (!checked.ok) return `invitation-${checked.reason}`;
      const { signed } = checked;
      if (signed.inviterId !== record.creator || signed.invitation.id !== record.id)
        return 'invitation-not-yours';
      if (signed.invitation.groupId !== state.groupId) return 'invitation-wrong-group';
    }
    return undefined;
  }

  private async judgeMember(record: GraphRecord): Promise<string | undefined> {
    const { state } = this.components;
    if (record.id !== record.creator) return 'wrong-member-id';
    if (record.deleted) return undefined;
    const data = readData(memberData, record.data);
    if (data === undefined) return 'bad-data';
    if (data.c === undefined) return record.creator === state.ownerId ? undefined : 'no-certificate';
    const checked = await checkCertificate(data.c, state.groupId);
    if (!checked.ok) return `certificate-${checked.reason}`;
    const { signed, memberId, acceptedAtMs } = checked.checked;
    if (memberId !== record.creator) return 'certificate-not-yours';
    // A joiner cannot know yet whether its inviter is an admin; the members it joins check.
    const ownJoin = record.creator === this.components.author.identityId && !state.isMember(signed.inviterId);
    if (!state.isAdmin(signed.inviterId) && !ownJoin) {
      return state.isMember(signed.inviterId) ? 'inviter-not-admin' : 'unknown-inviter';
    }
    const revokedAt = state.revokedAtMs(signed.invitation.id);
    if (revokedAt !== undefined && revokedAt <= acceptedAtMs) return 'invitation-revoked';
    const removedAt = state.removedAtMs(record.creator);
    if (removedAt !== undefined && removedAt >= acceptedAtMs) return 'removed';
    const { maxUses } = signed.invitation;
    if (maxUses > 0 && state.usesBefore(signed.invitation.id, acceptedAtMs, record.creator) >= maxUses) {
      return 'invitation-used-up';
    }
    return undefined;
  }
}
