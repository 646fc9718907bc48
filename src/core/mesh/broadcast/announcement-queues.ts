import type { Random } from '../../../lib/random.ts';
import type { Timers } from '../timers.ts';
import type { Announcement } from './plumtree-messages.ts';

/** What `AnnouncementQueues` needs around it. */
export interface AnnouncementQueuesInit {
  readonly timers: Timers;
  /** Jitters the flush delay, so the two ends of a lazy link rarely flush at the same instant. */
  readonly random: Random;
  readonly flushMs: number;
  readonly maxIdsPerFrame: number;
  /** Later frames to a peer that repeat each id it was sent. */
  readonly repeats: number;
  /** Ids remembered per peer for repeating; the oldest go first. */
  readonly maxRepeatedIds: number;
  /** Ids older than this are no longer repeated. */
  readonly repeatForMs: number;
  /** Sends one IHAVE with `announcements` (1 to `maxIdsPerFrame` of them) to `nodeId`. */
  readonly send: (nodeId: string, announcements: readonly Announcement[]) => void;
}

interface Repeat {
  readonly announcement: Announcement;
  readonly sentAtMs: number;
  left: number;
}

interface PeerAnnouncements {
  /** Ids waiting for an IHAVE (or a payload frame) to this peer. */
  readonly queue: Map<string, Announcement>;
  /** Ids sent to this peer, to repeat on the next frames in case a frame was lost. */
  readonly repeats: Map<string, Repeat>;
}

/**
 * What each neighbour is told about ids it may not have.
 *
 * Lazy queues: the paper leaves when IHAVEs go out to the implementation, so ids to announce
 * wait a short while and one frame carries all of them. They may also leave early, riding on a
 * payload frame to the same peer (`take`). An id the peer is known to hold (it announced or
 * sent it to us) is struck, so a lazy link tends to carry each id one way only. A queue holds
 * at most `maxIdsPerFrame` ids: a full queue goes out at once.
 *
 * Repeats: a frame can be lost without the link closing (a rate limiter drops a burst), and
 * the paper, written for TCP, would then miss the payload for good if its announcements were
 * lost too. So every id sent to a peer, pushed or announced, rides again on the next
 * `repeats` frames that go to it anyway: a loss is noticed, and grafted, as soon as the link
 * carries anything more. Repeats never cause a frame of their own.
 */
export class AnnouncementQueues {
  private readonly init: AnnouncementQueuesInit;
  private readonly peers = new Map<string, PeerAnnouncements>();
  private cancelFlush: (() => void) | undefined;

  /** Nothing queued; nothing is scheduled until an id is. */
  constructor(init: AnnouncementQueuesInit) {
    this.init = init;
  }

  /** Ids waiting for an IHAVE, across every peer. */
  get pending(): number {
    let count = 0;
    for (const peer of this.peers.values()) count += peer.queue.size;
    return count;
  }

  /** Ids remembered for repeating, across every peer. */
  get repeating(): number {
    let count = 0;
    for (const peer of this.peers.values()) count += peer.repeats.size;
    return count;
  }

  /** Queues `announcement` (under `key`) for an IHAVE to `nodeId`. */
  add(nodeId: string, key: string, announcement: Announcement): void {
    const peer = this.peer(nodeId);
    peer.queue.set(key, announcement);
    if (peer.queue.size >= this.init.maxIdsPerFrame) this.flushPeer(nodeId);
    else this.scheduleFlush();
  }

  /** Notes that the payload `key` was pushed to `nodeId`, so later frames repeat its id. */
  pushed(nodeId: string, key: string, announcement: Announcement): void {
    this.remember(this.peer(nodeId), key, announcement);
  }

  /**
   * Announcements to send along with a frame that goes to `nodeId` anyway, at most `max`:
   * queued ids first, then repeats of ids sent before.
   */
  take(nodeId: string, max: number): Announcement[] {
    const peer = this.peers.get(nodeId);
    if (peer === undefined || max <= 0) return [];
    const taken: [string, Announcement][] = [];
    for (const [key, announcement] of peer.queue) {
      if (taken.length >= max) break;
      taken.push([key, announcement]);
      peer.queue.delete(key);
    }
    const out = taken.map(([, announcement]) => announcement);
    const oldestMs = this.init.timers.nowMs() - this.init.repeatForMs;
    for (const [key, repeat] of peer.repeats) {
      if (repeat.sentAtMs < oldestMs) {
        peer.repeats.delete(key);
        continue;
      }
      if (out.length >= max) break;
      out.push(repeat.announcement);
      repeat.left--;
      if (repeat.left <= 0) peer.repeats.delete(key);
    }
    // Remembered only now, so an id is not repeated in the very frame that first carries it.
    for (const [key, announcement] of taken) this.remember(peer, key, announcement);
    this.prune(nodeId, peer);
    return out;
  }

  /** Strikes `key` for `nodeId`: the peer holds it, telling it again would waste bytes. */
  forget(nodeId: string, key: string): void {
    const peer = this.peers.get(nodeId);
    if (peer === undefined) return;
    peer.queue.delete(key);
    peer.repeats.delete(key);
    this.prune(nodeId, peer);
  }

  /** Drops everything about `nodeId`, a neighbour that is gone. */
  drop(nodeId: string): void {
    this.peers.delete(nodeId);
  }

  /** Drops everything and the pending flush. */
  clear(): void {
    this.peers.clear();
    this.cancelFlush?.();
    this.cancelFlush = undefined;
  }

  private peer(nodeId: string): PeerAnnouncements {
    let peer = this.peers.get(nodeId);
    if (peer === undefined) {
      peer = { queue: new Map(), repeats: new Map() };
      this.peers.set(nodeId, peer);
    }
    return peer;
  }

  private remember(peer: PeerAnnouncements, key: string, announcement: Announcement): void {
    if (this.init.repeats <= 0) return;
    peer.repeats.delete(key);
    peer.repeats.set(key, { announcement, sentAtMs: this.init.timers.nowMs(), left: this.init.repeats });
    if (peer.repeats.size <= this.init.maxRepeatedIds) return;
    const oldest = peer.repeats.keys().next();
    if (oldest.done !== true) peer.repeats.delete(oldest.value);
  }

  private prune(nodeId: string, peer: PeerAnnouncements): void {
    if (peer.queue.size === 0 && peer.repeats.size === 0) this.peers.delete(nodeId);
  }

  private scheduleFlush(): void {
    if (this.cancelFlush !== undefined) return;
    // Uniform in [0.5, 1.5) × flushMs: the mean stays flushMs.
    const delayMs = this.init.flushMs * (0.5 + this.init.random.next());
    this.cancelFlush = this.init.timers.schedule(delayMs, () => {
      this.cancelFlush = undefined;
      for (const nodeId of [...this.peers.keys()]) {
        if ((this.peers.get(nodeId)?.queue.size ?? 0) > 0) this.flushPeer(nodeId);
      }
    });
  }

  private flushPeer(nodeId: string): void {
    const announcements = this.take(nodeId, this.init.maxIdsPerFrame);
    if (announcements.length > 0) this.init.send(nodeId, announcements);
  }
}
