import type { WireValue } from '../../wire/cbor.ts';
import { decodeFrame, encodeFrame, type FrameRejectReason } from '../../wire/frame.ts';
import {
  array,
  boolean,
  integer,
  literal,
  object,
  parse,
  text,
  type ParseResult,
  type Schema,
  type SchemaRejectReason,
} from '../../wire/schema.ts';

// The HyParView messages (Leitão, Pereira, Rodrigues, "HyParView: a membership protocol for
// reliable gossip-based broadcast", DSN 2007, §4), one small control frame each. A peer may
// send anything, so every body is checked against its schema before the node looks at it.

/** Protocol name of membership frames on the shared channel. */
export const membershipProtocol = 'mycel/membership';

/** Node ids as the transport knows them: short, URL-safe, never empty. */
export const nodeIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** The largest shuffle sample accepted: ka + kp is 7 by default; twice that leaves room. */
export const maxShuffleSampleSize = 16;

/**
 * The largest time-to-live a random walk may carry. Honest walks start at ARWL (6 by default);
 * a cap keeps a hostile walk from bouncing through the overlay for long.
 */
export const maxWalkLength = 16;

/** Whether `id` is a well-formed node id. */
export function isNodeId(id: string): boolean {
  return nodeIdPattern.test(id);
}

const nodeIdSchema = text({ minLength: 1, maxLength: 64, pattern: nodeIdPattern });
const ttlSchema = integer({ min: 0, max: maxWalkLength });
const sampleSchema = array(nodeIdSchema, { maxItems: maxShuffleSampleSize });
const nonceSchema = integer({ min: 0, max: 0xffff_ffff });

/** Exactly one of `options`, for enumerated text such as a priority. */
function oneOf<const T extends string>(options: readonly T[]): Schema<T> {
  return {
    check: (value, path): ParseResult<T> => {
      const match = options.find((option) => option === value);
      return match === undefined ? { ok: false, reason: 'no-match', path } : { ok: true, value: match };
    },
  };
}

/** Priority of a NEIGHBOR request: `high` must be accepted (the asker has no neighbour left). */
export type NeighborPriority = 'high' | 'low';

const schemas = {
  join: object({ type: literal('join') }),
  'forward-join': object({ type: literal('forward-join'), node: nodeIdSchema, ttl: ttlSchema }),
  neighbor: object({ type: literal('neighbor'), priority: oneOf<NeighborPriority>(['high', 'low']) }),
  'neighbor-reply': object({ type: literal('neighbor-reply'), accepted: boolean() }),
  disconnect: object({ type: literal('disconnect') }),
  shuffle: object({
    type: literal('shuffle'),
    origin: nodeIdSchema,
    ttl: ttlSchema,
    nonce: nonceSchema,
    sample: sampleSchema,
  }),
  'shuffle-reply': object({
    type: literal('shuffle-reply'),
    origin: nodeIdSchema,
    nonce: nonceSchema,
    sample: sampleSchema,
  }),
} as const;

/** A new node asks its contact to take it into its active view. */
export interface JoinMessage {
  readonly type: 'join';
}
/** A random walk announcing `node`, which joined through the sender's neighbourhood. */
export interface ForwardJoinMessage {
  readonly type: 'forward-join';
  readonly node: string;
  readonly ttl: number;
}
/** A request to become active neighbours over the link it arrives on. */
export interface NeighborMessage {
  readonly type: 'neighbor';
  readonly priority: NeighborPriority;
}
/** The answer to a NEIGHBOR request, on the same link. */
export interface NeighborReplyMessage {
  readonly type: 'neighbor-reply';
  readonly accepted: boolean;
}
/** The sender drops the receiver from its active view; the link closes after it. */
export interface DisconnectMessage {
  readonly type: 'disconnect';
}
/** A random walk carrying `origin`'s sample of its views, to refresh passive views. */
export interface ShuffleMessage {
  readonly type: 'shuffle';
  readonly origin: string;
  readonly ttl: number;
  /** Drawn by the origin and echoed in the reply, so only the walk's end can answer it. */
  readonly nonce: number;
  readonly sample: readonly string[];
}
/**
 * The answer to a shuffle: a sample of the walk's last node's passive view, sent back along
 * the walk to `origin`, hop by hop over active links.
 */
