import { expect } from 'chai';
import {
  batchBlocks,
  EmptyFileError,
  FileReadError,
  FileTooLargeError,
  hashFile,
  HasherError,
  readAheadBatches,
  type HashedBlock,
  type HashFileOptions,
} from '../../../src/core/dist/block-hasher.ts';
import { blockBytes, contentIdOf, maxBlocks, merkleRoot } from '../../../src/core/dist/content-info.ts';
import { parseFromHasher, type FromHasher } from '../../../src/core/dist/hash-messages.ts';
import { serveHashRequests } from '../../../src/core/dist/hash-worker.ts';
import { concatBytes, equalBytes } from '../../../src/lib/bytes.ts';
import { MycelError } from '../../../src/lib/errors.ts';
import { createRandom } from '../../../src/lib/random.ts';

const seed = 20_261_124;
const batchBytes = batchBlocks * blockBytes;
/** The most bytes handed over while the first batch is being stored. */
const windowBytes = (1 + readAheadBatches) * batchBytes;

function randomBytes(length: number, streamSeed = seed): Uint8Array<ArrayBuffer> {
  const random = createRandom(streamSeed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random.uint32() & 0xff;
  return bytes;
}

/** Hashes, root and content id computed here, block by block, without the hasher. */
async function independently(bytes: Uint8Array<ArrayBuffer>) {
  const leaves: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += blockBytes) {
    const block = bytes.slice(start, start + blockBytes);
    leaves.push(new Uint8Array(await crypto.subtle.digest('SHA-256', block)));
  }
  const hashes = concatBytes(...leaves);
  const root = await merkleRoot(hashes);
  return { hashes, root, contentId: await contentIdOf(bytes.length, root) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

interface WorkerSpy {
  readonly started: string[];
  terminated: number;
}

/** Runs `body` with `Worker` replaced by a subclass that records starts and terminations. */
async function withWorkerSpy<T>(body: (spy: WorkerSpy) => Promise<T>, redirect?: URL): Promise<T> {
  const original = globalThis.Worker;
  const spy: WorkerSpy = { started: [], terminated: 0 };
  globalThis.Worker = class extends original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(redirect ?? url, options);
      spy.started.push(String(url));
    }

    override terminate(): void {
      spy.terminated += 1;
      super.terminate();
    }
  };
  try {
    return await body(spy);
  } finally {
    globalThis.Worker = original;
  }
}

