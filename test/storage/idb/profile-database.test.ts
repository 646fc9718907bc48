import { expect } from 'chai';
import { deleteProfileDatabase, openProfileDatabase } from '../../../src/storage/idb/profile-database.ts';
import { StorageFullError, mapStorageErrors } from '../../../src/storage/idb/errors.ts';

describe('profile database', () => {
  it('creates the identities, meta, preferences, records, blocks and files stores at version 3', async () => {
    const name = `test-profile-${crypto.randomUUID()}`;
    const db = await openProfileDatabase(name);
    try {
      expect(db.version).to.equal(3);
      expect(Array.from(db.objectStoreNames).sort()).to.deep.equal([
        'blocks',
        'files',
        'identities',
        'meta',
        'preferences',
        'records',
      ]);
      expect(db.transaction('identities').store.keyPath).to.equal('id');
      expect(db.transaction('meta').store.keyPath).to.equal(null);
      expect(db.transaction('blocks').store.keyPath).to.equal(null);
      expect(db.transaction('files').store.keyPath).to.equal('contentId');
      const records = db.transaction('records').store;
      expect(records.keyPath).to.deep.equal(['graphId', 'key']);
      const indexes = Array.from(records.indexNames).map((indexName) => {
        const index = records.index(indexName);
        return [indexName, index.keyPath, index.multiEntry, index.unique];
      });
      expect(indexes).to.deep.equal([
        ['by-attribute', 'attributeKeys', true, false],
        ['by-created', ['graphId', 'createdAtMs'], false, false],
        ['by-creator', ['graphId', 'creator', 'createdAtMs'], false, false],
        ['by-expiry', ['graphId', 'expiresAtMs'], false, false],
        ['by-type', ['graphId', 'type', 'createdAtMs'], false, false],
      ]);
    } finally {
      db.close();
      await deleteProfileDatabase(name);
    }
  });

  it('deletes a profile with everything in it', async () => {
    const name = `test-profile-${crypto.randomUUID()}`;
    const db = await openProfileDatabase(name);
    await db.put('preferences', 'dark', 'theme');
    db.close();
    await deleteProfileDatabase(name);
    const reopened = await openProfileDatabase(name);
    try {
      expect(await reopened.get('preferences', 'theme')).to.equal(undefined);
    } finally {
      reopened.close();
      await deleteProfileDatabase(name);
    }
  });

  it('reports a full disk as StorageFullError with a hint', async () => {
    const quota = new DOMException('quota', 'QuotaExceededError');
    const error: unknown = await mapStorageErrors(() => Promise.reject(quota)).catch(
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(StorageFullError);
    if (!(error instanceof StorageFullError)) return;
    expect(error.name).to.equal('StorageFullError');
    expect(error.message).to.equal('This browser has no room left to save Mycel data.');
    expect(error.hint).to.be.a('string');
    expect(error.cause).to.equal(quota);
  });

  it('passes other storage errors through unchanged', async () => {
    const other = new DOMException('gone', 'InvalidStateError');
    const error: unknown = await mapStorageErrors(() => Promise.reject(other)).catch(
      (caught: unknown) => caught,
    );
    expect(error).to.equal(other);
  });
});
