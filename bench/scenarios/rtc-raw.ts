/**
 * Raw RTCDataChannel figures, measured in one page: two RTCPeerConnections without ICE
 * servers, signalled in-page, one ordered reliable channel. Sender and receiver share the
 * page's clock, so a message stamped with `performance.now()` gives one-way latency.
 * Imported by the harness (bench/rtc-raw.ts) from the bench dev server.
 */

import { withTimeout } from './timeout.ts';

export interface LatencyOptions {
  readonly warmupMessages: number;
  readonly samples: number;
  readonly messageBytes: number;
  readonly timeoutMs: number;
}

export interface LatencyReport {
  /** One-way latency of each timed message, in arrival order. */
  readonly samplesMs: number[];
  /** Whether the page was cross-origin isolated (finer `performance.now()`). */
  readonly crossOriginIsolated: boolean;
}

export interface ThroughputOptions {
  readonly totalBytes: number;
  readonly messageBytes: number;
  /** Send while the channel buffers less than this. */
  readonly highWaterBytes: number;
  /** `bufferedAmountLowThreshold`: sending resumes when the buffer drains to this. */
  readonly lowWaterBytes: number;
  readonly timeoutMs: number;
}

export interface ThroughputReport {
  readonly bytes: number;
  /** From the first `send` to the arrival of the last byte. */
  readonly elapsedMs: number;
}

export interface SetupOptions {
  readonly samples: number;
}

export interface SetupReport {
  /** Each pair's `new RTCPeerConnection` → both ends of its data channel open. */
  readonly samplesMs: number[];
}

/** The module's shape as the harness imports it. */
export interface RtcRawModule {
  runSetup(options: SetupOptions): Promise<SetupReport>;
  runLatency(options: LatencyOptions): Promise<LatencyReport>;
  runThroughput(options: ThroughputOptions): Promise<ThroughputReport>;
}

interface ChannelPair {
  readonly sender: RTCDataChannel;
  readonly receiver: RTCDataChannel;
  close(): void;
}

/** How long two loopback peers get to connect and open their channel. */
const connectTimeoutMs = 10_000;

function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.addEventListener(
      'open',
      () => {
        resolve();
      },
      { once: true },
    );
    channel.addEventListener(
      'close',
      () => {
        reject(new Error('data channel closed before it opened'));
      },
      { once: true },
    );
  });
}

/**
 * Trickles `from`'s ICE candidates to `to`, each once `to` has its remote description:
 * candidates can be gathered before the answer is applied.
 */
function trickle(
  from: RTCPeerConnection,
  to: RTCPeerConnection,
  remoteSet: Promise<void>,
  fail: (error: unknown) => void,
): void {
  from.addEventListener('icecandidate', (event) => {
    const candidate = event.candidate;
    if (candidate === null) return;
    remoteSet.then(() => to.addIceCandidate(candidate)).catch(fail);
  });
}

