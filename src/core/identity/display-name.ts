import { InvalidDisplayNameError } from './errors.ts';

/** Longest display name, in characters (Unicode code points). */
export const maxDisplayNameLength = 64;

// C0 and C1 controls plus the line and paragraph separators, which would break a name shown
// on one line; bidirectional overrides too, which can make a name read as another.
const forbidden = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * Characters in `text`, counted as Unicode code points: an emoji counts once, while a stack of
 * combining marks counts every mark, so the stored length stays bounded.
 */
export function codePointCount(text: string): number {
  return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/**
 * The display name as it will be stored: NFC-normalised and trimmed, 1 to 64 characters,
 * without control characters. Throws `InvalidDisplayNameError` saying what is wrong otherwise.
 */
export function normalizeDisplayName(input: string): string {
  const name = input.normalize('NFC').trim();
  if (name.length === 0) throw new InvalidDisplayNameError('The name is empty.');
  if (codePointCount(name) > maxDisplayNameLength) {
    throw new InvalidDisplayNameError(`The name is too long: at most ${maxDisplayNameLength} characters.`);
  }
  if (forbidden.test(name)) {
    throw new InvalidDisplayNameError('The name contains control characters, such as a line break.');
  }
  return name;
}
