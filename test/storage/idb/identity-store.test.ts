import { expect } from 'chai';
import type { StoredIdentity } from '../../../src/core/ports.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../../src/storage/idb/profile-database.ts';
import { IdbIdentityStore } from '../../../src/storage/idb/identity-store.ts';

async function sampleIdentity(id: string, createdAtMs = 1): Promise<StoredIdentity> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  return {
    id,
    displayName: `Name of ${id}`,
    publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)),
    signingKey: pair.privateKey,
    sealedPrivateKey: { iv: new Uint8Array(12).fill(7), ciphertext: Uint8Array.of(1, 2, 3) },
    nodeSalt: new Uint8Array(16).fill(9),
    createdAtMs,
  };
}

describe('IdbIdentityStore', () => {
  let name: string;
  let db: ProfileDatabase;
  let store: IdbIdentityStore;

  beforeEach(async () => {
    name = `test-identity-store-${crypto.randomUUID()}`;
    db = await openProfileDatabase(name);
    store = new IdbIdentityStore(db);
  });

  afterEach(async () => {
    db.close();
    await deleteProfileDatabase(name);
  });

  it('starts empty, with no current identity and no device key', async () => {
    expect(await store.list()).to.deep.equal([]);
    expect(await store.get('nobody')).to.equal(undefined);
    expect(await store.currentId()).to.equal(undefined);
    expect(await store.deviceKey()).to.equal(undefined);
  });

  it('keeps an identity with its CryptoKey and bytes across a reopen', async () => {
    const identity = await sampleIdentity('alice');
    await store.put(identity);
    db.close();
    db = await openProfileDatabase(name);
    store = new IdbIdentityStore(db);
    const read = await store.get('alice');
    expect(read?.displayName).to.equal('Name of alice');
    expect(read?.publicKey).to.be.instanceOf(Uint8Array);
    expect(Array.from(read?.publicKey ?? [])).to.deep.equal(Array.from(identity.publicKey));
    expect(Array.from(read?.nodeSalt ?? [])).to.deep.equal(Array.from(identity.nodeSalt));
    expect(Array.from(read?.sealedPrivateKey.ciphertext ?? [])).to.deep.equal([1, 2, 3]);
    expect(read?.signingKey).to.be.instanceOf(CryptoKey);
    expect(read?.signingKey.extractable).to.equal(false);
    const data = Uint8Array.of(42);
    if (read === undefined) throw new Error('identity missing');
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, read.signingKey, data);
    const publicKey = await crypto.subtle.importKey('raw', read.publicKey, { name: 'Ed25519' }, false, [
      'verify',
    ]);
    expect(await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, data)).to.equal(true);
  });

  it('lists every identity and replaces one on put with the same id', async () => {
    await store.put(await sampleIdentity('alice'));
    await store.put(await sampleIdentity('bob'));
    await store.put({ ...(await sampleIdentity('alice')), displayName: 'Alice renamed' });
    const all = await store.list();
    expect(all.map((identity) => identity.id).sort()).to.deep.equal(['alice', 'bob']);
    expect(all.find((identity) => identity.id === 'alice')?.displayName).to.equal('Alice renamed');
  });

  it('sets and clears the current identity', async () => {
    await store.put(await sampleIdentity('alice'));
    await store.setCurrentId('alice');
    expect(await store.currentId()).to.equal('alice');
    await store.setCurrentId(undefined);
    expect(await store.currentId()).to.equal(undefined);
  });

  it('clears the current id when the current identity is deleted', async () => {
    await store.put(await sampleIdentity('alice'));
    await store.setCurrentId('alice');
    await store.delete('alice');
    expect(await store.get('alice')).to.equal(undefined);
    expect(await store.currentId()).to.equal(undefined);
  });

  it('keeps the current id when another identity is deleted', async () => {
    await store.put(await sampleIdentity('alice'));
    await store.put(await sampleIdentity('bob'));
    await store.setCurrentId('alice');
    await store.delete('bob');
    expect(await store.currentId()).to.equal('alice');
    expect((await store.list()).map((identity) => identity.id)).to.deep.equal(['alice']);
  });

  it('keeps a non-extractable device key that still encrypts after a reopen', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    expect(await store.addAndUse(await sampleIdentity('alice'), key)).to.equal('added');
    const iv = new Uint8Array(12);
    const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, Uint8Array.of(5));
    db.close();
    db = await openProfileDatabase(name);
    store = new IdbIdentityStore(db);
    const read = await store.deviceKey();
    expect(read?.extractable).to.equal(false);
    if (read === undefined) throw new Error('device key missing');
    const plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, read, ciphertext));
    expect(Array.from(plaintext)).to.deep.equal([5]);
  });

  it('keeps profiles apart: another database name sees nothing', async () => {
    await store.put(await sampleIdentity('alice'));
    await store.setCurrentId('alice');
    const otherName = `test-identity-store-${crypto.randomUUID()}`;
    const otherDb = await openProfileDatabase(otherName);
    try {
      const other = new IdbIdentityStore(otherDb);
      expect(await other.list()).to.deep.equal([]);
      expect(await other.currentId()).to.equal(undefined);
    } finally {
      otherDb.close();
      await deleteProfileDatabase(otherName);
    }
  });

  it('adds an identity with the first device key and makes it current, all in one transaction', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const alice = await sampleIdentity('alice');
    expect(await store.addAndUse(alice, key)).to.equal('added');
    expect(await store.currentId()).to.equal('alice');
    expect((await store.deviceKey())?.algorithm.name).to.equal('AES-GCM');
    expect((await store.list()).map((identity) => identity.id)).to.deep.equal(['alice']);
  });

  it('writes nothing when another device key got there first', async () => {
    const first = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const second = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    await store.addAndUse(await sampleIdentity('alice'), first);
    expect(await store.addAndUse(await sampleIdentity('bob'), second)).to.equal('device-key-exists');
    expect((await store.list()).map((identity) => identity.id)).to.deep.equal(['alice']);
    expect(await store.currentId()).to.equal('alice');
    expect(await store.addAndUse(await sampleIdentity('bob'))).to.equal('added');
    expect(await store.currentId()).to.equal('bob');
  });
});
