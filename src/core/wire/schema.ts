import type { WireValue } from './cbor.ts';

// Typed validators for decoded bodies. Each protocol declares its message shape once; the type
// of a valid message is inferred from that declaration, so checks and types cannot drift apart.
// Every text, byte string and array is capped, since the body came from a peer.

/** Why a value does not match its schema. */
export type SchemaRejectReason =
  | 'wrong-type'
  | 'out-of-range'
  | 'wrong-length'
  | 'too-short'
  | 'too-long'
  | 'no-match'
  | 'missing-key'
  | 'unknown-key';

/** The outcome of `parse`: the typed value, or what failed and where (`$.tags[2]`). */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: SchemaRejectReason; readonly path: string };

/** A validator for values of type `T`. Build one with the functions of this module. */
export interface Schema<T> {
  readonly check: (value: unknown, path: string) => ParseResult<T>;
}

/** A schema for an object field that may be absent; see `optional`. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

/** The type of the values a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** The field schemas of an object schema. */
export type Shape = Readonly<Record<string, Schema<unknown>>>;

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];

/** The type of the objects a shape accepts; optional fields are absent, never `undefined`. */
export type InferShape<S extends Shape> = {
  readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]>;
} & { readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };

function accept<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function reject(
  reason: SchemaRejectReason,
  path: string,
): { ok: false; reason: SchemaRejectReason; path: string } {
  return { ok: false, reason, path };
}

/** Checks `value` against `schema`, typically a body just returned by `decodeFrame`. */
export function parse<T>(schema: Schema<T>, value: WireValue): ParseResult<T> {
  return schema.check(value, '$');
}

/** An integer in `[min, max]` (by default the whole safe range). */
export function integer(options: { min?: number; max?: number } = {}): Schema<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return {
    check: (value, path) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return reject('wrong-type', path);
      return value < min || value > max ? reject('out-of-range', path) : accept(value);
    },
  };
}

/** `true` or `false`. */
export function boolean(): Schema<boolean> {
  return {
    check: (value, path) => (typeof value === 'boolean' ? accept(value) : reject('wrong-type', path)),
  };
}

/** Exactly `expected`: tags a message type, such as `{ type: literal('hello') }`. */
export function literal<const L extends string | number | boolean | null>(expected: L): Schema<L> {
  return {
    check: (value, path) => (value === expected ? accept(expected) : reject('no-match', path)),
  };
}

function countCodePoints(text: string, stopAfter: number): number {
  // The string iterator walks code points, so a surrogate pair counts once; stop early on long input.
  const codePoints = text[Symbol.iterator]();
  let count = 0;
  while (count <= stopAfter && codePoints.next().done !== true) count++;
  return count;
}

/** Text of `minLength` to `maxLength` characters (code points), optionally matching `pattern`. */
export function text(options: { maxLength: number; minLength?: number; pattern?: RegExp }): Schema<string> {
  const { maxLength, minLength = 0, pattern } = options;
  return {
    check: (value, path) => {
      if (typeof value !== 'string') return reject('wrong-type', path);
      const length = countCodePoints(value, maxLength);
      if (length > maxLength) return reject('too-long', path);
      if (length < minLength) return reject('too-short', path);
      return pattern === undefined || pattern.test(value) ? accept(value) : reject('no-match', path);
    },
  };
}

/** A byte string of exactly `length` bytes, or of `minLength` to `maxLength` bytes. */
export function bytes(
  options: { length: number } | { maxLength: number; minLength?: number },
): Schema<Uint8Array> {
  const [min, max] =
    'length' in options ? [options.length, options.length] : [options.minLength ?? 0, options.maxLength];
  const tooShort = 'length' in options ? 'wrong-length' : 'too-short';
  const tooLong = 'length' in options ? 'wrong-length' : 'too-long';
  return {
    check: (value, path) => {
      if (!(value instanceof Uint8Array)) return reject('wrong-type', path);
      if (value.length < min) return reject(tooShort, path);
      return value.length > max ? reject(tooLong, path) : accept(value);
    },
  };
}

