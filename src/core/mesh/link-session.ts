import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Link } from '../ports.ts';
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameKind,
  type FrameRejectReason,
} from '../wire/frame.ts';
import type { WireValue } from '../wire/cbor.ts';
import { integer, literal, object, parse } from '../wire/schema.ts';
import type { AuthenticatedLink } from './authenticate-link.ts';
import type { Timers } from './timers.ts';
import type { AuthenticatedPeer } from './link-handshake.ts';
import { FrameRateLimit } from './rate-limit.ts';

/** Protocol name of the session's own keepalive frames; no handler may take it. */
export const keepaliveProtocol = 'mycel/keepalive';

/** Settings of a `LinkSession`. */
export interface LinkSessionOptions {
  /** Time and timers: the `VirtualClock` in simulations, `realTimeTimers()` on live links. */
  readonly timers: Timers;
  /** How often to ping the peer. Default 5 s. */
  readonly keepaliveIntervalMs?: number;
  /** Silence (no frame at all) after which the link is closed as `dead`. Default 15 s. */
  readonly deadAfterMs?: number;
  /**
   * Sustained frames per second the peer may send. Default 1000: a bulk transfer at 64 KiB a
   * frame is about 600 frames/s at raw data-channel speed here, and must not be cut off.
   */
  readonly maxFramesPerSecond?: number;
  /** Frames the peer may send at once. Default 2000. */
  readonly burstFrames?: number;
  /** Refusals (other than rate limiting, which has its own rule) before the link is closed. Default 20. */
  readonly maxRejectionsBeforeClose?: number;
}

/**
 * Why the session refused a frame: a frame decoding reason, one of the session's own, or any
 * reason a handler returned.
 */
export type SessionRejection =
  FrameRejectReason | 'rate-limited' | 'unknown-protocol' | 'handler-error' | 'bad-keepalive' | (string & {});

/** Why the session closed the link itself; other reasons come from the link. */
export type SessionCloseReason = 'flooding' | 'too-many-rejections' | 'dead' | 'send-failed';

/**
 * Handles one frame of its protocol. Returns (or resolves to) a rejection reason when the frame
 * is refused, so the session counts it; returns nothing when it was taken.
 */
export type FrameHandler = (
  body: WireValue,
  frame: Frame,
  bytes: Uint8Array,
) => string | undefined | Promise<string | undefined>;

/** Events of a `LinkSession`. */
export interface LinkSessionEvents {
  /** A frame was refused; `reason` says why. */
  rejected: { reason: SessionRejection };
  /** The session ended, from either side; it fires once. */
  closed: { reason: string };
}

/** Counters of a `LinkSession`, as `stats()` gives them. */
export interface LinkSessionStats {
  /** Smoothed round-trip time of keepalives; undefined until the first pong. */
  readonly rttMs: number | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly openedAtMs: number;
  readonly lastHeardAtMs: number;
  /** Refused frames, all reasons together. */
  readonly rejections: number;
}

/** A frame was sent on a session that has closed. */
export class SessionClosedError extends MycelError {
  override name = 'SessionClosedError';

  constructor(peerNodeId: string) {
    super(`The link to ${peerNodeId} is closed.`, {
      hint: 'It will be reopened when the peer is reachable.',
    });
  }
}

/** A second handler was registered for a protocol, or one for the reserved keepalive protocol. */
export class ProtocolTakenError extends MycelError {
  override name = 'ProtocolTakenError';

  constructor(protocol: string) {
    super(`The protocol "${protocol}" already has a handler on this link.`, {
      hint: 'This is a bug in Mycel; please report it with the steps that led here.',
    });
  }
}

const pingMessage = object({ type: literal('ping'), seq: integer({ min: 0 }), sentAtMs: integer() });
const pongMessage = object({ type: literal('pong'), seq: integer({ min: 0 }), sentAtMs: integer() });

/** Keepalives awaiting their pong; older ones are forgotten (a pong that late is no measure). */
const maxOutstandingPings = 4;

/** TCP's SRTT gain (RFC 6298): each new sample moves the estimate by an eighth. */
const rttGain = 1 / 8;

/**
 * The life of one authenticated link: routes frames by protocol to one handler each, sends with
 * the link's backpressure, limits the peer's frame rate, counts every refused frame by reason,
 * keeps the link alive and measures its round-trip time, and closes it when the peer floods,
 * misbehaves too often, or falls silent.
 *
 * Messages the handshake left `pending` are handled first, in order, when `start` is called;
 * register handlers before that. Every frame runs the receive path in this order: rate limit,
 * decode with caps, protocol lookup, handler. A handler never sees a refused frame, and one
 * that throws is counted and the next frame is served as usual.
 */
