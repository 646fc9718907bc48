import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { StorageFullError } from '../../../src/storage/idb/errors.ts';
import { MemoryBlockStore } from '../../../src/storage/memory/block-store.ts';
import { blockStoreContract, makeBlock, makeFile } from '../block-store-contract.ts';

blockStoreContract('MemoryBlockStore', () =>
  Promise.resolve({ store: new MemoryBlockStore(), close: () => Promise.resolve() }),
);

describe('MemoryBlockStore', () => {
  it('refuses blocks past its capacity with StorageFullError, writing none of them', async () => {
    const random = createRandom(41);
    const store = new MemoryBlockStore({ capacityBytes: 100 });
    const first = makeBlock(random, 0, 60);
    await store.putBlocks('one', [first]);
    const error: unknown = await store
      .putBlocks('two', [makeBlock(random, 0, 30), makeBlock(random, 1, 11)])
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(StorageFullError);
    expect(await store.heldBlocks('two')).to.deep.equal([]);
    expect(await store.getBlock('one', 0)).to.deep.equal(first.bytes);
    expect(store.usedBytes).to.equal(60);
  });

  it('counts a replaced block once and frees the room of deleted content', async () => {
    const random = createRandom(42);
    const store = new MemoryBlockStore({ capacityBytes: 100 });
    await store.putBlocks('one', [makeBlock(random, 0, 60)]);
    // Replacing the 60-byte block with 100 bytes grows the store by 40: exactly full.
    const bigger = makeBlock(random, 0, 100);
    await store.putBlocks('one', [bigger]);
    expect(store.usedBytes).to.equal(100);
    expect(await store.getBlock('one', 0)).to.deep.equal(bigger.bytes);
    const full: unknown = await store
      .putBlocks('two', [makeBlock(random, 0, 1)])
      .catch((caught: unknown) => caught);
    expect(full).to.be.instanceOf(StorageFullError);
    await store.putFile(makeFile('one'));
    await store.deleteContent('one');
    expect(store.usedBytes).to.equal(0);
    await store.putBlocks('two', [makeBlock(random, 0, 100)]);
    expect(await store.heldBlocks('two')).to.deep.equal([0]);
  });

  it('settles every call at once, so seeded simulations never wait on real time', async () => {
    const store = new MemoryBlockStore();
    const block = makeBlock(createRandom(43), 0, 8);
    const settled: string[] = [];
    const calls: [string, Promise<unknown>][] = [
      ['putBlocks', store.putBlocks('one', [block])],
      ['getBlock', store.getBlock('one', 0)],
      ['heldBlocks', store.heldBlocks('one')],
      ['putFile', store.putFile(makeFile('one'))],
      ['getFile', store.getFile('one')],
      ['files', store.files()],
      ['deleteContent', store.deleteContent('two')],
    ];
    for (const [name, call] of calls) void call.then(() => settled.push(name));
    // One turn of the microtask queue runs the callbacks of promises that were already settled.
    await Promise.resolve();
    expect(settled).to.deep.equal(calls.map(([name]) => name));
    expect(await store.getBlock('one', 0)).to.deep.equal(block.bytes);
  });
});
