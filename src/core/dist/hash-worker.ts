import { blockCount, blockLength, contentIdOf, hashBytes, merkleRoot } from './content-info.ts';
import {
  parseToHasher,
  type FailedMessage,
  type FromHasher,
  type HashRequest,
  type HasherFailure,
} from './hash-messages.ts';

// The file hasher: reads a Blob block by block, digests every block and hands blocks and hashes
// to the page in batches, never more than the page's read-ahead window beyond the batch the
// page is storing, so a 100 MB file never sits in memory at once. It runs as a module worker
// (spawned by block-hasher.ts) or, where workers are missing, on a MessagePort in the page.

/** Where the hasher hears requests and answers: a worker's global scope, or a MessagePort. */
export interface HasherEndpoint {
  postMessage(message: FromHasher, options: StructuredSerializeOptions): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

type Post = (message: FromHasher, transfer?: Transferable[]) => void;

/** Reading a block failed: the file changed, moved or was deleted after it was chosen. */
class BlockReadError extends Error {
  override name = 'BlockReadError';
}

interface HashedBatch {
  readonly blocks: ArrayBuffer[];
  readonly hashes: ArrayBuffer[];
}

/**
 * Cuts a Blob into blocks, each copied into its own buffer: a block sharing a bigger buffer
 * would be stored whole wherever it is stored by structured clone (IndexedDB), and could not
 * be handed over alone. One stream over the whole file, because Chromium reads a Blob's stream
 * in chunks of about 1 MiB several times faster than it answers `slice().arrayBuffer()` per
 * block (measured: about 1.5 GB/s against 150 MB/s for 64 KiB slices). The stream reads only
 * when asked, so pausing the reads pauses the file.
 */
class BlockReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private rest: Uint8Array | undefined;

  constructor(file: Blob) {
    this.reader = file.stream().getReader();
  }

  async read(length: number): Promise<ArrayBuffer> {
    const block = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.rest ?? (await this.nextChunk());
      const take = Math.min(chunk.length, length - filled);
      block.set(chunk.subarray(0, take), filled);
      filled += take;
      this.rest = take < chunk.length ? chunk.subarray(take) : undefined;
    }
    return block.buffer;
  }

  /** Lets the file go; nothing more will be read. */
  close(): void {
    // A failed cancel leaves nothing to clean up: the stream is dropped either way.
    this.reader.cancel().catch(() => undefined);
  }

  private async nextChunk(): Promise<Uint8Array> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (error) {
      throw new BlockReadError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    if (result.done) throw new BlockReadError('the file is shorter than when it was chosen');
    return result.value;
  }
}

/**
 * Reads and digests the next `lengths.length` blocks, with at most `parallel` digests in
 * flight: reading the next block overlaps digesting the previous ones.
 */
async function hashBatch(
  reader: BlockReader,
  lengths: readonly number[],
  parallel: number,
): Promise<HashedBatch> {
  const blocks: ArrayBuffer[] = [];
  const digests: Promise<ArrayBuffer>[] = [];
  for (const [i, length] of lengths.entries()) {
    if (i >= parallel) await digests[i - parallel];
    const bytes = await reader.read(length);
    blocks.push(bytes);
    digests.push(crypto.subtle.digest('SHA-256', bytes));
  }
  return { blocks, hashes: await Promise.all(digests) };
}

function failed(failure: HasherFailure, error: unknown): FailedMessage {
  const cause = error instanceof BlockReadError && error.cause !== undefined ? error.cause : error;
  return {
    type: 'failed',
    failure,
    errorName: cause instanceof Error ? cause.name : 'Error',
    detail: cause instanceof Error ? cause.message : String(cause),
  };
}

/** One file's hashing, paced by the page's `stored` notices. */
class HashJob {
  private storedBatches = 0;
  private cancelled = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly request: HashRequest,
    private readonly post: Post,
  ) {}

  /** The page stored a batch: one more may be read. */
  stored(): void {
    this.storedBatches += 1;
    this.wake?.();
  }

  /** The page gave up: read nothing more, post nothing more. */
  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    try {
      await this.hashAll();
    } catch (error) {
      if (!this.cancelled)
        this.post(failed(error instanceof BlockReadError ? 'read-failed' : 'hash-failed', error));
    }
  }

  /**
   * Waits until batch `batch` is within the read-ahead window of the batch being stored;
   * false if the page cancelled meanwhile.
   */
  private async turn(batch: number): Promise<boolean> {
    while (!this.cancelled && batch > this.storedBatches + this.request.readAheadBatches) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    return !this.cancelled;
  }

  /** A method, not the field, so a check after an `await` is not narrowed away. */
  private isCancelled(): boolean {
    return this.cancelled;
  }

  private async hashAll(): Promise<void> {
    const reader = new BlockReader(this.request.file);
    try {
      await this.hashBlocks(reader);
    } finally {
      reader.close();
    }
  }

  private async hashBlocks(reader: BlockReader): Promise<void> {
    const { file, batchBlocks, parallelDigests } = this.request;
    const count = blockCount(file.size);
    const hashes = new Uint8Array(count * hashBytes);
    for (let batch = 0; batch * batchBlocks < count; batch += 1) {
      if (!(await this.turn(batch))) return;
      const first = batch * batchBlocks;
      const lengths = Array.from({ length: Math.min(batchBlocks, count - first) }, (_, i) =>
        blockLength(file.size, first + i),
      );
      const hashed = await hashBatch(reader, lengths, parallelDigests);
      // The page may have cancelled while the batch was read.
      if (this.isCancelled()) return;
      hashed.hashes.forEach((hash, i) => {
        hashes.set(new Uint8Array(hash), (first + i) * hashBytes);
      });
      this.post({ type: 'batch', firstIndex: first, ...hashed }, [...hashed.blocks, ...hashed.hashes]);
    }
    const root = (await merkleRoot(hashes)).slice();
    const contentId = await contentIdOf(file.size, root);
    if (!this.isCancelled()) this.post({ type: 'done', root: root.buffer, contentId }, [root.buffer]);
  }
}

/**
 * Answers hashing requests arriving on `endpoint`: one file per endpoint, blocks and hashes
 * posted back in batches (transferred, not copied), then the Merkle root and content id.
 * Never throws from its message handler: a bad message or a failure is answered with a
 * `failed` message.
 */
export function serveHashRequests(endpoint: HasherEndpoint): void {
  let job: HashJob | undefined;
  const post: Post = (message, transfer = []) => {
    endpoint.postMessage(message, { transfer });
  };
  endpoint.addEventListener('message', (event) => {
    const parsed = parseToHasher(event.data);
    if (!parsed.ok) {
      post(failed('bad-message', new TypeError(parsed.reason)));
      return;
    }
    const message = parsed.message;
    if (message.type === 'hash') {
      if (job !== undefined) {
        post(failed('busy', new Error('this hasher is already hashing a file')));
        return;
      }
      job = new HashJob(message, post);
      void job.run();
    } else if (message.type === 'stored') {
      job?.stored();
    } else {
      job?.cancel();
    }
  });
}

// Only a worker serves on its global scope; the page imports this module for the fallback.
if ('WorkerGlobalScope' in globalThis) serveHashRequests(self);
