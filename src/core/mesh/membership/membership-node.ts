import { TypedEventTarget } from '../../../lib/events.ts';
import type { Random } from '../../../lib/random.ts';
import type { Link, Transport } from '../../ports.ts';
import { resolveMembershipConfig, type MembershipConfig } from './config.ts';
import { ActiveView } from './active-view.ts';
import { MembershipLinks, type MembershipLinksInit } from './membership-links.ts';
import type {
  MembershipComponents,
  MembershipEvents,
  MembershipRejection,
  MembershipStats,
  MembershipStatus,
} from './membership-types.ts';
import {
  maxShuffleSampleSize,
  maxWalkLength,
  type ForwardJoinMessage,
  type MembershipMessage,
  type NeighborMessage,
  type NeighborPriority,
  type NeighborReplyMessage,
} from './messages.ts';
import { PassiveView } from './passive-view.ts';
import { ShuffleExchange } from './shuffle.ts';
import type { Timers } from '../timers.ts';

interface PendingNeighbor {
  readonly link: Link;
  readonly settle: (accepted: boolean) => void;
}

/**
 * One node's HyParView membership (Leitão et al. 2007): a small symmetric active view of
 * neighbours with open links, a larger passive view of candidates refreshed by shuffles, and
 * repair from the passive view when a neighbour's link closes. Built `(components, init)`:
 * everything it touches comes in through `components`, so a simulation on a `VirtualClock`
 * replays exactly.
 */
export class MembershipNode extends TypedEventTarget<MembershipEvents> {
  /** This node's id, the transport's. */
  readonly nodeId: string;
  /** The settings in force. */
  readonly config: MembershipConfig;
  private readonly transport: Transport;
  private readonly clock: Timers;
  private readonly random: Random;
  private readonly links: MembershipLinks;
  private readonly active: ActiveView<Link>;
  private readonly passive: PassiveView;
  private readonly pendingNeighbors = new Map<string, PendingNeighbor>();
  private readonly shuffles: ShuffleExchange;
  private repairing = false;
  private ticksShort = 0; // in a row, with a short view that no top-up filled
  private running = false;
  private currentStatus: MembershipStatus = 'isolated';
  private cancelTick: () => void = () => undefined;
  private stopListening: () => void = () => undefined;

  /** A stopped node; `init` overrides `defaultMembershipConfig` (throws `RangeError` if unworkable). */
  constructor(components: MembershipComponents, init: Partial<MembershipConfig> = {}) {
    super();
    this.config = resolveMembershipConfig(init, { maxWalkLength, maxSampleSize: maxShuffleSampleSize });
    this.transport = components.transport;
    this.nodeId = components.transport.nodeId;
    this.clock = components.clock;
    this.random = components.random;
    const links: MembershipLinksInit = {
      nodeId: this.nodeId,
      clock: this.clock,
      dial: components.openLink ?? ((nodeId, signal) => this.transport.dial(nodeId, signal)),
      authenticate: components.authenticate ?? (() => Promise.resolve(true)),
      dialTimeoutMs: this.config.dialTimeoutMs,
      idleLinkTimeoutMs: this.config.idleLinkTimeoutMs,
    };
    this.links = new MembershipLinks(links, {
      running: () => this.running,
      isInUse: (link) => this.isInUse(link),
      receive: (link, message) => this.dispatch(link, message),
      closed: (link) => this.onLinkClosed(link),
    });
    this.active = new ActiveView(this.config.activeViewSize, this.random);
    this.passive = new PassiveView(this.nodeId, this.config.passiveViewSize, this.random.fork('passive'));
    this.shuffles = new ShuffleExchange({
      nodeId: this.nodeId,
      config: this.config,
      random: this.random,
      clock: this.clock,
      active: this.active,
      passive: this.passive,
      links: this.links,
      randomNeighbor: (exclude) => this.active.randomLink(exclude),
    });
  }

  /** Adopts incoming links and starts the periodic shuffle. The transport must be started. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopListening = this.transport.on('link', (link) => void this.links.adopt(link, true));
    this.scheduleTick();
  }

  /** Stops timers and closes every active link; the active view is cleared, the passive view kept. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.stopListening();
    this.cancelTick();
    this.shuffles.cancel();
    for (const pending of [...this.pendingNeighbors.values()]) pending.settle(false);
    for (const [, link] of this.active.entries()) link.close('membership stopped');
    this.active.clear();
  }

  /**
   * Joins the overlay through `contactId`: opens a link, sends JOIN and takes the contact as
   * first neighbour. Resolves false if the contact cannot be reached or refuses the link.
   */
  async join(contactId: string): Promise<boolean> {
    if (contactId === this.nodeId) return false;
    const link = await this.links.open(contactId);
    if (link === undefined) return false;
    if (!this.running || !link.open) {
      link.close('membership stopped');
      return false;
    }
    this.links.send(link, { type: 'join' });
    this.addActive(contactId, link);
    return true;
  }

