import { expect } from 'chai';
import {
  compareVersions,
  decodeRecord,
  encodeRecord,
  maxRecordBytes,
  maxRecordVersion,
  parseRecord,
  recordHash,
  recordKey,
  recordToWire,
  RecordTooLargeError,
  signableBytes,
  storedRecord,
  type RecordParseResult,
} from '../../../src/core/graph/record-codec.ts';
import type { GraphRecord, StoredRecord } from '../../../src/core/ports.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { createRandom, type Random } from '../../../src/lib/random.ts';
import { fromHex, hex } from '../wire/hex.ts';

const alice = 'a'.repeat(52);
const bob = 'b'.repeat(52);

/** A valid record (not really signed: the codec does not check signatures). */
function sampleRecord(changes: Partial<GraphRecord> = {}): GraphRecord {
  return {
    graphId: 'team.notes',
    type: 'app/note',
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    version: 1,
    creator: alice,
    modifiedBy: alice,
    signerKey: new Uint8Array(32).fill(7),
    createdAtMs: 1_700_000_000_000,
    modifiedAtMs: 1_700_000_000_000,
    expiresAtMs: 1_800_000_000_000,
    deleted: false,
    attributes: { title: 'Groceries', priority: 2 },
    data: Uint8Array.of(1, 2, 3),
    signature: new Uint8Array(64).fill(9),
    ...changes,
  };
}

/** The wire map of the sample record, to break one field at a time. */
function sampleWire(): { [key: string]: WireValue } {
  const wire = recordToWire(sampleRecord());
  if (typeof wire !== 'object' || wire === null || wire instanceof Uint8Array || Array.isArray(wire)) {
    throw new Error('recordToWire must give a map');
  }
  return { ...(wire as { readonly [key: string]: WireValue }) };
}

/** Both ways of reading: from bytes and from an already decoded value; they must agree. */
function readBoth(value: { [key: string]: WireValue }): RecordParseResult {
  const fromValue = parseRecord(value);
  const fromBytes = decodeRecord(encodeCbor(value));
  expect(fromBytes).to.deep.equal(fromValue);
  return fromValue;
}

/** The refusal for the sample wire map after `change`, as `reason` or `reason (detail)`. */
function refusalAfter(change: (wire: { [key: string]: WireValue }) => void): string {
  const wire = sampleWire();
  change(wire);
  const result = readBoth(wire);
  if (result.ok) return 'accepted';
  return result.detail === undefined ? result.reason : `${result.reason} (${result.detail})`;
}

