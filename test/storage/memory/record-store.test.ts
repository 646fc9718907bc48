import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { MemoryRecordStore } from '../../../src/storage/memory/record-store.ts';
import { makeRecord, recordStoreContract } from '../record-store-contract.ts';

recordStoreContract('MemoryRecordStore', () =>
  Promise.resolve({ store: new MemoryRecordStore(), close: () => Promise.resolve() }),
);

describe('MemoryRecordStore', () => {
  it('settles every call at once, so seeded simulations never wait on real time', async () => {
    const store = new MemoryRecordStore();
    const stored = makeRecord(createRandom(7));
    const settled: string[] = [];
    const calls: [string, Promise<unknown>][] = [
      ['commit', store.commit('graph-one', { put: [stored], remove: [] })],
      ['get', store.get('graph-one', stored.key)],
      ['loadAll', store.loadAll('graph-one')],
      ['query', store.query('graph-one', {})],
      ['expired', store.expired('graph-one', 0, 10)],
      ['deleteGraph', store.deleteGraph('graph-two')],
    ];
    for (const [name, call] of calls) void call.then(() => settled.push(name));
    // One turn of the microtask queue runs the callbacks of promises that were already settled.
    await Promise.resolve();
    expect(settled).to.deep.equal(calls.map(([name]) => name));
    expect(await store.get('graph-one', stored.key)).to.equal(stored);
  });
});
