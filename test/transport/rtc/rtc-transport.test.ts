import { expect } from 'chai';
import type { Link, SignalMessage, TransportStatus } from '../../../src/core/ports.ts';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { DialError } from '../../../src/transport/errors.ts';
import { RtcTransport, type RtcTransportInit } from '../../../src/transport/rtc/rtc-transport.ts';
import { randomName } from '../../helpers/ids.ts';
import { SignalBus } from '../../helpers/memory-signaller.ts';
import { nextMessage } from '../../helpers/transports.ts';

type Options = Pick<RtcTransportInit, 'dialTimeoutMs' | 'maxIncomingCalls'>;

/** Every link a transport accepts, in order. */
function acceptedLinks(transport: RtcTransport): Link[] {
  const links: Link[] = [];
  transport.on('link', (link) => links.push(link));
  return links;
}

/** Resolves once `condition` holds, checking every 20 ms; the test's own timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Records every RTCPeerConnection the page creates until `restore` is called. */
function recordPeerConnections(): { created: RTCPeerConnection[]; restore: () => void } {
  const original = globalThis.RTCPeerConnection;
  const created: RTCPeerConnection[] = [];
  globalThis.RTCPeerConnection = class extends original {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      created.push(this);
    }
  };
  return { created, restore: () => (globalThis.RTCPeerConnection = original) };
}

/** A real offer with the negotiated data channel, made by a peer connection that then goes away. */
async function realOfferSdp(): Promise<string> {
  const pc = new RTCPeerConnection();
  pc.createDataChannel('mycel', { negotiated: true, id: 0 });
  await pc.setLocalDescription();
  const sdp = pc.localDescription?.sdp ?? '';
  pc.close();
  return sdp;
}