for (const useWorker of [true, false]) {
  describe(`hashing a file for publishing ${useWorker ? 'in a worker' : 'in this thread'}`, function () {
    this.timeout(120_000);
    const hash = (file: Blob, options: Omit<HashFileOptions, 'useWorker'> = {}) =>
      hashFile(file, { ...options, useWorker });

    for (const [what, size] of [
      ['1 byte', 1],
      ['exactly one block', blockBytes],
      ['one block and a byte', blockBytes + 1],
      ['3.5 blocks', 3.5 * blockBytes],
      ['about 5 MB', 5_000_000],
    ] as const) {
      it(`hashes ${what} as block-by-block SHA-256 and merkleRoot do, handing every block over once`, async () => {
        const bytes = randomBytes(size);
        const expected = await independently(bytes);
        const handed: HashedBlock[] = [];
        const progress: [number, number][] = [];
        const result = await withWorkerSpy(async (spy) => {
          const hashed = await hash(new Blob([bytes]), {
            onBlocks: async (blocks) => {
              handed.push(...blocks);
              await Promise.resolve();
            },
            onProgress: (done, total) => progress.push([done, total]),
          });
          const workers = spy.started.map((url) => new URL(url).pathname);
          expect(workers).to.deep.equal(useWorker ? ['/src/core/dist/hash-worker.ts'] : []);
          return hashed;
        });
        const context = `seed ${seed}, ${size} bytes`;
        expect(result.size, context).to.equal(size);
        expect(equalBytes(result.hashes, expected.hashes), context).to.equal(true);
        expect(equalBytes(result.root, expected.root), context).to.equal(true);
        expect(result.contentId, context).to.equal(expected.contentId);

        expect(
          handed.map((block) => block.index),
          context,
        ).to.deep.equal(Array.from({ length: Math.ceil(size / blockBytes) }, (_, i) => i));
        for (const block of handed) {
          const start = block.index * blockBytes;
          expect(equalBytes(block.bytes, bytes.subarray(start, start + blockBytes)), context).to.equal(true);
          expect(
            equalBytes(block.hash, expected.hashes.subarray(block.index * 32, block.index * 32 + 32)),
          ).to.equal(true);
          // A block sharing a bigger buffer would be stored whole by IndexedDB's structured clone.
          expect(block.bytes.buffer.byteLength, context).to.equal(block.bytes.byteLength);
        }

        const done = progress.map(([bytesDone]) => bytesDone);
        expect(
          done.every((value, i) => i === 0 || value > (done[i - 1] ?? 0)),
          `progress rises: ${done.join(', ')}`,
        ).to.equal(true);
        expect(done.at(-1)).to.equal(size);
        expect(progress.every(([, total]) => total === size)).to.equal(true);
      });
    }

    it('hashes a file of exactly the largest size a shared file may have', async () => {
      const zeros = new Uint8Array(blockBytes);
      const leaf = new Uint8Array(await crypto.subtle.digest('SHA-256', zeros));
      const root = await merkleRoot(concatBytes(...Array<Uint8Array>(maxBlocks).fill(leaf)));
      const result = await hash(new Blob(Array<Uint8Array<ArrayBuffer>>(maxBlocks).fill(zeros)));
      expect(result.size).to.equal(maxBlocks * blockBytes);
      expect(equalBytes(result.root, root)).to.equal(true);
    });

    it('reads no more than the read-ahead window beyond the batch being stored', async () => {
      const bytes = randomBytes(8 * batchBytes + 100);
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let doneBytes = 0;
      let reachedWindow = (): void => undefined;
      const windowFilled = new Promise<void>((resolve) => (reachedWindow = resolve));
      const storedBatches: number[] = [];
      const overruns: string[] = [];
      const run = hash(new Blob([bytes]), {
        onProgress: (done) => {
          doneBytes = done;
          if (done >= windowBytes) reachedWindow();
        },
        onBlocks: async (blocks) => {
          if (storedBatches.length === 0) await gate;
          else await sleep(5);
          const limit = (storedBatches.length + 1 + readAheadBatches) * batchBytes;
          if (doneBytes > limit)
            overruns.push(`${doneBytes} bytes read while storing batch ${storedBatches.length}`);
          storedBatches.push(blocks.length);
        },
      });
      await windowFilled;
      // Room for a hasher that ignored the window to read on.
      await sleep(300);
      expect(doneBytes).to.equal(windowBytes);
      expect(storedBatches).to.deep.equal([]);
      release();
      const result = await run;
      expect(overruns).to.deep.equal([]);
      expect(storedBatches).to.deep.equal([...Array<number>(8).fill(batchBlocks), 1]);
      expect(result.contentId).to.equal((await independently(bytes)).contentId);
    });

    it('rejects with an AbortError when aborted mid-way, and hands nothing over afterwards', async () => {
      const controller = new AbortController();
      let calls = 0;
      await withWorkerSpy(async (spy) => {
        const run = hash(new Blob([randomBytes(10 * batchBytes)]), {
          signal: controller.signal,
          onBlocks: async () => {
            calls += 1;
            if (calls === 2) controller.abort();
            await Promise.resolve();
          },
        });
        const error = await rejectionOf(run);
        expect((error as Error).name).to.equal('AbortError');
        expect(spy.terminated).to.equal(useWorker ? 1 : 0);
      });
      await sleep(200);
      expect(calls).to.equal(2);
    });

    it('rejects an abort only after the batch being stored has settled', async () => {
      const controller = new AbortController();
      let release = (): void => undefined;
      let storing = (): void => undefined;
      const started = new Promise<void>((resolve) => (storing = resolve));
      let settled = false;
      const run = hash(new Blob([randomBytes(4 * batchBytes)]), {
        signal: controller.signal,
        onBlocks: () => {
          storing();
          return new Promise<void>((resolve) => (release = resolve));
        },
      });
      void run.catch(() => (settled = true));
      await started;
      controller.abort();
      await sleep(50);
      expect(settled, 'rejected while onBlocks was still storing').to.equal(false);
      release();
      expect(((await rejectionOf(run)) as Error).name).to.equal('AbortError');
    });

    it('rejects with an AbortError at once for a signal already aborted', async () => {
      const error = await rejectionOf(hash(new Blob([randomBytes(10)]), { signal: AbortSignal.abort() }));
      expect((error as Error).name).to.equal('AbortError');
    });

    it("rejects with onBlocks's error and stops", async () => {
      const failure = new Error('quota exceeded');
      let calls = 0;
      const run = hash(new Blob([randomBytes(6 * batchBytes)]), {
        onBlocks: () => {
          calls += 1;
          return Promise.reject(failure);
        },
      });
      expect(await rejectionOf(run)).to.equal(failure);
      await sleep(100);
      expect(calls).to.equal(1);
    });

    it('refuses an empty file and one over the cap with a message and a next step', async () => {
      const empty = await rejectionOf(hash(new File([], 'notes.txt')));
      expect(empty).to.be.instanceOf(EmptyFileError).and.instanceOf(MycelError);
      expect((empty as EmptyFileError).message).to.equal('"notes.txt" is empty.');
      expect((empty as EmptyFileError).hint).to.be.a('string');

      // 1601 blocks: one over the cap. A Blob of parts is lazy, so this costs no memory.
      const huge = new File(
        Array<Uint8Array<ArrayBuffer>>(maxBlocks + 1).fill(new Uint8Array(blockBytes)),
        'big.iso',
      );
      const tooLarge = await rejectionOf(hash(huge));
      expect(tooLarge).to.be.instanceOf(FileTooLargeError).and.instanceOf(MycelError);
      expect((tooLarge as FileTooLargeError).message).to.equal(
        '"big.iso" is larger than the 100 MB a shared file may be.',
      );
      expect((tooLarge as FileTooLargeError).hint).to.be.a('string');
    });

    it('rejects with a FileReadError when the file was deleted after it was chosen', async () => {
      const directory = await navigator.storage.getDirectory();
      const name = `mycel-block-hasher-${useWorker}.bin`;
      const handle = await directory.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(randomBytes(3 * blockBytes));
      await writable.close();
      const file = await handle.getFile();
      await directory.removeEntry(name);
      const error = await rejectionOf(hash(file));
      expect(error).to.be.instanceOf(FileReadError);
      expect((error as FileReadError).message).to.equal(`"${name}" could not be read.`);
      expect((error as FileReadError).hint).to.match(/deleted/);
    });
  });
}