export class LinkSession extends TypedEventTarget<LinkSessionEvents> {
  /** The authenticated peer at the other end. */
  readonly peer: AuthenticatedPeer;
  private readonly link: Link;
  private readonly timers: Timers;
  private readonly keepaliveIntervalMs: number;
  private readonly deadAfterMs: number;
  private readonly maxRejections: number;
  private readonly rateLimit: FrameRateLimit;
  private readonly handlers = new Map<string, FrameHandler>();
  private readonly counts = new Map<SessionRejection, number>();
  /** Messages the handshake left over, until `start`. */
  private leftovers: readonly Uint8Array[] | undefined;
  /** Messages that arrived before `start` and passed the rate limit, which bounds them. */
  private early: Uint8Array[] | undefined = [];
  private readonly outstandingPings = new Map<number, number>();
  private readonly unsubscribe: (() => void)[] = [];
  private cancelKeepalive: (() => void) | undefined;
  private cancelDeadCheck: (() => void) | undefined;
  private closedReason: string | undefined;
  private nextSeq = 0;
  private smoothedRttMs: number | undefined;
  private bytesIn = 0;
  private bytesOut = 0;
  private framesIn = 0;
  private framesOut = 0;
  private countedRejections = 0;
  private readonly openedAtMs: number;
  private lastHeardAtMs: number;

  constructor(authenticated: AuthenticatedLink, options: LinkSessionOptions) {
    super();
    this.link = authenticated.link;
    this.peer = authenticated.peer;
    this.timers = options.timers;
    this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? 5_000;
    this.deadAfterMs = options.deadAfterMs ?? 15_000;
    this.maxRejections = options.maxRejectionsBeforeClose ?? 20;
    this.rateLimit = new FrameRateLimit({
      framesPerSecond: options.maxFramesPerSecond ?? 1000,
      burstFrames: options.burstFrames ?? 2000,
    });
    this.openedAtMs = this.timers.nowMs();
    this.lastHeardAtMs = this.openedAtMs;
    this.leftovers = authenticated.pending;
    this.unsubscribe.push(
      this.link.on('message', (message) => this.arrive(message)),
      this.link.on('close', ({ reason }) => this.finish(reason)),
    );
    if (!this.link.open) this.finish('closed');
  }

  /** Whether the session is still running. */
  get open(): boolean {
    return this.closedReason === undefined;
  }

