import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import type { SignalMessage, Signaller, SignallerEvents } from '../ports.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { LinkSession } from './link-session.ts';
import { FrameRateLimit } from './rate-limit.ts';
import {
  maxRelayHops,
  parseRelayEnvelope,
  relayBody,
  relayIdLength,
  relayProtocol,
  type RelayEnvelope,
} from './relay-messages.ts';
import type { Timers } from './timers.ts';

/** Settings of a `SignalRelay`. */
export interface SignalRelayInit {
  readonly nodeId: string;
  readonly timers: Timers;
  /** Draws message ids. */
  readonly random: Random;
  /** Hops a signal this node sends may take. Default 6; at most `maxRelayHops`. */
  readonly hops?: number;
  /** How long a learned way back to a node is trusted. Default 60 s. */
  readonly routeLifetimeMs?: number;
  /** Floods a neighbour may pass on to this node per second, sustained. Default 50. */
  readonly floodsPerSecond?: number;
}

/** What the relay did with the signals it saw, for the Network page and the benches. */
export interface SignalRelayStats {
  readonly sent: number;
  readonly delivered: number;
  readonly forwarded: number;
  /** Signals sent or forwarded to every neighbour because no way to their node was known. */
  readonly flooded: number;
  /** Copies of a signal already seen, which floods bring by design. */
  readonly duplicates: number;
  /** Signals dropped because their hops ran out. */
  readonly expired: number;
  /** Floods not passed on because the neighbour they came from went over its budget. */
  readonly overBudget: number;
}

interface Route {
  readonly via: string;
  readonly untilMs: number;
}

/** Seen message ids kept to drop the copies of a flood; the oldest go first. */
const seenCapacity = 4096;
/** Ways back kept; the oldest go first. */
const routeCapacity = 1024;

/**
 * Carries WebRTC signalling between nodes over the mesh's authenticated sessions, hop by hop.
 * A signal goes straight to its addressee if it is a neighbour, along a learned way back if
 * one is known, and otherwise floods the neighbours with a hop limit, like AODV's route
 * request: each relay remembers the neighbour a node's signal first came through, so the
 * answer and later candidates go back along one path instead of flooding again.
 *
 * `from` is whatever the first relay wrote, so a lying neighbour can at worst make a dial
 * fail: the link the signals lead to still has to pass the link handshake.
 */
export class SignalRelay extends TypedEventTarget<SignallerEvents> implements Signaller {
  private readonly init: SignalRelayInit;
  private readonly hops: number;
  private readonly routeLifetimeMs: number;
  private readonly sessions = new Map<string, LinkSession[]>();
  private readonly floodLimits = new WeakMap<LinkSession, FrameRateLimit>();
  private readonly routes = new Map<string, Route>();
  private readonly seen = new Set<string>();
  private readonly counts = new Map<string, number>();
  private readonly counters = {
    sent: 0,
    delivered: 0,
    forwarded: 0,
    flooded: 0,
    duplicates: 0,
    expired: 0,
    overBudget: 0,
  };

  constructor(init: SignalRelayInit) {
    super();
    this.init = init;
    this.hops = Math.min(init.hops ?? 6, maxRelayHops);
    this.routeLifetimeMs = init.routeLifetimeMs ?? 60_000;
  }

  /** Relays over `session` from now on, until it closes. Call before the session starts. */
  attach(session: LinkSession): void {
    const peer = session.peer.nodeId;
    this.sessions.set(peer, [...(this.sessions.get(peer) ?? []), session]);
    const floodsPerSecond = this.init.floodsPerSecond ?? 50;
    this.floodLimits.set(
      session,
      new FrameRateLimit({ framesPerSecond: floodsPerSecond, burstFrames: 4 * floodsPerSecond }),
    );
    session.handle(relayProtocol, (body) => this.receive(session, body));
    session.on('closed', () => {
      const rest = (this.sessions.get(peer) ?? []).filter((other) => other !== session);
      if (rest.length > 0) this.sessions.set(peer, rest);
      else this.sessions.delete(peer);
    });
  }

