import { MycelError } from '../../lib/errors.ts';
import { blockBytes, blockCount, blockLength, hashBytes, maxFileBytes } from './content-info.ts';
import {
  parseFromHasher,
  type BatchMessage,
  type DoneMessage,
  type FailedMessage,
  type ToHasher,
} from './hash-messages.ts';
import { serveHashRequests } from './hash-worker.ts';

// Publishing a file hashes every block off the main thread and hands the blocks to the caller
// for storage as they come, so the page stays responsive and memory stays bounded: at most
// `readAheadBatches` batches are read beyond the one being stored, about 3 MiB for any file.

/** Blocks handed to `onBlocks` at once: 1 MiB, few enough calls, one storage transaction each. */
export const batchBlocks = 16;
/** Batches the hasher may read ahead of the batch being stored. */
export const readAheadBatches = 2;
/**
 * Digests in flight while the next block is read. Measured in headless Chromium on 2 cores
 * (50 MB, 7 runs each): 1, 2, 4 and 16 all hash at 400 to 480 MB/s (medians), since reading
 * the file, not digesting, sets the pace; 2 lets a read overlap a digest without holding more.
 */
const parallelDigests = 2;

/** One block of a file being published, with its SHA-256. Each owns its buffer. */
export interface HashedBlock {
  readonly index: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly hash: Uint8Array<ArrayBuffer>;
}

/** What names a hashed file: its block hashes, Merkle root and content id (see content-info.ts). */
export interface HashedFile {
  /** SHA-256 of every block, 32 bytes each, in order. */
  readonly hashes: Uint8Array<ArrayBuffer>;
  readonly root: Uint8Array<ArrayBuffer>;
  readonly contentId: string;
  readonly size: number;
}

export interface HashFileOptions {
  /** Called with consecutive blocks in order; the next batch is not handed over until it resolves. */
  readonly onBlocks?: (blocks: readonly HashedBlock[]) => Promise<void>;
  /** Bytes read and hashed so far; at most the read-ahead window beyond what `onBlocks` stored. */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
  /** false: hash in this thread (for environments without workers); default true. */
  readonly useWorker?: boolean;
}

function describeFile(file: Blob): string {
  return file instanceof File && file.name !== '' ? `"${file.name}"` : 'The file';
}

/** A file chosen for sharing has nothing in it. */
export class EmptyFileError extends MycelError {
  override name = 'EmptyFileError';

  constructor(file: Blob) {
    super(`${describeFile(file)} is empty.`, {
      hint: 'There is nothing in it to share; choose another file.',
    });
  }
}

/** A file chosen for sharing is over the cap its content information can describe. */
export class FileTooLargeError extends MycelError {
  override name = 'FileTooLargeError';

  constructor(file: Blob) {
    const capMegabytes = maxFileBytes / (1024 * 1024);
    super(`${describeFile(file)} is larger than the ${capMegabytes} MB a shared file may be.`, {
      hint: 'Split it into smaller parts (an archiver can do that), or share it another way.',
    });
  }
}

/** A file could not be read while it was being hashed. */
export class FileReadError extends MycelError {
  override name = 'FileReadError';

  constructor(file: Blob, cause: unknown) {
    super(`${describeFile(file)} could not be read.`, {
      hint: 'It may have been moved, changed or deleted since it was chosen; choose it again.',
      cause,
    });
  }
}

/** The hasher broke down: it did not start, or it answered nonsense. A bug, not the file's fault. */
export class HasherError extends MycelError {
  override name = 'HasherError';
  /** What went wrong, for a bug report. */
  readonly reason: string;

  constructor(reason: string) {
    super('The file could not be hashed.', {
      hint: 'Reload the page and try again; if it keeps failing, please report it as a bug in Mycel.',
    });
    this.reason = reason;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('Hashing the file was cancelled.', 'AbortError');
}

/** Our end of a hasher: post requests to it, and shut it down. */
interface HasherConnection {
  post(message: ToHasher): void;
  close(): void;
}

interface HasherEvents {
  readonly onMessage: (data: unknown) => void;
  readonly onBroken: (reason: string) => void;
}

function openWorker(events: HasherEvents): HasherConnection {
  // This exact form is what Vite bundles as a worker and what the test runner serves as is.
  const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' });
  worker.addEventListener('message', (event) => events.onMessage(event.data));
  worker.addEventListener('messageerror', () =>
    events.onBroken('a message from the worker could not be read'),
  );
  worker.addEventListener('error', (event) => {
    // Loading failures come as a plain Event; uncaught errors inside the worker as ErrorEvent.
    events.onBroken(
      event instanceof ErrorEvent ? `worker error: ${event.message}` : 'the worker did not start',
    );
  });
  return {
    post: (message) => worker.postMessage(message),
    close: () => worker.terminate(),
  };
}

/** The same hasher on a MessagePort in this thread, for environments without workers. */
function openInPage(events: HasherEvents): HasherConnection {
  const { port1, port2 } = new MessageChannel();
  serveHashRequests(port2);
  port2.start();
  port1.addEventListener('message', (event) => events.onMessage(event.data));
  port1.addEventListener('messageerror', () =>
    events.onBroken('a message from the hasher could not be read'),
  );
  port1.start();
  return {
    post: (message) => port1.postMessage(message),
    close: () => {
      port1.postMessage({ type: 'cancel' } satisfies ToHasher);
      port1.close();
    },
  };
}

/** One `hashFile` call: receives batches in order, stores them one at a time, paces the hasher. */
class HashRun {
  readonly result: Promise<HashedFile>;
  private resolve: (file: HashedFile) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  private readonly hashes: Uint8Array<ArrayBuffer>;
  private readonly count: number;
  private readonly queue: HashedBlock[][] = [];
  private readonly connection: HasherConnection;
  private nextIndex = 0;
  private storing: Promise<void> | undefined;
  private done: DoneMessage | undefined;
  private settled = false;
  private readonly onAbort = (): void => {
    if (this.options.signal !== undefined) this.fail(abortError(this.options.signal));
  };

