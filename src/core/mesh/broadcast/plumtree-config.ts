import { maxIdsPerMessage } from './plumtree-messages.ts';

/**
 * Settings of a `Plumtree`. Timers follow the paper's evaluation (Leitão et al. 2007, §5: a
 * first graft timeout well above one hop's latency, a shorter second one); the caps bound the
 * memory a node spends on ids, whatever its peers send.
 */
export interface PlumtreeConfig {
  /** How long an announced id may stay missing before the first GRAFT is sent. */
  readonly graftTimeoutMs: number;
  /** How long each further GRAFT waits for its answer before the next announcer is asked. */
  readonly secondGraftTimeoutMs: number;
  /** GRAFTs sent for one id, cycling through its announcers, before the id is given up. */
  readonly maxGraftAttempts: number;
  /**
   * Mean delay before queued IHAVEs go out, so one frame announces every id queued meanwhile.
   * Announcements matter only when the tree failed someone, so delaying them slows repair a
   * little and costs nothing while the tree works.
   */
  readonly ihaveFlushMs: number;
  /** Ids per IHAVE frame; a queue that reaches it is sent at once. */
  readonly maxIdsPerIhave: number;
  /**
   * Later frames to a neighbour that repeat each id it was sent, so that a frame lost without
   * the link closing is noticed as soon as the link carries anything more. Costs bytes, never
   * a frame.
   */
  readonly announcementRepeats: number;
  /** Ids remembered per neighbour for repeating. */
  readonly maxRepeatedIds: number;
  /** How long an id is repeated for at most. */
  readonly repeatForMs: number;
  /** How long a delivered payload is kept in memory to answer GRAFTs without `lookup`. */
  readonly payloadCacheMs: number;
  /** Payloads kept in memory at most. */
  readonly payloadCacheEntries: number;
  /** Bytes of payloads kept in memory at most. */
  readonly payloadCacheBytes: number;
  /** Ids remembered as delivered; an older id that comes back is left to `deliver` to spot. */
  readonly seenCapacity: number;
  /** Roots whose trees are remembered; a forgotten root's next payload floods once. */
  readonly maxRoots: number;
  /** Missing ids tracked at once; announcements of further ones are dropped. */
  readonly maxMissingIds: number;
  /** Announcers remembered per missing id. */
  readonly maxAnnouncersPerId: number;
  /** Payloads being delivered at once; a GOSSIP beyond that is refused (`busy`). */
  readonly maxPendingDeliveries: number;
  /** `lookup` calls in flight at once for GRAFTs; ids beyond that are not answered. */
  readonly maxPendingLookups: number;
}

/**
 * The defaults: first graft after 1 s, then every 0.5 s up to 10 times; a minute or 1024
 * payloads (8 MiB) in memory; 16384 ids and 1024 roots remembered. IHAVEs are batched over
 * 500 ms: at 32 nodes of degree 5 that is 0.47 IHAVE frames per payload per node at 10
 * payloads/s (0.74 over 250 ms), which keeps the total under DESIGN.md's 1.5 frames.
 */
export const defaultPlumtreeConfig: PlumtreeConfig = {
  graftTimeoutMs: 1_000,
  secondGraftTimeoutMs: 500,
  maxGraftAttempts: 10,
  ihaveFlushMs: 500,
  maxIdsPerIhave: maxIdsPerMessage,
  announcementRepeats: 2,
  maxRepeatedIds: 64,
  repeatForMs: 30_000,
  payloadCacheMs: 60_000,
  payloadCacheEntries: 1_024,
  payloadCacheBytes: 8 * 1024 * 1024,
  seenCapacity: 16_384,
  maxRoots: 1_024,
  maxMissingIds: 4_096,
  maxAnnouncersPerId: 8,
  maxPendingDeliveries: 256,
  maxPendingLookups: 64,
};

/** `init` over the defaults, checked; throws `RangeError` on a setting that cannot work. */
export function resolvePlumtreeConfig(init: Partial<PlumtreeConfig>): PlumtreeConfig {
  const config = { ...defaultPlumtreeConfig, ...init };
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Plumtree setting ${name} must be a positive integer, not ${value}.`);
    }
  }
  if (config.maxIdsPerIhave > maxIdsPerMessage) {
    throw new RangeError(`maxIdsPerIhave must be at most ${maxIdsPerMessage}, not ${config.maxIdsPerIhave}.`);
  }
  return config;
}
