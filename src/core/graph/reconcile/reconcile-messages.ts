import { encodeCbor, type WireValue } from '../../wire/cbor.ts';
import { array, bytes, integer, object, oneOf, optional, parse } from '../../wire/schema.ts';
import {
  compareBounds,
  endOfSpace,
  isEndOfSpace,
  itemIdBytes,
  startOfSpace,
  type Bound,
  type Fingerprint,
} from './item-set.ts';

// A reconciliation message is a list of consecutive ranges covering the whole item space; each
// range names its upper bound (its lower bound is the previous range's upper bound) and says
// what the sender knows of it: nothing to do (`skip`), a `fingerprint` to compare, or the full
// list of the sender's `ids` in it. The layout follows Negentropy v1, in CBOR.
//
// On the wire a range is a map with one-letter keys, since a message may hold hundreds:
//   t  upper bound time, as the difference from the previous bound's time (absent: end of space)
//   p  upper bound id prefix, 1..16 bytes (absent: empty)
//   f, n  fingerprint sum (16 bytes) and count  — a `fingerprint` range
//   i  list of 16-byte ids                       — an `ids` range
//   neither f nor i                              — a `skip` range
// Times as differences stay small: a 13-digit millisecond time would cost 9 bytes per bound.

/** A range of a reconciliation message, from the previous range's upper bound to `upper`. */
export type ReconcileRange =
  | { readonly mode: 'skip'; readonly upper: Bound }
  | { readonly mode: 'fingerprint'; readonly upper: Bound; readonly fingerprint: Fingerprint }
  | { readonly mode: 'ids'; readonly upper: Bound; readonly ids: readonly Uint8Array[] };

/** One message: ranges with strictly increasing upper bounds, the last one `endOfSpace`. */
export interface ReconcileMessage {
  readonly ranges: readonly ReconcileRange[];
}

/** The largest encoded message: room for the rest of a 16 KiB control frame (DESIGN.md, Frames). */
export const maxReconcileMessageBytes = 12 * 1024;

/** The most CBOR items (array elements plus map entries) in a message, under the decoder's 4096. */
export const maxReconcileMessageItems = 3000;

/**
 * The most ranges a message may hold. Every range but the last takes at least 3 items (its
 * place in the list and two bound fields), so 1000 is what the item cap allows anyway.
 */
export const maxRangesPerMessage = 1000;

/** The most ids over all ranges of a message: at 17 bytes each, 12 KiB holds about 720. */
export const maxIdsPerMessage = 1000;

/** Why a received reconciliation message was refused. */
export type ReconcileRejectReason =
  'bad-schema' | 'too-many-ranges' | 'too-many-ids' | 'too-many-items' | 'bad-bounds' | 'duplicate-ids';

/** The outcome of `parseReconcileMessage`. */
export type ReconcileParseResult =
  | { readonly ok: true; readonly message: ReconcileMessage }
  | { readonly ok: false; readonly reason: ReconcileRejectReason };

const boundFields = {
  t: optional(integer({ min: 0 })),
  p: optional(bytes({ minLength: 1, maxLength: itemIdBytes })),
};

// `ids` comes first: when a range fits no shape, `oneOf` keeps the first of equally telling
// failures, and an over-long id list should be reported as such.
const rangeSchema = oneOf(
  object({ ...boundFields, i: array(bytes({ length: itemIdBytes }), { maxItems: maxIdsPerMessage }) }),
  object({ ...boundFields, f: bytes({ length: itemIdBytes }), n: integer({ min: 0 }) }),
  object(boundFields),
);

/** The wire shape of a reconciliation message, for embedding in a protocol's frame body. */
export const reconcileMessageSchema = object({
  ranges: array(rangeSchema, { minItems: 1, maxItems: maxRangesPerMessage }),
});

/** A schema-valid range on the wire, with every field optional so each can be looked at. */
interface WireRange {
  readonly t?: number;
  readonly p?: Uint8Array;
  readonly f?: Uint8Array;
  readonly n?: number;
  readonly i?: readonly Uint8Array[];
}

