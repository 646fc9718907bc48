import { MycelError } from '../../lib/errors.ts';
import { encodeCbor, type WireValue } from '../wire/cbor.ts';
import {
  bytes,
  integer,
  literal,
  object,
  parse,
  text,
  type Infer,
  type Schema,
  type SchemaRejectReason,
} from '../wire/schema.ts';
import type { CollabCarrier } from './collab-types.ts';
import { maxCardBytes } from './contact-card.ts';
import { maxPresenceTextLength, presenceStatuses, oneLineTextPattern } from './presence-status.ts';

// The messages of `mycel/collab/1`, one small map each, told apart by `t`. They come straight
// from a peer's node, so each is held to a size cap and its schema before anything looks at it.

/** The protocol name collab messages travel under. */
export const collabProtocol = 'mycel/collab/1';

/** The largest collab body: an invitation with its join link and card is about 3.5 KiB. */
export const maxCollabBodyBytes = 4 * 1024;

/** The longest group name an invitation carries, as group invitations cap it. */
export const maxInvitedGroupNameLength = 64;

/** The longest join link an invitation carries. */
export const maxInvitationLinkLength = 4096;

/** Invitation ids: 16 random bytes. */
export const invitationIdBytes = 16;

const maxTimeMs = 2 ** 47;
const ms = integer({ min: 0, max: maxTimeMs });
const invitationId = bytes({ length: invitationIdBytes });
const card = bytes({ minLength: 1, maxLength: maxCardBytes });

/** Exactly one of `options`, for enumerated text such as a status. */
function textOneOf<const T extends string>(options: readonly T[]): Schema<T> {
  return {
    check: (value, path) => {
      const match = options.find((option) => option === value);
      return match === undefined ? { ok: false, reason: 'no-match', path } : { ok: true, value: match };
    },
  };
}

/**
 * The messages, by `t`:
 * - `watch`: the sender wants this node's presence for a lease of 90 s (renewed every 60 s);
 * - `unwatch`: it no longer does;
 * - `presence`: the sender's status `s`, text `x`, set at `a`; sent at once on `watch` and on
 *   every change, to every watcher with a live lease;
 * - `refused`: the sender will not tell this node its presence (not a contact, or blocked);
 * - `invite`: an invitation `i` into the group named `g`, joined with link `l`, until `x`,
 *   from the owner of card `c`;
 * - `answer`: the invitee's answer `a` to invitation `i`;
 * - `nearby-bye`: the sender left "people nearby";
 * - `card`: the sender's contact card `c`, sent from "people nearby".
 */
const schemas = {
  watch: object({ t: literal('watch') }),
  unwatch: object({ t: literal('unwatch') }),
  presence: object({
    t: literal('presence'),
    s: textOneOf(presenceStatuses),
    x: text({ maxLength: maxPresenceTextLength, pattern: oneLineTextPattern }),
    a: ms,
  }),
  refused: object({ t: literal('refused') }),
  invite: object({
    t: literal('invite'),
    i: invitationId,
    g: text({ minLength: 1, maxLength: maxInvitedGroupNameLength, pattern: oneLineTextPattern }),
    l: text({ minLength: 1, maxLength: maxInvitationLinkLength, pattern: /^\S+$/ }),
    x: ms,
    c: card,
  }),
  answer: object({ t: literal('answer'), i: invitationId, a: textOneOf(['accepted', 'declined'] as const) }),
  'nearby-bye': object({ t: literal('nearby-bye') }),
  card: object({ t: literal('card'), c: card }),
} as const;

type Schemas = typeof schemas;

/** The type tags of collab messages. */
export type CollabMessageType = keyof Schemas;

/** The collab message tagged `T`. */
export type CollabMessageOf<T extends CollabMessageType> = Infer<Schemas[T]>;

/** Every collab message. */
export type CollabMessage = { [T in CollabMessageType]: CollabMessageOf<T> }[CollabMessageType];

/** Why a body was refused before any state was looked at. */
export type CollabParseRejection = 'too-large' | 'unknown-type' | `bad-message:${SchemaRejectReason}`;

function isMessageType(type: unknown): type is CollabMessageType {
  return typeof type === 'string' && Object.hasOwn(schemas, type);
}

/** Checks a received body: its type tag, its schema, then its size. Never throws. */
export function parseCollabMessage(
  body: WireValue,
): { ok: true; message: CollabMessage } | { ok: false; reason: CollabParseRejection } {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return { ok: false, reason: 'bad-message:wrong-type' };
  }
  const record = body as { readonly [key: string]: WireValue };
  const type = Object.hasOwn(record, 't') ? record['t'] : undefined;
  if (!isMessageType(type)) return { ok: false, reason: 'unknown-type' };
  const schema: Schema<CollabMessage> = schemas[type];
  const parsed = parse(schema, body);
  if (!parsed.ok) return { ok: false, reason: `bad-message:${parsed.reason}` };
  // The schema bounds every field, so this encoding is small; it is the size the body had on the wire.
  return encodedSize(parsed.value) > maxCollabBodyBytes
    ? { ok: false, reason: 'too-large' }
    : { ok: true, message: parsed.value };
}

function encodedSize(message: CollabMessage): number {
  try {
    return encodeCbor(message).length;
  } catch {
    // Only a body built in this page (never one decoded from the wire) can fail to encode.
    return Infinity;
  }
}

/**
 * Sends `body` to the first of `endpoints` that takes it, in order; resolves with that node
 * id. Rejects with `UnreachableError` when none does (or there is none), the last failure as
 * its cause.
 */
export async function sendToFirst(
  carrier: CollabCarrier,
  endpoints: readonly string[],
  body: CollabMessage,
): Promise<string> {
  let failure: unknown;
  for (const nodeId of endpoints) {
    try {
      await carrier.send(nodeId, body);
      return nodeId;
    } catch (error) {
      failure = error;
    }
  }
  throw new UnreachableError(failure);
}

/** None of a person's nodes could be reached: they are offline, or their name did not resolve. */
export class UnreachableError extends MycelError {
  override name = 'UnreachableError';

  constructor(cause?: unknown) {
    super(
      'This person cannot be reached now.',
      cause === undefined
        ? { hint: 'They may be offline; try again when they are online.' }
        : { hint: 'They may be offline; try again when they are online.', cause },
    );
  }
}

/** Refusals only a faulty or hostile sender causes: malformed, oversize, forged or mismatched. */
const senderFaults = new Set(['unknown-type', 'too-large', 'card-mismatch']);

/**
 * Whether a refusal of `receive` is the sender's fault, and worth reporting to its link (which
 * closes after too many). The others (a watcher who is not a contact, a late answer, a rate
 * limit, an expired invitation) come from honest peers too, and must not cost them the link.
 */
export function isSenderFault(reason: string): boolean {
  return reason.startsWith('bad-') || senderFaults.has(reason);
}