  /** The ids of the active view, in the order they entered it. */
  activeView(): string[] {
    return this.active.ids();
  }

  /** The link to active neighbour `nodeId`, if it is one. */
  neighborLink(nodeId: string): Link | undefined {
    return this.active.get(nodeId);
  }

  /** The ids of the passive view, oldest first. */
  passiveView(): string[] {
    return this.passive.ids();
  }

  /** Whether the node has an active neighbour. */
  get status(): MembershipStatus {
    return this.currentStatus;
  }

  /** How many received frames were refused, by reason. */
  rejections(): Readonly<Partial<Record<MembershipRejection, number>>> {
    return this.links.rejections();
  }

  /** Counters of failed dials and sends. */
  stats(): MembershipStats {
    return this.links.stats();
  }

  // --- links ---------------------------------------------------------------------------

  private isInUse(link: Link): boolean {
    const id = link.remoteNodeId;
    return this.active.get(id) === link || this.pendingNeighbors.get(id)?.link === link;
  }

  private onLinkClosed(link: Link): void {
    const id = link.remoteNodeId;
    const pending = this.pendingNeighbors.get(id);
    if (pending?.link === link) pending.settle(false);
    if (this.active.get(id) !== link) return;
    this.removeActive(id, 'link closed');
    // §4.3: a failed neighbour is not kept as a candidate; promote one from the passive view.
    if (this.running) void this.repair(Infinity);
  }

  private dispatch(link: Link, message: MembershipMessage): void {
    switch (message.type) {
      case 'join':
        return this.onJoin(link);
      case 'forward-join':
        return this.onForwardJoin(link, message);
      case 'neighbor':
        return this.onNeighbor(link, message);
      case 'neighbor-reply':
        return this.onNeighborReply(link, message);
      case 'disconnect':
        return this.onDisconnect(link);
      case 'shuffle':
        return this.shuffles.onShuffle(link, message);
      case 'shuffle-reply':
        return this.shuffles.onShuffleReply(link, message);
    }
  }

  /** §4.2: take the new node as neighbour and announce it on random walks from every other one. */
  private onJoin(link: Link): void {
    const newNode = link.remoteNodeId;
    if (this.active.get(newNode) === link) {
      this.links.reject('redundant-neighbor');
      return;
    }
    const known = this.active.has(newNode);
    this.addActive(newNode, link);
    // A JOIN over a new link from a node already active moves the link, nothing more: else
    // every extra link a peer opens would send a walk to each neighbour.
    if (known) return;
    for (const [id, neighbor] of this.active.entries()) {
      if (id !== newNode) {
        this.links.send(neighbor, {
          type: 'forward-join',
          node: newNode,
          ttl: this.config.activeRandomWalkLength,
        });
      }
    }
  }

  private onForwardJoin(link: Link, message: ForwardJoinMessage): void {
    const sender = link.remoteNodeId;
    if (this.active.get(sender) !== link) {
      this.links.reject('not-neighbor');
      return;
    }
    const { node, ttl } = message;
    const known = node === this.nodeId || this.active.has(node);
    if (ttl === 0 || this.active.size === 1) {
      if (!known) void this.requestNeighbor(node, 'high');
      return;
    }
    if (ttl === this.config.passiveRandomWalkLength && !known) this.addPassive(node);
    const next = this.active.randomLink([sender, node]);
    if (next !== undefined) this.links.send(next, { type: 'forward-join', node, ttl: ttl - 1 });
    else if (!known) void this.requestNeighbor(node, 'high');
  }

  /** §4.3: a high-priority request is always accepted; a low one only while there is room. */
  private onNeighbor(link: Link, message: NeighborMessage): void {
    const peer = link.remoteNodeId;
    if (this.active.get(peer) === link) {
      this.links.reject('redundant-neighbor');
      this.links.send(link, { type: 'neighbor-reply', accepted: true });
      return;
    }
    const crossing = this.pendingNeighbors.get(peer);
    if (crossing !== undefined && crossing.link !== link && this.nodeId < peer) {
      // Both asked at once: keep the link the smaller id dialled, so both ends pick the same.
      this.links.send(link, { type: 'neighbor-reply', accepted: false });
      return;
    }
    const accept =
      message.priority === 'high' ||
      crossing !== undefined ||
      this.active.has(peer) ||
      this.active.size < this.config.activeViewSize;
    if (accept) this.addActive(peer, link);
    else this.addPassive(peer);
    this.links.send(link, { type: 'neighbor-reply', accepted: accept });
  }

  private onNeighborReply(link: Link, message: NeighborReplyMessage): void {
    const pending = this.pendingNeighbors.get(link.remoteNodeId);
    if (pending?.link !== link) {
      this.links.reject('unexpected-reply');
      return;
    }
    if (message.accepted) this.addActive(link.remoteNodeId, link);
    pending.settle(message.accepted);
  }

