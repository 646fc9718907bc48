import { concatBytes, utf8 } from '../../lib/bytes.ts';
import type { HashDomain } from './namespaces.ts';

/** SHA-256 of `bytes` (32 bytes), by Web Crypto. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * `utf8(label) || 0x00 || parts...`: the exact bytes a namespaced signature or a domain-separated
 * hash covers. The NUL separator cannot occur in a label, so two labels never collide.
 */
export function labelledBytes(label: string, ...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return concatBytes(utf8(label), Uint8Array.of(0), ...parts);
}

/** SHA-256 of `utf8(domain) || 0x00 || parts...`, for ids derived under a fixed purpose. */
export async function domainHash(
  domain: HashDomain,
  ...parts: readonly Uint8Array[]
): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(labelledBytes(domain, ...parts));
}
