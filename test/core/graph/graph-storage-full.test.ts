import { expect } from 'chai';
import type { RecordBatch } from '../../../src/core/ports.ts';
import { MycelError } from '../../../src/lib/errors.ts';
import { MemoryRecordStore } from '../../../src/storage/memory/record-store.ts';
import { GraphSimulation, replicaDigest } from '../../helpers/graph-simulation.ts';
import { rejectionOf } from '../../helpers/simulation.ts';

/** The browser's quota error as the IndexedDB adapter reports it (matched by name). */
class StorageFullError extends MycelError {
  override name = 'StorageFullError';
}

/** A memory store whose disk can be "full": every commit then fails, as IndexedDB's would. */
class FillableStore extends MemoryRecordStore {
  full = false;

  override commit(graphId: string, batch: RecordBatch): Promise<void> {
    if (this.full) return Promise.reject(new StorageFullError('This browser has no room left.'));
    return super.commit(graphId, batch);
  }
}

describe('graph when storage is full', () => {
  it('says so in its status, refuses local writes visibly, loses nothing, and catches up once there is room', async () => {
    const sim = await GraphSimulation.create({
      seed: 5,
      mesh: { membership: { shuffleIntervalMs: 5_000 } },
      graph: { resyncIntervalMs: 10_000 },
    });
    const store = new FillableStore();
    const [writer, full] = [sim.addNode(), sim.addNode(store)];
    await sim.start(writer);
    await sim.start(full, writer.nodeId);
    await sim.network.advance(5_000);
    const reported: string[] = [];
    full.graph?.on('record-changed', ({ record }) => reported.push(record.key));

    store.full = true;
    for (let i = 0; i < 20; i++) await writer.graph?.add({ type: 'test/note', data: new Uint8Array([i]) });
    const local = await rejectionOf(full.graph?.add({ type: 'test/note' }) ?? Promise.resolve());
    await sim.network.advance(5_000);
    expect(local, 'a local write fails visibly').to.be.instanceOf(StorageFullError);
    expect(full.graph?.status.storageFull).to.equal(true);
    expect(reported, 'nothing reported that was not stored').to.deep.equal([]);
    expect(await store.loadAll(sim.graphId)).to.deep.equal([]);

    store.full = false;
    await sim.network.advance(30_000);
    expect(full.graph?.status.storageFull).to.equal(false);
    expect(reported.length).to.equal(20);
    expect(await replicaDigest(full, sim.graphId)).to.equal(await replicaDigest(writer, sim.graphId));
    for (const node of sim.nodes) sim.crash(node);
  });
});
