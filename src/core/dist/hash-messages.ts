import { blockBytes, contentIdPattern, hashBytes, maxBlocks, maxFileBytes } from './content-info.ts';

// The messages between the page and its file hasher (a module worker, or the same code on a
// MessagePort in the page). Both ends are our own code, but a message crosses a structured
// clone, so each end checks what it receives and answers a bad message with a reason instead
// of throwing: an exception in a worker's message handler would vanish into the console.

/** Upper bounds on a request's tuning, so a bad request cannot ask for unbounded memory. */
const maxBatchBlocks = 64;
const maxReadAheadBatches = 8;
const maxParallelDigests = 32;

/** Page → hasher: hash `file`, handing blocks over `batchBlocks` at a time. */
export interface HashRequest {
  readonly type: 'hash';
  readonly file: Blob;
  readonly batchBlocks: number;
  /** Batches the hasher may read beyond the one the page is storing. */
  readonly readAheadBatches: number;
  /** Blocks read and digested at once. */
  readonly parallelDigests: number;
}

/** Page → hasher: one more batch has been stored, so one more may be read. */
export interface StoredNotice {
  readonly type: 'stored';
}

/** Page → hasher: stop reading; nothing more will be stored. */
export interface CancelRequest {
  readonly type: 'cancel';
}

export type ToHasher = HashRequest | StoredNotice | CancelRequest;

/** Hasher → page: consecutive blocks from `firstIndex`, each with its SHA-256 (transferred). */
export interface BatchMessage {
  readonly type: 'batch';
  readonly firstIndex: number;
  readonly blocks: readonly ArrayBuffer[];
  readonly hashes: readonly ArrayBuffer[];
}

/** Hasher → page: every block was sent; the Merkle root and content id of the file. */
export interface DoneMessage {
  readonly type: 'done';
  readonly root: ArrayBuffer;
  readonly contentId: string;
}

/** Why the hasher gave up. */
export type HasherFailure = 'read-failed' | 'hash-failed' | 'bad-message' | 'busy';

/** Hasher → page: the job ended without a result. `errorName`/`detail` describe the cause. */
export interface FailedMessage {
  readonly type: 'failed';
  readonly failure: HasherFailure;
  readonly errorName: string;
  readonly detail: string;
}

export type FromHasher = BatchMessage | DoneMessage | FailedMessage;

/** A checked message, or why it was refused (`$.field: problem`). */
export type HasherParse<T> =
  { readonly ok: true; readonly message: T } | { readonly ok: false; readonly reason: string };

type Fields = Readonly<Record<string, unknown>>;

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function isFields(data: unknown): data is Fields {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

function isCount(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

function isBuffers(
  value: unknown,
  maxItems: number,
  fits: (byteLength: number) => boolean,
): value is ArrayBuffer[] {
  return (
    Array.isArray(value) &&
    value.length <= maxItems &&
    value.every((item) => item instanceof ArrayBuffer && fits(item.byteLength))
  );
}

function checkRequest(data: Fields): HasherParse<HashRequest> {
  const { file, batchBlocks, readAheadBatches, parallelDigests } = data;
  if (!(file instanceof Blob)) return refuse('$.file: not a Blob');
  if (file.size < 1 || file.size > maxFileBytes) return refuse('$.file: size out of range');
  if (!isCount(batchBlocks, 1, maxBatchBlocks)) return refuse('$.batchBlocks: out of range');
  if (!isCount(readAheadBatches, 0, maxReadAheadBatches)) return refuse('$.readAheadBatches: out of range');
  if (!isCount(parallelDigests, 1, maxParallelDigests)) return refuse('$.parallelDigests: out of range');
  return { ok: true, message: { type: 'hash', file, batchBlocks, readAheadBatches, parallelDigests } };
}

/** Checks a message the hasher received. */
export function parseToHasher(data: unknown): HasherParse<ToHasher> {
  if (!isFields(data)) return refuse('$: not an object');
  if (data.type === 'hash') return checkRequest(data);
  if (data.type === 'stored' || data.type === 'cancel') return { ok: true, message: { type: data.type } };
  return refuse('$.type: unknown');
}

function checkBatch(data: Fields): HasherParse<BatchMessage> {
  const { firstIndex, blocks, hashes } = data;
  if (!isCount(firstIndex, 0, maxBlocks - 1)) return refuse('$.firstIndex: out of range');
  // Exact block lengths depend on the file's size, which the page checks.
  if (!isBuffers(blocks, maxBatchBlocks, (bytes) => bytes >= 1 && bytes <= blockBytes)) {
    return refuse('$.blocks: not block buffers');
  }
  if (!isBuffers(hashes, maxBatchBlocks, (bytes) => bytes === hashBytes) || hashes.length !== blocks.length) {
    return refuse('$.hashes: not one hash per block');
  }
  if (blocks.length === 0) return refuse('$.blocks: empty');
  return { ok: true, message: { type: 'batch', firstIndex, blocks, hashes } };
}

function checkDone(data: Fields): HasherParse<DoneMessage> {
  const { root, contentId } = data;
  if (!(root instanceof ArrayBuffer) || root.byteLength !== hashBytes) return refuse('$.root: not a hash');
  if (typeof contentId !== 'string' || !contentIdPattern.test(contentId)) {
    return refuse('$.contentId: not a content id');
  }
  return { ok: true, message: { type: 'done', root, contentId } };
}

const failures: readonly string[] = [
  'read-failed',
  'hash-failed',
  'bad-message',
  'busy',
] satisfies HasherFailure[];

function checkFailed(data: Fields): HasherParse<FailedMessage> {
  const { failure, errorName, detail } = data;
  if (typeof failure !== 'string' || !failures.includes(failure)) return refuse('$.failure: unknown');
  if (typeof errorName !== 'string' || typeof detail !== 'string') return refuse('$.detail: not text');
  // Shortened: the text ends up in an error message shown to a person.
  const message: FailedMessage = {
    type: 'failed',
    failure: failure as HasherFailure,
    errorName: errorName.slice(0, 64),
    detail: detail.slice(0, 500),
  };
  return { ok: true, message };
}

/** Checks a message the page received from its hasher. */
export function parseFromHasher(data: unknown): HasherParse<FromHasher> {
  if (!isFields(data)) return refuse('$: not an object');
  switch (data.type) {
    case 'batch':
      return checkBatch(data);
    case 'done':
      return checkDone(data);
    case 'failed':
      return checkFailed(data);
    default:
      return refuse('$.type: unknown');
  }
}
