import { MycelError } from '../../lib/errors.ts';
import { codePointCount } from '../identity/display-name.ts';

// Presence as Windows Peer Collaboration shows it: a status from a short fixed list and a line
// of free text, set by the user (PeerCollabSetPresenceInfo), with `away` after inactivity.

/** A presence status, as Windows Peer Collaboration names them (`brb`: be right back). */
export type PresenceStatus = 'online' | 'away' | 'busy' | 'brb' | 'offline';

/** Every status, in the order a status selector lists them. */
export const presenceStatuses: readonly PresenceStatus[] = ['online', 'away', 'busy', 'brb', 'offline'];

/** The longest presence text, in characters (code points), as in Windows (255). */
export const maxPresenceTextLength = 255;

/** A status, its text, and when its owner set it. */
export interface Presence {
  readonly status: PresenceStatus;
  readonly text: string;
  /** When the owner set it, on the owner's clock. */
  readonly atMs: number;
}

/**
 * Characters that would break a line of text shown on one line, or make it read as other text
 * (bidirectional overrides): the same set a display name may not contain.
 */
export const oneLineTextPattern = /^[^\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/u;

/** A presence text that cannot be shown: too long, or with control characters. */
export class PresenceTextError extends MycelError {
  override name = 'PresenceTextError';

  constructor(message: string) {
    super(message, { hint: `Write one line of at most ${maxPresenceTextLength} characters.` });
  }
}

/** Whether `value` is one of the presence statuses. */
export function isPresenceStatus(value: unknown): value is PresenceStatus {
  return typeof value === 'string' && (presenceStatuses as readonly string[]).includes(value);
}

/**
 * The presence text as it is sent: NFC-normalised and trimmed, at most 255 characters, one
 * line. Throws `PresenceTextError` saying what is wrong otherwise.
 */
export function normalizePresenceText(input: string): string {
  const text = input.normalize('NFC').trim();
  const length = codePointCount(text);
  if (length > maxPresenceTextLength) {
    throw new PresenceTextError(
      `The status text is too long: ${length} characters, at most ${maxPresenceTextLength}.`,
    );
  }
  if (!oneLineTextPattern.test(text)) {
    throw new PresenceTextError('The status text contains control characters, such as a line break.');
  }
  return text;
}

/** The presence of someone who cannot be heard from, as of `atMs`. */
export function offlinePresence(atMs: number): Presence {
  return { status: 'offline', text: '', atMs };
}
