import { expect } from 'chai';
import { PayloadCache } from '../../../../src/core/mesh/broadcast/payload-cache.ts';
import {
  maxIdsPerMessage,
  parsePlumtreeMessage,
  plumtreeBody,
  type PlumtreeMessage,
} from '../../../../src/core/mesh/broadcast/plumtree-messages.ts';
import { SeenCache } from '../../../../src/core/mesh/broadcast/seen-cache.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../../src/core/wire/cbor.ts';
import { createRandom, type Random } from '../../../../src/lib/random.ts';
import { createProbe } from './probe.ts';

function idOf(byte: number, length = 16): Uint8Array {
  return new Uint8Array(length).fill(byte);
}

function distinctIds(count: number, salt: number): { id: Uint8Array; round: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const id = new Uint8Array(16);
    new DataView(id.buffer).setUint32(0, salt);
    new DataView(id.buffer).setUint32(4, i);
    return { id, round: 0 };
  });
}

/** A random wire value, biased towards shapes close to real messages. */
function randomValue(random: Random, depth = 0): WireValue {
  const types = ['gossip', 'ihave', 'graft', 'prune', 'other'];
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.int(3) === 0 ? -random.int(1000) : random.int(0x20000);
    case 3:
      return random.chance(0.5) ? random.pick(types) : 'x'.repeat(random.int(80));
    case 4:
    case 5:
      return idOf(random.int(256), random.pick([0, 1, 15, 16, 17, 300]));
    case 6:
      return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
    default: {
      const keys = ['type', 'id', 'root', 'round', 'payload', 'ids', 'ihave', 'extra'];
      const out: Record<string, WireValue> = { type: random.pick(types) };
      for (const key of keys) if (random.chance(0.6)) out[key] = randomValue(random, depth + 1);
      return out;
    }
  }
}

describe('Plumtree messages', () => {
  const valid: PlumtreeMessage[] = [
    { type: 'gossip', id: idOf(1), root: 'n1', round: 3, payload: new Uint8Array([1, 2, 3]) },
    {
      type: 'gossip',
      id: idOf(1),
      root: 'n1',
      round: 0,
      payload: new Uint8Array([1]),
      ihave: [{ id: idOf(5), round: 2 }],
    },
    { type: 'ihave', ids: [{ id: idOf(2), round: 0 }] },
    { type: 'graft', ids: [idOf(3), idOf(4)] },
    { type: 'prune', root: 'n2' },
  ];

  it('every message survives the trip through CBOR', () => {
    for (const message of valid) {
      const parsed = parsePlumtreeMessage(decodeCbor(encodeCbor(plumtreeBody(message))));
      expect(parsed, message.type).to.deep.equal({ ok: true, message });
    }
  });

  it('refuses malformed bodies with a reason', () => {
    const gossip = { type: 'gossip', id: idOf(1), root: 'n1', round: 0, payload: idOf(1, 1) };
    const cases: [WireValue, string][] = [
      [null, 'bad-message:wrong-type'],
      [[1, 2], 'bad-message:wrong-type'],
      [{ type: 'flood' }, 'unknown-type'],
      [{ type: 'toString' }, 'unknown-type'],
      [{ ...gossip, id: idOf(1, 15) }, 'bad-message:wrong-length'],
      [{ ...gossip, round: -1 }, 'bad-message:out-of-range'],
      [{ ...gossip, root: 'no spaces' }, 'bad-message:no-match'],
      [{ ...gossip, payload: idOf(0, 0) }, 'bad-message:too-short'],
      [{ ...gossip, payload: idOf(0, 64 * 1024 + 1) }, 'bad-message:too-long'],
      [{ ...gossip, extra: 1 }, 'bad-message:unknown-key'],
      [{ ...gossip, ihave: [] }, 'bad-message:too-short'],
      [{ type: 'ihave', ids: [] }, 'bad-message:too-short'],
      [{ type: 'ihave', ids: [{ id: idOf(1) }] }, 'bad-message:missing-key'],
      [{ type: 'graft', ids: [] }, 'bad-message:too-short'],
      [{ type: 'graft', ids: ['x'] }, 'bad-message:wrong-type'],
      [{ type: 'prune' }, 'bad-message:missing-key'],
    ];
    for (const [body, reason] of cases) {
      expect(parsePlumtreeMessage(body), JSON.stringify(body)).to.deep.equal({ ok: false, reason });
    }
  });

  it('a full IHAVE fits a 16 KiB control frame', () => {
    const ids = distinctIds(maxIdsPerMessage, 1).map(({ id }) => ({ id, round: 0xffff }));
    expect(encodeCbor(plumtreeBody({ type: 'ihave', ids })).length).to.be.below(16 * 1024 - 64);
  });
});

