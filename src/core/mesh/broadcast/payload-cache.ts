/** A payload held to answer GRAFTs, with its root and the round it is forwarded at. */
export interface CachedPayload {
  readonly payload: Uint8Array;
  readonly root: string;
  readonly round: number;
  readonly storedAtMs: number;
}

/** Limits of a `PayloadCache`. */
export interface PayloadCacheLimits {
  readonly maxAgeMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Recently delivered payloads, so a GRAFT, which comes within seconds of the payload's
 * broadcast, is answered from memory. Bounded by age, count and bytes; older payloads are
 * the caller's store's business (`lookup`).
 */
export class PayloadCache {
  private readonly limits: PayloadCacheLimits;
  // A Map iterates in insertion order, which is the order of storedAtMs: the oldest first.
  private readonly entries = new Map<string, CachedPayload>();
  private totalBytes = 0;

  /** An empty cache held to `limits`. */
  constructor(limits: PayloadCacheLimits) {
    this.limits = limits;
  }

  /** Payloads held. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of payload held. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Keeps `entry` under `key`, evicting the oldest entries past the limits. */
  put(key: string, entry: CachedPayload): void {
    this.remove(key);
    if (entry.payload.length > this.limits.maxBytes) return;
    this.entries.set(key, entry);
    this.totalBytes += entry.payload.length;
    this.evict(entry.storedAtMs);
  }

  /** The payload under `key`, unless it is missing or older than `maxAgeMs` at `nowMs`. */
  get(key: string, nowMs: number): CachedPayload | undefined {
    this.evict(nowMs);
    return this.entries.get(key);
  }

  /** Drops every payload. */
  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalBytes -= entry.payload.length;
  }

  private evict(nowMs: number): void {
    const { maxAgeMs, maxEntries, maxBytes } = this.limits;
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > maxEntries || this.totalBytes > maxBytes;
      if (!over && nowMs - entry.storedAtMs <= maxAgeMs) return;
      this.remove(key);
    }
  }
}
