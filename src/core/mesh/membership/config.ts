/**
 * Settings of a `MembershipNode`. Defaults follow the HyParView paper's evaluation (Leitão et
 * al. 2007, §5), except that the active view is 5 as DESIGN.md asks (the paper uses log n + c).
 */
export interface MembershipConfig {
  /** Neighbours a node keeps links open to. */
  readonly activeViewSize: number;
  /** Candidates a node remembers to replace neighbours with. */
  readonly passiveViewSize: number;
  /** Active random walk length (ARWL): hops a FORWARD_JOIN or SHUFFLE walks. */
  readonly activeRandomWalkLength: number;
  /** Passive random walk length (PRWL): the hop at which a FORWARD_JOIN lands in a passive view. */
  readonly passiveRandomWalkLength: number;
  /** Active-view ids in a shuffle sample (ka). */
  readonly shuffleActiveSampleSize: number;
  /** Passive-view ids in a shuffle sample (kp). */
  readonly shufflePassiveSampleSize: number;
  /** Mean time between two shuffles of one node; each tick is jittered by ±10 %. */
  readonly shuffleIntervalMs: number;
  /** How long a dial may take before it counts as failed. */
  readonly dialTimeoutMs: number;
  /** How long a NEIGHBOR request waits for its reply before it counts as refused. */
  readonly neighborReplyTimeoutMs: number;
  /** How long an accepted link may stay neither active nor awaited before it is closed. */
  readonly idleLinkTimeoutMs: number;
  /** Passive candidates a periodic top-up tries when the active view is short but not empty. */
  readonly topUpAttemptsPerTick: number;
  /** Ticks a short view may go without a new neighbour before a top-up asks with high priority. */
  readonly insistAfterTicks: number;
  /**
   * Below this many neighbours a node asks with high priority, which a full node accepts by
   * dropping one of its own. The paper uses high priority only for an empty view; then a node
   * left with one or two neighbours among full ones can never gain more, and the degree the
   * mesh promises (3 or more) does not hold.
   */
  readonly minActiveViewSize: number;
}

/** The defaults: active 5, passive 30, ARWL 6, PRWL 3, ka 3, kp 4, a shuffle every 10 s. */
export const defaultMembershipConfig: MembershipConfig = {
  activeViewSize: 5,
  passiveViewSize: 30,
  activeRandomWalkLength: 6,
  passiveRandomWalkLength: 3,
  shuffleActiveSampleSize: 3,
  shufflePassiveSampleSize: 4,
  shuffleIntervalMs: 10_000,
  dialTimeoutMs: 15_000,
  neighborReplyTimeoutMs: 5_000,
  idleLinkTimeoutMs: 30_000,
  topUpAttemptsPerTick: 2,
  insistAfterTicks: 6,
  minActiveViewSize: 3,
};

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`Membership setting ${name} must be an integer in 1..${max}, not ${value}.`);
  }
  return value;
}

/** `init` over the defaults, checked; throws `RangeError` on a setting that cannot work. */
export function resolveMembershipConfig(
  init: Partial<MembershipConfig>,
  limits: { readonly maxWalkLength: number; readonly maxSampleSize: number },
): MembershipConfig {
  const config = {
    ...defaultMembershipConfig,
    // The default minimum shrinks with a smaller active view rather than make it unworkable.
    minActiveViewSize: Math.min(defaultMembershipConfig.minActiveViewSize, init.activeViewSize ?? Infinity),
    ...init,
  };
  positiveInteger('activeViewSize', config.activeViewSize);
  positiveInteger('passiveViewSize', config.passiveViewSize);
  positiveInteger('minActiveViewSize', config.minActiveViewSize, config.activeViewSize);
  positiveInteger('activeRandomWalkLength', config.activeRandomWalkLength, limits.maxWalkLength);
  positiveInteger('passiveRandomWalkLength', config.passiveRandomWalkLength, config.activeRandomWalkLength);
  positiveInteger('shuffleActiveSampleSize', config.shuffleActiveSampleSize);
  positiveInteger('shufflePassiveSampleSize', config.shufflePassiveSampleSize);
  positiveInteger(
    'ka + kp',
    config.shuffleActiveSampleSize + config.shufflePassiveSampleSize,
    limits.maxSampleSize,
  );
  for (const name of [
    'shuffleIntervalMs',
    'dialTimeoutMs',
    'neighborReplyTimeoutMs',
    'idleLinkTimeoutMs',
    'insistAfterTicks',
  ] as const) {
    positiveInteger(name, config[name]);
  }
  if (!Number.isSafeInteger(config.topUpAttemptsPerTick) || config.topUpAttemptsPerTick < 0) {
    throw new RangeError(
      `topUpAttemptsPerTick must be a non-negative integer, not ${config.topUpAttemptsPerTick}.`,
    );
  }
  return config;
}
