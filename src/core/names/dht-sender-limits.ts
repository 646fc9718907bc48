import { FrameRateLimit, type FrameRateLimitOptions } from '../mesh/rate-limit.ts';

/** Senders tracked at once; past this the least recently heard one is forgotten. */
const maxTrackedSenders = 1024;

/**
 * One token bucket per sender for one kind of request (stores, or lookups), so one node
 * cannot spend all of this node's checking and storage on itself. Buckets of senders not
 * heard from for a while are forgotten first: a forgotten sender starts again with a full
 * burst, which costs at most one burst per eviction.
 */
export class SenderLimits {
  private readonly options: FrameRateLimitOptions;
  private readonly limits = new Map<string, FrameRateLimit>();

  /** Limits of `options` for each sender. */
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
