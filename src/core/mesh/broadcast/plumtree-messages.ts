import type { WireValue } from '../../wire/cbor.ts';
import {
  array,
  bytes,
  integer,
  literal,
  object,
  optional,
  parse,
  text,
  type Schema,
  type SchemaRejectReason,
} from '../../wire/schema.ts';
import { nodeIdPattern } from '../membership/messages.ts';

// The four Plumtree messages (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS
// 2007): GOSSIP carries a payload down the tree, IHAVE announces ids on the other links,
// GRAFT asks for ids and makes a link part of the tree, PRUNE takes it out. There is a tree
// per root (the node a payload started from, see tree-sets.ts), so GOSSIP and PRUNE name it;
// IHAVE and GRAFT need not, as the payload's holder knows its root. Bodies come from peers,
// so each is checked against its schema before the protocol looks at it.

/** Payload ids are 16 bytes: a truncated hash of the payload, named by the caller. */
export const payloadIdBytes = 16;

/**
 * The largest payload: a record is at most 64 KiB (DESIGN.md, Records). A GOSSIP message
 * therefore goes in a bulk frame, whose cap leaves room for this envelope around it.
 */
export const maxPayloadBytes = 64 * 1024;

/**
 * The most ids one IHAVE or GRAFT may carry. At about 30 bytes per announced id, 256 of them
 * stay well inside a 16 KiB control frame and the decoder's default item budget.
 */
export const maxIdsPerMessage = 256;

/**
 * An upper bound on the encoded size of one announcement (`{id, round}`: 30 bytes in CBOR),
 * for fitting announcements beside a payload in one frame.
 */
export const maxAnnouncementBytes = 32;

/**
 * The largest round (hops from the origin) accepted. Honest rounds stay below the overlay's
 * diameter; senders cap what they forward here rather than let the count overflow the schema.
 */
export const maxRound = 0xffff;

/** A payload pushed along `root`'s tree; `round` counts the hops it made before this one. */
export interface GossipMessage {
  readonly type: 'gossip';
  readonly id: Uint8Array;
  /** The node id of the node that broadcast the payload: names the tree it travels. */
  readonly root: string;
  readonly round: number;
  readonly payload: Uint8Array;
  /**
   * Announcements of other payloads riding along, as an IHAVE would carry them: a link that is
   * lazy in one root's tree is often eager in another's, so a frame is saved.
   */
  readonly ihave?: readonly Announcement[];
}

/** One id in an IHAVE, with the round the announcer would have forwarded it at. */
export interface Announcement {
  readonly id: Uint8Array;
  readonly round: number;
}

/** Lazy push: the sender holds these payloads and sends them on request. */
export interface IhaveMessage {
  readonly type: 'ihave';
  readonly ids: readonly Announcement[];
}

/** Asks for `ids`; the answers put the link back in their roots' trees at both ends. */
export interface GraftMessage {
  readonly type: 'graft';
  readonly ids: readonly Uint8Array[];
}

/** The sender got a duplicate of a payload of `root` over this link: both ends make it lazy in that tree. */
export interface PruneMessage {
  readonly type: 'prune';
  readonly root: string;
}

/** Every Plumtree message. */
export type PlumtreeMessage = GossipMessage | IhaveMessage | GraftMessage | PruneMessage;

/** The type tags of Plumtree messages. */
export type PlumtreeMessageType = PlumtreeMessage['type'];

const idSchema = bytes({ length: payloadIdBytes });
const roundSchema = integer({ min: 0, max: maxRound });
const announcementsSchema = array(object({ id: idSchema, round: roundSchema }), {
  minItems: 1,
  maxItems: maxIdsPerMessage,
});
const rootSchema = text({ minLength: 1, maxLength: 64, pattern: nodeIdPattern });

const schemas: { readonly [T in PlumtreeMessageType]: Schema<Extract<PlumtreeMessage, { type: T }>> } = {
  gossip: object({
    type: literal('gossip'),
    id: idSchema,
    root: rootSchema,
    round: roundSchema,
    payload: bytes({ minLength: 1, maxLength: maxPayloadBytes }),
    ihave: optional(announcementsSchema),
  }),
  // An empty IHAVE announces nothing: only a peer that wastes frames would send one.
  ihave: object({ type: literal('ihave'), ids: announcementsSchema }),
  graft: object({
    type: literal('graft'),
    ids: array(idSchema, { minItems: 1, maxItems: maxIdsPerMessage }),
  }),
  prune: object({ type: literal('prune'), root: rootSchema }),
};

/** Why a received value is not a Plumtree message. */
export type PlumtreeParseRejection = 'unknown-type' | `bad-message:${SchemaRejectReason}`;

/** The outcome of `parsePlumtreeMessage`. */
export type PlumtreeParseResult =
  | { readonly ok: true; readonly message: PlumtreeMessage }
  | { readonly ok: false; readonly reason: PlumtreeParseRejection };

function isMessageType(type: unknown): type is PlumtreeMessageType {
  return typeof type === 'string' && Object.hasOwn(schemas, type);
}

/** Checks a decoded body against the schema its `type` names. Never throws. */
export function parsePlumtreeMessage(body: WireValue): PlumtreeParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return { ok: false, reason: 'bad-message:wrong-type' };
  }
  const record = body as { readonly [key: string]: WireValue };
  const type = Object.hasOwn(record, 'type') ? record['type'] : undefined;
  if (!isMessageType(type)) return { ok: false, reason: 'unknown-type' };
  const schema: Schema<PlumtreeMessage> = schemas[type];
  const result = parse(schema, body);
  return result.ok
    ? { ok: true, message: result.value }
    : { ok: false, reason: `bad-message:${result.reason}` };
}

function announcementsBody(announcements: readonly Announcement[]): WireValue {
  return announcements.map(({ id, round }) => ({ id, round }));
}

/**
 * How many announcements may ride along with a payload of `payloadBytes`: as many as keep the
 * two together within `maxPayloadBytes`, so the frame stays within the bulk cap.
 */
export function announcementRoom(payloadBytes: number): number {
  return Math.max(
    0,
    Math.min(maxIdsPerMessage, Math.floor((maxPayloadBytes - payloadBytes) / maxAnnouncementBytes)),
  );
}

/**
 * The body of `message` as it goes on the wire. A GOSSIP can be up to 64 KiB and needs a
 * bulk frame; the others fit a control frame.
 */
export function plumtreeBody(message: PlumtreeMessage): WireValue {
  switch (message.type) {
    case 'gossip': {
      const { type, id, root, round, payload, ihave } = message;
      const body = { type, id, root, round, payload };
      return ihave === undefined ? body : { ...body, ihave: announcementsBody(ihave) };
    }
    case 'ihave':
      return { type: message.type, ids: announcementsBody(message.ids) };
    case 'graft':
      return { type: message.type, ids: [...message.ids] };
    case 'prune':
      return { type: message.type, root: message.root };
  }
}
