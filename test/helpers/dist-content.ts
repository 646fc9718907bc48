import { sha256 } from '../../src/core/crypto/hash.ts';
import { blockBytes, contentIdOf, merkleRoot, type ContentInfo } from '../../src/core/dist/content-info.ts';
import { concatBytes } from '../../src/lib/bytes.ts';
import { createRandom } from '../../src/lib/random.ts';

/** A content of random blocks and its content information. */
export interface Content {
  readonly id: string;
  readonly info: ContentInfo;
  readonly blocks: readonly Uint8Array<ArrayBuffer>[];
}

/** A content of `size` seeded random bytes, cut into blocks and hashed. */
export async function contentOf(size: number, seed: number): Promise<Content> {
  const random = createRandom(seed);
  const blocks: Uint8Array<ArrayBuffer>[] = [];
  for (let start = 0; start < size; start += blockBytes) {
    const length = Math.min(blockBytes, size - start);
    const words = Uint32Array.from({ length: Math.ceil(length / 4) }, () => random.uint32());
    blocks.push(new Uint8Array(words.buffer, 0, length).slice());
  }
  const hashes = concatBytes(...(await Promise.all(blocks.map((block) => sha256(block)))));
  const root = await merkleRoot(hashes);
  const info = { name: 'a.bin', mime: 'application/octet-stream', size, hashes, root };
  return { id: await contentIdOf(size, root), info, blocks };
}

/** One host task: lets Web Crypto (which block checks await) and promise reactions settle. */
export function turn(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const turned = new Promise<void>((resolve) => (port1.onmessage = () => resolve()));
  port2.postMessage(null);
  return turned.finally(() => port1.close());
}

/** Turns until `condition` holds; throws naming `what` if it never does. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !condition(); turns += 1) {
    if (turns > 2_000) throw new Error(`Never happened: ${what}`);
    await turn();
  }
}

/** Lets every read and check under way finish, for tests that something did not happen. */
export async function settle(): Promise<void> {
  for (let turns = 0; turns < 20; turns += 1) await turn();
}
