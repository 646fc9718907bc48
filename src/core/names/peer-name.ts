import { utf8 } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { domainHash } from '../crypto/hash.ts';
import { HashDomains } from '../crypto/namespaces.ts';
import { identityIdPattern } from '../identity/ids.ts';

// Peer names as in PNRP: `authority.classifier`. A secured name's authority is its owner's
// identity id, so only the owner's key can register it; an unsecured name's authority is `0`,
// and anyone may register it. Neither form of authority contains a dot, so a name splits at
// its FIRST dot and the classifier itself may contain dots (`0.printer.office`).

/** The authority of unsecured names, which anyone may register. */
export const unsecuredAuthority = '0';

/** Longest classifier, in Unicode code points (PNRP allows 149; 100 keeps registrations small). */
export const maxClassifierLength = 100;

/** Longest name text: a 52-character identity id, the dot and the longest classifier. */
export const maxPeerNameLength = 52 + 1 + maxClassifierLength;

// Whitespace and controls would make a name that cannot be typed or shown on one line; format
// characters (bidirectional overrides, zero-width spaces) would make a name read as another.
// The zero-width joiner stays allowed: emoji sequences need it. Lone surrogates cannot be sent.
const forbidden = /(?!\u200d)[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}]/u;

/** A parsed, normalized peer name. */
export interface PeerName {
  /** `0` for an unsecured name, else the owner's identity id. */
  readonly authority: string;
  /** NFC, lower case, 1 to 100 code points. */
  readonly classifier: string;
  /** Whether the authority is an identity id (only that identity can register the name). */
  readonly secured: boolean;
  /** The normalized name as text: `authority.classifier`. */
  readonly text: string;
}

/** A peer name, or a part of one, is not well formed. */
export class InvalidPeerNameError extends MycelError {
  override name = 'InvalidPeerNameError';

  constructor(message: string) {
    super(message, {
      hint: 'A name is "0.classifier" (anyone may register it) or "<identity id>.classifier" (only that identity).',
    });
  }
}

function codePointCount(text: string, stopAfter: number): number {
  // The string iterator walks code points; stop early so hostile input costs bounded time.
  const codePoints = text[Symbol.iterator]();
  let count = 0;
  while (count <= stopAfter && codePoints.next().done !== true) count++;
  return count;
}

/**
 * The classifier as names carry it: NFC, lower-cased, 1 to 100 code points, without
 * whitespace, control or invisible format characters. Surrounding whitespace is trimmed, since
 * it comes from typing or pasting. Throws `InvalidPeerNameError` saying what is wrong.
 */
export function normalizeClassifier(input: string): string {
  // NFC again after lower-casing: lower case of a composed letter may decompose (U+0130).
  const classifier = input.trim().normalize('NFC').toLowerCase().normalize('NFC');
  if (classifier.length === 0) throw new InvalidPeerNameError('The name after the dot is empty.');
  if (codePointCount(classifier, maxClassifierLength) > maxClassifierLength) {
    throw new InvalidPeerNameError(
      `The name after the dot is too long: at most ${maxClassifierLength} characters.`,
    );
  }
  if (forbidden.test(classifier)) {
    throw new InvalidPeerNameError('A name cannot contain spaces, line breaks or invisible characters.');
  }
  return classifier;
}

/** The text of the name with `authority` and `classifier` (the classifier is normalized). */
export function formatPeerName(authority: string, classifier: string): string {
  return parsePeerName(`${authority}.${classifier}`).text;
}

/**
 * Parses and normalizes `input` as `authority.classifier`, splitting at the first dot. The
 * authority is `0` or an identity id (52 base32 characters, case-insensitive). Throws
 * `InvalidPeerNameError` with a message a person understands.
 */
export function parsePeerName(input: string): PeerName {
  const trimmed = input.trim();
  const dot = trimmed.indexOf('.');
  if (dot < 0) throw new InvalidPeerNameError('A name needs a dot between its authority and the rest.');
  const authority = trimmed.slice(0, dot).toLowerCase();
  const secured = authority !== unsecuredAuthority;
  if (secured && !identityIdPattern.test(authority)) {
    throw new InvalidPeerNameError(
      'The part before the dot must be 0 or an identity id (52 letters a–z and digits 2–7).',
    );
  }
  const classifier = normalizeClassifier(trimmed.slice(dot + 1));
  return { authority, classifier, secured, text: `${authority}.${classifier}` };
}

/** `parsePeerName` that returns undefined instead of throwing, for input from peers. */
export function tryParsePeerName(input: string): PeerName | undefined {
  try {
    return parsePeerName(input);
  } catch (error) {
    if (error instanceof InvalidPeerNameError) return undefined;
    throw error;
  }
}

/**
 * The DHT key of a name: SHA-256 of `utf8('mycel/peer-name/1') || 0x00 || utf8(normalized
 * name)`, 32 bytes. Normalizing first means every spelling of one name finds the same key.
 * Throws `InvalidPeerNameError` for text that is not a name.
 */
export async function nameKey(name: PeerName | string): Promise<Uint8Array<ArrayBuffer>> {
  const text = typeof name === 'string' ? parsePeerName(name).text : name.text;
  return domainHash(HashDomains.peerName, utf8(text));
}
