import { toBase32 } from '../../lib/bytes.ts';
import { randomBytes } from '../crypto/aead.ts';
import { publicKeyBytes } from '../crypto/ed25519.ts';
import { domainHash } from '../crypto/hash.ts';
import { HashDomains } from '../crypto/namespaces.ts';

/** Random bytes that make one owner's groups apart. */
export const groupNonceBytes = 16;

/** Group ids: `g` then 32 base32 characters (160 bits); a valid graph id. */
export const groupIdPattern = /^g[a-z2-7]{32}$/;

/**
 * What a group id is derived from: its owner's public key and a nonce. Whoever holds the two
 * can check that the owner is the owner without asking anyone, which is the root of every
 * other authority in the group (admins are made by the owner or by admins it made).
 */
export interface GroupKey {
  /** Raw Ed25519 public key of the owner's identity. */
  readonly owner: Uint8Array;
  readonly nonce: Uint8Array;
}

/** A fresh key for a group `owner` creates. */
export function newGroupKey(owner: Uint8Array): GroupKey {
  return { owner: new Uint8Array(owner), nonce: randomBytes(groupNonceBytes) };
}

/** `'g' + base32(SHA-256('mycel/group/1' || 0 || owner || nonce))[0..32]`. */
export async function groupIdOf(key: GroupKey): Promise<string> {
  if (key.owner.length !== publicKeyBytes) throw new RangeError('an Ed25519 public key has 32 bytes');
  if (key.nonce.length !== groupNonceBytes)
    throw new RangeError(`a group nonce has ${groupNonceBytes} bytes`);
  return 'g' + toBase32(await domainHash(HashDomains.groupId, key.owner, key.nonce)).slice(0, 32);
}
