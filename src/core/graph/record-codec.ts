import { sha256 } from '@noble/hashes/sha2.js';
import { MycelError } from '../../lib/errors.ts';
import { identityIdPattern } from '../identity/ids.ts';
import type { GraphRecord, StoredRecord } from '../ports.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import { WireDecodeError } from '../wire/errors.ts';
import { boolean, bytes, dictionary, integer, object, oneOf, parse, text } from '../wire/schema.ts';
import type { UnsignedRecord } from './security.ts';

// The one encoding of a graph record. Records are signed over these bytes, named on the wire by
// their hash and stored as they came, so every node must produce and accept exactly the same
// bytes: deterministic CBOR (cbor.ts), every field always present, nothing else allowed.
//
// Field names on the wire are short, since a record crosses every link of a graph:
//
//   g  graphId        t  type          i  id            v  version
//   c  creator        m  modifiedBy    k  signerKey
//   tc createdAtMs    tm modifiedAtMs  te expiresAtMs
//   x  deleted        a  attributes    d  data          s  signature

/**
 * The largest encoded record, signature included (DESIGN.md, Records). Records are small and
 * flood to every node; anything bigger is a file and goes through distribution.
 */
export const maxRecordBytes = 64 * 1024;

/**
 * Graph ids: lower-case letters, digits, `.`, `_` and `-`, 1 to 64 characters. Safe in IndexedDB
 * keys, URLs and file names, and short enough to repeat in every record.
 */
export const graphIdPattern = /^[a-z0-9._-]{1,64}$/;

/** Record types: like graph ids, plus `/` for namespaces such as `mycel/presence`. */
export const recordTypePattern = /^[a-z0-9._/-]{1,64}$/;

/** Record ids: base64url characters, 1 to 64; `newRecordId` makes 22 of them. */
export const recordIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The highest version: 2^31 - 1 updates is more than any record sees, and the bound keeps
 * versions exact in every language a peer may be written in.
 */
export const maxRecordVersion = 2 ** 31 - 1;

/** Times are epoch milliseconds, integers the wire can carry exactly (2^53 - 1 at most). */
export const maxTimeMs = Number.MAX_SAFE_INTEGER;

/** At most this many attributes per record: they are indexed for queries, so they stay few. */
export const maxAttributes = 16;

/**
 * Attribute names: a lower-case letter, then up to 31 letters, digits, `_`, `.` or `-`. The
 * leading letter rules out `__proto__` and other names objects treat specially.
 */
export const attributeNamePattern = /^[a-z][a-zA-Z0-9_.-]{0,31}$/;

/** Text attribute values: at most this many characters, enough for a title or a tag. */
export const maxAttributeTextLength = 256;

/** Length of `signerKey`: a raw Ed25519 public key. */
export const signerKeyBytes = 32;

/** Length of `signature`: an Ed25519 signature. */
export const recordSignatureBytes = 64;

/** Length of `recordHash`: 128 bits name a version without a practical collision. */
export const recordHashBytes = 16;

/** Fields of a record on the wire (see the table at the top of this file). */
const recordFieldCount = 14;

/**
 * Decoding limits for one record: a map whose only nested container is the attribute map
 * (depth 2). A valid record has at most the fields plus the attributes as items; the cap is
 * twice that, so a record with a few too many is refused by the schema, which says where, the
 * same way whether it arrived as bytes or inside a message.
 */
const recordDecodeLimits = {
  maxBytes: maxRecordBytes,
  maxDepth: 2,
  maxItems: 2 * (recordFieldCount + maxAttributes),
} as const;

const timeSchema = integer({ min: 0, max: maxTimeMs });
const identityIdSchema = text({ minLength: 52, maxLength: 52, pattern: identityIdPattern });

const recordSchema = object({
  g: text({ minLength: 1, maxLength: 64, pattern: graphIdPattern }),
  t: text({ minLength: 1, maxLength: 64, pattern: recordTypePattern }),
  i: text({ minLength: 1, maxLength: 64, pattern: recordIdPattern }),
  v: integer({ min: 1, max: maxRecordVersion }),
  c: identityIdSchema,
  m: identityIdSchema,
  k: bytes({ length: signerKeyBytes }),
  tc: timeSchema,
  tm: timeSchema,
  te: timeSchema,
  x: boolean(),
  a: dictionary(oneOf(text({ maxLength: maxAttributeTextLength }), integer()), {
    maxEntries: maxAttributes,
    keyPattern: attributeNamePattern,
  }),
  d: bytes({ maxLength: maxRecordBytes }),
  s: bytes({ length: recordSignatureBytes }),
});