  send(to: string, message: SignalMessage): boolean {
    if (to === this.init.nodeId) return false;
    const id = new Uint8Array(relayIdLength);
    for (let i = 0; i < id.length; i++) id[i] = this.init.random.int(256);
    this.remember(id);
    this.counters.sent++;
    return this.forward({ id, from: this.init.nodeId, to, hops: this.hops, signal: message }, undefined);
  }

  /** Refused relay frames, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  stats(): SignalRelayStats {
    return { ...this.counters };
  }

  private receive(session: LinkSession, body: WireValue): string | undefined {
    const parsed = parseRelayEnvelope(body);
    if (!parsed.ok) return this.refuse(parsed.reason);
    const envelope = parsed.value;
    if (!this.remember(envelope.id)) {
      this.counters.duplicates++;
      return undefined;
    }
    const via = session.peer.nodeId;
    if (envelope.from === this.init.nodeId) return this.refuse('relay-spoofed-origin');
    if (envelope.from === envelope.to) return this.refuse('relay-to-itself');
    this.learn(envelope.from, via);
    if (envelope.to === this.init.nodeId) {
      this.counters.delivered++;
      this.emit('signal', { from: envelope.from, message: envelope.signal });
      return undefined;
    }
    if (envelope.hops === 0) {
      this.counters.expired++;
      return undefined;
    }
    const next = { ...envelope, hops: envelope.hops - 1 };
    if (this.wayTo(envelope.to, via) !== undefined) {
      this.forward(next, via);
      return undefined;
    }
    // Only floods multiply traffic, so only they are held to a per-neighbour budget. An honest
    // neighbour passes on other nodes' floods too, so going over it drops the flood but is no
    // mark against the link (the session's own rate limit deals with a peer that floods it).
    const verdict = this.floodLimits.get(session)?.take(this.init.timers.nowMs()) ?? 'pass';
    if (verdict === 'pass') this.forward(next, via);
    else this.counters.overBudget++;
    return undefined;
  }

  /** Sends towards `envelope.to`, never back to `cameFrom`; false if no neighbour took it. */
  private forward(envelope: RelayEnvelope, cameFrom: string | undefined): boolean {
    const body = relayBody(envelope);
    const next = this.wayTo(envelope.to, cameFrom);
    if (next !== undefined) {
      this.counters.forwarded++;
      return this.sendOn(next, body);
    }
    const targets = [...this.sessions.keys()].filter((peer) => peer !== cameFrom && peer !== envelope.from);
    if (targets.length === 0) return false;
    this.counters.flooded++;
    let sent = false;
    for (const peer of targets) sent = this.sendOn(peer, body) || sent;
    return sent;
  }

  /** The neighbour to send `to`'s signals to: `to` itself, or the learned way back. */
  private wayTo(to: string, cameFrom: string | undefined): string | undefined {
    if (this.sessionTo(to) !== undefined) return to;
    const route = this.routes.get(to);
    if (route === undefined) return undefined;
    if (route.untilMs < this.init.timers.nowMs() || this.sessionTo(route.via) === undefined) {
      this.routes.delete(to);
      return undefined;
    }
    return route.via === cameFrom ? undefined : route.via;
  }

  private sessionTo(peer: string): LinkSession | undefined {
    return this.sessions.get(peer)?.find((session) => session.open);
  }

  private sendOn(peer: string, body: WireValue): boolean {
    const session = this.sessionTo(peer);
    if (session === undefined) return false;
    // A failed send means the session is closing; its `closed` event cleans up.
    session.send(relayProtocol, body).catch(() => undefined);
    return true;
  }

  /** The first neighbour a node's signal came through is the way back to it. */
  private learn(node: string, via: string): void {
    this.routes.delete(node);
    this.routes.set(node, { via, untilMs: this.init.timers.nowMs() + this.routeLifetimeMs });
    if (this.routes.size > routeCapacity) this.routes.delete(this.routes.keys().next().value ?? '');
  }

  /** Records `id` as seen; false if it was already. */
  private remember(id: Uint8Array): boolean {
    const key = Array.from(id, (byte) => byte.toString(16).padStart(2, '0')).join('');
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > seenCapacity) this.seen.delete(this.seen.values().next().value ?? '');
    return true;
  }

  private refuse(reason: string): string {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    return reason;
  }
}
