import { FrameRateLimit, type FrameRateLimitOptions } from '../mesh/rate-limit.ts';

/** The most senders tracked at once; the one heard from least recently makes room. */
const maxSenders = 512;

/**
 * A token bucket per sending node, for messages that cost the receiver work or a reply
 * (`watch`, `card`). The table is bounded: a node forgotten under pressure starts again with
 * a full bucket, which costs at most one burst.
 */
export class SenderRateLimits {
  private readonly options: FrameRateLimitOptions;
  private readonly limits = new Map<string, FrameRateLimit>();

  constructor(options: FrameRateLimitOptions) {
    this.options = options;
  }

  /** Whether one more message from `nodeId` at `nowMs` is within its allowance. */
  allow(nodeId: string, nowMs: number): boolean {
    let limit = this.limits.get(nodeId);
    if (limit === undefined) {
      limit = new FrameRateLimit(this.options);
      if (this.limits.size >= maxSenders) {
        const oldest = this.limits.keys().next();
        if (oldest.done !== true) this.limits.delete(oldest.value);
      }
    } else {
      // Re-inserted, so the map's order is least recently heard first.
      this.limits.delete(nodeId);
    }
    this.limits.set(nodeId, limit);
    return limit.take(nowMs) === 'pass';
  }
}