/**
 * Why a record was refused when read:
 * - `oversize`: its encoding is over `maxRecordBytes`;
 * - `bad-encoding`: not one deterministic CBOR item within the record's decoding limits;
 * - `bad-schema`: a field is missing, unknown, of the wrong type or out of its limits;
 * - `created-after-modified`: `createdAtMs > modifiedAtMs`;
 * - `modified-after-expiry`: `modifiedAtMs > expiresAtMs`;
 * - `tombstone-with-content`: a deleted record with data or attributes.
 */
export type RecordRejectReason =
  | 'oversize'
  | 'bad-encoding'
  | 'bad-schema'
  | 'created-after-modified'
  | 'modified-after-expiry'
  | 'tombstone-with-content';

/**
 * The outcome of reading a record. An accepted record comes with its encoding (`encoded`),
 * which is exactly `encodeRecord(record)`. A refusal has a reason to count and, for
 * `bad-encoding` and `bad-schema`, a `detail` for logs (the CBOR reason, or the schema reason
 * and path).
 */
export type RecordParseResult =
  | { readonly ok: true; readonly record: GraphRecord; readonly encoded: Uint8Array }
  | { readonly ok: false; readonly reason: RecordRejectReason; readonly detail?: string };

/** A record this node tried to publish is over `maxRecordBytes`; peers would refuse it. */
export class RecordTooLargeError extends MycelError {
  override name = 'RecordTooLargeError';

  constructor() {
    super(`This record is too large to share: a record may take at most ${maxRecordBytes / 1024} KiB.`, {
      hint: 'Keep records small: share files through distribution and put only a reference in the record.',
    });
  }
}

/** A record this node built breaks a rule of the record format; peers would refuse it. A bug. */
export class InvalidRecordError extends MycelError {
  override name = 'InvalidRecordError';
  /** The reason a peer would give, such as `bad-schema`. */
  readonly reason: RecordRejectReason;

  constructor(reason: RecordRejectReason, detail?: string) {
    super(
      `Mycel built a record that other nodes would refuse (${reason}${detail === undefined ? '' : `: ${detail}`}).`,
      {
        hint: 'This is a bug in Mycel; please report it with the steps that led here.',
      },
    );
    this.reason = reason;
  }
}

function unsignedToWire(record: UnsignedRecord): { [key: string]: WireValue } {
  // Field by field, so a signed record passed here leaves its signature out.
  return {
    g: record.graphId,
    t: record.type,
    i: record.id,
    v: record.version,
    c: record.creator,
    m: record.modifiedBy,
    k: record.signerKey,
    tc: record.createdAtMs,
    tm: record.modifiedAtMs,
    te: record.expiresAtMs,
    x: record.deleted,
    a: { ...record.attributes },
    d: record.data,
  };
}

/** The wire value of `record`, to embed in a larger message; `encodeRecord` encodes it alone. */
export function recordToWire(record: GraphRecord): WireValue {
  return { ...unsignedToWire(record), s: record.signature };
}

/**
 * The exact bytes a record's signature covers: the deterministic CBOR map of every field but
 * `s` (the signature), with the short names of the table above. The crypto helpers sign them
 * under the `mycel/record/1` namespace, so the signed message is
 * `utf8('mycel/record/1') || 0x00 || signableBytes(record)`. The graph id is in it, so a record
 * cannot be replayed into another graph. Throws `WireEncodeError` for values outside the wire
 * subset (floats, unsafe integers), which `parseRecord` never accepts.
 */
export function signableBytes(record: UnsignedRecord): Uint8Array {
  return encodeCbor(unsignedToWire(record));
}

/** Schema and consistency checks, without the size check: the caller knows the size. */
function checkRecord(
  value: WireValue,
): { ok: true; record: GraphRecord } | { ok: false; reason: RecordRejectReason; detail?: string } {
  const parsed = parse(recordSchema, value);
  if (!parsed.ok) return { ok: false, reason: 'bad-schema', detail: `${parsed.reason} at ${parsed.path}` };
  const wire = parsed.value;
  if (wire.tc > wire.tm) return { ok: false, reason: 'created-after-modified' };
  if (wire.tm > wire.te) return { ok: false, reason: 'modified-after-expiry' };
  // A deletion keeps nothing of the record: its content must not outlive it on any node.
  if (wire.x && (wire.d.length > 0 || Object.keys(wire.a).length > 0)) {
    return { ok: false, reason: 'tombstone-with-content' };
  }
  const record: GraphRecord = {
    graphId: wire.g,
    type: wire.t,
    id: wire.i,
    version: wire.v,
    creator: wire.c,
    modifiedBy: wire.m,
    signerKey: wire.k,
    createdAtMs: wire.tc,
    modifiedAtMs: wire.tm,
    expiresAtMs: wire.te,
    deleted: wire.x,
    attributes: wire.a,
    data: wire.d,
    signature: wire.s,
  };
  return { ok: true, record };
}

