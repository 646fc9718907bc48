import type { Random } from '../../../lib/random.ts';
import type { Link } from '../../ports.ts';
import type { Timers } from '../timers.ts';
import type { ActiveView } from './active-view.ts';
import type { MembershipConfig } from './config.ts';
import type { MembershipLinks } from './membership-links.ts';
import type { MembershipMessage, ShuffleMessage, ShuffleReplyMessage } from './messages.ts';
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
  sendOnce(nodeId: string, message: MembershipMessage): Promise<void>;
}

interface PendingShuffle {
  readonly nonce: number;
  readonly sentIds: readonly string[];
  readonly cancel: () => void;
}

/**
 * HyParView §4.4: the periodic shuffle that refreshes the passive view. A node sends a sample
 * of its views on a random walk; the node where the walk ends answers with a sample of its
 * own passive view, and both integrate what they received.
 */
export class ShuffleExchange {
  private readonly context: ShuffleContext;
  private pending: PendingShuffle | undefined;

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
      links.send(next, { type: 'shuffle', origin, ttl: ttl - 1, nonce, sample });
      return;
    }
    const reply = passive.sample(sample.length).filter((id) => id !== origin);
    passive.integrate([origin, ...sample], (id) => active.has(id), reply);
    void this.context.sendOnce(origin, { type: 'shuffle-reply', nonce, sample: reply });
  }

  /**
   * Integrates the answer to this node's own shuffle; refuses answers nobody asked for, and
   * any without the shuffle's nonce, which only nodes on its walk have seen.
   */
  onShuffleReply(message: ShuffleReplyMessage): void {
    const pending = this.pending;
    if (pending?.nonce !== message.nonce) {
      this.context.links.reject('unexpected-shuffle-reply');
      return;
    }
    pending.cancel();
    this.pending = undefined;
    const { active, passive } = this.context;
    passive.integrate(message.sample, (id) => active.has(id), pending.sentIds);
  }

  /** Forgets a shuffle in flight (the node is stopping). */
  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }
}
