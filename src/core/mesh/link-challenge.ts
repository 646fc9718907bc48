import { concatBytes, utf8 } from '../../lib/bytes.ts';

/** Bytes of the nonce each side contributes to a link handshake. */
export const linkNonceBytes = 32;

/** What one side of a link handshake knows, from its own point of view. */
export interface LinkChallengeParty {
  readonly nodeId: string;
  readonly nonce: Uint8Array;
  /** The DTLS fingerprint of this party's own certificate, as the signer's SDP shows it. */
  readonly fingerprint: string;
}

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8(text);
  if (bytes.length > 0xffff) throw new RangeError('challenge field too long');
  return concatBytes(Uint8Array.of(bytes.length >> 8, bytes.length & 0xff), bytes);
}

/**
 * The exact bytes both sides of a link sign under `mycel/link/1`. Parties are ordered by node
 * id, so both sides build the same layout; the signer's role byte stops a signature being
 * reflected back to its maker. Layout, version 1:
 *
 *     u8 1 | u8 role (0: signer's id sorts first) |
 *     lp(first.nodeId) | lp(second.nodeId) | first.nonce | second.nonce |
 *     lp(first.fingerprint) | lp(second.fingerprint)
 *
 * where lp(s) is a u16 big-endian byte length then UTF-8. Binding both DTLS fingerprints means
 * a broker that swapped certificates to sit in the middle makes every signature fail.
 */
export function linkChallenge(
  signer: LinkChallengeParty,
  other: LinkChallengeParty,
): Uint8Array<ArrayBuffer> {
  const signerFirst = signer.nodeId < other.nodeId;
  const [first, second] = signerFirst ? [signer, other] : [other, signer];
  return concatBytes(
    Uint8Array.of(1, signerFirst ? 0 : 1),
    lengthPrefixed(first.nodeId),
    lengthPrefixed(second.nodeId),
    first.nonce,
    second.nonce,
    lengthPrefixed(first.fingerprint),
    lengthPrefixed(second.fingerprint),
  );
}
