import { expect } from 'chai';
import { openDB } from 'idb';
import { createRandom } from '../../../src/lib/random.ts';
import { IdbBlockStore } from '../../../src/storage/idb/block-store.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
  type ProfileSchema,
} from '../../../src/storage/idb/profile-database.ts';
import { IdbRecordStore } from '../../../src/storage/idb/record-store.ts';
import { blockStoreContract, makeBlock, makeFile } from '../block-store-contract.ts';
import { makeRecord } from '../record-store-contract.ts';

blockStoreContract('IdbBlockStore', async () => {
  const name = `test-block-store-${crypto.randomUUID()}`;
  const db = await openProfileDatabase(name);
  return {
    store: new IdbBlockStore(db),
    close: async () => {
      db.close();
      await deleteProfileDatabase(name);
    },
  };
});

/** A profile database as version 2 of the code created it: before blocks and files. */
async function openVersionTwo(name: string): Promise<ProfileDatabase> {
  return openDB<ProfileSchema>(name, 2, {
    upgrade(database) {
      database.createObjectStore('identities', { keyPath: 'id' });
      database.createObjectStore('meta');
      database.createObjectStore('preferences');
      const records = database.createObjectStore('records', { keyPath: ['graphId', 'key'] });
      records.createIndex('by-created', ['graphId', 'createdAtMs']);
      records.createIndex('by-type', ['graphId', 'type', 'createdAtMs']);
      records.createIndex('by-creator', ['graphId', 'creator', 'createdAtMs']);
      records.createIndex('by-attribute', 'attributeKeys', { multiEntry: true });
      records.createIndex('by-expiry', ['graphId', 'expiresAtMs']);
    },
  });
}

describe('IdbBlockStore', () => {
  let name: string;
  let db: ProfileDatabase | undefined;

  beforeEach(() => {
    name = `test-block-store-${crypto.randomUUID()}`;
    db = undefined;
  });

  afterEach(async () => {
    db?.close();
    await deleteProfileDatabase(name);
  });

  it('upgrades a version 2 database, keeping its records and adding the block stores', async () => {
    const random = createRandom(51);
    const old = await openVersionTwo(name);
    const record = makeRecord(random, { attributes: { kept: 1 } });
    await new IdbRecordStore(old).commit('graph-one', { put: [record], remove: [] });
    await old.put('preferences', 'dark', 'theme');
    old.close();
    db = await openProfileDatabase(name);
    expect(db.version).to.equal(3);
    expect(Array.from(db.objectStoreNames)).to.include.members(['blocks', 'files']);
    const records = new IdbRecordStore(db);
    expect(await records.loadAll('graph-one')).to.deep.equal([record]);
    const found = await records.query('graph-one', { attribute: { name: 'kept', value: 1 } });
    expect(found.records).to.deep.equal([record]);
    expect(await db.get('preferences', 'theme')).to.equal('dark');
    const blocks = new IdbBlockStore(db);
    const block = makeBlock(random, 0, 16);
    await blocks.putBlocks('content', [block]);
    expect(await blocks.getBlock('content', 0)).to.deep.equal(block.bytes);
  });

  it('keeps blocks and file states across closing and reopening the database', async () => {
    const random = createRandom(52);
    db = await openProfileDatabase(name);
    const blocks = [makeBlock(random, 0), makeBlock(random, 11, 500)];
    const file = makeFile('content', { state: 'paused', pauseReason: 'user' });
    await new IdbBlockStore(db).putBlocks('content', blocks);
    await new IdbBlockStore(db).putFile(file);
    db.close();
    db = await openProfileDatabase(name);
    const store = new IdbBlockStore(db);
    expect(await store.heldBlocks('content')).to.deep.equal([0, 11]);
    expect(await store.getBlock('content', 0)).to.deep.equal(blocks[0]?.bytes);
    expect(await store.getBlock('content', 11)).to.deep.equal(blocks[1]?.bytes);
    expect(await store.files()).to.deep.equal([file]);
  });

  it('writes nothing of a batch that the database refuses midway', async () => {
    const random = createRandom(53);
    db = await openProfileDatabase(name);
    const store = new IdbBlockStore(db);
    const existing = makeBlock(random, 0, 16);
    await store.putBlocks('content', [existing]);
    // Bytes transferred away (say, posted to a worker) cannot be cloned: the database refuses
    // them after the batch's first puts have been queued.
    const detached = new Uint8Array(8);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const error: unknown = await store
      .putBlocks('content', [
        makeBlock(random, 0, 16),
        makeBlock(random, 1, 16),
        { index: 2, bytes: detached },
      ])
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DOMException);
    expect(error).to.have.property('name', 'DataCloneError');
    expect(await store.heldBlocks('content')).to.deep.equal([0]);
    expect(await store.getBlock('content', 0)).to.deep.equal(existing.bytes);
    const later = makeBlock(random, 3, 16);
    await store.putBlocks('content', [later]);
    expect(await store.heldBlocks('content')).to.deep.equal([0, 3]);
  });
});
