import { expect } from 'chai';
import { openDB } from 'idb';
import { createRandom } from '../../../src/lib/random.ts';
import { IdbIdentityStore } from '../../../src/storage/idb/identity-store.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  profileDatabaseVersion,
  type ProfileDatabase,
} from '../../../src/storage/idb/profile-database.ts';
import { IdbRecordStore } from '../../../src/storage/idb/record-store.ts';
import { makeRecord, recordStoreContract } from '../record-store-contract.ts';

recordStoreContract('IdbRecordStore', async () => {
  const name = `test-record-store-${crypto.randomUUID()}`;
  const db = await openProfileDatabase(name);
  return {
    store: new IdbRecordStore(db),
    close: async () => {
      db.close();
      await deleteProfileDatabase(name);
    },
  };
});

describe('IdbRecordStore', () => {
  let name: string;
  let db: ProfileDatabase;

  beforeEach(async () => {
    name = `test-record-store-${crypto.randomUUID()}`;
    db = await openProfileDatabase(name);
  });

  afterEach(async () => {
    db.close();
    await deleteProfileDatabase(name);
  });

  it('keeps records and their indexes across closing and reopening the database', async () => {
    const random = createRandom(31);
    const records = Array.from({ length: 20 }, (_, i) =>
      makeRecord(random, { createdAtMs: i, type: i % 2 === 0 ? 'app/even' : 'app/odd', attributes: { i } }),
    );
    await new IdbRecordStore(db).commit('graph-one', { put: records, remove: [] });
    db.close();
    db = await openProfileDatabase(name);
    const store = new IdbRecordStore(db);
    expect(await store.loadAll('graph-one')).to.deep.equal(
      [...records].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    const odd = await store.query('graph-one', { type: 'app/odd', order: 'descending', limit: 3 });
    expect(odd.records.map((stored) => stored.record.createdAtMs)).to.deep.equal([19, 17, 15]);
    const seventh = await store.query('graph-one', { attribute: { name: 'i', value: 7 } });
    expect(seventh.records).to.deep.equal([records[7]]);
  });

  it('writes nothing of a batch that the database refuses midway', async () => {
    const random = createRandom(32);
    const store = new IdbRecordStore(db);
    const existing = makeRecord(random);
    await store.commit('graph-one', { put: [existing], remove: [] });
    // A record whose bytes were transferred away (say, posted to a worker) cannot be cloned:
    // the database refuses it after the batch's first put has been queued.
    const data = new Uint8Array(8);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    const first = makeRecord(random);
    const detached = makeRecord(random, { data });
    const error: unknown = await store
      .commit('graph-one', { put: [first, detached], remove: [existing.key] })
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DOMException);
    expect(error).to.have.property('name', 'DataCloneError');
    expect(await store.loadAll('graph-one')).to.deep.equal([existing]);
    expect(await store.query('graph-one', {})).to.deep.equal({ records: [existing] });
    const later = makeRecord(random);
    await store.commit('graph-one', { put: [later], remove: [] });
    expect(await store.get('graph-one', later.key)).to.deep.equal(later);
  });
});

describe('profile database upgrade from version 1', () => {
  it('adds the records store to a version-1 database and keeps its identities', async () => {
    const name = `test-record-upgrade-${crypto.randomUUID()}`;
    // Version 1 as it shipped: identities, meta and preferences only.
    const old = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore('identities', { keyPath: 'id' });
        database.createObjectStore('meta');
        database.createObjectStore('preferences');
      },
    });
    await old.put('identities', { id: 'alice', displayName: 'Alice', createdAtMs: 5 });
    await old.put('meta', 'alice', 'currentIdentity');
    await old.put('preferences', 'dark', 'theme');
    old.close();
    const db = await openProfileDatabase(name);
    try {
      expect(db.version).to.equal(profileDatabaseVersion);
      expect(Array.from(db.objectStoreNames)).to.include('records');
      const identities = new IdbIdentityStore(db);
      expect((await identities.get('alice'))?.displayName).to.equal('Alice');
      expect(await identities.currentId()).to.equal('alice');
      expect(await db.get('preferences', 'theme')).to.equal('dark');
      const stored = makeRecord(createRandom(33), { attributes: { a: 'b' } });
      const records = new IdbRecordStore(db);
      await records.commit('graph-one', { put: [stored], remove: [] });
      const found = await records.query('graph-one', { attribute: { name: 'a', value: 'b' } });
      expect(found.records).to.deep.equal([stored]);
    } finally {
      db.close();
      await deleteProfileDatabase(name);
    }
  });
});
