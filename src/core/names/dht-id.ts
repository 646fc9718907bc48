import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../lib/bytes.ts';
import type { Random } from '../../lib/random.ts';
import { labelledBytes } from '../crypto/hash.ts';
import { HashDomains } from '../crypto/namespaces.ts';

// Ids and keys of the names DHT live in one 256-bit space (SHA-256 outputs), compared by XOR
// distance as in Kademlia (Maymounkov and Mazières, "Kademlia: A Peer-to-peer Information
// System Based on the XOR Metric", IPTPS 2002, §2.1). Routing reads ids as strings of b-bit
// digits, as Pastry and "accelerated" Kademlia do (§4.2 of the paper), so a hop fixes b bits.

/** Length of DHT ids and keys: SHA-256 outputs. */
export const dhtIdBytes = 32;

/** Bits in a DHT id. */
export const dhtIdBits = dhtIdBytes * 8;

/**
 * The DHT id of a node: SHA-256 of `utf8('mycel/dht/1') || 0x00 || utf8(nodeId)`. Hashed
 * synchronously (noble, not Web Crypto) so that a seeded simulation does not depend on the
 * host's timing; a node id is public, so nothing here needs a constant-time implementation.
 */
export function dhtIdOf(nodeId: string): Uint8Array {
  return sha256(labelledBytes(HashDomains.dhtNode, utf8(nodeId)));
}

/** `a XOR b`, byte by byte: the Kademlia distance between two ids of the same length. */
export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError('XOR distance needs two ids of the same length.');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/**
 * Orders `a` and `b` by their XOR distance to `target`: negative when `a` is closer, positive
 * when `b` is, 0 when they are the same id. Compares in place, without allocating distances,
 * since lookups sort often.
 */
export function compareDistance(a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  for (let i = 0; i < target.length; i++) {
    const t = target[i] ?? 0;
    const difference = ((a[i] ?? 0) ^ t) - ((b[i] ?? 0) ^ t);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** How many leading bits `a` and `b` share (the full length when they are equal). */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = (a[i] ?? 0) ^ (b[i] ?? 0);
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return length * 8;
}

function checkBitsPerDigit(bitsPerDigit: number): void {
  if (!Number.isInteger(bitsPerDigit) || bitsPerDigit < 1 || bitsPerDigit > 8 || 8 % bitsPerDigit !== 0) {
    throw new RangeError(`Digits are 1, 2, 4 or 8 bits long, not ${bitsPerDigit}.`);
  }
}

/** Digits of `bitsPerDigit` bits in an id of `idBytes` bytes. */
export function digitCount(bitsPerDigit: number, idBytes = dhtIdBytes): number {
  checkBitsPerDigit(bitsPerDigit);
  return (idBytes * 8) / bitsPerDigit;
}

/**
 * The `index`-th digit of `id` read as `bitsPerDigit`-bit digits, most significant first.
 * `bitsPerDigit` divides 8 (1, 2, 4 or 8), so a digit never straddles two bytes.
 */
export function digitAt(id: Uint8Array, index: number, bitsPerDigit: number): number {
  checkBitsPerDigit(bitsPerDigit);
  const bit = index * bitsPerDigit;
  const byte = id[bit >> 3];
  if (byte === undefined || index < 0) throw new RangeError(`Digit ${index} is outside the id.`);
  const shift = 8 - (bit & 7) - bitsPerDigit;
  return (byte >> shift) & ((1 << bitsPerDigit) - 1);
}

/** How many leading `bitsPerDigit`-bit digits `a` and `b` share. */
export function commonPrefixDigits(a: Uint8Array, b: Uint8Array, bitsPerDigit: number): number {
  checkBitsPerDigit(bitsPerDigit);
  return Math.floor(commonPrefixBits(a, b) / bitsPerDigit);
}

/**
 * A random id that shares its first `level` digits with `base` and has `digit` as digit
 * number `level`: a target inside one routing-table bucket, for refreshing that bucket.
 */
export function randomIdWithPrefix(
  base: Uint8Array,
  level: number,
  digit: number,
  bitsPerDigit: number,
  random: Random,
): Uint8Array {
  checkBitsPerDigit(bitsPerDigit);
  if (digit < 0 || digit >= 1 << bitsPerDigit) throw new RangeError(`No digit ${digit} in base 2^b.`);
  const out = new Uint8Array(base.length);
  for (let i = 0; i < out.length; i++) out[i] = random.int(256);
  const prefixBits = level * bitsPerDigit;
  if (prefixBits + bitsPerDigit > base.length * 8) throw new RangeError(`Level ${level} is past the id.`);
  // Copy the shared prefix bit by bit: it is short, and clarity beats speed in a refresh.
  for (let bit = 0; bit < prefixBits; bit++) setBit(out, bit, getBit(base, bit));
  for (let bit = 0; bit < bitsPerDigit; bit++) {
    setBit(out, prefixBits + bit, (digit >> (bitsPerDigit - 1 - bit)) & 1);
  }
  return out;
}

function getBit(id: Uint8Array, bit: number): number {
  return ((id[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1;
}

function setBit(id: Uint8Array, bit: number, value: number): void {
  const mask = 1 << (7 - (bit & 7));
  const index = bit >> 3;
  id[index] = value === 1 ? (id[index] ?? 0) | mask : (id[index] ?? 0) & ~mask;
}
