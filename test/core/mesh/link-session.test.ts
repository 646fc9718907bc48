import { expect } from 'chai';
import type { AuthenticatedLink } from '../../../src/core/mesh/authenticate-link.ts';
import {
  LinkSession,
  ProtocolTakenError,
  SessionClosedError,
  type LinkSessionOptions,
} from '../../../src/core/mesh/link-session.ts';
import type { Link } from '../../../src/core/ports.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { WireEncodeError } from '../../../src/core/wire/errors.ts';
import { encodeFrame } from '../../../src/core/wire/frame.ts';
import type { MemoryLink } from '../../../src/transport/memory/memory-link.ts';
import type { MemoryNetwork } from '../../../src/transport/memory/memory-network.ts';
import { closeReasons, linkPair, onlineNodes, rejectionOf, seededNetwork } from '../../helpers/simulation.ts';

const oneWayMs = 40;

/** Two memory nodes on a fixed one-way latency; returns the network and both raw ends. */
async function pair(seed: number): Promise<{ network: MemoryNetwork; a: MemoryLink; b: MemoryLink }> {
  const network = seededNetwork(seed, { latencyMs: { minMs: oneWayMs, maxMs: oneWayMs } });
  const [ta, tb] = await onlineNodes(network, ['node-a', 'node-b']);
  const [a, b] = await linkPair(network, ta, tb);
  return { network, a, b };
}

/** An already authenticated link as the handshake would hand it over, without Web Crypto. */
function authenticated(link: Link, pending: readonly Uint8Array[] = []): AuthenticatedLink {
  return {
    link,
    peer: { nodeId: link.remoteNodeId, publicKey: new Uint8Array(32), nodeSalt: new Uint8Array(16) },
    pending,
  };
}

function session(
  network: MemoryNetwork,
  link: Link,
  options: Partial<LinkSessionOptions> & { pending?: readonly Uint8Array[] } = {},
): LinkSession {
  const { pending, ...rest } = options;
  return new LinkSession(authenticated(link, pending), {
    timers: network.clock,
    ...rest,
  });
}

const frame = (protocol: string, body: WireValue): Uint8Array =>
  encodeFrame({ protocol, kind: 'control', body });

/** Sends `count` copies of `bytes` on a raw link, all at the same virtual instant. */
async function burst(link: Link, bytes: Uint8Array, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await link.send(bytes);
}