describe('RtcTransport: WebRTC links negotiated through a signaller', () => {
  let bus = new SignalBus();
  const started: RtcTransport[] = [];
  async function online(options: Options = {}): Promise<RtcTransport> {
    const nodeId = randomName('mrtc');
    const transport = new RtcTransport({
      nodeId,
      signaller: bus.signallerFor(nodeId),
      iceServers: [],
      ...options,
    });
    started.push(transport);
    await transport.start();
    return transport;
  }
  async function linkBoth(from: RtcTransport, to: RtcTransport): Promise<[Link, Link]> {
    const incoming = new Promise<Link>((resolve) => {
      const off = to.on('link', (link) => {
        off();
        resolve(link);
      });
    });
    const outgoing = await from.dial(to.nodeId);
    return [outgoing, await incoming];
  }
  async function expectTalking(mine: Link, theirs: Link, label: string): Promise<void> {
    const there = nextMessage(theirs);
    await mine.send(utf8(`${label} there`));
    expect(fromUtf8(await there)).to.equal(`${label} there`);
    const back = nextMessage(mine);
    await theirs.send(utf8(`${label} back`));
    expect(fromUtf8(await back)).to.equal(`${label} back`);
  }

  beforeEach(() => {
    bus = new SignalBus();
  });
  afterEach(() => {
    for (const transport of started.splice(0)) transport.stop();
  });

  it('a dial opens a link at both ends that carries bytes both ways, with mirrored DTLS fingerprints', async () => {
    const alice = await online();
    const bob = await online();
    expect(alice.status).to.deep.equal({ state: 'online' });
    const [mine, theirs] = await linkBoth(alice, bob);
    expect(mine.remoteNodeId).to.equal(bob.nodeId);
    expect(theirs.remoteNodeId).to.equal(alice.nodeId);
    expect(mine.open && theirs.open).to.equal(true);
    await expectTalking(mine, theirs, 'alice and bob');
    const fingerprint = /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
    expect(mine.dtlsFingerprints?.local).to.match(fingerprint);
    expect(mine.dtlsFingerprints?.local).to.not.equal(mine.dtlsFingerprints?.remote);
    expect(mine.dtlsFingerprints?.local).to.equal(theirs.dtlsFingerprints?.remote);
    expect(mine.dtlsFingerprints?.remote).to.equal(theirs.dtlsFingerprints?.local);
    expect(alice.rejections()).to.deep.equal({});
    expect(bob.rejections()).to.deep.equal({});
  });

  it('six nodes dial in parallel, two of them each other at once, and every link opens', async () => {
    const nodes = await Promise.all(Array.from({ length: 6 }, () => online()));
    const accepted = nodes.map(acceptedLinks);
    const dials: readonly [number, number][] = [
      [0, 1],
      [1, 0],
      [0, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 0],
      [1, 4],
      [2, 5],
    ];
    const node = (index: number): RtcTransport => nodes[index] ?? expect.fail(`no node ${index}`);
    const outgoing = await Promise.all(dials.map(([from, to]) => node(from).dial(node(to).nodeId)));
    await until(() => accepted.flat().length === dials.length);
    for (const [index, [from, to]] of dials.entries()) {
      const mine = outgoing[index] ?? expect.fail('missing link');
      const theirs = accepted[to]?.filter((link) => link.remoteNodeId === node(from).nodeId) ?? [];
      expect(theirs, `${from} -> ${to}`).to.have.length(1);
      await expectTalking(mine, theirs[0] ?? expect.fail('missing link'), `${from} -> ${to}`);
    }
  });

  it('a dial to a node the signaller cannot reach fails at once with a DialError', async () => {
    const alice = await online();
    const error = await failureOf(alice.dial(randomName('mnobody')));
    expect(error).to.be.instanceOf(DialError);
    expect((error as Error).message).to.match(/No route to mnobody\w+ through the mesh/);
  });

  it('a dial whose answer never comes fails after the dial timeout and closes its connection', async () => {
    const alice = await online({ dialTimeoutMs: 500 });
    const bob = await online();
    bus.tap = (_from, _to, message) => (message.type === 'answer' ? undefined : message);
    const connections = recordPeerConnections();
    try {
      const error = await failureOf(alice.dial(bob.nodeId));
      expect(error).to.be.instanceOf(DialError);
      expect((error as Error).message).to.match(/did not answer in time/);
      expect(connections.created[0]?.connectionState).to.equal('closed');
    } finally {
      connections.restore();
    }
  });

  it('aborting the signal fails a dial in progress with a DialError and closes its connection', async () => {
    const alice = await online();
    const bob = await online();
    const controller = new AbortController();
    bus.tap = (_from, _to, message) => {
      if (message.type !== 'answer') return message;
      controller.abort();
      return undefined;
    };
    const connections = recordPeerConnections();
    try {
      const error = await failureOf(alice.dial(bob.nodeId, controller.signal));
      expect(error).to.be.instanceOf(DialError);
      expect((error as Error).message).to.match(/cancelled/);
      expect(connections.created[0]?.connectionState).to.equal('closed');
      expect(await failureOf(alice.dial(bob.nodeId, controller.signal))).to.be.instanceOf(DialError);
    } finally {
      connections.restore();
    }
  });

  it('hostile signals are counted and dropped without throwing, and normal dials still work', async () => {
    const uncaught: unknown[] = [];
    const onError = (event: ErrorEvent): void => void uncaught.push(event.error);
    const onRejection = (event: PromiseRejectionEvent): void => void uncaught.push(event.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    try {
      const alice = await online();
      const bob = await online({ maxIncomingCalls: 2, dialTimeoutMs: 3000 });
      const mallory = randomName('mmallory');
      const toMallory: SignalMessage[] = [];
      bus.signallerFor(mallory).addEventListener('signal', (event) => {
        toMallory.push((event as CustomEvent<{ message: SignalMessage }>).detail.message);
      });
      const offer = await realOfferSdp();
      bus.inject(bob.nodeId, mallory, { type: 'offer', call: 'garbage', sdp: 'v=0\r\nnot a session\r\n' });
      await until(() => bob.rejections()['bad-sdp'] === 1);
      const forged: SignalMessage[] = [
        { type: 'answer', call: 'never-made', sdp: offer },
        {
          type: 'candidate',
          call: 'never-made',
          candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
          sdpMid: '0',
        },
        { type: 'offer', call: 'first', sdp: offer },
        { type: 'offer', call: 'first', sdp: offer },
        { type: 'offer', call: 'second', sdp: offer },
        { type: 'offer', call: 'third', sdp: offer },
        { type: 'answer', call: 'second', sdp: offer },
        { type: 'candidate', call: 'first', candidate: 'candidate:garbage', sdpMid: '0' },
      ];
      for (const message of forged) bus.inject(bob.nodeId, mallory, message);
      // 'first' is dropped for its bad candidate; 'second' is answered, then times out.
      await until(() => bob.rejections()['call-timeout'] === 1);
      expect(bob.rejections()).to.deep.equal({
        'bad-sdp': 1,
        'unknown-call': 2,
        'duplicate-call': 1,
        'too-many-calls': 1,
        'unexpected-answer': 1,
        'bad-candidate': 1,
        'call-timeout': 1,
      });
      const answered = toMallory.filter((message) => message.type === 'answer').map(({ call }) => call);
      expect(answered).to.include('second');
      expect(answered).to.not.include('third');

      const [mine, theirs] = await linkBoth(alice, bob);
      await expectTalking(mine, theirs, 'after the attack');
      const dialled = bus.sent.find(({ from, message }) => from === alice.nodeId && message.type === 'offer');
      const callId = dialled?.message.call ?? expect.fail('no offer sent');
      bus.inject(alice.nodeId, bob.nodeId, { type: 'answer', call: callId, sdp: offer });
      await until(() => alice.rejections()['unexpected-answer'] === 1);
      await expectTalking(theirs, mine, 'after a replayed answer');
      const [back, there] = await linkBoth(bob, alice);
      await expectTalking(back, there, 'the other way');
      expect(uncaught).to.deep.equal([]);
    } finally {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    }
  });

  it('stop closes every open link, at both ends, and takes the transport offline', async () => {
    const alice = await online();
    const bob = await online();
    const carol = await online();
    const [toBob, atBob] = await linkBoth(alice, bob);
    const [fromCarol, atAlice] = await linkBoth(carol, alice);
    const closed = (link: Link): Promise<string> =>
      new Promise((resolve) => link.on('close', ({ reason }) => resolve(reason)));
    const statuses: TransportStatus[] = [];
    alice.on('status', (status) => statuses.push(status));
    const ends = [closed(toBob), closed(atAlice), closed(atBob), closed(fromCarol)];
    alice.stop();
    expect(await Promise.all(ends.slice(0, 2))).to.deep.equal(['stopped', 'stopped']);
    await Promise.all(ends.slice(2));
    expect([toBob, atAlice, atBob, fromCarol].map((link) => link.open)).to.deep.equal([
      false,
      false,
      false,
      false,
    ]);
    expect(alice.status).to.deep.equal({ state: 'offline', reason: 'stopped' });
    expect(statuses).to.deep.equal([{ state: 'offline', reason: 'stopped' }]);
    expect(await failureOf(alice.dial(bob.nodeId))).to.be.instanceOf(DialError);
  });
});