describe('record codec', () => {
  it('round-trips a record through its encoding and through a decoded value', () => {
    const record = sampleRecord();
    const encoded = encodeRecord(record);
    const decoded = decodeRecord(encoded);
    expect(decoded).to.deep.equal({ ok: true, record, encoded });
    const parsed = parseRecord(decodeCbor(encoded));
    expect(parsed).to.deep.equal({ ok: true, record, encoded });
  });

  it('round-trips a tombstone and a record without attributes', () => {
    for (const record of [
      sampleRecord({ deleted: true, version: 2, attributes: {}, data: new Uint8Array(0) }),
      sampleRecord({ attributes: {}, data: new Uint8Array(0) }),
    ]) {
      const decoded = decodeRecord(encodeRecord(record));
      expect(decoded.ok && decoded.record).to.deep.equal(record);
    }
  });

  it('puts exactly the fourteen short field names on the wire', () => {
    const wire = decodeCbor(encodeRecord(sampleRecord()));
    expect(Object.keys(wire as object).sort()).to.deep.equal(
      ['a', 'c', 'd', 'g', 'i', 'k', 'm', 's', 't', 'tc', 'te', 'tm', 'v', 'x'].sort(),
    );
  });

  it('encodes deterministically, whatever order the attributes were given in', () => {
    const forward = sampleRecord({ attributes: { alpha: 'a', beta: 1, gamma: 'c' } });
    const backward = sampleRecord({ attributes: { gamma: 'c', beta: 1, alpha: 'a' } });
    expect(hex(encodeRecord(forward))).to.equal(hex(encodeRecord(backward)));
    const reparsed = parseRecord(decodeCbor(encodeRecord(backward)));
    expect(reparsed.ok && hex(encodeRecord(reparsed.record))).to.equal(hex(encodeRecord(forward)));
  });

  it('signs every field but the signature, as the CBOR map without `s`', () => {
    const record = sampleRecord();
    const unsigned = sampleWire();
    delete unsigned['s'];
    expect(hex(signableBytes(record))).to.equal(hex(encodeCbor(unsigned)));
    const resigned = sampleRecord({ signature: new Uint8Array(64).fill(1) });
    expect(hex(signableBytes(resigned))).to.equal(hex(signableBytes(record)));
    for (const change of [
      { graphId: 'other' },
      { version: 2 },
      { data: Uint8Array.of(1, 2, 4) },
      { attributes: { title: 'Groceries', priority: 3 } },
      { deleted: true },
      { expiresAtMs: 1_800_000_000_001 },
    ] satisfies Partial<GraphRecord>[]) {
      expect(hex(signableBytes(sampleRecord(change)))).to.not.equal(hex(signableBytes(record)));
    }
  });

  it('accepts every field at its limits', () => {
    const attributes: Record<string, string | number> = {};
    for (let i = 0; i < 16; i++)
      attributes[`k${i}`] = i % 2 === 0 ? 'x'.repeat(256) : Number.MIN_SAFE_INTEGER;
    attributes['k0'] = 'é'.repeat(256);
    attributes['z'.repeat(32)] = Number.MAX_SAFE_INTEGER;
    delete attributes['k1'];
    const record = sampleRecord({
      graphId: 'g'.repeat(64),
      type: 'a/b.c_d-e'.padEnd(64, 'x'),
      id: 'A-_z9'.padEnd(64, 'q'),
      version: maxRecordVersion,
      createdAtMs: 0,
      modifiedAtMs: 0,
      expiresAtMs: Number.MAX_SAFE_INTEGER,
      attributes,
    });
    const decoded = decodeRecord(encodeRecord(record));
    expect(decoded.ok && decoded.record).to.deep.equal(record);
  });

  it('accepts a record of exactly maxRecordBytes and refuses one byte more', () => {
    const empty = encodeRecord(sampleRecord({ data: new Uint8Array(0) })).length;
    // Data of 256..65535 bytes takes a three-byte head where an empty one takes one byte.
    const fitting = maxRecordBytes - empty - 2;
    const largest = sampleRecord({ data: new Uint8Array(fitting).fill(5) });
    const encoded = encodeRecord(largest);
    expect(encoded.length).to.equal(maxRecordBytes);
    expect(decodeRecord(encoded).ok).to.equal(true);
    const tooLarge = sampleRecord({ data: new Uint8Array(fitting + 1) });
    expect(() => encodeRecord(tooLarge)).to.throw(RecordTooLargeError);
    expect(parseRecord(recordToWire(tooLarge))).to.deep.equal({ ok: false, reason: 'oversize' });
    expect(decodeRecord(encodeCbor(recordToWire(tooLarge)))).to.deep.equal({ ok: false, reason: 'oversize' });
  });

  it('refuses oversize input before decoding it', () => {
    // Not CBOR at all: only a size check that comes first answers `oversize`.
    expect(decodeRecord(new Uint8Array(maxRecordBytes + 1).fill(0xff))).to.deep.equal({
      ok: false,
      reason: 'oversize',
    });
    expect(() => encodeRecord(sampleRecord({ data: new Uint8Array(maxRecordBytes + 1) }))).to.throw(
      RecordTooLargeError,
    );
  });

  it('refuses bytes that are not one deterministic CBOR map', () => {
    const encoded = encodeRecord(sampleRecord());
    const cases: readonly [Uint8Array, string][] = [
      [encoded.subarray(0, encoded.length - 1), 'truncated'],
      [new Uint8Array([...encoded, 0]), 'trailing-bytes'],
      [fromHex('b9 000e'), 'non-canonical'], // fourteen entries with a long head
      [fromHex('fb 3ff0000000000000'), 'unsupported-type'], // a float
      [new Uint8Array(0), 'truncated'],
      [fromHex('a1 6161 a1 6161 a0'), 'too-deep'], // nested deeper than a record ever is
      [fromHex('98 3d' + '00'.repeat(61)), 'too-many-items'], // more items than twice a record's
    ];
    for (const [bytes, detail] of cases) {
      expect(decodeRecord(bytes), hex(bytes)).to.deep.equal({ ok: false, reason: 'bad-encoding', detail });
    }
  });

  it('refuses wrong types, unknown and missing fields with the path', () => {
    expect(refusalAfter((w) => (w['v'] = '1'))).to.equal('bad-schema (wrong-type at $.v)');
    expect(refusalAfter((w) => (w['x'] = 0))).to.equal('bad-schema (wrong-type at $.x)');
    expect(refusalAfter((w) => (w['d'] = 'data'))).to.equal('bad-schema (wrong-type at $.d)');
    expect(refusalAfter((w) => (w['a'] = []))).to.equal('bad-schema (wrong-type at $.a)');
    expect(refusalAfter((w) => (w['a'] = { title: true }))).to.equal('bad-schema (wrong-type at $.a.title)');
    expect(refusalAfter((w) => (w['a'] = { title: null }))).to.equal('bad-schema (wrong-type at $.a.title)');
    expect(refusalAfter((w) => (w['k'] = 'key'))).to.equal('bad-schema (wrong-type at $.k)');
    expect(refusalAfter((w) => (w['extra'] = 1))).to.equal('bad-schema (unknown-key at $.extra)');
    expect(refusalAfter((w) => delete w['s'])).to.equal('bad-schema (missing-key at $.s)');
    expect(refusalAfter((w) => delete w['a'])).to.equal('bad-schema (missing-key at $.a)');
    expect(readBoth({})).to.deep.equal({ ok: false, reason: 'bad-schema', detail: 'missing-key at $.g' });
    expect(parseRecord([1, 2])).to.deep.equal({ ok: false, reason: 'bad-schema', detail: 'wrong-type at $' });
    expect(decodeRecord(encodeCbor('record'))).to.deep.equal({
      ok: false,
      reason: 'bad-schema',
      detail: 'wrong-type at $',
    });
  });

  it('refuses keys, signatures and ids of the wrong size or shape', () => {
    expect(refusalAfter((w) => (w['k'] = new Uint8Array(31)))).to.equal('bad-schema (wrong-length at $.k)');
    expect(refusalAfter((w) => (w['k'] = new Uint8Array(33)))).to.equal('bad-schema (wrong-length at $.k)');
    expect(refusalAfter((w) => (w['s'] = new Uint8Array(63)))).to.equal('bad-schema (wrong-length at $.s)');
    expect(refusalAfter((w) => (w['c'] = 'A'.repeat(52)))).to.equal('bad-schema (no-match at $.c)');
    expect(refusalAfter((w) => (w['m'] = alice.slice(1)))).to.equal('bad-schema (too-short at $.m)');
    expect(refusalAfter((w) => (w['g'] = 'Team'))).to.equal('bad-schema (no-match at $.g)');
    expect(refusalAfter((w) => (w['g'] = 'team/notes'))).to.equal('bad-schema (no-match at $.g)');
    expect(refusalAfter((w) => (w['g'] = ''))).to.equal('bad-schema (too-short at $.g)');
    expect(refusalAfter((w) => (w['g'] = 'g'.repeat(65)))).to.equal('bad-schema (too-long at $.g)');
    expect(refusalAfter((w) => (w['t'] = 'App/Note'))).to.equal('bad-schema (no-match at $.t)');
    expect(refusalAfter((w) => (w['i'] = 'an id'))).to.equal('bad-schema (no-match at $.i)');
    expect(refusalAfter((w) => (w['i'] = 'i'.repeat(65)))).to.equal('bad-schema (too-long at $.i)');
  });

  it('refuses versions, times and attributes out of their limits', () => {
    expect(refusalAfter((w) => (w['v'] = 0))).to.equal('bad-schema (out-of-range at $.v)');
    expect(refusalAfter((w) => (w['v'] = 2 ** 31))).to.equal('bad-schema (out-of-range at $.v)');
    expect(refusalAfter((w) => (w['tc'] = -1))).to.equal('bad-schema (out-of-range at $.tc)');
    const seventeen: Record<string, WireValue> = {};
    for (let i = 0; i < 17; i++) seventeen[`k${i}`] = i;
    expect(refusalAfter((w) => (w['a'] = seventeen))).to.equal('bad-schema (too-long at $.a)');
    expect(refusalAfter((w) => (w['a'] = { Title: 'x' }))).to.equal('bad-schema (no-match at $.a.Title)');
    expect(refusalAfter((w) => (w['a'] = { _x: 'x' }))).to.equal('bad-schema (no-match at $.a._x)');
    const longName = 'n'.repeat(33);
    expect(refusalAfter((w) => (w['a'] = { [longName]: 1 }))).to.equal(
      `bad-schema (no-match at $.a.${longName})`,
    );
    expect(refusalAfter((w) => (w['a'] = { title: 'x'.repeat(257) }))).to.equal(
      'bad-schema (too-long at $.a.title)',
    );
  });

  it('refuses times out of order and tombstones that keep content', () => {
    expect(refusalAfter((w) => (w['tc'] = 1_700_000_000_001))).to.equal('created-after-modified');
    expect(refusalAfter((w) => (w['te'] = 1_699_999_999_999))).to.equal('modified-after-expiry');
    expect(refusalAfter((w) => (w['te'] = 1_700_000_000_000))).to.equal('accepted');
    expect(
      refusalAfter((w) => {
        w['x'] = true;
        w['a'] = {};
      }),
    ).to.equal('tombstone-with-content');
    expect(
      refusalAfter((w) => {
        w['x'] = true;
        w['d'] = new Uint8Array(0);
      }),
    ).to.equal('tombstone-with-content');
    expect(
      refusalAfter((w) => {
        w['x'] = true;
        w['d'] = new Uint8Array(0);
        w['a'] = {};
      }),
    ).to.equal('accepted');
  });

  it('keeps its own copy of the bytes it accepted', () => {
    const input = encodeRecord(sampleRecord());
    const expected = hex(input);
    const result = decodeRecord(input);
    input.fill(0);
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    expect(hex(result.encoded)).to.equal(expected);
    expect(hex(encodeRecord(result.record))).to.equal(expected);
  });
});

