import { sha256 } from '@noble/hashes/sha2.js';
import type { RecordStore, StoredRecord } from '../ports.ts';
import { toBase64Url, utf8 } from '../../lib/bytes.ts';
import { nodeIdPattern } from '../identity/ids.ts';
import { encodeCbor } from '../wire/cbor.ts';
import {
  boolean,
  integer,
  literal,
  object,
  oneOf,
  optional,
  text,
  type Infer,
  type Schema,
} from '../wire/schema.ts';
import { certificateSchema, decodeChecked, maxGroupNameLength, maxInvitationBytes } from './invitation.ts';
import { bytes } from '../wire/schema.ts';
import { signatureBytes } from '../crypto/ed25519.ts';
import { maxRecordBytes } from '../graph/record-codec.ts';
import { hashBytes, maxBlocks, maxFileBytes } from '../dist/content-info.ts';

// The record types of a group's graph and the CBOR data each carries. Admin types need an
// admin's signature; member types a valid membership; everyone writes only their own records.

export const GroupRecordTypes = {
  /** Name, description and colour; the newest by any admin counts. Admin. */
  info: 'mycel/group',
  /** A member's name, node and certificate; id = the member's identity id. Their own. */
  member: 'mycel/member',
  /** An open invitation, so admins see what is out; id = the invitation id. Admin. */
  invitation: 'mycel/invitation',
  /** Withdraws an invitation; id = the invitation id. Admin. */
  revocation: 'mycel/revocation',
  /** Makes a member admin or member; id = the member's identity id. Admin. */
  role: 'mycel/role',
  /** Removes a member; id = the member's identity id. Admin. */
  removal: 'mycel/removal',
  /** A chat message. Member. */
  chat: 'mycel/chat',
  /** A reaction to a message; id derived from message and emoji (`reactionId`). Member. */
  reaction: 'mycel/reaction',
  /** How far this member has received the chat; one per member, id `receipt`. Member. */
  receipt: 'mycel/receipt',
  /** A shared file's content information; id = its content id. Member. */
  file: 'mycel/file',
  /** That this member holds blocks of a file (all, or some); id = the content id. Member. */
  holding: 'mycel/holding',
} as const;

export const adminRecordTypes: ReadonlySet<string> = new Set([
  GroupRecordTypes.info,
  GroupRecordTypes.invitation,
  GroupRecordTypes.revocation,
  GroupRecordTypes.role,
  GroupRecordTypes.removal,
]);

export const maxMessageLength = 4000;
export const maxDescriptionLength = 500;
const maxDisplayNameLength = 64;
const maxTimeMs = 2 ** 47;
/** A record key (`creator/id`): an identity id, a slash, a record id. */
const recordKeyText = text({ maxLength: 120, pattern: /^[a-z2-7]{52}\/[A-Za-z0-9_-]{1,64}$/ });

