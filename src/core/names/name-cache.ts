/** Settings of a `NameCache`. */
export interface NameCacheConfig {
  /** Names remembered at most; the least recently used goes first. */
  readonly maxNames: number;
  /** Longest time a resolution is kept, even if its records live longer. */
  readonly maxAgeMs: number;
}

/**
 * Defaults: 256 names is far more than one person looks up in a session and costs a few
 * hundred KiB at most; 10 minutes matches a registration's default lifetime, so an entry is
 * never much staler than what the DHT itself would serve.
 */
export const defaultNameCacheConfig: NameCacheConfig = { maxNames: 256, maxAgeMs: 10 * 60_000 };

interface CacheEntry<R> {
  readonly records: readonly R[];
  readonly keepUntilMs: number;
}

/**
 * Resolutions remembered per name, as PNRP caches them: the verified records of a name are kept
 * until the earliest of them expires (after that the set may be wrong) and at most `maxAgeMs`,
 * for at most `maxNames` names, least recently used out first. Empty results are not kept:
 * a name nobody holds yet is the one most likely to appear soon, as its owner comes online.
 * Pure state on times it is given, so it runs the same under a virtual clock.
 */
export class NameCache<R extends { readonly expiresAtMs: number }> {
  readonly config: NameCacheConfig;
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, CacheEntry<R>>();

  /** A cache with `config` over the defaults; throws `RangeError` on a setting that cannot work. */
  constructor(config: Partial<NameCacheConfig> = {}) {
    this.config = { ...defaultNameCacheConfig, ...config };
    const { maxNames, maxAgeMs } = this.config;
    if (!Number.isSafeInteger(maxNames) || maxNames < 1 || !(maxAgeMs >= 0)) {
      throw new RangeError(`A name cache needs maxNames ≥ 1 and maxAgeMs ≥ 0, not ${maxNames}, ${maxAgeMs}.`);
    }
  }

  /** Names currently held, expired or not. */
  get size(): number {
    return this.entries.size;
  }

  /** The records kept for `name` if they are still good at `nowMs`; marks the name as used. */
  get(name: string, nowMs: number): readonly R[] | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    this.entries.delete(name);
    if (nowMs >= entry.keepUntilMs) return undefined;
    this.entries.set(name, entry);
    return entry.records;
  }

  /** Keeps `records` for `name` from `nowMs`; an empty list forgets the name instead. */
  set(name: string, records: readonly R[], nowMs: number): void {
    this.entries.delete(name);
    if (records.length === 0) return;
    const earliestExpiryMs = Math.min(...records.map((record) => record.expiresAtMs));
    const keepUntilMs = Math.min(earliestExpiryMs, nowMs + this.config.maxAgeMs);
    if (keepUntilMs <= nowMs) return;
    this.entries.set(name, { records, keepUntilMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.config.maxNames) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets `name`, for example when a newer registration for it was seen. */
  delete(name: string): void {
    this.entries.delete(name);
  }

  /** Forgets every name. */
  clear(): void {
    this.entries.clear();
  }
}
