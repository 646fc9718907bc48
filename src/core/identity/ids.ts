import { toBase32 } from '../../lib/bytes.ts';
import { domainHash, sha256 } from '../crypto/hash.ts';
import { HashDomains } from '../crypto/namespaces.ts';
import { publicKeyBytes } from '../crypto/ed25519.ts';

/** Length of a node salt: 128 random bits per identity per browser profile. */
export const nodeSaltBytes = 16;

/** Identity ids: 52 lower-case base32 characters (SHA-256, 256 bits). */
export const identityIdPattern = /^[a-z2-7]{52}$/;

/**
 * Node ids: `m` then 32 base32 characters (160 bits of the hash), within PeerJS's id rule
 * `/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/`. The leading letter keeps ids from starting with
 * a digit, which some tools read as a number.
 */
export const nodeIdPattern = /^m[a-z2-7]{32}$/;

/** The identity id of a raw Ed25519 public key: lower-case base32 of its SHA-256 (52 characters). */
export async function identityIdOf(publicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  if (publicKey.length !== publicKeyBytes) throw new RangeError('an Ed25519 public key has 32 bytes');
  return toBase32(await sha256(publicKey));
}

/**
 * The node id (PeerJS id) of an identity in one browser profile:
 * `'m' + base32(SHA-256(utf8('mycel/node/1') || 0x00 || publicKey || nodeSalt))[0..32]`.
 * Stable across reloads, different in every profile (each has its own `nodeSalt`), and anyone
 * who learns the public key and the salt can check it, so nobody can squat it without the key.
 */
export async function nodeIdOf(publicKey: Uint8Array, nodeSalt: Uint8Array): Promise<string> {
  if (publicKey.length !== publicKeyBytes) throw new RangeError('an Ed25519 public key has 32 bytes');
  if (nodeSalt.length !== nodeSaltBytes) throw new RangeError('a node salt has 16 bytes');
  return 'm' + toBase32(await domainHash(HashDomains.nodeId, publicKey, nodeSalt)).slice(0, 32);
}

/**
 * A short form of an identity id for people to compare by eye: its first 8 characters as
 * `abcd-efgh` (40 bits; enough to tell friends apart, not to authenticate them).
 */
export function shortId(id: string): string {
  return `${id.slice(0, 4)}-${id.slice(4, 8)}`;
}