/** An array of `minItems` to `maxItems` elements, each checked by `item`. */
export function array<T>(
  item: Schema<T>,
  options: { maxItems: number; minItems?: number },
): Schema<readonly T[]> {
  const { maxItems, minItems = 0 } = options;
  return {
    check: (value, path) => {
      if (!Array.isArray(value)) return reject('wrong-type', path);
      const elements: readonly unknown[] = value;
      if (elements.length > maxItems) return reject('too-long', path);
      if (elements.length < minItems) return reject('too-short', path);
      const out: T[] = [];
      for (const [index, element] of elements.entries()) {
        const result = item.check(element, `${path}[${index}]`);
        if (!result.ok) return result;
        out.push(result.value);
      }
      return accept(out);
    },
  };
}

/** Marks an object field as one that may be absent. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return { optional: true, check: (value, path) => schema.check(value, path) };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** A map with exactly the fields of `shape`: a missing required field or an unknown one fails. */
export function object<const S extends Shape>(shape: S): Schema<InferShape<S>> {
  return {
    check: (value, path) => {
      if (!isRecord(value)) return reject('wrong-type', path);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) return reject('unknown-key', `${path}.${key}`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        if (!Object.hasOwn(value, key)) {
          if ('optional' in field) continue;
          return reject('missing-key', `${path}.${key}`);
        }
        const result = field.check(value[key], `${path}.${key}`);
        if (!result.ok) return result;
        out[key] = result.value;
      }
      // The loop above checked every field of S, which is what InferShape<S> describes.
      return accept(out as InferShape<S>);
    },
  };
}

/**
 * The first of `schemas` that accepts the value: a message that is one of several shapes,
 * usually told apart by a `literal` type field. When none accepts it, the reason given is
 * the most telling one: a member whose tag did not match fails with `no-match`, so any other
 * failure wins over it, and among equals the one with the longest path got furthest.
 */
export function oneOf<const T extends readonly Schema<unknown>[]>(...schemas: T): Schema<Infer<T[number]>> {
  return {
    check: (value, path) => {
      let best: { ok: false; reason: SchemaRejectReason; path: string } | undefined;
      for (const schema of schemas) {
        const result = schema.check(value, path);
        // Each member schema checked the value against its own type, which T[number] includes.
        if (result.ok) return result as ParseResult<Infer<T[number]>>;
        if (best === undefined || tellsMore(result, best)) best = result;
      }
      return best ?? reject('no-match', path);
    },
  };
}

function tellsMore(a: { reason: SchemaRejectReason; path: string }, b: typeof a): boolean {
  const aMatched = a.reason !== 'no-match';
  const bMatched = b.reason !== 'no-match';
  if (aMatched !== bMatched) return aMatched;
  return a.path.length > b.path.length;
}

/**
 * A map of at most `maxEntries` keys matching `keyPattern` (without the `g` or `y` flag, which
 * would make it stateful), each value checked by `value`.
 */
export function dictionary<T>(
  value: Schema<T>,
  options: { maxEntries: number; keyPattern: RegExp },
): Schema<Readonly<Record<string, T>>> {
  const { maxEntries, keyPattern } = options;
  return {
    check: (input, path) => {
      if (!isRecord(input)) return reject('wrong-type', path);
      const entries = Object.entries(input);
      if (entries.length > maxEntries) return reject('too-long', path);
      const out: Record<string, T> = {};
      for (const [key, entry] of entries) {
        if (!keyPattern.test(key)) return reject('no-match', `${path}.${key}`);
        const result = value.check(entry, `${path}.${key}`);
        if (!result.ok) return result;
        // Defined, not assigned: assigning a `__proto__` key would set the prototype instead.
        Object.defineProperty(out, key, {
          value: result.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return accept(out);
    },
  };
}
