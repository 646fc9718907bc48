import type { WireValue } from '../wire/cbor.ts';
import {
  array,
  boolean,
  bytes,
  integer,
  literal,
  object,
  oneOf,
  optional,
  text,
  type Infer,
  type Schema,
} from '../wire/schema.ts';
import { graphIdPattern, maxRecordBytes, recordHashBytes } from './record-codec.ts';

/** The protocol every graph of a node shares on the mesh's sessions. */
export const graphProtocol = 'mycel/graph/1';

/** Ids a `want` asks for at once: one answer fits in a few bulk frames. */
export const maxWantIds = 128;

/** Ids an `offer` carries: 512 × 16 bytes stays well inside a control frame. */
export const maxOfferIds = 512;

/** Encoded records of one `records` frame; the frame cap bounds their bytes. */
export const maxRecordsPerFrame = 256;

/** A hello's credential record: it rides in a control frame, so well inside 16 KiB. */
export const maxCredentialBytes = 8 * 1024;

/** Application bytes of one `direct` frame, leaving room for the envelope in a bulk frame. */
export const maxDirectBytes = 60 * 1024;

/**
 * A body another module checks with its own schema (Plumtree, reconciliation): the frame
 * decoder has already bounded its size, depth and items.
 */
const nested: Schema<WireValue> = { check: (value, _path) => ({ ok: true, value: value as WireValue }) };

const graphId = text({ maxLength: 64, minLength: 1, pattern: graphIdPattern });
const hash = bytes({ length: recordHashBytes });
const seq = integer({ min: 0, max: 2 ** 31 - 1 });
const encodedRecord = bytes({ minLength: 1, maxLength: maxRecordBytes });

/** Every message of the graph protocol: an envelope naming the graph, and one of the parts. */
export const graphMessage = oneOf(
  // `reply` tells a first hello from the answer to one, so each side answers once; `cred` is
  // the sender's credential record (`SecurityProvider.credential`), if its graph has one.
  object({
    g: graphId,
    t: literal('hello'),
    reply: boolean(),
    cred: optional(bytes({ minLength: 1, maxLength: maxCredentialBytes })),
  }),
  object({ g: graphId, t: literal('bye') }),
  // The answer to a hello the provider did not authorize, with why (its credential's refusal).
  object({
    g: graphId,
    t: literal('refused'),
    reason: text({ maxLength: 64, pattern: /^[a-z0-9:-]{1,64}$/ }),
  }),
  object({ g: graphId, t: literal('tree'), m: nested }),
  // `own`: the round is one the sender started (each side numbers its own rounds).
  object({ g: graphId, t: literal('sync'), round: seq, own: boolean(), m: nested }),
  object({ g: graphId, t: literal('synced'), round: seq, own: boolean() }),
  object({ g: graphId, t: literal('offer'), ids: array(hash, { maxItems: maxOfferIds, minItems: 1 }) }),
  object({ g: graphId, t: literal('want'), seq, ids: array(hash, { maxItems: maxWantIds, minItems: 1 }) }),
  object({
    g: graphId,
    t: literal('records'),
    seq,
    records: array(encodedRecord, { maxItems: maxRecordsPerFrame }),
    last: boolean(),
  }),
  object({ g: graphId, t: literal('direct'), data: bytes({ maxLength: maxDirectBytes }) }),
);

/** A checked message of the graph protocol. */
export type GraphMessage = Infer<typeof graphMessage>;

/** A graph message without its graph id, as a graph composes it. */
export type GraphPart = GraphMessage extends infer M
  ? M extends { g: string }
    ? Omit<M, 'g'>
    : never
  : never;

/** Reads the graph id of a body before it is fully checked, to find the graph it is for. */
export function graphIdOf(body: WireValue): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    return undefined;
  }
  const id = (body as { readonly [key: string]: WireValue }).g;
  return typeof id === 'string' && graphIdPattern.test(id) ? id : undefined;
}
