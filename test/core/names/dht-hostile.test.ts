import { expect } from 'chai';
import { Dht } from '../../../src/core/names/dht.ts';
import { parseDhtMessage } from '../../../src/core/names/dht-messages.ts';
import type { DhtCarrier, DhtValuePolicy } from '../../../src/core/names/dht-types.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { createRandom, type Random } from '../../../src/lib/random.ts';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';
import { encodeSimValue, simKey, simNodeId, simPolicy } from '../../helpers/names-simulation.ts';

/** A message a fake node received. */
interface Received {
  readonly from: string;
  readonly body: { readonly [key: string]: WireValue };
}

/**
 * A tiny network: honest DHT nodes and hand-driven fake ones, bodies through CBOR with 5 ms
 * of virtual delay. Sending to a node that is not on it fails, as an unreachable node does.
 */
class TinyNetwork {
  readonly clock = new VirtualClock();
  /** Every send, as `from -> to`. */
  readonly sends: string[] = [];
  private readonly endpoints = new Map<string, (from: string, body: WireValue) => void>();

  carrier(nodeId: string, neighbors: readonly string[] = []): DhtCarrier {
    return { nodeId, neighbors: () => neighbors, send: (to, body) => this.send(nodeId, to, body) };
  }

  dht(label: string, neighbors: readonly string[] = [], policy: DhtValuePolicy = simPolicy): Dht {
    const nodeId = simNodeId(label);
    const dht = new Dht({
      carrier: this.carrier(nodeId, neighbors),
      timers: this.clock,
      random: createRandom(label.length * 7919 + 1),
      policy,
    });
    this.endpoints.set(nodeId, (from, body) => void dht.receive(from, body));
    return dht;
  }

  /** A node driven by the test: it records what it receives. */
  fake(label: string): { readonly nodeId: string; readonly inbox: Received[] } {
    const nodeId = simNodeId(label);
    const inbox: Received[] = [];
    this.endpoints.set(nodeId, (from, body) => inbox.push({ from, body: body as Received['body'] }));
    return { nodeId, inbox };
  }

  send(from: string, to: string, body: WireValue): Promise<void> {
    this.sends.push(`${from} -> ${to}`);
    const endpoint = this.endpoints.get(to);
    if (endpoint === undefined) return Promise.reject(new Error(`${to} is not reachable.`));
    const bytes = encodeCbor(body);
    this.clock.schedule(5, () => endpoint(from, decodeCbor(bytes)));
    return Promise.resolve();
  }

  /** Runs `durationMs` of virtual time, then awaits `work` (which must be done by then). */
  async run<T>(work: Promise<T>, durationMs = 10_000): Promise<T> {
    let done = false;
    const tracked = work.finally(() => (done = true));
    await this.clock.advance(durationMs);
    expect(done, 'the operation finished in virtual time').to.equal(true);
    return tracked;
  }
}

const texts = ['find', 'found', 'store', 'stored', 'ping', 'pong', simNodeId('x'), '', 'é'];
const fields = ['t', 'r', 'k', 'v', 'c', 'vs', 'ok', 'why', 'x'];

/** A random wire value, biased towards things that look like DHT messages. */
function randomWire(random: Random, depth = 0): WireValue {
  const kinds = depth > 2 ? 5 : 8;
  switch (random.int(kinds)) {
    case 0:
      return random.chance(0.5) ? null : random.chance(0.5);
    case 1:
      return random.pick([-1, 0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER, random.uint32()]);
    case 2:
      return random.pick(texts);
    case 3:
      return Uint8Array.from({ length: random.pick([0, 1, 31, 32, 33, 2049]) }, () => random.int(256));
    case 4:
      return { t: random.pick(texts), r: random.uint32() };
    case 5:
      return Array.from({ length: random.int(4) }, () => randomWire(random, depth + 1));
    default: {
      const body: { [key: string]: WireValue } = {};
      for (let i = random.int(5); i > 0; i--) body[random.pick(fields)] = randomWire(random, depth + 1);
      return body;
    }
  }
}

function validValue(label: string, nowMs: number, lifetimeMs = 60_000): Uint8Array {
  return encodeSimValue({
    slot: label,
    version: 1,
    expiresAtMs: nowMs + lifetimeMs,
    blob: new Uint8Array([1]),
  });
}

