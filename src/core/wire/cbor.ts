import { fromUtf8, utf8 } from '../../lib/bytes.ts';
import { WireDecodeError, WireEncodeError, type WireDecodeReason } from './errors.ts';

// A deterministic CBOR codec for the subset Mycel puts on the wire: RFC 8949 §4.2.1 "core
// deterministic encoding" restricted to safe integers, text, bytes, arrays, text-keyed maps,
// false, true and null. One value has exactly one encoding, so signatures over encoded bytes
// are reproducible and a decoded message can be re-encoded bit for bit.

/** A value that can travel on the wire. Integers only: floats have no place in the protocol. */
export type WireValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly WireValue[]
  | { readonly [key: string]: WireValue };

/** Caps on what `decodeCbor` accepts, so hostile input costs bounded time and memory. */
export interface CborDecodeLimits {
  /** Containers nested deeper than this are refused (`too-deep`). */
  readonly maxDepth?: number;
  /** Array elements plus map entries over the whole input (`too-many-items`). */
  readonly maxItems?: number;
  /** Input longer than this is refused before decoding (`too-large`). */
  readonly maxBytes?: number;
}

/** Options of `encodeCbor`. */
export interface CborEncodeOptions {
  /** Deeper values are refused, so that what we send decodes under a peer's default limits. */
  readonly maxDepth?: number;
  /** The encoding stops with an error as soon as it grows past this many bytes. */
  readonly maxBytes?: number;
}

/**
 * Default decoding limits: 16 levels is far more than any message needs; 4096 items bound the
 * work per frame; 64 KiB is the largest frame on the wire (DESIGN.md, Frames).
 */
export const cborDefaultLimits = { maxDepth: 16, maxItems: 4096, maxBytes: 64 * 1024 } as const;

/** The recursion bound no caller may raise: decoding recurses once per level of nesting. */
const hardMaxDepth = 256;

const majorUnsigned = 0;
const majorNegative = 1;
const majorBytes = 2;
const majorText = 3;
const majorArray = 4;
const majorMap = 5;
const majorTag = 6;
const majorSimple = 7;

const byteFalse = 0xf4;
const byteTrue = 0xf5;
const byteNull = 0xf6;
const twoTo32 = 0x1_0000_0000;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A growable output buffer with a hard size cap. */
class ByteWriter {
  private buffer = new Uint8Array(64);
  private length = 0;

