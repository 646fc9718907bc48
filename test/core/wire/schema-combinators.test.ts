import { expect } from 'chai';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import {
  dictionary,
  integer,
  literal,
  object,
  oneOf,
  parse,
  text,
  type Infer,
} from '../../../src/core/wire/schema.ts';

const pingSchema = object({ type: literal('ping'), nonce: integer({ min: 0, max: 255 }) });
const chatSchema = object({
  type: literal('chat'),
  body: object({ text: text({ maxLength: 8 }), to: text({ maxLength: 8 }) }),
});
const messageSchema = oneOf(pingSchema, chatSchema);

type Message = Infer<typeof messageSchema>;

describe('oneOf', () => {
  it('accepts a value any member accepts, typed as the union', () => {
    const ping = parse(messageSchema, { type: 'ping', nonce: 7 });
    const chat = parse(messageSchema, { type: 'chat', body: { text: 'hi', to: 'bo' } });
    expect(ping).to.deep.equal({ ok: true, value: { type: 'ping', nonce: 7 } });
    expect(chat).to.deep.equal({ ok: true, value: { type: 'chat', body: { text: 'hi', to: 'bo' } } });
    if (!chat.ok) return;
    // Compiles only if the inferred type is the union of the members, narrowed by `type`.
    const message: Message = chat.value;
    const summary = message.type === 'chat' ? message.body.text : String(message.nonce);
    expect(summary).to.equal('hi');
  });

  it('returns the first member that accepts, with that member’s output', () => {
    const loose = oneOf(text({ maxLength: 10 }), text({ maxLength: 10, pattern: /^a/ }));
    expect(parse(loose, 'abc')).to.deep.equal({ ok: true, value: 'abc' });
    const either = oneOf(integer({ min: 0, max: 9 }), text({ maxLength: 3 }));
    expect(parse(either, 5)).to.deep.equal({ ok: true, value: 5 });
    expect(parse(either, 'abc')).to.deep.equal({ ok: true, value: 'abc' });
  });

  it('reports the failure of the member that got furthest, by path length', () => {
    // `ping` fails at $.type, `chat` deeper at $.body.text: the deeper failure is reported.
    expect(parse(messageSchema, { type: 'chat', body: { text: 'far too long', to: 'x' } })).to.deep.equal({
      ok: false,
      reason: 'too-long',
      path: '$.body.text',
    });
    // Both fail at the root: the first member's reason stands.
    expect(parse(messageSchema, 'ping')).to.deep.equal({ ok: false, reason: 'wrong-type', path: '$' });
    const scalars = oneOf(integer({ max: 3 }), text({ maxLength: 1 }));
    expect(parse(scalars, 9)).to.deep.equal({ ok: false, reason: 'out-of-range', path: '$' });
    expect(parse(scalars, 'xy')).to.deep.equal({ ok: false, reason: 'wrong-type', path: '$' });
  });

  it('accepts nothing without members', () => {
    expect(parse(oneOf(), 1)).to.deep.equal({ ok: false, reason: 'no-match', path: '$' });
    expect(parse(oneOf(), null)).to.deep.equal({ ok: false, reason: 'no-match', path: '$' });
  });

  it('nests, with paths relative to where it sits', () => {
    const envelope = object({
      messages: dictionary(messageSchema, { maxEntries: 4, keyPattern: /^m[0-9]$/ }),
    });
    expect(parse(envelope, { messages: { m1: { type: 'ping', nonce: 300 } } })).to.deep.equal({
      ok: false,
      reason: 'out-of-range',
      path: '$.messages.m1.nonce',
    });
  });
});

const scoresSchema = dictionary(integer({ min: 0, max: 100 }), { maxEntries: 3, keyPattern: /^[a-z]{1,8}$/ });

describe('dictionary', () => {
  it('accepts a map whose keys match and whose values check, typed as a record', () => {
    const result = parse(scoresSchema, { ada: 90, bob: 0 });
    expect(result).to.deep.equal({ ok: true, value: { ada: 90, bob: 0 } });
    if (!result.ok) return;
    const scores: Readonly<Record<string, number>> = result.value;
    expect(scores['ada']).to.equal(90);
    expect(parse(scoresSchema, {})).to.deep.equal({ ok: true, value: {} });
  });

  it('refuses more entries than allowed', () => {
    expect(parse(scoresSchema, { a: 1, b: 2, c: 3 }).ok).to.equal(true);
    expect(parse(scoresSchema, { a: 1, b: 2, c: 3, d: 4 })).to.deep.equal({
      ok: false,
      reason: 'too-long',
      path: '$',
    });
  });

  it('refuses keys that do not match, with the key in the path', () => {
    expect(parse(scoresSchema, { Ada: 1 })).to.deep.equal({ ok: false, reason: 'no-match', path: '$.Ada' });
    expect(parse(scoresSchema, { '': 1 })).to.deep.equal({ ok: false, reason: 'no-match', path: '$.' });
    expect(parse(scoresSchema, { abcdefghi: 1 })).to.deep.equal({
      ok: false,
      reason: 'no-match',
      path: '$.abcdefghi',
    });
  });

  it('refuses values its value schema refuses, with the key in the path', () => {
    expect(parse(scoresSchema, { ada: 101 })).to.deep.equal({
      ok: false,
      reason: 'out-of-range',
      path: '$.ada',
    });
    expect(parse(scoresSchema, { ada: '9' })).to.deep.equal({
      ok: false,
      reason: 'wrong-type',
      path: '$.ada',
    });
  });

  it('refuses anything but a map', () => {
    for (const value of [null, 1, 'a', true, [], [1], new Uint8Array(1)] satisfies WireValue[]) {
      expect(parse(scoresSchema, value), String(value)).to.deep.equal({
        ok: false,
        reason: 'wrong-type',
        path: '$',
      });
    }
  });

  it('keeps a decoded "__proto__" key as an ordinary entry', () => {
    // The CBOR decoder keeps such a key as data; the dictionary must not turn it into a prototype.
    const loose = dictionary(integer(), { maxEntries: 2, keyPattern: /^[a-z_]{1,16}$/ });
    const decoded = decodeCbor(encodeCbor(JSON.parse('{"__proto__": 1, "a": 2}') as WireValue));
    const result = parse(loose, decoded);
    if (!result.ok) throw new Error(`refused: ${result.reason} at ${result.path}`);
    expect(Object.keys(result.value).sort()).to.deep.equal(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(result.value, '__proto__')?.value).to.equal(1);
  });
});
