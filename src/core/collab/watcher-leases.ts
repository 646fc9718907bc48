import type { Timers } from '../mesh/timers.ts';
import type { CollabMessage } from './collab-messages.ts';
import type { CollabCarrier, CollabPeer } from './collab-types.ts';
import type { Presence } from './presence-status.ts';
import { SenderRateLimits } from '../mesh/rate-limit.ts';

// The watched side of presence: who may hear this node's presence, and for how long. A
// watcher holds a lease per node that it renews with `watch`; a node that stops renewing (or
// is blocked) stops hearing, so nobody has to say goodbye for presence to stay private.

/**
 * How long a `watch` lasts. 90 s is one and a half renewal intervals: one late renewal
 * does not cut a watcher off, and a watcher that left is forgotten within a minute and a half.
 */
export const presenceLeaseMs = 90_000;

/** How often a watcher renews its lease (and, while it hears nothing, looks its contact up). */
export const watchRenewIntervalMs = 60_000;

/** The most watcher nodes at once: a contact list's worth, with a few browsers each. */
export const maxWatcherNodes = 1024;

/** `watch` messages a node may send: one a second, five at once (a page reload re-watches all). */
const watchRate = { framesPerSecond: 1, burstFrames: 5 } as const;

/** What `WatcherLeases` needs. */
export interface WatcherLeasesComponents {
  readonly carrier: CollabCarrier;
  readonly timers: Timers;
  /** Whether an identity may watch this node's presence, and if not, why. */
  readonly mayWatch: (identityId: string) => 'yes' | 'not-a-contact' | 'blocked';
  /** This node's presence now, for watchers let in after a refusal. */
  readonly current: () => Presence;
  /** Counts a send that failed (the node is gone; its lease is dropped). */
  readonly countFailure: (what: string) => void;
}

interface Lease {
  readonly identityId: string;
  readonly expiresAtMs: number;
}

interface Refusal {
  readonly identityId: string;
  /** When the node last asked (and was refused). */
  readonly askedAtMs: number;
}

/**
 * The nodes that watch this node's presence. A `watch` from an identity that is not a
 * contact, or is blocked, gets one `refused` and no presence; a blocked watcher with a lease
 * loses it at once, and hears `refused` too.
 */
export class WatcherLeases {
  private readonly components: WatcherLeasesComponents;
  private readonly leases = new Map<string, Lease>();
  /** Nodes told `refused`: they are not told again until allowed. */
  private readonly refused = new Map<string, Refusal>();
  private readonly limits = new SenderRateLimits(watchRate);

  constructor(components: WatcherLeasesComponents) {
    this.components = components;
  }

  /** How many nodes hold a live lease. */
  get size(): number {
    this.prune();
    return this.leases.size;
  }

  /**
   * Takes a `watch` from `from` (whose identity is `identityId`): grants or renews its lease
   * and sends it `presence` at once, or refuses it. Resolves with a rejection reason, or
   * undefined when granted. Never rejects.
   */
  async watch(from: CollabPeer, identityId: string, presence: Presence): Promise<string | undefined> {
    const nowMs = this.components.timers.nowMs();
    if (!this.limits.allow(from.nodeId, nowMs)) return 'rate-limited';
    const verdict = this.components.mayWatch(identityId);
    if (verdict !== 'yes') {
      this.leases.delete(from.nodeId);
      await this.refuse(from.nodeId, identityId, nowMs);
      return verdict;
    }
    this.refused.delete(from.nodeId);
    if (!this.leases.has(from.nodeId)) {
      this.prune();
      if (this.leases.size >= maxWatcherNodes) return 'too-many-watchers';
    }
    this.leases.set(from.nodeId, { identityId, expiresAtMs: nowMs + presenceLeaseMs });
    await this.send(from.nodeId, presenceMessage(presence));
    return undefined;
  }

  /** Ends `from`'s lease; a reason when it held none. */
  unwatch(from: CollabPeer): string | undefined {
    return this.leases.delete(from.nodeId) ? undefined : 'not-watching';
  }

  /** Sends `presence` to every node with a live lease. */
  async push(presence: Presence): Promise<void> {
    this.prune();
    const message = presenceMessage(presence);
    await Promise.all([...this.leases.keys()].map((nodeId) => this.send(nodeId, message)));
  }

  /**
   * Looks at every lease again after the contact list changed: a watcher no longer allowed
   * loses its lease and hears `refused`. A node refused within the last lease that is now
   * allowed (just added as a contact, or unblocked) gets the lease it asked for, and hears
   * presence at once rather than at its next renewal.
   */
  async recheck(): Promise<void> {
    const nowMs = this.components.timers.nowMs();
    const admitted: string[] = [];
    for (const [nodeId, refusal] of [...this.refused]) {
      if (this.components.mayWatch(refusal.identityId) !== 'yes') continue;
      this.refused.delete(nodeId);
      const expiresAtMs = refusal.askedAtMs + presenceLeaseMs;
      if (expiresAtMs <= nowMs || this.leases.size >= maxWatcherNodes) continue;
      this.leases.set(nodeId, { identityId: refusal.identityId, expiresAtMs });
      admitted.push(nodeId);
    }
    const revoked = [...this.leases].filter(
      ([, lease]) => this.components.mayWatch(lease.identityId) !== 'yes',
    );
    for (const [nodeId] of revoked) this.leases.delete(nodeId);
    const message = presenceMessage(this.components.current());
    await Promise.all([
      ...revoked.map(([nodeId, lease]) => this.refuse(nodeId, lease.identityId, nowMs)),
      ...admitted.map((nodeId) => this.send(nodeId, message)),
    ]);
  }

  /** Tells every watcher `presence` (offline, when stopping) and forgets them all. */
  async endAll(presence: Presence): Promise<void> {
    await this.push(presence);
    this.leases.clear();
    this.refused.clear();
  }

  /** Sends `refused` unless the node was told so already; remembers when it asked. */
  private async refuse(nodeId: string, identityId: string, nowMs: number): Promise<void> {
    const told = this.refused.delete(nodeId);
    if (!told && this.refused.size >= maxWatcherNodes) {
      const oldest = this.refused.keys().next();
      if (oldest.done !== true) this.refused.delete(oldest.value);
    }
    // Re-inserted, so the map's order is least recently asked first.
    this.refused.set(nodeId, { identityId, askedAtMs: nowMs });
    if (!told) await this.send(nodeId, { t: 'refused' });
  }

  /** Sends to one watcher; a node that cannot be reached loses its lease. Never rejects. */
  private async send(nodeId: string, message: CollabMessage): Promise<void> {
    try {
      await this.components.carrier.send(nodeId, message);
    } catch {
      // Unreachable: it will watch again (and get a new lease) once it can reach this node.
      this.leases.delete(nodeId);
      this.components.countFailure('send-failed');
    }
  }

  private prune(): void {
    const nowMs = this.components.timers.nowMs();
    for (const [nodeId, lease] of this.leases) if (lease.expiresAtMs <= nowMs) this.leases.delete(nodeId);
  }
}

/** The `presence` message of `presence`. */
export function presenceMessage(presence: Presence): CollabMessage {
  return { t: 'presence', s: presence.status, x: presence.text, a: Math.floor(presence.atMs) };
}