describe('DHT under hostile input', () => {
  it('refuses garbage with a counted reason, never throws, and learns nothing from it', async () => {
    const seed = 1234;
    const random = createRandom(seed);
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker').nodeId;
    const handMade: WireValue[] = [
      null,
      [],
      'find',
      new Uint8Array(100),
      { t: 'find' },
      { t: 'find', r: 1, k: new Uint8Array(31), v: true },
      { t: 'find', r: -1, k: new Uint8Array(32), v: true },
      { t: 'store', r: 1, k: new Uint8Array(32) },
      { t: 'found', r: 1, c: 'not a list' },
      { t: 'ping', r: 1, extra: true },
      { t: '__proto__', r: 1 },
    ];
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const body = i < handMade.length ? (handMade[i] ?? null) : randomWire(random);
      const reason = await a.receive(attacker, body);
      if (parseDhtMessage(body).ok) continue;
      refused++;
      expect(reason, `seed ${seed}, body ${i}`).to.be.a('string');
    }
    const counted = Object.values(a.rejections()).reduce((sum, n) => sum + n, 0);
    expect(counted, `seed ${seed}`).to.be.at.least(refused);
    expect(a.rejections()['bad-message'], `seed ${seed}`).to.be.greaterThan(0);
    expect(a.stats().held).to.equal(0);
  });

  it('refuses messages from itself or from something that is not a node id', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    expect(await a.receive(a.nodeId, { t: 'ping', r: 1 })).to.equal('from-self');
    expect(await a.receive('not-a-node', { t: 'ping', r: 1 })).to.equal('bad-sender');
    expect(a.contactCount()).to.equal(0);
  });

  it('refuses oversize values and values the policy refuses, storing nothing and saying why', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const stored: string[] = [];
    a.on('stored', ({ slot }) => stored.push(slot));
    const attacker = net.fake('attacker');
    const key = simKey('k');
    const big = { t: 'store', r: 1, k: key, v: new Uint8Array(2049) };
    expect(await a.receive(attacker.nodeId, big)).to.equal('value-too-large');
    const garbage = { t: 'store', r: 2, k: key, v: new Uint8Array([1, 2, 3]) };
    expect(await a.receive(attacker.nodeId, garbage)).to.equal('malformed');
    const expired = { t: 'store', r: 3, k: key, v: validValue('late', 0, 0) };
    expect(await a.receive(attacker.nodeId, expired)).to.equal('expired');
    expect(a.held(key)).to.deep.equal([]);
    expect(a.stats().held).to.equal(0);
    expect(stored).to.deep.equal([]);
    await net.clock.advance(100);
    expect(attacker.inbox.map((m) => m.body)).to.deep.equal([
      { t: 'stored', r: 2, ok: false, why: 'malformed' },
      { t: 'stored', r: 3, ok: false, why: 'expired' },
    ]);
    // The same sender with a good value is served: refusals are about values, not senders.
    expect(await a.receive(attacker.nodeId, { t: 'store', r: 4, k: key, v: validValue('good', 0) })).to.equal(
      undefined,
    );
    expect(a.held(key).length).to.equal(1);
    expect(stored).to.deep.equal(['good']);
  });

  it('refuses a replayed older version, and keeps the newer one it holds', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker');
    const key = simKey('k');
    const version = (n: number): Uint8Array =>
      encodeSimValue({ slot: 'owner', version: n, expiresAtMs: 60_000, blob: new Uint8Array([n]) });
    expect(await a.receive(attacker.nodeId, { t: 'store', r: 1, k: key, v: version(1) })).to.equal(undefined);
    expect(await a.receive(attacker.nodeId, { t: 'store', r: 2, k: key, v: version(2) })).to.equal(undefined);
    // A copy of version 1 sent again (a replay), and version 2 sent twice: neither changes anything.
    expect(await a.receive(attacker.nodeId, { t: 'store', r: 3, k: key, v: version(1) })).to.equal('stale');
    expect(await a.receive(attacker.nodeId, { t: 'store', r: 4, k: key, v: version(2) })).to.be.oneOf([
      undefined,
      'stale',
    ]);
    expect(a.held(key)).to.deep.equal([version(2)]);
    expect(a.rejections()['stale']).to.be.at.least(1);
  });

  it('refuses answers nobody asked for, and answers from another node than the one asked', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker');
    const other = net.fake('other');
    for (const body of [
      { t: 'found', r: 1, c: [] },
      { t: 'stored', r: 1, ok: true },
      { t: 'pong', r: 1 },
    ]) {
      expect(await a.receive(attacker.nodeId, body)).to.equal('unasked-response');
    }
    a.neighborUp(attacker.nodeId);
    const getting = a.get(simKey('k'));
    await net.clock.advance(10);
    const find = attacker.inbox.find((m) => m.body['t'] === 'find');
    expect(find).to.not.equal(undefined);
    const r = find?.body['r'] ?? 0;
    // Right id, wrong node: only the node asked may answer.
    expect(await a.receive(other.nodeId, { t: 'found', r, c: [], vs: [validValue('x', 0)] })).to.equal(
      'unasked-response',
    );
    // Right id, right node, wrong answer type.
    expect(await a.receive(attacker.nodeId, { t: 'pong', r })).to.equal('unasked-response');
    const result = await net.run(getting);
    expect(result.values).to.deep.equal([]);
    expect(a.rejections()['unasked-response']).to.equal(5);
  });

  it('refuses a reply listing 1000 contacts, and drops the node that sent it', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker');
    a.neighborUp(attacker.nodeId);
    expect(a.contactCount()).to.equal(1);
    const getting = a.get(simKey('k'));
    await net.clock.advance(10);
    const r = attacker.inbox[0]?.body['r'] ?? 0;
    const flood = Array.from({ length: 1000 }, (_, i) => simNodeId(`fake-${i}`));
    expect(await a.receive(attacker.nodeId, { t: 'found', r, c: flood })).to.equal('too-many-contacts');
    const result = await net.run(getting);
    expect(result.contacted).to.equal(0);
    // It never answered properly, so its request timed out and it left the table.
    expect(a.contactCount()).to.equal(0);
    const listed = new Set(flood);
    expect(net.sends.filter((send) => listed.has(send.split(' -> ')[1] ?? ''))).to.deep.equal([]);
  });

  it('never contacts itself and adds named contacts only once they answer', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker');
    a.neighborUp(attacker.nodeId);
    const getting = a.get(simKey('k'));
    await net.clock.advance(10);
    const r = attacker.inbox[0]?.body['r'] ?? 0;
    const ghosts = [simNodeId('ghost-1'), simNodeId('ghost-2')];
    expect(await a.receive(attacker.nodeId, { t: 'found', r, c: [a.nodeId, ...ghosts] })).to.equal(undefined);
    await net.run(getting);
    expect(net.sends.some((send) => send.endsWith(`-> ${a.nodeId}`))).to.equal(false);
    // The ghosts were asked, could not be reached, and never became contacts.
    expect(net.sends.filter((send) => ghosts.some((ghost) => send.endsWith(ghost))).length).to.equal(2);
    expect(a.contactCount()).to.equal(1);
  });

  it('rate-limits a flood of stores and of lookups from one sender', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const attacker = net.fake('attacker').nodeId;
    const key = simKey('k');
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 100; i++) {
      const value = validValue(`slot-${i % 30}`, 0);
      reasons.push(await a.receive(attacker, { t: 'store', r: i, k: simKey(`k${i}`), v: value }));
    }
    expect(reasons.filter((reason) => reason === undefined).length).to.equal(20);
    expect(a.rejections()['rate-limited']).to.equal(80);
    expect(a.stats().held).to.equal(20);
    const finds: (string | undefined)[] = [];
    for (let i = 0; i < 100; i++) finds.push(await a.receive(attacker, { t: 'find', r: i, k: key, v: true }));
    expect(finds.filter((reason) => reason === undefined).length).to.equal(50);
    expect(a.rejections()['rate-limited']).to.equal(130);
    // Another sender is not held back by the flooder.
    const honest = net.fake('honest').nodeId;
    expect(await a.receive(honest, { t: 'store', r: 1, k: key, v: validValue('h', 0) })).to.equal(undefined);
    // And the flooder is served again once it has been quiet for a while.
    await net.clock.advance(60_000);
    expect(await a.receive(attacker, { t: 'store', r: 1, k: key, v: validValue('later', 60_000) })).to.equal(
      undefined,
    );
  });

  it('answers a republish of a value it holds without checking it again', async () => {
    const net = new TinyNetwork();
    let checks = 0;
    const counting: DhtValuePolicy = {
      check: (key, value, nowMs) => {
        checks++;
        return simPolicy.check(key, value, nowMs);
      },
    };
    const a = net.dht('a', [], counting);
    const sender = net.fake('sender').nodeId;
    const body = { t: 'store', r: 1, k: simKey('k'), v: validValue('same', 0) };
    for (let i = 0; i < 40; i++) expect(await a.receive(sender, body)).to.equal(undefined);
    expect(checks).to.equal(1);
    expect(a.stats().held).to.equal(1);
  });

  it('keeps serving honest nodes after all that', async () => {
    const net = new TinyNetwork();
    const a = net.dht('a');
    const b = net.dht('b', [a.nodeId]);
    const c = net.dht('c', [a.nodeId]);
    for (const dht of [a, b, c]) dht.start();
    await net.clock.advance(5_000);
    const random = createRandom(99);
    const attacker = net.fake('attacker').nodeId;
    for (let i = 0; i < 300; i++) await a.receive(attacker, randomWire(random));
    for (let i = 0; i < 60; i++) {
      await a.receive(attacker, { t: 'store', r: i, k: simKey(`junk-${i}`), v: new Uint8Array([i + 1]) });
    }
    for (let i = 0; i < 60; i++)
      await a.receive(attacker, { t: 'find', r: i, k: new Uint8Array(31), v: true });
    const key = simKey('honest');
    const value = validValue('honest', net.clock.nowMs());
    const put = await net.run(b.put(key, value));
    expect(put.stored).to.equal(3);
    const got = await net.run(c.get(key));
    expect(got.values).to.deep.equal([value]);
    expect(a.held(key)).to.deep.equal([value]);
    expect(a.contactCount()).to.be.at.least(2);
    for (const dht of [a, b, c]) dht.stop();
  });
});
