import { TypedEventTarget } from '../../lib/events.ts';
import { equalBytes, toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { FrameRateLimit } from '../mesh/rate-limit.ts';
import type { Timers } from '../mesh/timers.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import { WireDecodeError } from '../wire/errors.ts';
import { array, bytes, literal, object, oneOf, parse } from '../wire/schema.ts';
import { verifyValues } from './name-policy.ts';
import {
  maxRegistrationBytes,
  verifyRegistration,
  type RegistrationRejection,
  type VerifiedRegistration,
} from './registration.ts';

// The `local` cloud: the tabs of this browser, over a BroadcastChannel. There is no DHT here:
// each tab keeps its own registrations, a resolving tab asks every tab at once and gathers the
// answers for a short window, and a tab that registers, updates or unregisters announces it so
// other tabs drop what they cached. Other tabs run the same code, but a tab can be old, buggy
// or opened by a hostile page of this origin, so every message is checked as if from a peer.

/** A message port to the other tabs: what `LocalCloud` needs of a BroadcastChannel. */
export interface LocalChannel {
  /** Sends `message` to every other tab (never back to this one). */
  post(message: Uint8Array): void;
  /** Calls `handler` with each message from another tab; returns a function that stops it. */
  onMessage(handler: (message: Uint8Array) => void): () => void;
  close(): void;
}

/** The BroadcastChannel name of the local cloud; the version changes with the message format. */
export const localCloudChannelName = 'mycel/names/local/1';

/** A `LocalChannel` over a real `BroadcastChannel` named `name`. */
export function broadcastLocalChannel(name: string): LocalChannel {
  const channel = new BroadcastChannel(name);
  return {
    post: (message) => channel.postMessage(message),
    onMessage: (handler) => {
      const listener = (event: MessageEvent<unknown>): void => {
        // Anything but bytes goes on as empty bytes, which the cloud refuses and counts as a
        // bad message, rather than vanishing here unseen.
        handler(event.data instanceof Uint8Array ? event.data : new Uint8Array(0));
      };
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
    close: () => channel.close(),
  };
}

/** The local cloud was asked for, but this node has no channel to the other tabs. */
export class LocalCloudUnavailableError extends MycelError {
  override name = 'LocalCloudUnavailableError';

  constructor() {
    super('The local cloud (other tabs of this browser) is not available here.', {
      hint: 'Use the global cloud instead.',
    });
  }
}

/** Settings of a `LocalCloud`. */
export interface LocalCloudConfig {
  /** How long a resolve gathers answers: other tabs answer within a few ms unless busy. */
  readonly answerWindowMs: number;
}

/** The defaults: a 300 ms window, short enough to feel instant, long enough for a busy tab. */
export const defaultLocalCloudConfig: LocalCloudConfig = { answerWindowMs: 300 };

/** Largest message between tabs: three registrations of at most 1 KiB and their envelope. */
export const maxLocalMessageBytes = 4096;

/** Registrations one answer carries at most (a tab holds one per name and identity). */
const maxValuesPerAnswer = 3;
/** Values one resolve gathers at most, however many tabs answer, so a flood stays bounded. */
const maxValuesPerResolve = 64;

/** Why a message or a value from another tab was refused. */
export type LocalCloudRejection =
  RegistrationRejection | 'message-too-large' | 'bad-message' | 'rate-limited';

/** Events of a `LocalCloud`. */
export interface LocalCloudEvents {
  /** Another tab registered, updated or unregistered (a tombstone) a name; verified. */
  announced: { readonly key: Uint8Array; readonly registration: VerifiedRegistration };
}

const requestIdSchema = bytes({ length: 8 });
const keySchema = bytes({ length: 32 });
const valueSchema = bytes({ maxLength: maxRegistrationBytes });
const messageSchema = oneOf(
  object({ t: literal('ask'), r: requestIdSchema, k: keySchema }),
  object({
    t: literal('answer'),
    r: requestIdSchema,
    k: keySchema,
    v: array(valueSchema, { minItems: 1, maxItems: maxValuesPerAnswer }),
  }),
  object({ t: literal('announce'), k: keySchema, v: valueSchema }),
);

interface PendingAsk {
  readonly key: Uint8Array;
  readonly values: Uint8Array[];
  readonly finish: () => void;
}

/**
 * One tab's part of the `local` cloud. `publish` and `withdraw` change this tab's own
 * registrations (signed elsewhere) and announce them; `resolve` asks every tab and returns the
 * verified registrations found, this tab's own included. Messages are capped at 4 KiB, checked
 * against their schema, rate-limited, and every registration is verified as the DHT would.
 */
export class LocalCloud extends TypedEventTarget<LocalCloudEvents> {
  readonly config: LocalCloudConfig;
  private readonly channel: LocalChannel;
  private readonly timers: Timers;
  private readonly own = new Map<string, Uint8Array>();
  private readonly pending = new Map<string, PendingAsk>();
  private readonly rejectionCounts = new Map<string, number>();
  // Asks make this tab send; answers and announcements make it verify signatures. Both are
  // bounded so a runaway tab cannot make every other tab spin.
  private readonly askLimit = new FrameRateLimit({ framesPerSecond: 20, burstFrames: 50 });
  private readonly valueLimit = new FrameRateLimit({ framesPerSecond: 50, burstFrames: 100 });
  private readonly stopListening: () => void;
  private stopped = false;

  /** Joins the cloud over `components.channel`; timing from `components.timers`. */
  constructor(components: { channel: LocalChannel; timers: Timers }, config: Partial<LocalCloudConfig> = {}) {
    super();
    this.config = { ...defaultLocalCloudConfig, ...config };
    this.channel = components.channel;
    this.timers = components.timers;
    this.stopListening = this.channel.onMessage((message) => {
      const reason = this.receive(message);
      if (reason !== undefined) this.count(reason);
    });
  }

  /** Refusals of messages and values from other tabs, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.rejectionCounts);
  }

  /** Makes `value` (a signed registration under `key`) this tab's own and announces it. */
  publish(key: Uint8Array, value: Uint8Array): void {
    this.own.set(toBase64Url(key), value);
    this.post({ t: 'announce', k: key, v: value });
  }

  /** Forgets this tab's registration under `key` and announces `tombstone` in its place. */
  withdraw(key: Uint8Array, tombstone: Uint8Array): void {
    this.own.delete(toBase64Url(key));
    this.post({ t: 'announce', k: key, v: tombstone });
  }

  /**
   * Every tab's registrations under `key` that verify now, this tab's own first, gathered for
   * `answerWindowMs`. Rejects with the signal's reason if `signal` aborts first.
   */
  async resolve(key: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<VerifiedRegistration[]> {
    const { signal } = options;
    signal?.throwIfAborted();
    const requestId = crypto.getRandomValues(new Uint8Array(8));
    const id = toBase64Url(requestId);
    const values: Uint8Array[] = [];
    const ownValue = this.own.get(toBase64Url(key));
    if (ownValue !== undefined) values.push(ownValue);
    await new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        cancelTimer();
        signal?.removeEventListener('abort', abort);
        this.pending.delete(id);
      };
      const finish = (): void => {
        settle();
        resolve();
      };
      const abort = (): void => {
        settle();
        reject(signal?.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
      };
      const cancelTimer = this.timers.schedule(this.config.answerWindowMs, finish);
      signal?.addEventListener('abort', abort, { once: true });
      this.pending.set(id, { key, values, finish });
      this.post({ t: 'ask', r: requestId, k: key });
    });
    return this.verifyAll(key, values);
  }

  /** Leaves the cloud: ends pending resolves with what they gathered and closes the channel. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopListening();
    for (const ask of [...this.pending.values()]) ask.finish();
    this.channel.close();
  }

  private post(message: { readonly [key: string]: WireValue }): void {
    // A closed BroadcastChannel throws on post; after stop there is nobody to tell anyway.
    if (this.stopped) return;
    this.channel.post(encodeCbor(message, { maxBytes: maxLocalMessageBytes }));
  }

  private count(reason: string): void {
    this.rejectionCounts.set(reason, (this.rejectionCounts.get(reason) ?? 0) + 1);
  }

  /** The receive path of one message: caps, schema, rate limit, then act. Never throws. */
  private receive(message: Uint8Array): LocalCloudRejection | undefined {
    if (message.length > maxLocalMessageBytes) return 'message-too-large';
    let body: WireValue;
    try {
      body = decodeCbor(message, { maxBytes: maxLocalMessageBytes, maxDepth: 2, maxItems: 16 });
    } catch (error) {
      if (error instanceof WireDecodeError) return 'bad-message';
      throw error;
    }
    const parsed = parse(messageSchema, body);
    if (!parsed.ok) return 'bad-message';
    const nowMs = this.timers.nowMs();
    const msg = parsed.value;
    if (msg.t === 'ask') {
      if (this.askLimit.take(nowMs) !== 'pass') return 'rate-limited';
      const ownValue = this.own.get(toBase64Url(msg.k));
      if (ownValue !== undefined) this.post({ t: 'answer', r: msg.r, k: msg.k, v: [ownValue] });
      return undefined;
    }
    if (msg.t === 'answer') {
      const ask = this.pending.get(toBase64Url(msg.r));
      // Answers to other tabs' asks reach every tab: not a fault, just not ours.
      if (ask === undefined || !equalBytes(ask.key, msg.k)) return undefined;
      if (this.valueLimit.take(nowMs) !== 'pass') return 'rate-limited';
      for (const value of msg.v) if (ask.values.length < maxValuesPerResolve) ask.values.push(value);
      return undefined;
    }
    if (this.valueLimit.take(nowMs) !== 'pass') return 'rate-limited';
    void this.verifyAnnouncement(msg.k, msg.v);
    return undefined;
  }

  private async verifyAnnouncement(key: Uint8Array, value: Uint8Array): Promise<void> {
    const verified = await verifyRegistration(value, key, this.timers.nowMs());
    if (typeof verified === 'string') this.count(verified);
    else this.emit('announced', { key, registration: verified });
  }

  private async verifyAll(key: Uint8Array, values: readonly Uint8Array[]): Promise<VerifiedRegistration[]> {
    const unique = new Map(values.map((value) => [toBase64Url(value), value]));
    const { verified, refused } = await verifyValues(key, unique.values(), this.timers.nowMs());
    for (const reason of refused) this.count(reason);
    return verified;
  }
}