/**
 * Reads a record that arrived already decoded, inside a larger message: schema, consistency
 * (`createdAtMs <= modifiedAtMs <= expiresAtMs`, tombstones empty), then the size of its own
 * encoding. Does not check the signature (see `verifyRecordSignature`). Never throws.
 */
export function parseRecord(value: WireValue): RecordParseResult {
  const checked = checkRecord(value);
  if (!checked.ok) return checked;
  // The schema admits only wire values and caps data at the record size, so this encoding
  // cannot throw and stays small.
  const encoded = encodeCbor(recordToWire(checked.record));
  if (encoded.length > maxRecordBytes) return { ok: false, reason: 'oversize' };
  return { ok: true, record: checked.record, encoded };
}

/**
 * Reads a record from its encoding: the size cap first, then CBOR with the record's limits,
 * then as `parseRecord`. A record it accepts re-encodes to the same bytes, so `encoded` is a
 * copy of `bytes`. Does not check the signature. Never throws.
 */
export function decodeRecord(bytes: Uint8Array): RecordParseResult {
  if (bytes.length > maxRecordBytes) return { ok: false, reason: 'oversize' };
  let value: WireValue;
  try {
    value = decodeCbor(bytes, recordDecodeLimits);
  } catch (error) {
    if (error instanceof WireDecodeError) return { ok: false, reason: 'bad-encoding', detail: error.reason };
    throw error;
  }
  const checked = checkRecord(value);
  if (!checked.ok) return checked;
  // A copy, so a buffer the caller reuses cannot change the stored encoding.
  return { ok: true, record: checked.record, encoded: bytes.slice() };
}

/**
 * The encoding of `record`: deterministic CBOR of `recordToWire(record)`. Throws
 * `RecordTooLargeError` if it is over `maxRecordBytes`, and `WireEncodeError` for values
 * outside the wire subset. It does not check the other limits: `parseRecord` does.
 */
export function encodeRecord(record: GraphRecord): Uint8Array {
  // Refuse a huge data blob before copying it into an encoding only to throw that away.
  if (record.data.length > maxRecordBytes) throw new RecordTooLargeError();
  const encoded = encodeCbor(recordToWire(record));
  if (encoded.length > maxRecordBytes) throw new RecordTooLargeError();
  return encoded;
}

/**
 * The key a record is stored and named under: `creator/id`. The creator is part of it, so
 * nobody can take over another author's record by choosing the same id.
 */
export function recordKey(record: { readonly creator: string; readonly id: string }): string {
  return `${record.creator}/${record.id}`;
}

/** The hash that names one version of a record: the first 16 bytes of SHA-256 of its encoding. */
export function recordHash(encoded: Uint8Array): Uint8Array {
  // Synchronous (noble), unlike Web Crypto, so seeded simulations stay deterministic.
  return sha256(encoded).slice(0, recordHashBytes);
}

/**
 * A record as the store keeps it: key, hash and size. Pass `encoded` when it is at hand (from
 * `decodeRecord` or `parseRecord`); it must be `encodeRecord(record)`.
 */
export function storedRecord(record: GraphRecord, encoded: Uint8Array = encodeRecord(record)): StoredRecord {
  return { key: recordKey(record), record, hash: recordHash(encoded), bytes: encoded.length };
}

/** Bytewise lexicographic order, shorter first on a common prefix. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return Math.sign(a.length - b.length);
}

/**
 * Which of two versions of one record every node keeps (DESIGN.md: higher version wins, ties
 * break on the hash): positive if `a` wins, negative if `b` wins. The higher version wins; for
 * equal versions the bytewise larger hash wins, so all nodes pick the same one whatever order
 * the versions arrived in. 0 only for the same version with the same hash, the same record.
 */
export function compareVersions(a: StoredRecord, b: StoredRecord): number {
  if (a.record.version !== b.record.version) return Math.sign(a.record.version - b.record.version);
  return compareBytes(a.hash, b.hash);
}
