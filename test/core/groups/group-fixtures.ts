import { toBase64Url } from '../../../src/lib/bytes.ts';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { encodeRecord, recordHash, recordKey } from '../../../src/core/graph/record-codec.ts';
import type { UnsignedRecord } from '../../../src/core/graph/security.ts';
import { newRecordId, signRecord, type RecordAuthor } from '../../../src/core/graph/signed-records.ts';
import { groupIdOf, newGroupKey, type GroupKey } from '../../../src/core/groups/group-key.ts';
import {
  GroupRecordTypes,
  reactionId,
  targetRecordId,
  writeData,
} from '../../../src/core/groups/group-records.ts';
import { GroupState } from '../../../src/core/groups/group-state.ts';
import {
  acceptInvitation,
  signInvitation,
  type Certificate,
  type Invitation,
  type SignedInvitation,
} from '../../../src/core/groups/invitation.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import type { GraphRecord, StoredRecord } from '../../../src/core/ports.ts';

// Shared builders for the group unit tests: identities, group keys, invitations, certificates
// and signed group records wrapped as the store keeps them. Every time is a fixed offset from
// `baseMs`, so a test reads as a timeline and never depends on the clock.

/** The epoch every test timeline starts from. */
export const baseMs = 1_700_000_000_000;
export const minuteMs = 60_000;
export const dayMs = 24 * 60 * minuteMs;
/** Far enough ahead that no record of a test expires. */
const lifetimeMs = 10 * 365 * dayMs;

/** A person in a test: a record author with a display name and a node id. */
export interface TestIdentity extends RecordAuthor {
  readonly name: string;
  readonly nodeId: string;
}

/** A fresh Ed25519 identity called `name`. */
export async function newIdentity(name: string): Promise<TestIdentity> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const identityId = await identityIdOf(publicKey);
  // Any `m` + 32 base32 characters is a well-formed node id; the identity's own are handy.
  return { name, identityId, publicKey, signingKey: privateKey, nodeId: `m${identityId.slice(0, 32)}` };
}

/** A group as its owner created it. */
export interface TestGroup {
  readonly key: GroupKey;
  readonly id: string;
  readonly owner: TestIdentity;
}

/** A new group owned by `owner`. */
export async function newTestGroup(owner: TestIdentity): Promise<TestGroup> {
  const key = newGroupKey(owner.publicKey);
  return { key, id: await groupIdOf(key), owner };
}

/** A fresh invitation id: 16 random bytes, base64url. */
export function newInvitationId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** An invitation to `group` by `inviter`: a member, valid for a day from `baseMs`, no use limit. */
export function invitationOf(
  group: TestGroup,
  inviter: TestIdentity,
  changes: Partial<Invitation> = {},
): Invitation {
  return {
    id: newInvitationId(),
    groupId: group.id,
    groupName: 'Test group',
    groupKey: group.key,
    role: 'member',
    inviterKey: inviter.publicKey,
    inviterName: inviter.name,
    createdAtMs: baseMs,
    expiresAtMs: baseMs + dayMs,
    maxUses: 0,
    note: 'welcome',
    nodes: [inviter.nodeId],
    ...changes,
  };
}

/** `invitationOf(...)`, signed by `inviter`. */
export function invite(
  group: TestGroup,
  inviter: TestIdentity,
  changes: Partial<Invitation> = {},
): Promise<SignedInvitation> {
  return signInvitation(invitationOf(group, inviter, changes), inviter.signingKey);
}

/** `member`'s certificate for `signed`, accepted at `baseMs + offsetMs`. */
export function accept(
  signed: SignedInvitation,
  member: TestIdentity,
  offsetMs: number,
): Promise<Certificate> {
  return acceptInvitation(signed, member, baseMs + offsetMs);
}

/** What a test may choose of a record; the rest takes defaults. */
export interface RecordChoice {
  readonly type: string;
  readonly id?: string;
  readonly data?: Uint8Array;
  readonly version?: number;
  /** Offset from `baseMs`. */
  readonly createdAtMs?: number;
  /** Offset from `baseMs`; the creation time by default. */
  readonly modifiedAtMs?: number;
  readonly deleted?: boolean;
  /** The creator when someone else signs this version (an edit of another's record). */
  readonly creator?: string;
}

/** A record of `group`'s graph signed by `author`. */
export function groupRecord(
  group: TestGroup,
  author: TestIdentity,
  choice: RecordChoice,
): Promise<GraphRecord> {
  const createdAtMs = baseMs + (choice.createdAtMs ?? 0);
  const deleted = choice.deleted ?? false;
  const unsigned: UnsignedRecord = {
    graphId: group.id,
    type: choice.type,
    id: choice.id ?? newRecordId(),
    version: choice.version ?? 1,
    creator: choice.creator ?? author.identityId,
    modifiedBy: author.identityId,
    signerKey: author.publicKey,
    createdAtMs,
    modifiedAtMs: choice.modifiedAtMs === undefined ? createdAtMs : baseMs + choice.modifiedAtMs,
    expiresAtMs: baseMs + lifetimeMs,
    deleted,
    attributes: {},
    data: deleted ? new Uint8Array() : (choice.data ?? new Uint8Array()),
  };
  return signRecord(author, unsigned);
}