describe('the file hasher', function () {
  this.timeout(60_000);

  it('falls back to this thread when workers are missing', async () => {
    const bytes = randomBytes(3 * blockBytes + 7);
    const original = globalThis.Worker;
    Reflect.deleteProperty(globalThis, 'Worker');
    try {
      expect('Worker' in globalThis).to.equal(false);
      const result = await hashFile(new Blob([bytes]));
      expect(result.contentId).to.equal((await independently(bytes)).contentId);
    } finally {
      globalThis.Worker = original;
    }
  });

  it('rejects with a HasherError when the worker cannot start', async () => {
    const missing = new URL('/src/core/dist/no-such-worker.ts', location.href);
    const error = await withWorkerSpy(() => rejectionOf(hashFile(new Blob([randomBytes(10)]))), missing);
    expect(error).to.be.instanceOf(HasherError);
  });

  it('answers malformed and repeated requests with a failed message instead of throwing', async () => {
    const { port1, port2 } = new MessageChannel();
    serveHashRequests(port2);
    port2.start();
    const answers: FromHasher[] = [];
    port1.addEventListener('message', (event) => {
      const parsed = parseFromHasher(event.data);
      if (parsed.ok) answers.push(parsed.message);
    });
    port1.start();
    const request = { batchBlocks, readAheadBatches: 0, parallelDigests: 1 };
    for (const bad of [null, 'hash', { type: 'nope' }, { type: 'hash', ...request, file: 'not a blob' }]) {
      port1.postMessage(bad);
    }
    port1.postMessage({ type: 'hash', ...request, file: new Blob([randomBytes(2 * batchBytes)]) });
    port1.postMessage({ type: 'hash', ...request, file: new Blob([randomBytes(10)]) });
    while (answers.length < 6) await sleep(10);
    port1.close();
    const failures = answers.flatMap((answer) => (answer.type === 'failed' ? [answer.failure] : []));
    expect(failures).to.deep.equal(['bad-message', 'bad-message', 'bad-message', 'bad-message', 'busy']);
    // Nothing was stored, so with no read-ahead only the first batch came.
    expect(answers.filter((answer) => answer.type === 'batch')).to.have.length(1);
  });
});