describe('Plumtree instance under hostile input', () => {
  it('refuses messages from a node that is not a neighbour, before reading them', () => {
    const probe = createProbe();
    expect(probe.receive('mallory', { type: 'prune', root: 'x' })).to.equal('not-neighbor');
    expect(probe.receiveRaw('mallory', null)).to.equal('not-neighbor');
    probe.plumtree.removeNeighbor('a');
    expect(probe.receive('a', { type: 'graft', ids: [idOf(1)] })).to.equal('not-neighbor');
    expect(probe.outbox).to.deep.equal([]);
  });

  it('refuses an IHAVE of 10,000 ids and a gossip with a short id, and tracks nothing', async () => {
    const probe = createProbe();
    const huge = { type: 'ihave', ids: distinctIds(10_000, 2) };
    expect(probe.receiveRaw('a', huge)).to.equal('bad-message:too-long');
    const shortId = { type: 'gossip', id: idOf(1, 15), root: 'a', round: 0, payload: idOf(1, 4) };
    expect(probe.receiveRaw('a', shortId)).to.equal('bad-message:wrong-length');
    await probe.clock.advance(60_000);
    expect(probe.delivered).to.deep.equal([]);
    expect(probe.outbox).to.deep.equal([]);
    expect(probe.plumtree.footprint()).to.deep.include({ missingIds: 0, pendingDeliveries: 0 });
  });

  it('ignores a GRAFT for ids it never had', async () => {
    const probe = createProbe();
    expect(
      probe.receive('a', { type: 'graft', ids: distinctIds(maxIdsPerMessage, 3).map((e) => e.id) }),
    ).to.equal(undefined);
    await probe.clock.advance(1_000);
    expect(probe.outbox).to.deep.equal([]);
    expect(probe.plumtree.footprint().pendingLookups).to.equal(0);
  });

  it('never throws on random input, and refuses most of it with a reason', async () => {
    const seed = 4_242;
    const random = createRandom(seed);
    const probe = createProbe();
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const value = randomValue(random);
      let reason: string | undefined;
      expect(
        () => (reason = probe.receiveRaw(random.pick(['a', 'b', 'mallory']), value)),
        `seed ${seed}, #${i}`,
      ).not.to.throw();
      if (reason !== undefined) refused++;
    }
    await probe.clock.advance(60_000);
    expect(refused, `seed ${seed}`).to.be.above(2_500);
  });

  it('keeps at most maxMissingIds announced ids, whatever is announced', async () => {
    const probe = createProbe({ config: { maxMissingIds: 100, maxGraftAttempts: 1 } });
    for (let frame = 0; frame < 8; frame++) {
      expect(probe.receive('a', { type: 'ihave', ids: distinctIds(maxIdsPerMessage, frame) })).to.equal(
        undefined,
      );
    }
    expect(probe.plumtree.footprint().missingIds).to.equal(100);
    await probe.clock.advance(60_000);
    const asked = probe.sent('graft').reduce((sum, graft) => sum + graft.ids.length, 0);
    expect(asked).to.equal(100);
  });

  it("is 'busy' past maxPendingDeliveries, and grafts the refused payload later", async () => {
    const stalled: ((outcome: string) => void)[] = [];
    const probe = createProbe({
      config: { maxPendingDeliveries: 2 },
      deliver: () => new Promise((resolve) => stalled.push(resolve)),
    });
    const gossip = (byte: number): PlumtreeMessage => ({
      type: 'gossip',
      id: idOf(byte),
      root: 'r',
      round: 0,
      payload: idOf(byte, 3),
    });
    expect(probe.receive('a', gossip(1))).to.equal(undefined);
    expect(probe.receive('a', gossip(2))).to.equal(undefined);
    expect(probe.receive('b', gossip(3))).to.equal('busy');
    for (const resolve of stalled) resolve('accepted');
    await probe.clock.advance(1_000);
    expect(probe.sent('graft', 'b')).to.deep.equal([{ type: 'graft', ids: [idOf(3)] }]);
    expect(probe.receive('b', gossip(3))).to.equal(undefined);
    expect(probe.delivered.map((call) => call.id[0])).to.deep.equal([1, 2, 3]);
  });

  it('forgets the oldest seen ids past seenCapacity; deliver decides about one that comes back', async () => {
    const probe = createProbe({ config: { seenCapacity: 3 } });
    for (let byte = 1; byte <= 5; byte++) {
      probe.receive('a', { type: 'gossip', id: idOf(byte), root: 'r', round: 0, payload: idOf(byte, 2) });
    }
    await probe.clock.advance(0);
    expect(probe.plumtree.footprint().seenIds).to.equal(3);
    probe.receive('b', { type: 'gossip', id: idOf(5), root: 'r', round: 0, payload: idOf(5, 2) });
    probe.receive('b', { type: 'gossip', id: idOf(1), root: 'r', round: 0, payload: idOf(1, 2) });
    await probe.clock.advance(0);
    expect(probe.delivered.map((call) => call.id[0])).to.deep.equal([1, 2, 3, 4, 5, 1]);
  });
});

describe('Plumtree caches', () => {
  it('SeenCache forgets the oldest id first', () => {
    const seen = new SeenCache(2);
    seen.add('a');
    seen.add('b');
    seen.add('a');
    seen.add('c');
    expect([seen.has('a'), seen.has('b'), seen.has('c'), seen.size]).to.deep.equal([false, true, true, 2]);
  });

  it('PayloadCache drops payloads past their age, count or bytes', () => {
    const cache = new PayloadCache({ maxAgeMs: 1_000, maxEntries: 2, maxBytes: 10 });
    const entry = (bytes: number, storedAtMs: number) => ({
      payload: new Uint8Array(bytes),
      root: 'r',
      round: 0,
      storedAtMs,
    });
    cache.put('a', entry(4, 0));
    cache.put('b', entry(4, 100));
    cache.put('c', entry(4, 200));
    expect([cache.get('a', 200), cache.size, cache.bytes]).to.deep.equal([undefined, 2, 8]);
    cache.put('d', entry(6, 300));
    expect([cache.get('b', 300), cache.get('c', 300)?.storedAtMs, cache.bytes]).to.deep.equal([
      undefined,
      200,
      10,
    ]);
    expect(cache.get('c', 1_201), 'too old').to.equal(undefined);
    expect(cache.get('d', 1_201)?.storedAtMs).to.equal(300);
    cache.put('e', entry(11, 1_300));
    expect(cache.get('e', 1_300), 'larger than the cache').to.equal(undefined);
  });
});