/** `record` as the store keeps it: key, hash and size of its encoding. */
export function toStored(record: GraphRecord): StoredRecord {
  const encoded = encodeRecord(record);
  return { key: recordKey(record), record, hash: recordHash(encoded), bytes: encoded.length };
}

/** `groupRecord(...)` as stored. */
export async function storedGroupRecord(
  group: TestGroup,
  author: TestIdentity,
  choice: RecordChoice,
): Promise<StoredRecord> {
  return toStored(await groupRecord(group, author, choice));
}

/** `member`'s member record: name, node and, unless owner, a certificate. */
export function memberRecord(
  group: TestGroup,
  member: TestIdentity,
  certificate?: Certificate,
  choice: Partial<RecordChoice> = {},
): Promise<GraphRecord> {
  const data = writeData({
    n: member.name,
    node: member.nodeId,
    ...(certificate === undefined ? {} : { c: certificate }),
  });
  return groupRecord(group, member, {
    type: GroupRecordTypes.member,
    id: member.identityId,
    data,
    ...choice,
  });
}

/** `member` accepts `signed` at `baseMs + offsetMs` and writes its member record then. */
export async function join(
  group: TestGroup,
  signed: SignedInvitation,
  member: TestIdentity,
  offsetMs: number,
  choice: Partial<RecordChoice> = {},
): Promise<StoredRecord> {
  const certificate = await accept(signed, member, offsetMs);
  return toStored(await memberRecord(group, member, certificate, { createdAtMs: offsetMs, ...choice }));
}

/** An admin record of `type` about `targetId` (an identity or invitation id), at `offsetMs`. */
export function adminRecord(
  group: TestGroup,
  admin: TestIdentity,
  type: string,
  targetId: string,
  offsetMs: number,
  choice: Partial<RecordChoice> = {},
): Promise<GraphRecord> {
  return groupRecord(group, admin, {
    type,
    id: targetRecordId(type, targetId),
    data: writeData({}),
    createdAtMs: offsetMs,
    ...choice,
  });
}

/** `admin` gives `targetId` the role `role` (the record's version and times are the test's). */
export async function roleRecord(
  group: TestGroup,
  admin: TestIdentity,
  targetId: string,
  role: 'admin' | 'member',
  offsetMs: number,
  choice: Partial<RecordChoice> = {},
): Promise<StoredRecord> {
  const data = writeData({ r: role });
  return toStored(
    await adminRecord(group, admin, GroupRecordTypes.role, targetId, offsetMs, { data, ...choice }),
  );
}

/** `admin` removes `targetId` at `offsetMs`. */
export async function removalRecord(
  group: TestGroup,
  admin: TestIdentity,
  targetId: string,
  offsetMs: number,
): Promise<StoredRecord> {
  return toStored(await adminRecord(group, admin, GroupRecordTypes.removal, targetId, offsetMs));
}

/** `admin` revokes the invitation `invitationId` at `offsetMs`. */
export async function revocationRecord(
  group: TestGroup,
  admin: TestIdentity,
  invitationId: string,
  offsetMs: number,
): Promise<StoredRecord> {
  return toStored(await adminRecord(group, admin, GroupRecordTypes.revocation, invitationId, offsetMs));
}

/** The record `admin` publishes for its invitation `signed`, at `offsetMs`. */
export async function invitationRecord(
  group: TestGroup,
  admin: TestIdentity,
  signed: SignedInvitation,
  offsetMs: number,
): Promise<StoredRecord> {
  const data = writeData({ i: signed.body, s: signed.signature });
  return toStored(
    await adminRecord(group, admin, GroupRecordTypes.invitation, signed.invitation.id, offsetMs, { data }),
  );
}

/** A chat message by `author` whose chat time is `baseMs + atMs`, created then unless told. */
export function chatRecord(
  group: TestGroup,
  author: TestIdentity,
  text: string,
  atMs: number,
  choice: Partial<RecordChoice> = {},
): Promise<GraphRecord> {
  return groupRecord(group, author, {
    type: GroupRecordTypes.chat,
    data: writeData({ t: text, at: baseMs + atMs }),
    createdAtMs: atMs,
    ...choice,
  });
}

/** `author`'s reaction `emoji` to `messageKey`, on or off, as version `version`. */
export async function reactionRecord(
  group: TestGroup,
  author: TestIdentity,
  messageKey: string,
  emoji: string,
  on: boolean,
  version = 1,
): Promise<StoredRecord> {
  return storedGroupRecord(group, author, {
    type: GroupRecordTypes.reaction,
    id: reactionId(messageKey, emoji),
    data: writeData({ to: messageKey, e: emoji, on }),
    version,
    modifiedAtMs: version,
  });
}

/** `author`'s receipt: it has received the chat up to `baseMs + upToMs`. */
export function receiptRecord(
  group: TestGroup,
  author: TestIdentity,
  upToMs: number,
  version = 1,
): Promise<StoredRecord> {
  return storedGroupRecord(group, author, {
    type: GroupRecordTypes.receipt,
    id: 'receipt',
    data: writeData({ upTo: baseMs + upToMs }),
    version,
    modifiedAtMs: version,
  });
}

/** A state of `group` that took in `records`, in that order. */
export function stateOf(group: TestGroup, records: readonly StoredRecord[]): GroupState {
  const state = new GroupState(group.id, group.owner.identityId);
  for (const stored of records) state.apply(stored);
  return state;
}
