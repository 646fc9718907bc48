/** Decimal units, as download bars and file managers count: 1 KB = 1,000 bytes, 1 MB = 10^6. */
const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;
const unitStep = 1000;

/** Below this many of a unit a size shows one decimal ("3.1 MB"); from here on whole units ("20 MB"). */
const decimalBelow = 9.95;

/** `value` of `units[unit]` as shown: whole bytes, one decimal for small values, else whole units. */
function shownNumber(value: number, unit: number): string {
  if (unit === 0 || value >= decimalBelow) return String(Math.round(value));
  // "1.0 MB" reads as more precise than it is; drop a trailing ".0".
  return (Math.round(value * 10) / 10).toFixed(1).replace(/\.0$/, '');
}

/**
 * A byte count for people: "512 B", "3.1 MB", "20 MB", "1.2 GB". Three significant figures at
 * most, so the text keeps about the same width while a download counts up. The decimal point
 * is always "." so the same bytes read the same everywhere in the app. Not a size at all
 * (negative, NaN, infinite) shows as "0 B".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let unit = 0;
  let value = bytes;
  // Step up while the number would round to 1000 or more: 999,600 bytes is "1 MB", not "1000 KB".
  while (unit < units.length - 1 && Math.round(value) >= unitStep) {
    value /= unitStep;
    unit++;
  }
  return `${shownNumber(value, unit)} ${units[unit] ?? 'B'}`;
}
