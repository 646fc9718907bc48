/** Settings of a `FrameRateLimit`. */
export interface FrameRateLimitOptions {
  /** Frames per second a peer may send on average. */
  readonly framesPerSecond: number;
  /** Frames a peer may send at once after a quiet spell (the bucket's size). */
  readonly burstFrames: number;
}

/** What `FrameRateLimit.take` decided about one frame. */
export type RateVerdict = 'pass' | 'drop' | 'flooding';

/**
 * A token bucket for the frames of one link, with a second bucket for the overflow.
 *
 * Tokens refill at `framesPerSecond` up to `burstFrames`; a frame takes one or is dropped. Dropped
 * frames fill an overflow count that drains at the same rate: a peer that merely bursts now and
 * then loses a few frames, but one that keeps sending past its allowance piles up overflow, and
 * once it is more than twice the burst the peer is flooding on purpose or broken either way.
 * Pure arithmetic on the times it is given, so it runs the same under a virtual clock.
 */
export class FrameRateLimit {
  private readonly ratePerMs: number;
  private readonly burst: number;
  private tokens: number;
  private overflow = 0;
  private lastMs: number | undefined;

  constructor(options: FrameRateLimitOptions) {
    const { framesPerSecond, burstFrames } = options;
    if (!(framesPerSecond > 0 && burstFrames >= 1)) {
      throw new RangeError(
        `A rate limit needs a positive rate and burst, not ${framesPerSecond}/s, ${burstFrames}.`,
      );
    }
    this.ratePerMs = framesPerSecond / 1000;
    this.burst = burstFrames;
    this.tokens = burstFrames;
  }

  /** Accounts one frame that arrived at `nowMs`. */
  take(nowMs: number): RateVerdict {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'pass';
    }
    this.overflow += 1;
    return this.overflow > 2 * this.burst ? 'flooding' : 'drop';
  }

  private refill(nowMs: number): void {
    const elapsedMs = this.lastMs === undefined ? 0 : Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    const earned = elapsedMs * this.ratePerMs;
    // Time first pays off overflow, so a flood that stops is forgiven at the same pace it is served.
    const paid = Math.min(this.overflow, earned);
    this.overflow -= paid;
    this.tokens = Math.min(this.burst, this.tokens + earned - paid);
  }
}

/** Senders tracked at once by a `SenderRateLimits`; the one heard from least recently goes first. */
const maxTrackedSenders = 1024;

/**
 * One `FrameRateLimit` per sending node for one kind of request that costs the receiver work
 * or a reply (DHT stores and lookups, presence watches, contact cards), so no node can spend
 * all of this one's effort on itself. The table is bounded: a sender forgotten under pressure
 * starts again with a full bucket, which costs at most one burst per eviction.
 */
export class SenderRateLimits {
  private readonly options: FrameRateLimitOptions;
  private readonly limits = new Map<string, FrameRateLimit>();

  constructor(options: FrameRateLimitOptions) {
    this.options = options;
  }

  /** Whether `sender` may make one more request at `nowMs`. */
  allow(sender: string, nowMs: number): boolean {
    const limit = this.limits.get(sender) ?? new FrameRateLimit(this.options);
    // Re-inserting keeps the map in order of last use, oldest first.
    this.limits.delete(sender);
    this.limits.set(sender, limit);
    if (this.limits.size > maxTrackedSenders) {
      const oldest = this.limits.keys().next();
      if (oldest.done !== true) this.limits.delete(oldest.value);
    }
    return limit.take(nowMs) === 'pass';
  }
}