  constructor(private readonly maxBytes: number) {}

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed > this.maxBytes) {
      throw new WireEncodeError(`The encoding is longer than its cap of ${this.maxBytes} bytes.`);
    }
    if (needed <= this.buffer.length) return;
    // Doubling, but never past the cap: a 64 KiB block must not cost a 128 KiB buffer.
    const grown = new Uint8Array(Math.max(needed, Math.min(this.buffer.length * 2, this.maxBytes)));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  push(...values: readonly number[]): void {
    this.reserve(values.length);
    for (const value of values) this.buffer[this.length++] = value;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A head in its shortest form (RFC 8949 §4.2.1, first rule). */
  head(major: number, argument: number): void {
    const initial = major << 5;
    if (argument < 24) this.push(initial | argument);
    else if (argument < 0x100) this.push(initial | 24, argument);
    else if (argument < 0x1_0000) this.push(initial | 25, argument >>> 8, argument & 0xff);
    else if (argument < twoTo32) this.push(initial | 26, ...be32(argument));
    else this.push(initial | 27, ...be32(Math.floor(argument / twoTo32)), ...be32(argument >>> 0));
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

function be32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Bytewise lexicographic order, as RFC 8949 §4.2.1 sorts map keys by their encodings. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

function encodedText(text: string, maxBytes: number): Uint8Array<ArrayBuffer> {
  if (loneSurrogate.test(text)) {
    // TextEncoder would silently replace it with U+FFFD, so the peer would read another string.
    throw new WireEncodeError('A string with a lone surrogate cannot be encoded as UTF-8.');
  }
  const writer = new ByteWriter(maxBytes);
  const bytes = utf8(text);
  writer.head(majorText, bytes.length);
  writer.append(bytes);
  return writer.result();
}

function isPlainObject(value: object): value is { readonly [key: string]: WireValue } {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function encodeMap(
  writer: ByteWriter,
  map: { readonly [key: string]: WireValue },
  depth: number,
  options: Required<CborEncodeOptions>,
): void {
  // For text keys, bytewise order of the encodings is the same as length first, then bytewise:
  // the head grows with the length. Both RFC 8949 §4.2.1 and §4.2.3 orders therefore agree.
  const entries = Object.keys(map)
    .map((key) => ({ key: encodedText(key, options.maxBytes), value: map[key] }))
    .sort((a, b) => compareBytes(a.key, b.key));
  writer.head(majorMap, entries.length);
  for (const entry of entries) {
    writer.append(entry.key);
    encodeItem(writer, entry.value, depth + 1, options);
  }
}

function encodeItem(
  writer: ByteWriter,
  value: WireValue | undefined,
  depth: number,
  options: Required<CborEncodeOptions>,
): void {
  if (value === null) writer.push(byteNull);
  else if (typeof value === 'boolean') writer.push(value ? byteTrue : byteFalse);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new WireEncodeError(`Only safe integers go on the wire, not ${value}.`);
    }
    if (value >= 0) writer.head(majorUnsigned, value);
    else writer.head(majorNegative, -1 - value);
  } else if (typeof value === 'string') writer.append(encodedText(value, options.maxBytes));
  else if (value instanceof Uint8Array) {
    writer.head(majorBytes, value.length);
    writer.append(value);
  } else if (typeof value === 'object') {
    if (depth >= options.maxDepth) {
      throw new WireEncodeError(`Values nested deeper than ${options.maxDepth} levels cannot be sent.`);
    }
    if (Array.isArray(value)) {
      const items: readonly WireValue[] = value;
      writer.head(majorArray, items.length);
      for (const item of items) encodeItem(writer, item, depth + 1, options);
    } else if (!ArrayBuffer.isView(value) && isPlainObject(value)) encodeMap(writer, value, depth, options);
    else throw new WireEncodeError('Only plain objects, arrays and Uint8Array go on the wire.');
  } else {
    throw new WireEncodeError(`A value of type ${typeof value} cannot go on the wire.`);
  }
}

/**
 * The deterministic CBOR encoding of `value`: shortest heads, definite lengths, map keys sorted
 * by their encodings. Throws `WireEncodeError` for anything outside `WireValue` (floats, unsafe
 * integers, `undefined`, non-plain objects, lone surrogates), too deep, or over `maxBytes`.
 */
export function encodeCbor(value: WireValue, options: CborEncodeOptions = {}): Uint8Array<ArrayBuffer> {
  const resolved = {
    maxDepth: options.maxDepth ?? cborDefaultLimits.maxDepth,
    maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY,
  };
  const writer = new ByteWriter(resolved.maxBytes);
  encodeItem(writer, value, 0, resolved);
  return writer.result();
}

/** Decoding state over one input. Every failure leaves through `fail`. */
class CborReader {
  offset = 0;
  private items = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly limits: Required<CborDecodeLimits>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: WireDecodeReason, offset = this.offset): never {
    throw new WireDecodeError(reason, offset);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Counts `count` more array elements or map entries against `maxItems`. */
  countItems(count: number, at: number): void {
    this.items += count;
    if (this.items > this.limits.maxItems) this.fail('too-many-items', at);
  }

  /** The next `n` bytes (n ≤ 8 here), failing as `truncated` when the input ends first. */
  private need(n: number): number {
    if (this.remaining < n) this.fail('truncated');
    const at = this.offset;
    this.offset += n;
    return at;
  }

  peekByte(): number {
    const byte = this.bytes[this.offset];
    if (byte === undefined) return this.fail('truncated');
    return byte;
  }

  /** Reads a head and returns its major type and argument, refusing non-shortest forms. */
  head(): { major: number; argument: number } {
    const start = this.offset;
    const initial = this.view.getUint8(this.need(1));
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === majorTag || major === majorSimple) this.fail('unsupported-type', start);
    if (info < 24) return { major, argument: info };
    let argument: number;
    let smallest: number;
    if (info === 24) [argument, smallest] = [this.view.getUint8(this.need(1)), 24];
    else if (info === 25) [argument, smallest] = [this.view.getUint16(this.need(2)), 0x100];
    else if (info === 26) [argument, smallest] = [this.view.getUint32(this.need(4)), 0x1_0000];
    else if (info === 27) {
      const at = this.need(8);
      // Above 2^53 this sum is inexact, but it stays above every bound it is compared with.
      argument = this.view.getUint32(at) * twoTo32 + this.view.getUint32(at + 4);
      smallest = twoTo32;
    } else if (info === 31 && major >= majorBytes) {
      return this.fail('non-canonical', start); // indefinite length: forbidden by §4.2.1
    } else {
      return this.fail('malformed', start); // reserved 28..30, or 31 on an integer
    }
    if (argument < smallest) this.fail('non-canonical', start);
    return { major, argument };
  }

  /** The next `length` bytes; a length past the end is `truncated` before anything is allocated. */
  take(length: number, headStart: number): Uint8Array {
    if (length > this.remaining) this.fail('truncated', headStart);
    const at = this.offset;
    this.offset += length;
    return this.bytes.subarray(at, at + length);
  }

  text(length: number, headStart: number): string {
    const bytes = this.take(length, headStart);
    try {
      // fromUtf8 is strict and keeps a leading U+FEFF, so decoded text re-encodes to the same bytes.
      return fromUtf8(bytes);
    } catch (error) {
      // Invalid UTF-8 is a TypeError; anything else is a real fault.
      if (error instanceof TypeError) return this.fail('bad-utf8', headStart);
      throw error;
    }
  }
}

