import type { Random } from '../../../lib/random.ts';
import type { Link } from '../../ports.ts';
import type { Timers } from '../timers.ts';
import type { ActiveView } from './active-view.ts';
import type { MembershipConfig } from './config.ts';
import type { MembershipLinks } from './membership-links.ts';
import type { ShuffleMessage, ShuffleReplyMessage } from './messages.ts';
import type { PassiveView } from './passive-view.ts';

/** What the shuffle exchange needs from its `MembershipNode`. */
export interface ShuffleContext {
  readonly nodeId: string;
  readonly config: MembershipConfig;
  readonly random: Random;
  readonly clock: Timers;
  readonly active: ActiveView<Link>;
  readonly passive: PassiveView;
  readonly links: MembershipLinks;
  randomNeighbor(exclude: readonly string[]): Link | undefined;
}

/** The way back of a walk this node passed on: the link it came from. */
interface ReturnPath {
  readonly link: Link;
  readonly cancel: () => void;
}

/** Walks remembered for their replies; a hostile neighbour cannot make the table grow past it. */
const maxReturnPaths = 64;

interface PendingShuffle {
  readonly nonce: number;
  readonly sentIds: readonly string[];
  readonly cancel: () => void;
}

/**
 * HyParView §4.4: the periodic shuffle that refreshes the passive view. A node sends a sample
 * of its views on a random walk; the node where the walk ends answers with a sample of its
 * own passive view, and both integrate what they received.
 *
 * The paper sends the answer over a temporary connection to the origin. Over WebRTC that is a
 * whole negotiation and a peer connection per shuffle, so here the answer walks back the way
 * the shuffle came, over active links: each hop remembers, for one shuffle interval, which
 * link a walk arrived on.
 */
export class ShuffleExchange {
  private readonly context: ShuffleContext;
  private pending: PendingShuffle | undefined;
  private readonly returns = new Map<string, ReturnPath>();

  constructor(context: ShuffleContext) {
    this.context = context;
  }

  /** Sends ka active and kp passive ids on a random walk from a random neighbour. */
  send(): void {
    const { active, passive, random, config, clock, links, nodeId } = this.context;
    const target = this.context.randomNeighbor([]);
    if (target === undefined) return;
    const fromActive = random
      .shuffle(active.ids().filter((id) => id !== target.remoteNodeId))
      .slice(0, config.shuffleActiveSampleSize);
    const sample = [...fromActive, ...passive.sample(config.shufflePassiveSampleSize)];
    this.pending?.cancel();
    const cancel = clock.schedule(config.shuffleIntervalMs, () => {
      this.pending = undefined;
    });
    const nonce = random.int(0x1_0000_0000);
    this.pending = { nonce, sentIds: sample, cancel };
    links.send(target, {
      type: 'shuffle',
      origin: nodeId,
      ttl: config.activeRandomWalkLength,
      nonce,
      sample,
    });
  }

  /** Walks on while the TTL lasts, else answers the origin with a passive sample. */
  onShuffle(link: Link, message: ShuffleMessage): void {
    const { active, passive, links, nodeId } = this.context;
    const sender = link.remoteNodeId;
    if (active.get(sender) !== link) {
      links.reject('not-neighbor');
      return;
    }
    const { origin, ttl, nonce, sample } = message;
    if (origin === nodeId) return; // the walk came home: nothing to exchange with oneself
    const next = ttl > 0 && active.size > 1 ? this.context.randomNeighbor([sender, origin]) : undefined;
    if (next !== undefined) {
      this.rememberReturn(origin, nonce, link);
      links.send(next, { type: 'shuffle', origin, ttl: ttl - 1, nonce, sample });
      return;
    }
    const reply = passive.sample(sample.length).filter((id) => id !== origin);
    passive.integrate([origin, ...sample], (id) => active.has(id), reply);
    links.send(link, { type: 'shuffle-reply', origin, nonce, sample: reply });
  }

  /**
   * Passes a reply on towards its origin, or integrates the answer to this node's own shuffle.
   * Refuses replies off the active links, for walks this node did not pass on, and any without
   * the shuffle's nonce, which only nodes on its walk have seen.
   */
  onShuffleReply(link: Link, message: ShuffleReplyMessage): void {
    const { active, links, nodeId } = this.context;
    if (active.get(link.remoteNodeId) !== link) {
      links.reject('not-neighbor');
      return;
    }
    if (message.origin !== nodeId) {
      const key = returnKey(message.origin, message.nonce);
      const back = this.returns.get(key);
      if (back === undefined) {
        links.reject('unexpected-shuffle-reply');
        return;
      }
      back.cancel();
      this.returns.delete(key);
      if (active.get(back.link.remoteNodeId) === back.link) links.send(back.link, message);
      return;
    }
    const pending = this.pending;
    if (pending?.nonce !== message.nonce) {
      links.reject('unexpected-shuffle-reply');
      return;
    }
    pending.cancel();
    this.pending = undefined;
    this.context.passive.integrate(message.sample, (id) => active.has(id), pending.sentIds);
  }

  /** Forgets a shuffle in flight and every way back (the node is stopping). */
  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
    for (const back of this.returns.values()) back.cancel();
    this.returns.clear();
  }

  private rememberReturn(origin: string, nonce: number, link: Link): void {
    const key = returnKey(origin, nonce);
    this.returns.get(key)?.cancel();
    const cancel = this.context.clock.schedule(this.context.config.shuffleIntervalMs, () => {
      if (this.returns.get(key)?.link === link) this.returns.delete(key);
    });
    this.returns.delete(key);
    this.returns.set(key, { link, cancel });
    if (this.returns.size > maxReturnPaths) {
      const [oldestKey, oldest] = this.returns.entries().next().value ?? [];
      oldest?.cancel();
      if (oldestKey !== undefined) this.returns.delete(oldestKey);
    }
  }
}

function returnKey(origin: string, nonce: number): string {
  return `${origin} ${nonce}`;
}
