import { nodeIdPattern } from '../identity/ids.ts';
import type { WireValue } from '../wire/cbor.ts';
import {
  array,
  boolean,
  bytes,
  integer,
  literal,
  object,
  optional,
  parse,
  text,
  type Infer,
  type Schema,
} from '../wire/schema.ts';
import { dhtIdBytes } from './dht-id.ts';

// The messages of the names DHT, one small control frame each: a lookup step (find/found), a
// store and its acknowledgement, and a liveness probe. Requests carry a random id `r` that the
// answer echoes, so an answer is matched to the request by (sender, r). Every field is capped:
// any node may send anything.

/** Protocol name of DHT frames on the mesh's shared channel. */
export const dhtProtocol = 'mycel/names/1';

/** Contacts one `found` may list; more is refused outright (`too-many-contacts`). */
export const maxContactsPerReply = 20;

/** Largest value the protocol carries, in bytes. */
export const maxDhtValueBytes = 2048;

/** Values one `found` may carry: a key holds at most this many slots. */
export const maxValuesPerReply = 32;

/**
 * Bytes of values a node puts in one `found`: with 20 contacts and CBOR overhead the frame
 * stays under 13 KiB, well inside the 16 KiB control-frame cap (DESIGN.md, Frames).
 */
export const maxReplyValueBytes = 12 * 1024;

/** Longest refusal reason a `stored` may carry. */
export const maxReasonLength = 64;

const requestId = integer({ min: 0, max: 0xffff_ffff });
const key = bytes({ length: dhtIdBytes });
const nodeId = text({ minLength: 33, maxLength: 33, pattern: nodeIdPattern });
const value = bytes({ minLength: 1, maxLength: maxDhtValueBytes });

const schemas = {
  find: object({ t: literal('find'), r: requestId, k: key, v: boolean() }),
  found: object({
    t: literal('found'),
    r: requestId,
    c: array(nodeId, { maxItems: maxContactsPerReply }),
    vs: optional(array(value, { maxItems: maxValuesPerReply })),
  }),
  store: object({ t: literal('store'), r: requestId, k: key, v: value }),
  stored: object({
    t: literal('stored'),
    r: requestId,
    ok: boolean(),
    why: optional(text({ minLength: 1, maxLength: maxReasonLength })),
  }),
  ping: object({ t: literal('ping'), r: requestId }),
  pong: object({ t: literal('pong'), r: requestId }),
} as const;

/** A lookup step: "who is closer to `k`?" and, when `v`, "what do you hold for `k`?". */
export type FindMessage = Infer<typeof schemas.find>;
/** The answer to a find: closer contacts `c`, and the values held for the key when asked. */
export type FoundMessage = Infer<typeof schemas.found>;
/** Asks the receiver to hold value `v` for key `k`. */
export type StoreMessage = Infer<typeof schemas.store>;
/** The answer to a store: `ok`, or the reason it was refused. */
export type StoredMessage = Infer<typeof schemas.stored>;
/** A liveness probe, sent to a bucket's oldest contact before it is replaced. */
export type PingMessage = Infer<typeof schemas.ping>;
/** The answer to a ping. */
export type PongMessage = Infer<typeof schemas.pong>;

/** Every DHT message. */
export type DhtMessage =
  FindMessage | FoundMessage | StoreMessage | StoredMessage | PingMessage | PongMessage;

/** The type tags of DHT messages. */
export type DhtMessageType = DhtMessage['t'];

/** The answers, which must match a request this node sent. */
export type DhtResponse = FoundMessage | StoredMessage | PongMessage;

/**
 * Why a body was refused before any state was touched. The common abuses get their own
 * reason so they can be counted apart from plain garbage.
 */
export type DhtMessageRejection =
  'bad-message' | 'too-many-contacts' | 'bad-contact' | 'value-too-large' | 'too-many-values';

/** The outcome of `parseDhtMessage`. */
export type DhtParseResult =
  | { readonly ok: true; readonly message: DhtMessage }
  | { readonly ok: false; readonly reason: DhtMessageRejection };

function isMessageType(type: unknown): type is DhtMessageType {
  return typeof type === 'string' && Object.hasOwn(schemas, type);
}

function rejectionOf(reason: string, path: string): DhtMessageRejection {
  if (path === '$.c' && reason === 'too-long') return 'too-many-contacts';
  if (path.startsWith('$.c[')) return 'bad-contact';
  if (path === '$.vs' && reason === 'too-long') return 'too-many-values';
  if ((path === '$.v' || path.startsWith('$.vs[')) && reason === 'too-long') return 'value-too-large';
  return 'bad-message';
}

/** Checks a decoded body against the schema its `t` names. Never throws. */
export function parseDhtMessage(body: WireValue): DhtParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return { ok: false, reason: 'bad-message' };
  }
  const record = body as { readonly [key: string]: WireValue };
  const type = Object.hasOwn(record, 't') ? record['t'] : undefined;
  if (!isMessageType(type)) return { ok: false, reason: 'bad-message' };
  const schema: Schema<DhtMessage> = schemas[type];
  const result = parse(schema, body);
  return result.ok
    ? { ok: true, message: result.value }
    : { ok: false, reason: rejectionOf(result.reason, result.path) };
}

/** Whether `message` answers a request (and so must match one). */
export function isDhtResponse(message: DhtMessage): message is DhtResponse {
  return message.t === 'found' || message.t === 'stored' || message.t === 'pong';
}

/** The body of `message` as it goes on the wire. */
export function dhtBody(message: DhtMessage): WireValue {
  switch (message.t) {
    case 'find':
      return { t: message.t, r: message.r, k: message.k, v: message.v };
    case 'found':
      return message.vs === undefined
        ? { t: message.t, r: message.r, c: [...message.c] }
        : { t: message.t, r: message.r, c: [...message.c], vs: [...message.vs] };
    case 'store':
      return { t: message.t, r: message.r, k: message.k, v: message.v };
    case 'stored':
      return message.why === undefined
        ? { t: message.t, r: message.r, ok: message.ok }
        : { t: message.t, r: message.r, ok: message.ok, why: message.why };
    case 'ping':
    case 'pong':
      return { t: message.t, r: message.r };
  }
}