describe('record keys and hashes', () => {
  it('keys a record by creator and id', () => {
    expect(recordKey(sampleRecord())).to.equal(`${alice}/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(recordKey(sampleRecord({ creator: bob }))).to.not.equal(recordKey(sampleRecord()));
  });

  it('hashes the encoding with the first 16 bytes of SHA-256', async () => {
    const encoded = encodeRecord(sampleRecord());
    const full = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(encoded)));
    expect(hex(recordHash(encoded))).to.equal(hex(full.subarray(0, 16)));
    expect(hex(recordHash(fromHex('')))).to.equal('e3b0c44298fc1c149afbf4c8996fb924');
  });

  it('stores a record with its key, hash and size', () => {
    const record = sampleRecord();
    const encoded = encodeRecord(record);
    const stored = storedRecord(record);
    expect(stored.key).to.equal(recordKey(record));
    expect(stored.record).to.equal(record);
    expect(stored.bytes).to.equal(encoded.length);
    expect(hex(stored.hash)).to.equal(hex(recordHash(encoded)));
    expect(storedRecord(record, encoded)).to.deep.equal(stored);
  });
});

/** A stored record with a chosen version and hash, to pin the order directly. */
function versionWithHash(version: number, hashHex: string): StoredRecord {
  return { key: 'k', record: sampleRecord({ version }), hash: fromHex(hashHex), bytes: 1 };
}

describe('compareVersions', () => {
  it('prefers the higher version whatever the hashes', () => {
    const older = versionWithHash(1, 'ff'.repeat(16));
    const newer = versionWithHash(2, '00'.repeat(16));
    expect(compareVersions(newer, older)).to.be.greaterThan(0);
    expect(compareVersions(older, newer)).to.be.lessThan(0);
  });

  it('breaks equal versions on the bytewise larger hash', () => {
    const low = versionWithHash(3, '7f' + 'ff'.repeat(15));
    const high = versionWithHash(3, '80' + '00'.repeat(15));
    expect(compareVersions(high, low)).to.be.greaterThan(0);
    expect(compareVersions(low, high)).to.be.lessThan(0);
    expect(compareVersions(low, versionWithHash(3, '7f' + 'ff'.repeat(15)))).to.equal(0);
  });

  it('is antisymmetric, transitive and 0 only for the same hash', () => {
    const random = createRandom(20_240_611);
    const versions: StoredRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const record = sampleRecord({ version: 1 + random.int(3), data: Uint8Array.of(random.int(256), i) });
      versions.push(storedRecord(record));
    }
    versions.push(storedRecord(versions[0]?.record ?? sampleRecord()));
    const context = `seed ${random.seed}`;
    for (const a of versions) {
      for (const b of versions) {
        const ab = compareVersions(a, b);
        expect(ab, context).to.equal(-compareVersions(b, a));
        expect(ab === 0, context).to.equal(hex(a.hash) === hex(b.hash));
        for (const c of versions) {
          if (ab > 0 && compareVersions(b, c) > 0)
            expect(compareVersions(a, c), context).to.be.greaterThan(0);
        }
      }
    }
  });
});

/** One random change to `bytes`: a flipped bit, a new byte, a cut, an insertion or a deletion. */
function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  const out = Array.from(bytes);
  const at = random.int(out.length);
  switch (random.int(5)) {
    case 0:
      out[at] = (out[at] ?? 0) ^ (1 << random.int(8));
      break;
    case 1:
      out[at] = random.int(256);
      break;
    case 2:
      out.length = at;
      break;
    case 3:
      out.splice(at, 0, random.int(256));
      break;
    default:
      out.splice(at, 1);
  }
  return Uint8Array.from(out);
}

describe('record decoding under random corruption', () => {
  it('never throws, and every mutation it accepts re-encodes to the same bytes', () => {
    const seed = 0x5eed_0004;
    const random = createRandom(seed);
    const originals = [
      sampleRecord(),
      sampleRecord({ deleted: true, version: 9, attributes: {}, data: new Uint8Array(0) }),
      sampleRecord({ attributes: {}, data: new Uint8Array(300).fill(3) }),
      sampleRecord({ attributes: { a: 'x', b: -5, c: 'long'.repeat(20), d: 2 ** 40 } }),
    ].map((record) => encodeRecord(record));
    let accepted = 0;
    for (let step = 0; step < 2000; step++) {
      const mutated = mutate(random.pick(originals), random);
      const context = `seed ${seed}, step ${step}, input ${hex(mutated)}`;
      let result: RecordParseResult;
      try {
        result = decodeRecord(mutated);
      } catch (error) {
        throw new Error(`decodeRecord threw (${context})`, { cause: error });
      }
      if (!result.ok) continue;
      accepted++;
      expect(hex(encodeRecord(result.record)), context).to.equal(hex(mutated));
      expect(hex(result.encoded), context).to.equal(hex(mutated));
    }
    // Both outcomes must occur, or the fuzz would test nothing.
    expect(accepted, `seed ${seed}`).to.be.greaterThan(0);
    expect(accepted, `seed ${seed}`).to.be.lessThan(2000);
  });
});