  private ended(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * Routes frames of `protocol` to `handler`; returns a function that removes it. Throws
   * `ProtocolTakenError` if the protocol has a handler already or is the keepalive protocol.
   */
  handle(protocol: string, handler: FrameHandler): () => void {
    if (protocol === keepaliveProtocol || this.handlers.has(protocol)) throw new ProtocolTakenError(protocol);
    this.handlers.set(protocol, handler);
    return () => {
      if (this.handlers.get(protocol) === handler) this.handlers.delete(protocol);
    };
  }

  /**
   * Handles the messages left over from the handshake and those that arrived since, in order,
   * then every later one as it arrives; starts the keepalive. Call it once handlers are set.
   */
  start(): void {
    const { leftovers, early } = this;
    if (leftovers === undefined || early === undefined || this.ended()) return;
    this.leftovers = undefined;
    this.early = undefined;
    for (const message of leftovers) {
      // A handler or the rate limit may have closed the session along the way.
      if (this.ended()) return;
      if (this.admit(message)) this.dispatch(message);
    }
    for (const message of early) {
      if (this.ended()) return;
      this.dispatch(message);
    }
    if (this.ended()) return;
    this.ping();
    this.armDeadCheck();
  }

  /**
   * Sends one frame; resolves once the link has queued it within its high-water mark. Rejects
   * with `WireEncodeError` if the frame would be over the cap of `kind`, and with
   * `SessionClosedError` once the session has closed.
   */
  async send(protocol: string, body: WireValue, kind: FrameKind = 'control'): Promise<void> {
    if (protocol === keepaliveProtocol) throw new ProtocolTakenError(protocol);
    await this.sendFrame({ protocol, kind, body });
  }

  /**
   * Sends a frame the caller encoded itself (a protocol that speaks in frame bytes, such as
   * membership over a `SessionChannel`). Rejects with `SessionClosedError` once closed.
   */
  async sendEncoded(bytes: Uint8Array): Promise<void> {
    if (!this.open) throw new SessionClosedError(this.peer.nodeId);
    this.framesOut++;
    this.bytesOut += bytes.length;
    await this.link.send(bytes);
  }

  /** Refused frames so far, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Counters and the smoothed round-trip time. */
  stats(): LinkSessionStats {
    return {
      rttMs: this.smoothedRttMs,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      openedAtMs: this.openedAtMs,
      lastHeardAtMs: this.lastHeardAtMs,
      rejections: [...this.counts.values()].reduce((sum, n) => sum + n, 0),
    };
  }

  /** Ends the session and closes the link with `reason`. */
  close(reason = 'closed'): void {
    if (!this.open) return;
    this.finish(reason);
    this.link.close(reason);
  }

  /** Closes for one of the session's own reasons (a typed subset of `close`'s). */
  private closeFor(reason: SessionCloseReason): void {
    this.close(reason);
  }

  private async sendFrame(frame: Frame): Promise<void> {
    if (!this.open) throw new SessionClosedError(this.peer.nodeId);
    await this.sendEncoded(encodeFrame(frame));
  }

  /**
   * The receive path, in STYLE order: rate limit, decode with caps, protocol, handler. Before
   * `start` a message that passes the limit waits, so handlers see it after the handshake's.
   */
  private arrive(message: Uint8Array): void {
    if (!this.open || !this.admit(message)) return;
    if (this.early !== undefined) this.early.push(message);
    else this.dispatch(message);
  }

  /** Counts a message as traffic and life; false if the rate limit dropped it. */
  private admit(message: Uint8Array): boolean {
    const nowMs = this.timers.nowMs();
    this.framesIn++;
    this.bytesIn += message.length;
    this.lastHeardAtMs = nowMs;
    const verdict = this.rateLimit.take(nowMs);
    if (verdict === 'pass') return true;
    this.blame('rate-limited', false);
    if (verdict === 'flooding') this.closeFor('flooding');
    return false;
  }

  private dispatch(message: Uint8Array): void {
    const decoded = decodeFrame(message);
    if (!decoded.ok) return this.blame(decoded.reason);
    const { frame } = decoded;
    if (frame.protocol === keepaliveProtocol) return this.keepalive(frame);
    const handler = this.handlers.get(frame.protocol);
    if (handler === undefined) return this.blame('unknown-protocol');
    let outcome: string | undefined | Promise<string | undefined>;
    try {
      outcome = handler(frame.body, frame, message);
    } catch {
      // A bug in a handler is ours, not the peer's; it is counted so it shows, and the loop goes on.
      return this.blame('handler-error');
    }
    if (typeof outcome === 'string') return this.blame(outcome);
    if (outcome !== undefined) {
      outcome.then(
        (reason) => {
          if (reason !== undefined) this.blame(reason);
        },
        () => this.blame('handler-error'),
      );
    }
  }

  /**
   * Counts a refusal and tells listeners; protocols that find a frame bad only after its
   * handler returned call it too (see `Mesh.blame`). Rate-limited frames do not count towards
   * closing: flooding has its own, more lenient rule, or a short burst would end an honest link.
   */
  blame(reason: SessionRejection, towardsClose = true): void {
    if (!this.open) return;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.emit('rejected', { reason });
    if (!towardsClose) return;
    this.countedRejections++;
    if (this.countedRejections >= this.maxRejections) this.closeFor('too-many-rejections');
  }

  private keepalive(frame: Frame): void {
    const ping = parse(pingMessage, frame.body);
    if (ping.ok) {
      const { seq, sentAtMs } = ping.value;
      this.sendOrClose({
        protocol: keepaliveProtocol,
        kind: 'control',
        body: { type: 'pong', seq, sentAtMs },
      });
      return;
    }
    const pong = parse(pongMessage, frame.body);
    if (!pong.ok) return this.blame('bad-keepalive');
    const { seq, sentAtMs } = pong.value;
    const sentAt = this.outstandingPings.get(seq);
    // A pong for no ping of ours, or with a time we did not send, measures nothing.
    if (sentAt === undefined || Math.floor(sentAt) !== sentAtMs) return this.blame('bad-keepalive');
    this.outstandingPings.delete(seq);
    const sample = this.timers.nowMs() - sentAt;
    this.smoothedRttMs =
      this.smoothedRttMs === undefined
        ? sample
        : this.smoothedRttMs + rttGain * (sample - this.smoothedRttMs);
  }

  private ping(): void {
    if (!this.open) return;
    const seq = this.nextSeq++;
    const nowMs = this.timers.nowMs();
    this.outstandingPings.set(seq, nowMs);
    this.outstandingPings.delete(seq - maxOutstandingPings);
    this.sendOrClose({
      protocol: keepaliveProtocol,
      kind: 'control',
      body: { type: 'ping', seq, sentAtMs: Math.floor(nowMs) },
    });
    this.cancelKeepalive = this.timers.schedule(this.keepaliveIntervalMs, () => this.ping());
  }

  private sendOrClose(frame: Frame): void {
    this.sendFrame(frame).catch(() => this.closeFor('send-failed'));
  }

  /** Checks for silence when it could first have lasted `deadAfterMs`, rather than per frame. */
  private armDeadCheck(): void {
    if (!this.open) return;
    const silentForMs = this.timers.nowMs() - this.lastHeardAtMs;
    if (silentForMs >= this.deadAfterMs) return this.closeFor('dead');
    this.cancelDeadCheck = this.timers.schedule(this.deadAfterMs - silentForMs, () => this.armDeadCheck());
  }

  private finish(reason: string): void {
    if (!this.open) return;
    this.closedReason = reason;
    this.cancelKeepalive?.();
    this.cancelDeadCheck?.();
    for (const off of this.unsubscribe.splice(0)) off();
    this.leftovers = undefined;
    this.early = undefined;
    this.emit('closed', { reason });
  }
}
