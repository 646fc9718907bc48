import type { BlockStore, StoredBlock, StoredFile } from '../../core/ports.ts';
import { StorageFullError } from '../idb/errors.ts';

/** Options of a `MemoryBlockStore`. */
export interface MemoryBlockStoreOptions {
  /**
   * The most block bytes the store holds, standing in for the browser's quota so a simulation
   * can run out of room. File rows are not counted. Unlimited when absent.
   */
  readonly capacityBytes?: number;
}

/** Whether `index` can name a block: a non-negative safe integer, as the IndexedDB store asks. */
function isBlockIndex(index: number): boolean {
  return Number.isSafeInteger(index) && index >= 0;
}

/** Compares two strings by UTF-16 code units, as IndexedDB orders keys. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * `BlockStore` in maps, for seeded simulations and tests: the same answers as the IndexedDB
 * store, and every call settles at once (no timers, no real waits), so a simulation replays
 * exactly from its seed. Bytes are copied in and out, as the database clones them, so neither
 * a caller that reuses its buffers nor one that changes a block it read can alter what is
 * stored.
 */
export class MemoryBlockStore implements BlockStore {
  /** Block bytes by content id, then by index. */
  readonly #contents = new Map<string, Map<number, Uint8Array<ArrayBuffer>>>();
  readonly #files = new Map<string, StoredFile>();
  readonly #capacityBytes: number;
  #usedBytes = 0;

  constructor(options: MemoryBlockStoreOptions = {}) {
    this.#capacityBytes = options.capacityBytes ?? Infinity;
  }

  /** Bytes of every block held, of every content. */
  get usedBytes(): number {
    return this.#usedBytes;
  }

  /**
   * Puts every block or none. A block at an index already held replaces it (and frees its
   * bytes); of two blocks with one index in the batch, the later wins. Rejects with
   * `StorageFullError` when the blocks would take the store past its capacity, and with
   * `RangeError` on an index that is not a non-negative integer.
   */
  putBlocks(contentId: string, blocks: readonly StoredBlock[]): Promise<void> {
    const invalid = blocks.find((block) => !isBlockIndex(block.index));
    if (invalid !== undefined) {
      return Promise.reject(new RangeError(`Block index ${invalid.index} is not a block index.`));
    }
    const incoming = new Map<number, Uint8Array<ArrayBuffer>>();
    for (const block of blocks) incoming.set(block.index, block.bytes.slice());
    const held = this.#contents.get(contentId) ?? new Map<number, Uint8Array<ArrayBuffer>>();
    let growthBytes = 0;
    for (const [index, bytes] of incoming) growthBytes += bytes.length - (held.get(index)?.length ?? 0);
    if (this.#usedBytes + growthBytes > this.#capacityBytes) return Promise.reject(new StorageFullError());
    for (const [index, bytes] of incoming) held.set(index, bytes);
    if (held.size > 0) this.#contents.set(contentId, held);
    this.#usedBytes += growthBytes;
    return Promise.resolve();
  }

  getBlock(contentId: string, index: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return Promise.resolve(this.#contents.get(contentId)?.get(index)?.slice());
  }

  /** Indexes of the blocks held of `contentId`, ascending. */
  heldBlocks(contentId: string): Promise<number[]> {
    const indexes = [...(this.#contents.get(contentId)?.keys() ?? [])];
    return Promise.resolve(indexes.sort((a, b) => a - b));
  }

  deleteContent(contentId: string): Promise<void> {
    for (const bytes of this.#contents.get(contentId)?.values() ?? []) this.#usedBytes -= bytes.length;
    this.#contents.delete(contentId);
    this.#files.delete(contentId);
    return Promise.resolve();
  }

  putFile(file: StoredFile): Promise<void> {
    this.#files.set(file.contentId, { ...file });
    return Promise.resolve();
  }

  getFile(contentId: string): Promise<StoredFile | undefined> {
    const file = this.#files.get(contentId);
    return Promise.resolve(file === undefined ? undefined : { ...file });
  }

  /** Every file's state, in `contentId` order, as the IndexedDB store returns them. */
  files(): Promise<StoredFile[]> {
    const files = [...this.#files.values()].map((file) => ({ ...file }));
    return Promise.resolve(files.sort((a, b) => compareText(a.contentId, b.contentId)));
  }
}
