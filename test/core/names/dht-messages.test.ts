import { expect } from 'chai';
import {
  dhtBody,
  maxContactsPerReply,
  maxDhtValueBytes,
  maxValuesPerReply,
  parseDhtMessage,
  type DhtMessage,
} from '../../../src/core/names/dht-messages.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { maxControlFrameBytes } from '../../../src/core/wire/frame.ts';

const nodeA = 'm' + 'a'.repeat(32);
const key = new Uint8Array(32).fill(7);

const good: readonly DhtMessage[] = [
  { t: 'find', r: 0, k: key, v: false },
  { t: 'find', r: 0xffff_ffff, k: key, v: true },
  { t: 'found', r: 1, c: [] },
  { t: 'found', r: 2, c: Array.from({ length: maxContactsPerReply }, () => nodeA), vs: [] },
  { t: 'found', r: 3, c: [nodeA], vs: [new Uint8Array(maxDhtValueBytes), new Uint8Array([1])] },
  { t: 'store', r: 4, k: key, v: new Uint8Array([1, 2, 3]) },
  { t: 'stored', r: 5, ok: true },
  { t: 'stored', r: 6, ok: false, why: 'stale' },
  { t: 'ping', r: 7 },
  { t: 'pong', r: 8 },
];

/** `body` with `field` set to `value` (or removed when `value` is undefined). */
function withField(body: WireValue, field: string, value: WireValue | undefined): WireValue {
  const entries = Object.entries(body as { readonly [key: string]: WireValue }).filter(
    ([name]) => name !== field,
  );
  return Object.fromEntries(value === undefined ? entries : [...entries, [field, value]]);
}

function reasonOf(body: WireValue): string {
  const result = parseDhtMessage(body);
  return result.ok ? 'accepted' : result.reason;
}

describe('DHT messages', () => {
  it('accepts every well-formed message, and it survives CBOR both ways unchanged', () => {
    for (const message of good) {
      const wire = decodeCbor(encodeCbor(dhtBody(message)));
      const result = parseDhtMessage(wire);
      expect(result.ok, message.t).to.equal(true);
      if (result.ok) expect(result.message).to.deep.equal(message);
    }
  });

  it('keeps the largest reply well under a control frame', () => {
    const values: Uint8Array[] = Array.from({ length: 6 }, () => new Uint8Array(maxDhtValueBytes));
    const biggest = dhtBody({
      t: 'found',
      r: 0xffff_ffff,
      c: Array(maxContactsPerReply).fill(nodeA),
      vs: values,
    });
    expect(encodeCbor(biggest).length).to.be.below(maxControlFrameBytes);
  });

  it('refuses bodies that are not messages', () => {
    for (const body of [null, true, 3, 'find', new Uint8Array(4), [], [{ t: 'ping', r: 1 }], {}]) {
      expect(reasonOf(body), JSON.stringify(body)).to.equal('bad-message');
    }
    expect(reasonOf({ t: 'nope', r: 1 })).to.equal('bad-message');
    expect(reasonOf({ t: 'toString', r: 1 })).to.equal('bad-message');
    expect(reasonOf({ t: 'ping', r: 1, extra: 0 })).to.equal('bad-message');
  });

  it('refuses every malformed field', () => {
    const find = dhtBody({ t: 'find', r: 1, k: key, v: true });
    const found = dhtBody({ t: 'found', r: 1, c: [nodeA], vs: [new Uint8Array(1)] });
    const store = dhtBody({ t: 'store', r: 1, k: key, v: new Uint8Array(1) });
    const stored = dhtBody({ t: 'stored', r: 1, ok: false, why: 'x' });
    const cases: [WireValue, string][] = [
      [withField(find, 'r', -1), 'bad-message'],
      [withField(find, 'r', 2 ** 32), 'bad-message'],
      [withField(find, 'r', '1'), 'bad-message'],
      [withField(find, 'r', undefined), 'bad-message'],
      [withField(find, 'k', new Uint8Array(31)), 'bad-message'],
      [withField(find, 'k', new Uint8Array(33)), 'bad-message'],
      [withField(find, 'k', 'key'), 'bad-message'],
      [withField(find, 'v', 1), 'bad-message'],
      [withField(find, 'v', undefined), 'bad-message'],
      [withField(found, 'c', Array(maxContactsPerReply + 1).fill(nodeA)), 'too-many-contacts'],
      [withField(found, 'c', Array(1000).fill(nodeA)), 'too-many-contacts'],
      [withField(found, 'c', ['m' + 'A'.repeat(32)]), 'bad-contact'],
      [withField(found, 'c', ['x' + 'a'.repeat(32)]), 'bad-contact'],
      [withField(found, 'c', [nodeA + 'a']), 'bad-contact'],
      [withField(found, 'c', [7]), 'bad-contact'],
      [withField(found, 'c', nodeA), 'bad-message'],
      [withField(found, 'vs', Array(maxValuesPerReply + 1).fill(new Uint8Array(1))), 'too-many-values'],
      [withField(found, 'vs', [new Uint8Array(maxDhtValueBytes + 1)]), 'value-too-large'],
      [withField(found, 'vs', [new Uint8Array(0)]), 'bad-message'],
      [withField(found, 'vs', ['text']), 'bad-message'],
      [withField(store, 'v', new Uint8Array(maxDhtValueBytes + 1)), 'value-too-large'],
      [withField(store, 'v', new Uint8Array(0)), 'bad-message'],
      [withField(store, 'v', true), 'bad-message'],
      [withField(store, 'k', new Uint8Array(0)), 'bad-message'],
      [withField(stored, 'ok', 'yes'), 'bad-message'],
      [withField(stored, 'why', 'x'.repeat(65)), 'bad-message'],
      [withField(stored, 'why', ''), 'bad-message'],
      [withField(stored, 'why', 3), 'bad-message'],
      [withField(dhtBody({ t: 'pong', r: 1 }), 'r', 1.5), 'bad-message'],
    ];
    for (const [body, reason] of cases) expect(reasonOf(body), JSON.stringify(body)).to.equal(reason);
  });
});