/** The wire form of `range`, whose lower bound has time `previousTimeMs`. */
function rangeToWire(range: ReconcileRange, previousTimeMs: number): { [key: string]: WireValue } {
  const wire: { [key: string]: WireValue } = {};
  if (!isEndOfSpace(range.upper)) {
    wire.t = range.upper.timeMs - previousTimeMs;
    if (range.upper.id.length > 0) wire.p = range.upper.id;
  }
  if (range.mode === 'fingerprint') {
    wire.f = range.fingerprint.sum;
    wire.n = range.fingerprint.count;
  } else if (range.mode === 'ids') {
    wire.i = range.ids;
  }
  return wire;
}

/** CBOR items of a range on the wire: its place in the list plus its map entries and ids. */
function wireItems(wire: { readonly [key: string]: WireValue }): number {
  const ids = wire.i;
  return 1 + Object.keys(wire).length + (Array.isArray(ids) ? ids.length : 0);
}

/** The wire value of `message` (encode it with `encodeCbor`, or embed it in a frame body). */
export function reconcileMessageToWire(message: ReconcileMessage): WireValue {
  let previousTimeMs = startOfSpace.timeMs;
  const ranges = message.ranges.map((range) => {
    const wire = rangeToWire(range, previousTimeMs);
    if (!isEndOfSpace(range.upper)) previousTimeMs = range.upper.timeMs;
    return wire;
  });
  return { ranges };
}

function idKey(id: Uint8Array): string {
  return String.fromCharCode(...id);
}

/** The range of a schema-valid wire range whose lower bound is `previous`, or a reason. */
function rangeFromWire(wire: WireRange, previous: Bound): ReconcileRange | ReconcileRejectReason {
  let upper: Bound = endOfSpace;
  if (wire.t !== undefined) {
    const timeMs = previous.timeMs + wire.t;
    if (!Number.isSafeInteger(timeMs)) return 'bad-bounds';
    // Copies, so a kept message does not pin the whole received frame in memory.
    upper = { timeMs, id: wire.p?.slice() ?? new Uint8Array(0) };
  } else if (wire.p !== undefined) {
    return 'bad-bounds';
  }
  if (compareBounds(previous, upper) >= 0) return 'bad-bounds';
  if (wire.f !== undefined && wire.n !== undefined) {
    return { mode: 'fingerprint', upper, fingerprint: { sum: wire.f.slice(), count: wire.n } };
  }
  if (wire.i !== undefined) {
    const seen = new Set<string>();
    for (const id of wire.i) {
      const key = idKey(id);
      if (seen.has(key)) return 'duplicate-ids';
      seen.add(key);
    }
    return { mode: 'ids', upper, ids: wire.i.map((id) => id.slice()) };
  }
  return { mode: 'skip', upper };
}

/**
 * Checks a received message: its shape, its caps (ranges, ids, CBOR items), and that its
 * bounds increase strictly from the start of the space and end at `endOfSpace`. Never throws;
 * a message that passes is safe to hand to `respond`, whose work it bounds.
 */
export function parseReconcileMessage(value: WireValue): ReconcileParseResult {
  const parsed = parse(reconcileMessageSchema, value);
  if (!parsed.ok) {
    const tooLong = parsed.reason === 'too-long';
    if (tooLong && parsed.path === '$.ranges') return { ok: false, reason: 'too-many-ranges' };
    if (tooLong && parsed.path.endsWith('.i')) return { ok: false, reason: 'too-many-ids' };
    return { ok: false, reason: 'bad-schema' };
  }
  let items = 1;
  let idCount = 0;
  let previous = startOfSpace;
  const ranges: ReconcileRange[] = [];
  const wires: readonly WireRange[] = parsed.value.ranges;
  for (const wire of wires) {
    if (isEndOfSpace(previous)) return { ok: false, reason: 'bad-bounds' };
    items += 1 + Object.keys(wire).length + (wire.i?.length ?? 0);
    idCount += wire.i?.length ?? 0;
    if (idCount > maxIdsPerMessage) return { ok: false, reason: 'too-many-ids' };
    if (items > maxReconcileMessageItems) return { ok: false, reason: 'too-many-items' };
    const range = rangeFromWire(wire, previous);
    if (typeof range === 'string') return { ok: false, reason: range };
    ranges.push(range);
    previous = range.upper;
  }
  if (!isEndOfSpace(previous)) return { ok: false, reason: 'bad-bounds' };
  return { ok: true, message: { ranges } };
}