describe('a link session', () => {
  it('routes frames to the one handler of their protocol', async () => {
    const { network, a, b } = await pair(1);
    const [atA, atB] = [session(network, a), session(network, b)];
    const chat: WireValue[] = [];
    const files: WireValue[] = [];
    atB.handle('mycel/chat', (body) => void chat.push(body));
    const offFiles = atB.handle('mycel/files', (body) => void files.push(body));
    expect(() => atB.handle('mycel/chat', () => undefined)).to.throw(ProtocolTakenError);
    expect(() => atB.handle('mycel/keepalive', () => undefined)).to.throw(ProtocolTakenError);
    atA.start();
    atB.start();
    await atA.send('mycel/chat', { text: 'hello' });
    await atA.send('mycel/files', { name: 'a.txt' }, 'bulk');
    await atA.send('mycel/chat', { text: 'again' });
    await network.advance(100);
    expect(chat).to.deep.equal([{ text: 'hello' }, { text: 'again' }]);
    expect(files).to.deep.equal([{ name: 'a.txt' }]);

    offFiles();
    await atA.send('mycel/files', { name: 'b.txt' });
    await network.advance(100);
    expect(files).to.have.length(1);
    expect(atB.rejections()).to.deep.equal({ 'unknown-protocol': 1 });
    expect(atB.stats().framesIn).to.be.greaterThan(4);
  });

  it('refuses to send a body over the cap, or on a closed session', async () => {
    const { network, a } = await pair(2);
    const atA = session(network, a);
    atA.start();
    const big = new Uint8Array(20 * 1024);
    expect(await rejectionOf(atA.send('mycel/chat', big))).to.be.instanceOf(WireEncodeError);
    expect(await rejectionOf(atA.send('mycel/blocks', big, 'bulk'))).to.equal(undefined);
    atA.close('done');
    expect(await rejectionOf(atA.send('mycel/chat', 1))).to.be.instanceOf(SessionClosedError);
  });

  it('handles the messages left over from the handshake first, in order', async () => {
    const { network, a, b } = await pair(3);
    const atB = session(network, b, { pending: [frame('mycel/chat', 1), frame('mycel/chat', 2)] });
    await a.send(frame('mycel/chat', 3));
    await network.advance(100);
    const seen: WireValue[] = [];
    atB.handle('mycel/chat', (body) => void seen.push(body));
    atB.start();
    await a.send(frame('mycel/chat', 4));
    await network.advance(100);
    expect(seen).to.deep.equal([1, 2, 3, 4]);
  });

  it('counts frames of an unknown protocol and reasons handlers give, with an event each', async () => {
    const { network, a, b } = await pair(4);
    const atB = session(network, b);
    const events: string[] = [];
    atB.on('rejected', ({ reason }) => events.push(reason));
    atB.handle('mycel/chat', (body) => (typeof body === 'string' ? undefined : 'not-text'));
    atB.start();
    await a.send(frame('mycel/nope', 1));
    await a.send(frame('mycel/chat', 7));
    await a.send(frame('mycel/chat', 'fine'));
    await a.send(Uint8Array.of(9, 9, 9));
    await network.advance(100);
    expect(events).to.deep.equal(['unknown-protocol', 'not-text', 'bad-version']);
    expect(atB.rejections()).to.deep.equal({ 'unknown-protocol': 1, 'not-text': 1, 'bad-version': 1 });
    expect(atB.stats().rejections).to.equal(3);
    expect(atB.open).to.equal(true);
  });

  it('a handler that throws or rejects is counted and later frames are still handled', async () => {
    const { network, a, b } = await pair(5);
    const atB = session(network, b);
    const seen: WireValue[] = [];
    atB.handle('mycel/chat', (body) => {
      if (body === 'boom') throw new Error('handler bug');
      seen.push(body);
      return undefined;
    });
    atB.handle('mycel/async', async (body) => {
      await Promise.resolve();
      if (body === 'boom') throw new Error('async handler bug');
      seen.push(body);
      return undefined;
    });
    atB.start();
    for (const [protocol, body] of [
      ['mycel/chat', 'boom'],
      ['mycel/chat', 1],
      ['mycel/async', 'boom'],
      ['mycel/async', 2],
      ['mycel/chat', 3],
    ] as const) {
      await a.send(frame(protocol, body));
    }
    await network.advance(100);
    expect(seen).to.deep.equal([1, 2, 3]);
    expect(atB.rejections()).to.deep.equal({ 'handler-error': 2 });
    expect(atB.open).to.equal(true);
  });

  it('drops frames over the rate and counts them, and serves the peer again once it slows down', async () => {
    const { network, a, b } = await pair(6);
    const atB = session(network, b, { maxFramesPerSecond: 200, burstFrames: 400 });
    let handled = 0;
    atB.handle('mycel/chat', () => {
      handled++;
      return undefined;
    });
    atB.start();
    await burst(a, frame('mycel/chat', 0), 450);
    await network.advance(100);
    expect(handled).to.equal(400);
    expect(atB.rejections()).to.deep.equal({ 'rate-limited': 50 });
    expect(atB.open).to.equal(true);

    await network.advance(1_000);
    await burst(a, frame('mycel/chat', 0), 100);
    await network.advance(100);
    expect(handled).to.equal(500);
    expect(atB.open).to.equal(true);
  });

  it('disconnects a peer that keeps flooding past twice its burst', async () => {
    const { network, a, b } = await pair(7);
    const atB = session(network, b, { maxFramesPerSecond: 200, burstFrames: 400 });
    const closed: string[] = [];
    atB.on('closed', ({ reason }) => closed.push(reason));
    const atA = closeReasons(a);
    let handled = 0;
    atB.handle('mycel/chat', () => {
      handled++;
      return undefined;
    });
    atB.start();
    await burst(a, frame('mycel/chat', 0), 5_000);
    await network.advance(1_000);
    expect(closed).to.deep.equal(['flooding']);
    expect(atA).to.deep.equal(['closed by the other side']);
    expect(handled).to.equal(400);
    expect(atB.rejections()).to.deep.equal({ 'rate-limited': 801 });
  });

  it('holds a flood that arrives before start to the same limit', async () => {
    const { network, a, b } = await pair(11);
    const atB = session(network, b, { maxFramesPerSecond: 200, burstFrames: 400 });
    const closed: string[] = [];
    atB.on('closed', ({ reason }) => closed.push(reason));
    await burst(a, frame('mycel/chat', 0), 5_000);
    await network.advance(1_000);
    expect(closed).to.deep.equal(['flooding']);
    let handled = 0;
    atB.handle('mycel/chat', () => {
      handled++;
      return undefined;
    });
    atB.start();
    expect(handled).to.equal(0);
  });

  it(`closes the link after too many refused frames`, async () => {
    const { network, a, b } = await pair(8);
    const atB = session(network, b, { maxRejectionsBeforeClose: 20 });
    const closed: string[] = [];
    atB.on('closed', ({ reason }) => closed.push(reason));
    atB.start();
    await burst(a, frame('mycel/nope', 0), 19);
    await network.advance(100);
    expect(closed).to.deep.equal([]);
    await burst(a, frame('mycel/nope', 0), 5);
    await network.advance(100);
    expect(closed).to.deep.equal(['too-many-rejections']);
    expect(atB.rejections()).to.deep.equal({ 'unknown-protocol': 20 });
    expect(b.open).to.equal(false);
  });

  it('measures the round-trip time with keepalives and keeps a quiet link alive', async () => {
    const { network, a, b } = await pair(9);
    const [atA, atB] = [session(network, a), session(network, b)];
    expect(atA.stats().rttMs).to.equal(undefined);
    atA.start();
    atB.start();
    await network.advance(60_000);
    expect([atA.open, atB.open]).to.deep.equal([true, true]);
    const rtt = atA.stats().rttMs;
    expect(rtt).to.be.closeTo(2 * oneWayMs, 1);
    expect(atB.stats().rttMs).to.be.closeTo(2 * oneWayMs, 1);
    expect(atA.rejections()).to.deep.equal({});
    expect(atA.stats().lastHeardAtMs).to.be.greaterThan(network.clock.nowMs() - 5_000);
  });

  it('closes a link that falls silent as dead', async () => {
    const { network, a, b } = await pair(10);
    const atB = session(network, b, { deadAfterMs: 15_000 });
    const closed: string[] = [];
    atB.on('closed', ({ reason }) => closed.push(reason));
    const raw = closeReasons(a);
    atB.start();
    await network.advance(10_000);
    await a.send(frame('mycel/nope', 0)); // heard at 10 040: dead at 25 040, not 15 000
    await network.advance(15_000);
    expect(closed).to.deep.equal([]);
    await network.advance(100);
    expect(closed).to.deep.equal(['dead']);
    expect(raw).to.deep.equal(['closed by the other side']);
    expect(atB.open).to.equal(false);
  });
});