function decodeSimple(reader: CborReader): WireValue | undefined {
  const byte = reader.peekByte();
  if (byte < 0xe0) return undefined;
  reader.offset++;
  if (byte === byteFalse) return false;
  if (byte === byteTrue) return true;
  if (byte === byteNull) return null;
  if (byte >= 0xfc) return reader.fail('malformed', reader.offset - 1); // reserved, or a stray break
  return reader.fail('unsupported-type', reader.offset - 1); // floats, undefined, other simple values
}

function decodeMap(reader: CborReader, count: number, depth: number, start: number): WireValue {
  // Each entry needs at least two bytes, so a longer count cannot fit in what is left.
  if (count * 2 > reader.remaining) reader.fail('truncated', start);
  reader.countItems(count, start);
  const map: Record<string, WireValue> = {};
  let previousKey: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const keyStart = reader.offset;
    if (reader.peekByte() >> 5 !== majorText) reader.fail('unsupported-type', keyStart);
    const key = reader.text(reader.head().argument, keyStart);
    const keyBytes = reader.bytes.subarray(keyStart, reader.offset);
    if (previousKey !== undefined) {
      const order = compareBytes(previousKey, keyBytes);
      if (order === 0) reader.fail('duplicate-key', keyStart);
      if (order > 0) reader.fail('non-canonical', keyStart);
    }
    previousKey = keyBytes;
    // defineProperty, not assignment: a key named "__proto__" must stay data, not a prototype.
    Object.defineProperty(map, key, {
      value: decodeItem(reader, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return map;
}

function decodeItem(reader: CborReader, depth: number): WireValue {
  const simple = decodeSimple(reader);
  if (simple !== undefined) return simple;
  const start = reader.offset;
  const { major, argument } = reader.head();
  switch (major) {
    case majorUnsigned:
      if (argument > Number.MAX_SAFE_INTEGER) reader.fail('integer-range', start);
      return argument;
    case majorNegative:
      if (argument > Number.MAX_SAFE_INTEGER - 1) reader.fail('integer-range', start);
      return -1 - argument;
    case majorBytes:
      return reader.take(argument, start).slice(); // a copy: the input buffer may be reused
    case majorText:
      return reader.text(argument, start);
    default:
      break;
  }
  if (depth >= reader.limits.maxDepth) reader.fail('too-deep', start);
  if (major === majorMap) return decodeMap(reader, argument, depth, start);
  // Only arrays are left: every element needs at least one byte.
  if (argument > reader.remaining) reader.fail('truncated', start);
  reader.countItems(argument, start);
  const items: WireValue[] = [];
  for (let i = 0; i < argument; i++) items.push(decodeItem(reader, depth + 1));
  return items;
}

/**
 * Decodes one deterministic CBOR item that fills `bytes` exactly. Made for hostile input: it
 * throws only `WireDecodeError` (with a `reason` code), refuses every encoding but the canonical
 * one, and checks each declared length against the input before allocating for it. A value it
 * accepts re-encodes with `encodeCbor` to the same bytes. Throws a `RangeError` only for limits
 * that are not non-negative integers or that nest deeper than 256.
 */
export function decodeCbor(bytes: Uint8Array, limits: CborDecodeLimits = {}): WireValue {
  const resolved = { ...cborDefaultLimits, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer ≥ 0`);
  }
  if (resolved.maxDepth > hardMaxDepth) throw new RangeError(`maxDepth must be at most ${hardMaxDepth}`);
  if (bytes.length > resolved.maxBytes) throw new WireDecodeError('too-large', resolved.maxBytes);
  const reader = new CborReader(bytes, resolved);
  const value = decodeItem(reader, 0);
  if (reader.remaining > 0) reader.fail('trailing-bytes');
  return value;
}