  private onDisconnect(link: Link): void {
    const peer = link.remoteNodeId;
    if (this.active.get(peer) !== link) {
      this.links.reject('not-neighbor');
      return;
    }
    this.removeActive(peer, 'disconnected');
    this.addPassive(peer);
    link.close('disconnected');
  }

  // --- views -------------------------------------------------------------------------------

  private addPassive(id: string): void {
    this.passive.add(id, (candidate) => this.active.has(candidate));
  }

  /** Makes `link` the active link to `peer`, dropping a random neighbour if the view is full. */
  private addActive(peer: string, link: Link): void {
    this.passive.remove(peer);
    const isNew = !this.active.has(peer);
    const { replaced, evicted } = this.active.add(peer, link);
    replaced?.close('replaced');
    if (evicted !== undefined) {
      this.emit('neighbor-down', { nodeId: evicted.id, reason: 'dropped' });
      this.addPassive(evicted.id);
      this.links.send(evicted.link, { type: 'disconnect' });
      evicted.link.close('dropped');
    }
    if (!isNew) return;
    this.emit('neighbor-up', { nodeId: peer });
    this.updateStatus();
  }

  private removeActive(peer: string, reason: string): void {
    if (!this.active.remove(peer)) return;
    this.emit('neighbor-down', { nodeId: peer, reason });
    this.updateStatus();
  }

  private updateStatus(): void {
    const status: MembershipStatus = this.active.size > 0 ? 'has-connections' : 'isolated';
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  /** Asks `nodeId` to become a neighbour over a new link; resolves whether it now is one. */
  private async requestNeighbor(nodeId: string, priority: NeighborPriority): Promise<boolean> {
    if (nodeId === this.nodeId || this.pendingNeighbors.has(nodeId)) return false;
    if (this.active.has(nodeId)) return true;
    const link = await this.links.open(nodeId);
    if (link === undefined) {
      this.passive.remove(nodeId);
      return false;
    }
    if (!this.running || this.active.has(nodeId) || this.pendingNeighbors.has(nodeId)) {
      link.close('not needed');
      return this.active.has(nodeId);
    }
    const accepted = await new Promise<boolean>((resolve) => {
      const cancel = this.clock.schedule(this.config.neighborReplyTimeoutMs, () => settle(false));
      const settle = (answer: boolean): void => {
        if (this.pendingNeighbors.get(nodeId)?.link !== link) return;
        this.pendingNeighbors.delete(nodeId);
        cancel();
        resolve(answer);
      };
      this.pendingNeighbors.set(nodeId, { link, settle });
      this.links.send(link, { type: 'neighbor', priority });
    });
    if (this.active.get(nodeId) !== link) link.close(accepted ? 'not needed' : 'neighbor refused');
    return this.active.has(nodeId);
  }

  /**
   * §4.3: promotes passive candidates, in random order, until the active view is full, the
   * candidates run out, or `maxAttempts` were tried. High priority while the view is below
   * `minActiveViewSize` (the paper: while it is empty).
   */
  private async repair(maxAttempts: number, insist = false): Promise<void> {
    if (this.repairing) return;
    this.repairing = true;
    const tried = new Set<string>();
    try {
      for (let attempt = 0; attempt < maxAttempts && this.running; attempt++) {
        if (this.active.size >= this.config.activeViewSize) break;
        const candidates = this.passive
          .ids()
          .filter((id) => !tried.has(id) && !this.active.has(id) && !this.pendingNeighbors.has(id));
        if (candidates.length === 0) break;
        const candidate = this.random.pick(candidates);
        tried.add(candidate);
        const short = this.active.size < this.config.minActiveViewSize;
        await this.requestNeighbor(candidate, short || insist ? 'high' : 'low');
      }
    } finally {
      this.repairing = false;
    }
  }

  /**
   * Fills a short view from the passive one. Full nodes refuse low priority, so an island whose
   * nodes only know full ones would stay apart: after `insistAfterTicks` fruitless ticks, one
   * asks with high priority. The node that makes room fills up in turn: the shortfall moves.
   */
  private async topUp(): Promise<void> {
    const before = this.active.size;
    if (before >= this.config.activeViewSize) {
      this.ticksShort = 0;
      return;
    }
    const insist = this.ticksShort >= this.config.insistAfterTicks;
    await this.repair(before === 0 ? Infinity : this.config.topUpAttemptsPerTick, insist);
    this.ticksShort = insist || this.active.size > before ? 0 : this.ticksShort + 1;
  }

  private scheduleTick(): void {
    // ±10 % jitter, so nodes started together do not shuffle in lockstep.
    const delayMs = this.config.shuffleIntervalMs * (0.9 + 0.2 * this.random.next());
    this.cancelTick = this.clock.schedule(delayMs, () => {
      if (!this.running) return;
      this.shuffles.send();
      void this.topUp();
      this.scheduleTick();
    });
  }
}