export const infoData = object({
  n: text({ maxLength: maxGroupNameLength, minLength: 1 }),
  d: text({ maxLength: maxDescriptionLength }),
  c: text({ maxLength: 7, pattern: /^#[0-9a-f]{6}$/ }),
});
export const memberData = object({
  n: text({ maxLength: maxDisplayNameLength, minLength: 1 }),
  node: text({ maxLength: 33, pattern: nodeIdPattern }),
  c: optional(certificateSchema),
});
export const invitationData = object({
  i: bytes({ minLength: 1, maxLength: maxInvitationBytes }),
  s: bytes({ length: signatureBytes }),
});
export const roleData = object({ r: oneOf(literal('member'), literal('admin')) });
export const emptyData = object({});
export const chatData = object({
  t: text({ maxLength: maxMessageLength, minLength: 1 }),
  /** The message's place in the chat: its author's clock, never behind what they had seen. */
  at: integer({ min: 0, max: maxTimeMs }),
  r: optional(recordKeyText),
  /** The key of the `mycel/file` record of a file shared with the message. */
  f: optional(recordKeyText),
});
export const reactionData = object({
  to: recordKeyText,
  e: text({ maxLength: 16, minLength: 1 }),
  on: boolean(),
});
export const receiptData = object({ upTo: integer({ min: 0, max: maxTimeMs }) });
/** The longest image thumbnail a file record may carry. */
export const maxThumbnailBytes = 16 * 1024;
export const fileData = object({
  n: text({ maxLength: 255, minLength: 1 }),
  m: text({ maxLength: 127, pattern: /^[a-z0-9.+-]+\/[a-z0-9.+-]+$|^$/ }),
  s: integer({ min: 1, max: maxFileBytes }),
  h: bytes({ minLength: hashBytes, maxLength: maxBlocks * hashBytes }),
  r: bytes({ length: hashBytes }),
  th: optional(bytes({ minLength: 1, maxLength: maxThumbnailBytes })),
});
/** Whether this member holds some, all or none (any more) of a file. */
export const holdingData = object({ s: oneOf(literal('partial'), literal('complete'), literal('none')) });

export type InfoData = Infer<typeof infoData>;
export type MemberData = Infer<typeof memberData>;
export type ChatData = Infer<typeof chatData>;
export type ReactionData = Infer<typeof reactionData>;
export type FileData = Infer<typeof fileData>;

/** The data schema of each group record type. */
export const dataSchemas: Readonly<Record<string, Schema<unknown>>> = {
  [GroupRecordTypes.info]: infoData,
  [GroupRecordTypes.member]: memberData,
  [GroupRecordTypes.invitation]: invitationData,
  [GroupRecordTypes.revocation]: emptyData,
  [GroupRecordTypes.role]: roleData,
  [GroupRecordTypes.removal]: emptyData,
  [GroupRecordTypes.chat]: chatData,
  [GroupRecordTypes.reaction]: reactionData,
  [GroupRecordTypes.receipt]: receiptData,
  [GroupRecordTypes.file]: fileData,
  [GroupRecordTypes.holding]: holdingData,
};

/** Record data of a group type, decoded and checked; undefined if malformed. */
export function readData<T>(schema: Schema<T>, data: Uint8Array): T | undefined {
  return decodeChecked(data, schema, maxRecordBytes);
}

/** Encodes record data. */
export function writeData(value: Parameters<typeof encodeCbor>[0]): Uint8Array<ArrayBuffer> {
  return encodeCbor(value);
}

/** Record id prefixes of admin records about someone or something, so one admin's role, removal
 * and revocation records never share a key (`creator/id`) with each other or an invitation. */
const targetPrefixes: Readonly<Record<string, string>> = {
  [GroupRecordTypes.role]: 'role-',
  [GroupRecordTypes.removal]: 'removal-',
  [GroupRecordTypes.revocation]: 'revoke-',
};

/** The record id of an admin record of `type` about `target` (an identity or invitation id). */
export function targetRecordId(type: string, target: string): string {
  return `${targetPrefixes[type] ?? ''}${target}`;
}

/** The identity or invitation id an admin record of `type` is about; undefined if its id is wrong. */
export function targetOf(type: string, recordId: string): string | undefined {
  const prefix = targetPrefixes[type] ?? '';
  return recordId.startsWith(prefix) && recordId.length > prefix.length
    ? recordId.slice(prefix.length)
    : undefined;
}

/** The record id of one member's reaction `emoji` to a message: one record per pair. */
export function reactionId(messageKey: string, emoji: string): string {
  return toBase64Url(sha256(utf8(`${messageKey}\u0000${emoji}`)).subarray(0, 16));
}

/** Every record of a graph, a page at a time. */
export async function* allRecords(store: RecordStore, graphId: string): AsyncGenerator<StoredRecord> {
  let page = await store.query(graphId, { limit: 1000, includeDeleted: true });
  for (;;) {
    yield* page.records;
    if (page.next === undefined) return;
    page = await store.query(graphId, { limit: 1000, includeDeleted: true, after: page.next });
  }
}
