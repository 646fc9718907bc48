/**
 * Link figures, measured in one page over real WebRTC and the bench's PeerJS broker: how long
 * a link takes to be authenticated, dialled through the broker or signalled over the mesh, and
 * how fast bulk frames cross an authenticated `LinkSession`. Imported by bench/link.ts.
 */
import type { AuthenticatedLink } from '../../src/core/mesh/authenticate-link.ts';
import { LinkSession, type LinkSessionOptions } from '../../src/core/mesh/link-session.ts';
import { SignalRelay } from '../../src/core/mesh/signal-relay.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { encodeFrame, maxBulkFrameBytes } from '../../src/core/wire/frame.ts';
import { createRandom } from '../../src/lib/random.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { authenticatedPair, createBenchNode, sleep, type BenchNode } from './bench-nodes.ts';
import { withTimeout } from './timeout.ts';
import type {
  BenchBroker,
  LinkSetupOptions,
  LinkSetupReport,
  LinkThroughputOptions,
  LinkThroughputReport,
} from './mesh-reports.ts';

/** Lets a closed pair's peer connections go before the next sample starts. */
const settleBetweenSamplesMs = 20;

const bulkProtocol = 'bench/bulk';

function closeBoth([a, b]: readonly [AuthenticatedLink, AuthenticatedLink]): void {
  a.link.close('bench sample done');
  b.link.close('bench sample done');
}

function stopAll(nodes: readonly BenchNode[]): void {
  for (const node of nodes) node.transport.stop();
}

async function createNodes(broker: BenchBroker, count: number): Promise<BenchNode[]> {
  const nodes: BenchNode[] = [];
  for (let i = 0; i < count; i += 1) nodes.push(await createBenchNode(broker));
  return nodes;
}

function brokerPair(from: BenchNode, to: BenchNode): Promise<[AuthenticatedLink, AuthenticatedLink]> {
  return authenticatedPair(() => from.transport.dial(to.nodeId), from.self, to);
}

/** Two nodes on the broker: dial → both ends authenticated, a fresh link per sample. */
export async function runBrokerSetup(options: LinkSetupOptions): Promise<LinkSetupReport> {
  const nodes = await createNodes(options.broker, 2);
  const [a, b] = nodes as [BenchNode, BenchNode];
  try {
    const samplesMs: number[] = [];
    for (let sample = 0; sample < options.samples; sample += 1) {
      const startedAt = performance.now();
      const pair = await withTimeout(brokerPair(a, b), options.timeoutMs, `broker link ${sample}`);
      samplesMs.push(performance.now() - startedAt);
      closeBoth(pair);
      await sleep(settleBetweenSamplesMs);
    }
    return { samplesMs };
  } finally {
    stopAll(nodes);
  }
}

interface MeshEnd extends BenchNode {
  readonly relay: SignalRelay;
  readonly rtc: RtcTransport;
}

async function meshEnd(node: BenchNode, seed: number): Promise<MeshEnd> {
  const timers = realTimeTimers();
  const relay = new SignalRelay({ nodeId: node.nodeId, timers, random: createRandom(seed) });
  const rtc = new RtcTransport({ nodeId: node.nodeId, signaller: relay, iceServers: [] });
  await rtc.start();
  return { ...node, relay, rtc };
}

/** Wraps an authenticated link in a session that relays signals, as the mesh does. */
function relayingSession(end: MeshEnd, authenticatedLink: AuthenticatedLink): LinkSession {
  const session = new LinkSession(authenticatedLink, { timers: realTimeTimers() });
  end.relay.attach(session);
  session.start();
  return session;
}

/**
 * A–B and B–C linked through the broker; A dials C over the mesh, its signals relayed by B.
 * Times A's `dial` → both ends authenticated, a fresh link per sample.
 */