  constructor(
    private readonly file: Blob,
    private readonly options: HashFileOptions,
  ) {
    this.count = blockCount(file.size);
    this.hashes = new Uint8Array(this.count * hashBytes);
    this.result = new Promise<HashedFile>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const events: HasherEvents = {
      onMessage: (data) => this.receive(data),
      onBroken: (reason) => this.fail(new HasherError(reason)),
    };
    const inWorker = options.useWorker !== false && 'Worker' in globalThis;
    this.connection = inWorker ? openWorker(events) : openInPage(events);
    options.signal?.addEventListener('abort', this.onAbort);
    this.connection.post({ type: 'hash', file, batchBlocks, readAheadBatches, parallelDigests });
  }

  private receive(data: unknown): void {
    if (this.settled) return;
    const parsed = parseFromHasher(data);
    if (!parsed.ok) {
      this.fail(new HasherError(`refused a message from the hasher: ${parsed.reason}`));
      return;
    }
    const message = parsed.message;
    if (message.type === 'batch') this.accept(message);
    else if (message.type === 'done') this.finishAfterStoring(message);
    else this.fail(this.failureOf(message));
  }

  private failureOf(message: FailedMessage): Error {
    if (message.failure === 'read-failed') {
      return new FileReadError(this.file, new DOMException(message.detail, message.errorName));
    }
    return new HasherError(`${message.failure}: ${message.errorName}: ${message.detail}`);
  }

  private accept(batch: BatchMessage): void {
    const problem = this.problemOf(batch);
    if (problem !== undefined) {
      this.fail(new HasherError(`refused a batch from the hasher: ${problem}`));
      return;
    }
    const blocks = batch.blocks.map((bytes, i): HashedBlock => {
      const index = batch.firstIndex + i;
      const hash = new Uint8Array(batch.hashes[i] ?? new ArrayBuffer(hashBytes));
      this.hashes.set(hash, index * hashBytes);
      return { index, bytes: new Uint8Array(bytes), hash };
    });
    this.nextIndex += blocks.length;
    this.queue.push(blocks);
    try {
      this.options.onProgress?.(Math.min(this.file.size, this.nextIndex * blockBytes), this.file.size);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.pump();
  }

  /** Why a batch does not continue the file where the last one ended; undefined when it does. */
  private problemOf(batch: BatchMessage): string | undefined {
    if (batch.firstIndex !== this.nextIndex)
      return `starts at block ${batch.firstIndex}, not ${this.nextIndex}`;
    if (batch.firstIndex + batch.blocks.length > this.count) return 'more blocks than the file has';
    const wrong = batch.blocks.findIndex(
      (bytes, i) => bytes.byteLength !== blockLength(this.file.size, batch.firstIndex + i),
    );
    return wrong === -1 ? undefined : `block ${batch.firstIndex + wrong} has the wrong length`;
  }

  private finishAfterStoring(done: DoneMessage): void {
    if (this.nextIndex !== this.count) {
      this.fail(new HasherError(`done after ${this.nextIndex} of ${this.count} blocks`));
      return;
    }
    this.done = done;
    this.pump();
  }

  /** Hands the next batch to `onBlocks` unless one is being stored; resolves once all are. */
  private pump(): void {
    if (this.settled || this.storing !== undefined) return;
    const blocks = this.queue.shift();
    if (blocks !== undefined) {
      this.storing = this.store(blocks);
    } else if (this.done !== undefined) {
      const { root, contentId } = this.done;
      this.settle();
      this.resolve({ hashes: this.hashes, root: new Uint8Array(root), contentId, size: this.file.size });
    }
  }

  private async store(blocks: readonly HashedBlock[]): Promise<void> {
    try {
      await this.options.onBlocks?.(blocks);
    } catch (error) {
      this.fail(error);
    }
    this.storing = undefined;
    if (this.settled) return;
    this.connection.post({ type: 'stored' });
    this.pump();
  }

  /**
   * Stops the hasher at once and rejects with `error`, but only after a batch being stored
   * has settled: once `hashFile` has rejected, `onBlocks` is not running and will not be called.
   */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settle();
    const storing = this.storing;
    if (storing === undefined) this.reject(error);
    // `store` catches what `onBlocks` throws, so this waits for it and never rejects.
    else void storing.then(() => this.reject(error));
  }

  private settle(): void {
    this.settled = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.connection.close();
  }
}

/**
 * Hashes `file` for publishing: SHA-256 of every 64 KiB block, the Merkle root and the content
 * id, in a Web Worker unless `useWorker` is false or workers are missing. Blocks are handed to
 * `onBlocks` in order, one batch at a time, with their bytes (each its own buffer, ready to
 * store); reading stays at most `readAheadBatches` batches ahead of storing.
 *
 * Rejects with `EmptyFileError`, `FileTooLargeError` (over `maxFileBytes`), `FileReadError`
 * (the file became unreadable), `HasherError` (the worker failed), an `AbortError` when
 * `signal` aborts, or whatever `onBlocks` or `onProgress` threw.
 */
export async function hashFile(file: Blob, options: HashFileOptions = {}): Promise<HashedFile> {
  if (file.size === 0) throw new EmptyFileError(file);
  if (file.size > maxFileBytes) throw new FileTooLargeError(file);
  if (options.signal?.aborted === true) throw abortError(options.signal);
  return new HashRun(file, options).result;
}