export interface ShuffleReplyMessage {
  readonly type: 'shuffle-reply';
  readonly origin: string;
  readonly nonce: number;
  readonly sample: readonly string[];
}

/** Every membership message. */
export type MembershipMessage =
  | JoinMessage
  | ForwardJoinMessage
  | NeighborMessage
  | NeighborReplyMessage
  | DisconnectMessage
  | ShuffleMessage
  | ShuffleReplyMessage;

/** The type tags of membership messages. */
export type MembershipMessageType = MembershipMessage['type'];

/** Why a received frame was refused at decoding, before any state was touched. */
export type MembershipDecodeRejection =
  FrameRejectReason | 'wrong-protocol' | 'wrong-kind' | 'unknown-type' | `bad-message:${SchemaRejectReason}`;

/** The outcome of `decodeMembershipFrame`. */
export type MembershipDecodeResult =
  | { readonly ok: true; readonly message: MembershipMessage }
  | { readonly ok: false; readonly reason: MembershipDecodeRejection };

function isMessageType(type: unknown): type is MembershipMessageType {
  return typeof type === 'string' && Object.hasOwn(schemas, type);
}

/** Checks a decoded body against the schema its `type` names. Never throws. */
export function parseMembershipMessage(body: WireValue): MembershipDecodeResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return { ok: false, reason: 'bad-message:wrong-type' };
  }
  const record = body as { readonly [key: string]: WireValue };
  const type = Object.hasOwn(record, 'type') ? record['type'] : undefined;
  if (!isMessageType(type)) return { ok: false, reason: 'unknown-type' };
  const schema: Schema<MembershipMessage> = schemas[type];
  const result = parse(schema, body);
  return result.ok
    ? { ok: true, message: result.value }
    : { ok: false, reason: `bad-message:${result.reason}` };
}

/** Reads one membership frame from a peer: envelope, protocol, kind, then schema. Never throws. */
export function decodeMembershipFrame(bytes: Uint8Array): MembershipDecodeResult {
  // Membership bodies are flat maps with one small array: a shallow, small decode is enough.
  const decoded = decodeFrame(bytes, { maxDepth: 3, maxItems: 2 * maxShuffleSampleSize });
  if (!decoded.ok) return { ok: false, reason: decoded.reason };
  if (decoded.frame.protocol !== membershipProtocol) return { ok: false, reason: 'wrong-protocol' };
  if (decoded.frame.kind !== 'control') return { ok: false, reason: 'wrong-kind' };
  return parseMembershipMessage(decoded.frame.body);
}

/** The body of `message` as it goes on the wire. */
export function membershipBody(message: MembershipMessage): WireValue {
  switch (message.type) {
    case 'join':
    case 'disconnect':
      return { type: message.type };
    case 'forward-join':
      return { type: message.type, node: message.node, ttl: message.ttl };
    case 'neighbor':
      return { type: message.type, priority: message.priority };
    case 'neighbor-reply':
      return { type: message.type, accepted: message.accepted };
    case 'shuffle':
      return {
        type: message.type,
        origin: message.origin,
        ttl: message.ttl,
        nonce: message.nonce,
        sample: [...message.sample],
      };
    case 'shuffle-reply':
      return {
        type: message.type,
        origin: message.origin,
        nonce: message.nonce,
        sample: [...message.sample],
      };
  }
}

/** The frame bytes of `message`, as a control frame of `mycel/membership`. */
export function encodeMembershipFrame(message: MembershipMessage): Uint8Array<ArrayBuffer> {
  return encodeFrame({ protocol: membershipProtocol, kind: 'control', body: membershipBody(message) });
}
