import { toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { randomBytes } from '../crypto/aead.ts';
import { Group, type GroupComponents } from './group.ts';
import { groupIdOf, newGroupKey } from './group-key.ts';
import {
  acceptInvitation,
  invitationPayload,
  signInvitation,
  type InvitedRole,
  type SignedInvitation,
} from './invitation.ts';
import type { InfoData } from './group-records.ts';

/** The identity acting, with its private key for invitations and acceptances. */
export interface GroupIdentity {
  readonly displayName: string;
  readonly publicKey: Uint8Array;
  readonly signingKey: CryptoKey;
}

/** A join link that cannot be used, in words for the person who opened it. */
export class JoinLinkError extends MycelError {
  override name = 'JoinLinkError';
}

/** Creates a group owned by `identity`: its member record, then its name, description and colour. */
export async function createGroup(
  components: GroupComponents,
  identity: GroupIdentity,
  info: InfoData,
): Promise<Group> {
  const key = newGroupKey(identity.publicKey);
  const group = await Group.open(components, await groupIdOf(key), key);
  await group.writeMembership(identity.displayName);
  await group.admin.setInfo(info);
  return group;
}

/**
 * Joins the group of a checked invitation: signs the acceptance and writes the member record
 * whose certificate every member checks. Rejects with a `JoinLinkError` if it has expired.
 */
export async function joinGroup(
  components: GroupComponents,
  identity: GroupIdentity,
  signed: SignedInvitation,
): Promise<Group> {
  const nowMs = Math.floor(components.timers.nowMs());
  const { invitation } = signed;
  if (invitation.expiresAtMs <= nowMs) {
    throw new JoinLinkError(`This invitation to ${invitation.groupName} expired.`, {
      hint: `Ask ${invitation.inviterName || 'an admin'} for a new join link.`,
    });
  }
  const group = await Group.open(components, invitation.groupId, invitation.groupKey);
  group.addHints(invitation.nodes);
  try {
    const certificate = await acceptInvitation(signed, identity, nowMs);
    await group.writeMembership(identity.displayName, certificate);
  } catch (error) {
    group.close();
    throw error;
  }
  return group;
}

/** What an admin chooses for a new invitation. */
export interface InvitationChoice {
  readonly role: InvitedRole;
  readonly expiresInMs: number;
  /** 0 for no limit. */
  readonly maxUses: number;
  readonly note: string;
  /** The broker's URL when the group does not use the default one. */
  readonly broker?: string;
}

/** Signs and publishes an invitation to `group`; resolves with its join link payload. */
export async function inviteTo(
  group: Group,
  identity: GroupIdentity,
  choice: InvitationChoice,
): Promise<string> {
  const nowMs = Date.now();
  const signed = await signInvitation(
    {
      id: toBase64Url(randomBytes(16)),
      groupId: group.id,
      groupName: group.info()?.n ?? 'Group',
      groupKey: group.key,
      role: choice.role,
      inviterKey: identity.publicKey,
      inviterName: identity.displayName,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + choice.expiresInMs,
      maxUses: choice.maxUses,
      note: choice.note.trim(),
      nodes: [group.nodeId, ...group.onlineNodes()].slice(0, 4),
      ...(choice.broker === undefined ? {} : { broker: choice.broker }),
    },
    identity.signingKey,
  );
  await group.admin.publishInvitation(
    signed.invitation.id,
    signed.body,
    signed.signature,
    signed.invitation.expiresAtMs,
  );
  return invitationPayload(signed);
}
