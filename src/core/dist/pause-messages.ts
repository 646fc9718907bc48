import type { PauseReason } from './dist-types.ts';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}

/** What to tell the user about a download that paused by itself, and what to do. */
export function pauseMessage(
  reason: Exclude<PauseReason, 'user'>,
  neededBytes: number,
  detail?: string,
): string {
  if (reason === 'quota') {
    const free = Number(detail);
    const freeText = Number.isFinite(free) ? `, ${megabytes(free)} free` : '';
    return `Not enough storage space: ${megabytes(neededBytes)} needed${freeText}. Free some space, then resume.`;
  }
  if (reason === 'full') {
    return 'This browser ran out of storage space. What was downloaded is kept: free some space, then resume.';
  }
  return `Saving the file failed (${detail ?? 'unknown error'}). What was downloaded is kept: try resuming.`;
}
