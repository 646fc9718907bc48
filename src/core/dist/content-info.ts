import { toBase32 } from '../../lib/bytes.ts';
import { domainHash, sha256 } from '../crypto/hash.ts';
import { HashDomains } from '../crypto/namespaces.ts';

// Content information as in PeerDist and BitTorrent v2 (BEP 52): a file is cut into 64 KiB
// blocks, each named by its SHA-256; the block hashes are the leaves of a binary Merkle tree,
// padded with zero hashes to a power of two, whose root names the content. The content id
// also binds the size, so two files can never share an id by a leaf/node ambiguity.

/** Every block is this long except the last. */
export const blockBytes = 64 * 1024;
export const hashBytes = 32;
/**
 * The most blocks a file may have: its hashes ride in one group record (at most 64 KiB), so
 * files are capped at 100 MiB.
 */
export const maxBlocks = 1600;
export const maxFileBytes = maxBlocks * blockBytes;

/** What names and checks a file's content; the data of a `mycel/file` record. */
export interface ContentInfo {
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** SHA-256 of every block, 32 bytes each, in order. */
  readonly hashes: Uint8Array<ArrayBuffer>;
  readonly root: Uint8Array<ArrayBuffer>;
}

/** Why content information is refused. */
export type ContentInfoProblem = 'bad-size' | 'hash-count' | 'bad-root';

/** Number of blocks of a file of `size` bytes (an empty file has none). */
export function blockCount(size: number): number {
  return Math.ceil(size / blockBytes);
}

/** Length of block `index` of a file of `size` bytes. */
export function blockLength(size: number, index: number): number {
  return Math.min(blockBytes, size - index * blockBytes);
}

/** The hash of block `index`, a view into `hashes`. */
export function blockHash(hashes: Uint8Array, index: number): Uint8Array {
  return hashes.subarray(index * hashBytes, (index + 1) * hashBytes);
}

/** The Merkle root of block hashes (`hashes`: 32 bytes each); zero hashes pad the leaves. */
export async function merkleRoot(hashes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const count = hashes.length / hashBytes;
  let width = 1;
  while (width < count) width *= 2;
  let level = new Uint8Array(width * hashBytes);
  level.set(hashes);
  while (width > 1) {
    width /= 2;
    const next = new Uint8Array(width * hashBytes);
    const pairs = Array.from({ length: width }, (_, i) =>
      sha256(level.slice(2 * i * hashBytes, (2 * i + 2) * hashBytes)),
    );
    (await Promise.all(pairs)).forEach((hash, i) => next.set(hash, i * hashBytes));
    level = next;
  }
  return level;
}

/** The content id: base32 of SHA-256 over the size and the Merkle root. */
export async function contentIdOf(size: number, root: Uint8Array): Promise<string> {
  const sizeBytes = new Uint8Array(8);
  new DataView(sizeBytes.buffer).setBigUint64(0, BigInt(size));
  return toBase32(await domainHash(HashDomains.content, sizeBytes, root));
}

export const contentIdPattern = /^[a-z2-7]{52}$/;

/**
 * Checks that content information holds together: a size within the cap, one hash per block,
 * and a root that is the Merkle root of those hashes. Undefined when it does.
 */
export async function checkContentInfo(info: ContentInfo): Promise<ContentInfoProblem | undefined> {
  if (!Number.isSafeInteger(info.size) || info.size < 1 || info.size > maxFileBytes) return 'bad-size';
  if (info.hashes.length !== blockCount(info.size) * hashBytes) return 'hash-count';
  if (info.root.length !== hashBytes) return 'bad-root';
  const root = await merkleRoot(info.hashes);
  return root.every((byte, i) => byte === info.root[i]) ? undefined : 'bad-root';
}

/** Whether `bytes` is block `index` of content with `hashes` and `size`. */
export async function isBlock(
  bytes: Uint8Array<ArrayBuffer>,
  index: number,
  size: number,
  hashes: Uint8Array,
): Promise<boolean> {
  if (bytes.length !== blockLength(size, index)) return false;
  const expected = blockHash(hashes, index);
  const actual = await sha256(bytes);
  return actual.every((byte, i) => byte === expected[i]);
}