async function connect(): Promise<ChannelPair> {
  const offerer = new RTCPeerConnection({ iceServers: [] });
  const answerer = new RTCPeerConnection({ iceServers: [] });
  const close = (): void => {
    offerer.close();
    answerer.close();
  };
  try {
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    let answererRemoteSet: () => void = () => undefined;
    let offererRemoteSet: () => void = () => undefined;
    trickle(offerer, answerer, new Promise((resolve) => (answererRemoteSet = resolve)), fail);
    trickle(answerer, offerer, new Promise((resolve) => (offererRemoteSet = resolve)), fail);
    const received = new Promise<RTCDataChannel>((resolve) => {
      answerer.addEventListener(
        'datachannel',
        (event) => {
          // Set before the first message can be dispatched on this channel.
          event.channel.binaryType = 'arraybuffer';
          resolve(event.channel);
        },
        { once: true },
      );
    });
    const sender = offerer.createDataChannel('bench', { ordered: true });
    sender.binaryType = 'arraybuffer';
    const signal = async (): Promise<RTCDataChannel> => {
      const offer = await offerer.createOffer();
      await offerer.setLocalDescription(offer);
      await answerer.setRemoteDescription(offer);
      answererRemoteSet();
      const answer = await answerer.createAnswer();
      await answerer.setLocalDescription(answer);
      await offerer.setRemoteDescription(answer);
      offererRemoteSet();
      const receiver = await received;
      await Promise.all([opened(sender), opened(receiver)]);
      return receiver;
    };
    const receiver = await withTimeout(
      Promise.race([signal(), failed]),
      connectTimeoutMs,
      'connecting two loopback peers',
    );
    return { sender, receiver, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Connects `samples` fresh pairs one after another, timing each from the creation of its two
 * peer connections to both ends of its channel being open: the floor under any link setup.
 */
export async function runSetup(options: SetupOptions): Promise<SetupReport> {
  const samplesMs: number[] = [];
  for (let sample = 0; sample < options.samples; sample += 1) {
    const startedAt = performance.now();
    const pair = await connect();
    samplesMs.push(performance.now() - startedAt);
    pair.close();
  }
  return { samplesMs };
}

/** Sends stamped messages one at a time, each after the previous arrived. */
export async function runLatency(options: LatencyOptions): Promise<LatencyReport> {
  const pair = await connect();
  try {
    const message = new ArrayBuffer(options.messageBytes);
    const stamp = new Float64Array(message, 0, 1);
    let arrived: ((latencyMs: number) => void) | undefined;
    pair.receiver.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
      const receivedAt = performance.now();
      const sentAt = new Float64Array(event.data, 0, 1)[0] ?? Number.NaN;
      arrived?.(receivedAt - sentAt);
    });
    const samplesMs: number[] = [];
    for (let index = 0; index < options.warmupMessages + options.samples; index += 1) {
      const latencyMs = await withTimeout(
        new Promise<number>((resolve) => {
          arrived = resolve;
          stamp[0] = performance.now();
          pair.sender.send(message);
        }),
        options.timeoutMs,
        `message ${index}`,
      );
      if (index >= options.warmupMessages) samplesMs.push(latencyMs);
    }
    return { samplesMs, crossOriginIsolated: globalThis.crossOriginIsolated };
  } finally {
    pair.close();
  }
}

/** Waits for the next `bufferedamountlow` event; never polls `bufferedAmount`. */
function drained(channel: RTCDataChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => {
      reject(new Error('data channel closed while sending'));
    };
    channel.addEventListener('close', onClose, { once: true });
    channel.addEventListener(
      'bufferedamountlow',
      () => {
        channel.removeEventListener('close', onClose);
        resolve();
      },
      { once: true },
    );
  });
}

/** Sends `totalBytes` as fast as backpressure allows and times it to the last byte received. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputReport> {
  if (options.totalBytes % options.messageBytes !== 0)
    throw new RangeError('totalBytes must be a multiple of messageBytes');
  const pair = await connect();
  try {
    const message = new Uint8Array(new ArrayBuffer(options.messageBytes));
    pair.sender.bufferedAmountLowThreshold = options.lowWaterBytes;
    let receivedBytes = 0;
    const lastByteAt = new Promise<number>((resolve) => {
      pair.receiver.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
        receivedBytes += event.data.byteLength;
        if (receivedBytes >= options.totalBytes) resolve(performance.now());
      });
    });
    const send = async (): Promise<void> => {
      for (let sentBytes = 0; sentBytes < options.totalBytes;) {
        // Checking and subscribing happen in one task, so the event cannot slip in between.
        if (pair.sender.bufferedAmount >= options.highWaterBytes) {
          await drained(pair.sender);
          continue;
        }
        pair.sender.send(message);
        sentBytes += message.byteLength;
      }
    };
    const startedAt = performance.now();
    const [, endedAt] = await withTimeout(Promise.all([send(), lastByteAt]), options.timeoutMs, 'sending');
    return { bytes: receivedBytes, elapsedMs: endedAt - startedAt };
  } finally {
    pair.close();
  }
}