/** The encoded size of a CBOR head with argument `length` (RFC 8949 §3). */
function headBytes(length: number): number {
  if (length < 24) return 1;
  if (length < 0x100) return 2;
  if (length < 0x1_0000) return 3;
  return 5;
}

/** `{ ranges: [...] }` around the ranges: the map head and the key `ranges`. */
const envelopeBytes = 1 + 1 + 'ranges'.length;

/**
 * Room kept free by `tryAppend` for the closing fingerprint range that `finish` may add: at most
 * 1 (map head) + 2 + 17 (f) + 2 + 9 (n) bytes and 3 items; rounded up.
 */
const closingReserve = { bytes: 40, items: 4 };

interface BuiltRange {
  readonly range: ReconcileRange;
  readonly bytes: number;
  readonly items: number;
}

/**
 * Builds an outgoing message range by range while keeping its exact encoded size and CBOR item
 * count, so it never passes `maxReconcileMessageBytes` or `maxReconcileMessageItems`.
 * Neighbouring `skip` ranges merge into one.
 */
export class ReconcileMessageBuilder {
  private readonly built: BuiltRange[] = [];
  private rangeBytes = 0;
  private items = 1;

  /** The upper bound of the last range so far: where the next range starts. */
  get upper(): Bound {
    return this.built.at(-1)?.range.upper ?? startOfSpace;
  }

  /** Encoded size of the message as built so far. */
  get encodedBytes(): number {
    return envelopeBytes + headBytes(this.built.length) + this.rangeBytes;
  }

  /**
   * Appends `ranges` (consecutive, starting at `upper`) if they fit with room left for a
   * closing range; otherwise leaves the message as it was and returns false.
   */
  tryAppend(ranges: readonly ReconcileRange[]): boolean {
    const saved = {
      length: this.built.length,
      last: this.built.at(-1),
      bytes: this.rangeBytes,
      items: this.items,
    };
    for (const range of ranges) this.append(range);
    const fits =
      this.encodedBytes + closingReserve.bytes <= maxReconcileMessageBytes &&
      this.items + closingReserve.items <= maxReconcileMessageItems;
    if (fits) return true;
    this.built.length = saved.length;
    if (saved.last !== undefined) this.built[saved.length - 1] = saved.last;
    this.rangeBytes = saved.bytes;
    this.items = saved.items;
    return false;
  }

  /**
   * The message, after appending `closing` if given (`tryAppend` kept room for one range of at
   * most a fingerprint). Throws if the message would not end at `endOfSpace`: a bug, not input.
   */
  finish(closing?: ReconcileRange): ReconcileMessage {
    if (closing !== undefined) this.append(closing);
    if (!isEndOfSpace(this.upper)) {
      throw new Error('A reconciliation message must end at the end of the space.');
    }
    return { ranges: this.built.map((entry) => entry.range) };
  }

  private append(range: ReconcileRange): void {
    const last = this.built.at(-1);
    if (range.mode === 'skip' && last?.range.mode === 'skip') {
      // Two skips in a row say no more than one skip up to the later bound.
      this.built.pop();
      this.rangeBytes -= last.bytes;
      this.items -= last.items;
    }
    const previousTimeMs = this.built.at(-1)?.range.upper.timeMs ?? startOfSpace.timeMs;
    const wire = rangeToWire(range, previousTimeMs);
    const entry = { range, bytes: encodeCbor(wire).length, items: wireItems(wire) };
    this.built.push(entry);
    this.rangeBytes += entry.bytes;
    this.items += entry.items;
  }
}
