import type { PresenceStatus } from '../app/collab-types.ts';

/** The statuses in the order the selector offers them: most available first. */
export const presenceStatuses: readonly PresenceStatus[] = ['online', 'away', 'busy', 'brb', 'offline'];

/**
 * The longest status text, in UTF-16 code units. The core caps it at 255 code points; counting
 * code units (as `maxlength` does) is never looser, so a text the selector takes is never refused.
 */
export const maxPresenceTextLength = 255;

const labels: Record<PresenceStatus, string> = {
  online: 'Online',
  away: 'Away',
  busy: 'Busy',
  brb: 'Be right back',
  offline: 'Offline',
};

/** A status in words, as every presence label and option shows it. */
export function presenceLabel(status: PresenceStatus): string {
  return labels[status];
}

/** Whether `value` names a status (a `<select>` value is only a string). */
export function isPresenceStatus(value: string): value is PresenceStatus {
  return (presenceStatuses as readonly string[]).includes(value);
}
