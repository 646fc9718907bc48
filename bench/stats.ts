/** The q-quantile (0..1) of `samples` by linear interpolation between order statistics. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + (high - low) * (position - below);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Rounds to `digits` decimals, for figures people read. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Median, p95, min and max of a sample set, rounded, for a result's `extra`. */
export function summarize(samples: readonly number[], digits = 3): Record<string, number> {
  return {
    median: round(median(samples), digits),
    p95: round(quantile(samples, 0.95), digits),
    min: round(Math.min(...samples), digits),
    max: round(Math.max(...samples), digits),
    count: samples.length,
  };
}
