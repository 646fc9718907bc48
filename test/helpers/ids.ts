import { toBase32 } from '../../src/lib/bytes.ts';

/** A random name for one test's database, node or group. */
export function randomName(prefix: string): string {
  return prefix + toBase32(crypto.getRandomValues(new Uint8Array(10)));
}
