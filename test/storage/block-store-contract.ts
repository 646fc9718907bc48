import { expect } from 'chai';
import { blockBytes } from '../../src/core/dist/content-info.ts';
import type { BlockStore, StoredBlock, StoredFile } from '../../src/core/ports.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';

/** A store under test and how to dispose of it. */
export interface OpenBlockStore {
  readonly store: BlockStore;
  close(): Promise<void>;
}

const content = 'content-one';
const otherContent = 'content-two';

/** `length` random bytes from the seeded stream. */
export function randomBytes(random: Random, length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A block of random bytes, `length` long (a whole block unless told). */
export function makeBlock(random: Random, index: number, length = blockBytes): StoredBlock {
  return { index, bytes: randomBytes(random, length) };
}

/** The state of a file being fetched. */
export function makeFile(contentId: string, fields: Partial<StoredFile> = {}): StoredFile {
  return {
    contentId,
    groupId: 'group-one',
    recordKey: `${'a'.repeat(52)}/file-${contentId}`,
    state: 'downloading',
    addedAtMs: 1_000,
    ...fields,
  };
}

/** Runs the `BlockStore` contract against a fresh store from `makeStore` per test. */
export function blockStoreContract(name: string, makeStore: () => Promise<OpenBlockStore>): void {
  describe(`${name} keeps the BlockStore contract`, () => {
    const seed = 20_250_301;
    let opened: OpenBlockStore;
    let store: BlockStore;
    let random: Random;

    beforeEach(async () => {
      opened = await makeStore();
      store = opened.store;
      random = createRandom(seed);
    });

    afterEach(async () => {
      await opened.close();
    });

    it('returns the bytes of every block it was given, whole blocks and a short last one', async () => {
      const blocks = [makeBlock(random, 0), makeBlock(random, 1), makeBlock(random, 2, 1_234)];
      await store.putBlocks(content, blocks);
      for (const block of blocks) {
        const read = await store.getBlock(content, block.index);
        expect(read).to.be.instanceOf(Uint8Array);
        expect(read).to.deep.equal(block.bytes);
      }
    });

    it('finds nothing for a block or content it does not hold', async () => {
      await store.putBlocks(content, [makeBlock(random, 1, 16)]);
      expect(await store.getBlock(content, 0)).to.equal(undefined);
      expect(await store.getBlock(content, 2)).to.equal(undefined);
      expect(await store.getBlock(content, -1)).to.equal(undefined);
      expect(await store.getBlock(content, Number.NaN)).to.equal(undefined);
      expect(await store.getBlock(otherContent, 1)).to.equal(undefined);
      expect(await store.heldBlocks(otherContent)).to.deep.equal([]);
      expect(await store.getFile(content)).to.equal(undefined);
      expect(await store.files()).to.deep.equal([]);
    });

    it('keeps the blocks of two contents apart, even when one id is a prefix of the other', async () => {
      const prefixed = `${content}-more`;
      const mine = [makeBlock(random, 0, 32), makeBlock(random, 3, 32)];
      const theirs = [makeBlock(random, 0, 32), makeBlock(random, 5, 32)];
      const longer = [makeBlock(random, 4, 32)];
      await store.putBlocks(content, mine);
      await store.putBlocks(otherContent, theirs);
      await store.putBlocks(prefixed, longer);
      expect(await store.heldBlocks(content)).to.deep.equal([0, 3]);
      expect(await store.heldBlocks(otherContent)).to.deep.equal([0, 5]);
      expect(await store.heldBlocks(prefixed)).to.deep.equal([4]);
      expect(await store.getBlock(content, 0)).to.deep.equal(mine[0]?.bytes);
      expect(await store.getBlock(otherContent, 0)).to.deep.equal(theirs[0]?.bytes);
      expect(await store.getBlock(content, 5)).to.equal(undefined);
      expect(await store.getBlock(content, 4)).to.equal(undefined);
    });

    it('lists held blocks in ascending numeric order, exactly, whatever order they came in', async () => {
      const indexes = [0, 1, 2, 3, 9, 10, 11, 19, 20, 99, 100, 101, 999, 1_000, 1_599];
      const shuffled = random.shuffle(indexes);
      for (let start = 0; start < shuffled.length; start += 4) {
        await store.putBlocks(
          content,
          shuffled.slice(start, start + 4).map((index) => makeBlock(random, index, 8)),
        );
      }
      expect(await store.heldBlocks(content), `seed ${seed}`).to.deep.equal(indexes);
    });

    it('lists a thousand held blocks out of twelve hundred, skipping the ones it lacks', async () => {
      const all = Array.from({ length: 1_200 }, (_, index) => index);
      const held = random.shuffle(all).slice(0, 1_000);
      for (let start = 0; start < held.length; start += 100) {
        await store.putBlocks(
          content,
          held.slice(start, start + 100).map((index) => makeBlock(random, index, 4)),
        );
      }
      const expected = [...held].sort((a, b) => a - b);
      expect(await store.heldBlocks(content), `seed ${seed}`).to.deep.equal(expected);
    });

    it('replaces a block put again at the same index; in one batch the later one wins', async () => {
      const first = makeBlock(random, 7, 64);
      const second = makeBlock(random, 7, 48);
      await store.putBlocks(content, [first]);
      await store.putBlocks(content, [second]);
      expect(await store.getBlock(content, 7)).to.deep.equal(second.bytes);
      const early = makeBlock(random, 8, 16);
      const late = makeBlock(random, 8, 16);
      await store.putBlocks(content, [early, late]);
      expect(await store.getBlock(content, 8)).to.deep.equal(late.bytes);
      expect(await store.heldBlocks(content)).to.deep.equal([7, 8]);
    });

    it('cannot be changed through the arrays it was given or returned', async () => {
      const block = makeBlock(random, 0, 64);
      const original = block.bytes.slice();
      await store.putBlocks(content, [block]);
      block.bytes.fill(1);
      const read = await store.getBlock(content, 0);
      expect(read).to.deep.equal(original);
      read?.fill(2);
      expect(await store.getBlock(content, 0)).to.deep.equal(original);
    });

    it('stores only the bytes of a view, not the rest of the buffer around it', async () => {
      const frame = randomBytes(random, 4_096);
      const view = frame.subarray(100, 164);
      await store.putBlocks(content, [{ index: 0, bytes: view }]);
      const read = await store.getBlock(content, 0);
      expect(read).to.deep.equal(frame.slice(100, 164));
      expect(read?.buffer.byteLength).to.equal(64);
    });

    it('refuses an index that cannot name a block, writing nothing of the batch', async () => {
      for (const index of [-1, 1.5, Number.NaN, Infinity]) {
        const error: unknown = await store
          .putBlocks(content, [makeBlock(random, 0, 8), makeBlock(random, index, 8)])
          .catch((caught: unknown) => caught);
        expect(error, `index ${index}`).to.be.instanceOf(RangeError);
      }
      expect(await store.heldBlocks(content)).to.deep.equal([]);
      await store.putBlocks(content, []);
      expect(await store.heldBlocks(content)).to.deep.equal([]);
    });

    it('keeps file states: put, replace, get, and list in content id order', async () => {
      const paused = makeFile('b-content', { state: 'paused', pauseReason: 'quota', addedAtMs: 5 });
      const fetching = makeFile('a-content');
      await store.putFile(paused);
      await store.putFile(fetching);
      expect(await store.getFile('b-content')).to.deep.equal(paused);
      expect(await store.files()).to.deep.equal([fetching, paused]);
      const complete = makeFile('a-content', { state: 'complete' });
      await store.putFile(complete);
      expect(await store.getFile('a-content')).to.deep.equal(complete);
      expect(await store.files()).to.deep.equal([complete, paused]);
    });

    it('deletes one content, blocks and file state, and leaves every other as it was', async () => {
      const mine = [makeBlock(random, 0, 32), makeBlock(random, 12, 32)];
      const theirs = [makeBlock(random, 0, 32)];
      await store.putBlocks(content, mine);
      await store.putBlocks(otherContent, theirs);
      await store.putFile(makeFile(content));
      await store.putFile(makeFile(otherContent));
      await store.deleteContent(content);
      expect(await store.heldBlocks(content)).to.deep.equal([]);
      expect(await store.getBlock(content, 12)).to.equal(undefined);
      expect(await store.getFile(content)).to.equal(undefined);
      expect(await store.heldBlocks(otherContent)).to.deep.equal([0]);
      expect(await store.getBlock(otherContent, 0)).to.deep.equal(theirs[0]?.bytes);
      expect(await store.files()).to.deep.equal([makeFile(otherContent)]);
      await store.deleteContent('never-held');
      expect(await store.heldBlocks(otherContent)).to.deep.equal([0]);
    });
  });
}
