/**
 * File hashing figures, measured in one page: how fast `hashFile` (in its worker, handing
 * blocks to an `onBlocks` that does nothing) hashes a file held in a Blob, beside plain
 * `crypto.subtle.digest` over the same bytes already in memory, 64 KiB at a time, one after
 * another in the page. Imported by the harness (bench/dist-hash.ts) from the bench dev server.
 */
import { hashFile } from '../../src/core/dist/block-hasher.ts';
import { blockBytes, hashBytes } from '../../src/core/dist/content-info.ts';
import { equalBytes } from '../../src/lib/bytes.ts';
import { createRandom } from '../../src/lib/random.ts';

export interface DistHashOptions {
  readonly totalBytes: number;
  /** Runs of each, alternating, so drift in the machine's load hits both alike. */
  readonly runs: number;
  readonly seed: number;
}

export interface DistHashReport {
  readonly bytes: number;
  /** Each `hashFile` run: call → resolved, worker start included. */
  readonly hashFileMs: number[];
  /** Each baseline run: the first digest → the last one resolved. */
  readonly digestMs: number[];
  /** `hashFile` of a 1-byte file: mostly starting the worker. */
  readonly oneByteFileMs: number[];
}

/** The module's shape as the harness imports it. */
export interface DistHashModule {
  runDistHash(options: DistHashOptions): Promise<DistHashReport>;
}

function randomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const random = createRandom(seed);
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer, 0, Math.floor(length / 4));
  for (let i = 0; i < words.length; i += 1) words[i] = random.uint32();
  return bytes;
}

/** SHA-256 of every 64 KiB block of `bytes`, one digest after another. */
async function digestBlocks(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const hashes = new Uint8Array(Math.ceil(bytes.length / blockBytes) * hashBytes);
  for (let start = 0; start < bytes.length; start += blockBytes) {
    const hash = await crypto.subtle.digest('SHA-256', bytes.subarray(start, start + blockBytes));
    hashes.set(new Uint8Array(hash), (start / blockBytes) * hashBytes);
  }
  return hashes;
}

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const startedAt = performance.now();
  const value = await body();
  return { value, elapsedMs: performance.now() - startedAt };
}

/** Alternating runs of the baseline and `hashFile` over the same random bytes. */
export async function runDistHash(options: DistHashOptions): Promise<DistHashReport> {
  const bytes = randomBytes(options.totalBytes, options.seed);
  const file = new Blob([bytes]);
  const tiny = new Blob([bytes.subarray(0, 1)]);
  const report: DistHashReport = { bytes: bytes.length, hashFileMs: [], digestMs: [], oneByteFileMs: [] };
  for (let run = 0; run < options.runs; run += 1) {
    const baseline = await timed(() => digestBlocks(bytes));
    const hashed = await timed(() => hashFile(file, { onBlocks: () => Promise.resolve() }));
    // Both must have hashed the same thing, or the comparison means nothing.
    if (!equalBytes(baseline.value, hashed.value.hashes))
      throw new Error('hashFile and the baseline disagree');
    report.digestMs.push(baseline.elapsedMs);
    report.hashFileMs.push(hashed.elapsedMs);
    report.oneByteFileMs.push((await timed(() => hashFile(tiny))).elapsedMs);
  }
  return report;
}