export async function runMeshSetup(options: LinkSetupOptions): Promise<LinkSetupReport> {
  const nodes = await createNodes(options.broker, 3);
  const sessions: LinkSession[] = [];
  const ends: MeshEnd[] = [];
  try {
    for (const [i, node] of nodes.entries()) ends.push(await meshEnd(node, 7 + i));
    const [a, b, c] = ends as [MeshEnd, MeshEnd, MeshEnd];
    for (const [from, to] of [
      [a, b],
      [b, c],
    ] as const) {
      const [dialled, accepted] = await withTimeout(brokerPair(from, to), options.timeoutMs, 'broker link');
      sessions.push(relayingSession(from, dialled), relayingSession(to, accepted));
    }
    const samplesMs: number[] = [];
    for (let sample = 0; sample < options.samples; sample += 1) {
      const startedAt = performance.now();
      const pair = await withTimeout(
        authenticatedPair(() => a.rtc.dial(c.nodeId), a.self, { transport: c.rtc, self: c.self }),
        options.timeoutMs,
        `mesh link ${sample}`,
      );
      samplesMs.push(performance.now() - startedAt);
      closeBoth(pair);
      await sleep(settleBetweenSamplesMs);
    }
    const { forwarded, flooded } = b.relay.stats();
    return { samplesMs, relayed: { forwarded, flooded } };
  } finally {
    for (const session of sessions) session.close('bench done');
    for (const end of ends) end.rtc.stop();
    stopAll(nodes);
  }
}

/**
 * One 64 KiB block per bulk frame, as the raw baseline's messages: the frame's envelope comes
 * on top, within `maxBulkFrameBytes`.
 */
function fullBodyBytes(): number {
  const bodyBytes = 64 * 1024;
  const frameBytes = encodeFrame({
    protocol: bulkProtocol,
    kind: 'bulk',
    body: new Uint8Array(bodyBytes),
  }).length;
  if (frameBytes > maxBulkFrameBytes)
    throw new RangeError(`a ${bodyBytes}-byte body makes a ${frameBytes}-byte frame`);
  return bodyBytes;
}

/**
 * Two nodes linked through the broker, authenticated, each end in a `LinkSession`. The sender
 * awaits every `send` of a full bulk frame (the session's own backpressure); times the first
 * send to the last payload byte handled on the other side.
 */
export async function runThroughput(options: LinkThroughputOptions): Promise<LinkThroughputReport> {
  const nodes = await createNodes(options.broker, 2);
  const [a, b] = nodes as [BenchNode, BenchNode];
  const sessionOptions: LinkSessionOptions = {
    timers: realTimeTimers(),
    maxFramesPerSecond: options.maxFramesPerSecond,
    burstFrames: options.burstFrames,
  };
  let sender: LinkSession | undefined;
  let receiver: LinkSession | undefined;
  try {
    const [dialled, accepted] = await withTimeout(brokerPair(a, b), options.timeoutMs, 'broker link');
    sender = new LinkSession(dialled, sessionOptions);
    receiver = new LinkSession(accepted, sessionOptions);
    let receivedBytes = 0;
    let frames = 0;
    const lastByteAt = new Promise<number>((resolve) => {
      receiver?.handle(bulkProtocol, (body) => {
        if (!(body instanceof Uint8Array)) return 'bench-not-bytes';
        receivedBytes += body.byteLength;
        frames += 1;
        if (receivedBytes >= options.totalBytes) resolve(performance.now());
        return undefined;
      });
    });
    sender.start();
    receiver.start();
    const bodyBytes = fullBodyBytes();
    const full = new Uint8Array(bodyBytes);
    const send = async (session: LinkSession): Promise<void> => {
      for (let sent = 0; sent < options.totalBytes; sent += bodyBytes) {
        const remaining = options.totalBytes - sent;
        await session.send(bulkProtocol, remaining >= bodyBytes ? full : full.subarray(0, remaining), 'bulk');
      }
    };
    const refused = receiver;
    const startedAt = performance.now();
    const [, endedAt] = await withTimeout(
      Promise.all([send(sender), lastByteAt]),
      options.timeoutMs,
      `sending ${options.totalBytes} bytes`,
    ).catch((error: unknown) => {
      const reasons = JSON.stringify(refused.rejections());
      throw new Error(`${String(error)}; the receiver refused ${reasons}`, { cause: error });
    });
    return {
      bytes: receivedBytes,
      elapsedMs: endedAt - startedAt,
      frames,
      bodyBytes,
      frameBytes: encodeFrame({ protocol: bulkProtocol, kind: 'bulk', body: full }).length,
      rejections: receiver.rejections(),
    };
  } finally {
    sender?.close('bench done');
    receiver?.close('bench done');
    stopAll(nodes);
  }
}
