import { expect } from 'chai';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { decodeFrame, encodeFrame } from '../../../src/core/wire/frame.ts';
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
} from '../../../src/core/wire/schema.ts';

const helloSchema = object({
  type: literal('hello'),
  nonce: bytes({ length: 32 }),
  name: text({ maxLength: 64, minLength: 1 }),
  n: integer({ min: 0, max: 1000 }),
  tags: array(text({ maxLength: 16 }), { maxItems: 8 }),
  note: optional(text({ maxLength: 140 })),
  peer: object({ id: text({ maxLength: 52, pattern: /^[a-z2-7]+$/ }), admin: boolean() }),
  blob: optional(bytes({ maxLength: 4, minLength: 1 })),
});

type Hello = Infer<typeof helloSchema>;

function validHello(): { [key: string]: WireValue } {
  return {
    type: 'hello',
    nonce: new Uint8Array(32).fill(1),
    name: 'Ada',
    n: 7,
    tags: ['a', 'b'],
    peer: { id: 'abc234', admin: false },
  };
}

/** The failure `parse` reports for `hello` with `field` replaced by `value` (or removed when undefined). */
function failureWith(change: (hello: { [key: string]: WireValue }) => void): unknown {
  const hello = validHello();
  change(hello);
  const result = parse(helloSchema, hello);
  return result.ok ? 'accepted' : { reason: result.reason, path: result.path };
}

describe('body schemas', () => {
  it('accepts a valid body and types it from the schema', () => {
    const result = parse(helloSchema, validHello());
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    // These assignments compile only if the inferred type is what the schema says.
    const hello: Hello = result.value;
    const nonce: Uint8Array = hello.nonce;
    const n: number = hello.n;
    const tags: readonly string[] = hello.tags;
    const note: string | undefined = hello.note;
    const admin: boolean = hello.peer.admin;
    const type: 'hello' = hello.type;
    expect([nonce.length, n, tags, note, admin, type]).to.deep.equal([
      32,
      7,
      ['a', 'b'],
      undefined,
      false,
      'hello',
    ]);
    expect('note' in hello).to.equal(false);
  });

  it('accepts optional fields when present and valid', () => {
    const result = parse(helloSchema, { ...validHello(), note: 'hi', blob: Uint8Array.of(1) });
    expect(result.ok && result.value.note).to.equal('hi');
  });

  it('rejects wrong types with the path of the field', () => {
    expect(failureWith((h) => (h.n = '7'))).to.deep.equal({ reason: 'wrong-type', path: '$.n' });
    expect(failureWith((h) => (h.nonce = [1, 2]))).to.deep.equal({ reason: 'wrong-type', path: '$.nonce' });
    expect(failureWith((h) => (h.tags = { 0: 'a' }))).to.deep.equal({ reason: 'wrong-type', path: '$.tags' });
    expect(failureWith((h) => (h.peer = []))).to.deep.equal({ reason: 'wrong-type', path: '$.peer' });
    expect(failureWith((h) => (h.peer = new Uint8Array(1)))).to.deep.equal({
      reason: 'wrong-type',
      path: '$.peer',
    });
    expect(failureWith((h) => (h.note = null))).to.deep.equal({ reason: 'wrong-type', path: '$.note' });
    expect(failureWith((h) => (h.peer = { id: 'abc', admin: 0 }))).to.deep.equal({
      reason: 'wrong-type',
      path: '$.peer.admin',
    });
    expect(parse(helloSchema, null)).to.deep.equal({ ok: false, reason: 'wrong-type', path: '$' });
    expect(parse(helloSchema, [])).to.deep.equal({ ok: false, reason: 'wrong-type', path: '$' });
  });

  it('rejects integers out of range', () => {
    expect(failureWith((h) => (h.n = -1))).to.deep.equal({ reason: 'out-of-range', path: '$.n' });
    expect(failureWith((h) => (h.n = 1001))).to.deep.equal({ reason: 'out-of-range', path: '$.n' });
    expect(failureWith((h) => (h.n = 1000))).to.equal('accepted');
    expect(failureWith((h) => (h.n = 0))).to.equal('accepted');
    expect(parse(integer(), 2 ** 53)).to.deep.equal({ ok: false, reason: 'wrong-type', path: '$' });
  });

  it('rejects byte strings of the wrong length', () => {
    expect(failureWith((h) => (h.nonce = new Uint8Array(31)))).to.deep.equal({
      reason: 'wrong-length',
      path: '$.nonce',
    });
    expect(failureWith((h) => (h.nonce = new Uint8Array(33)))).to.deep.equal({
      reason: 'wrong-length',
      path: '$.nonce',
    });
    expect(failureWith((h) => (h.blob = new Uint8Array(5)))).to.deep.equal({
      reason: 'too-long',
      path: '$.blob',
    });
    expect(failureWith((h) => (h.blob = new Uint8Array(0)))).to.deep.equal({
      reason: 'too-short',
      path: '$.blob',
    });
  });

  it('rejects text and arrays that are too long or too short, or text off its pattern', () => {
    expect(failureWith((h) => (h.name = 'x'.repeat(65)))).to.deep.equal({
      reason: 'too-long',
      path: '$.name',
    });
    expect(failureWith((h) => (h.name = ''))).to.deep.equal({ reason: 'too-short', path: '$.name' });
    expect(failureWith((h) => (h.tags = Array.from({ length: 9 }, () => 't')))).to.deep.equal({
      reason: 'too-long',
      path: '$.tags',
    });
    expect(failureWith((h) => (h.tags = ['ok', 'x'.repeat(17)]))).to.deep.equal({
      reason: 'too-long',
      path: '$.tags[1]',
    });
    expect(failureWith((h) => (h.peer = { id: 'ABC', admin: true }))).to.deep.equal({
      reason: 'no-match',
      path: '$.peer.id',
    });
    expect(failureWith((h) => (h.type = 'goodbye'))).to.deep.equal({ reason: 'no-match', path: '$.type' });
  });

  it('counts text length in characters, so one emoji is one character', () => {
    expect(failureWith((h) => (h.name = '🍄'.repeat(64)))).to.equal('accepted');
    expect(failureWith((h) => (h.name = '🍄'.repeat(65)))).to.deep.equal({
      reason: 'too-long',
      path: '$.name',
    });
  });

  it('rejects unknown and missing keys', () => {
    expect(failureWith((h) => (h.extra = 1))).to.deep.equal({ reason: 'unknown-key', path: '$.extra' });
    expect(failureWith((h) => (h.peer = { id: 'abc', admin: true, role: 'x' }))).to.deep.equal({
      reason: 'unknown-key',
      path: '$.peer.role',
    });
    expect(failureWith((h) => delete h.name)).to.deep.equal({ reason: 'missing-key', path: '$.name' });
    expect(failureWith((h) => (h.peer = { id: 'abc' }))).to.deep.equal({
      reason: 'missing-key',
      path: '$.peer.admin',
    });
  });

  it('checks a body as it arrives in a frame', () => {
    const bytes = encodeFrame({ protocol: 'mycel/hello/1', kind: 'control', body: validHello() });
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) throw new Error(`frame refused: ${decoded.reason}`);
    const result = parse(helloSchema, decoded.frame.body);
    expect(result.ok && result.value.peer.id).to.equal('abc234');
  });
});
