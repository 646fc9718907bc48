import { expect } from 'chai';
import { toBase32, utf8 } from '../../../src/lib/bytes.ts';
import { sign, verify } from '../../../src/core/crypto/ed25519.ts';
import { sha256 } from '../../../src/core/crypto/hash.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { IdentityNotFoundError, InvalidDisplayNameError } from '../../../src/core/identity/errors.ts';
import { Identities } from '../../../src/core/identity/identities.ts';
import { nodeIdOf } from '../../../src/core/identity/ids.ts';
import type { StoredIdentity } from '../../../src/core/ports.ts';
import { IdbIdentityStore } from '../../../src/storage/idb/identity-store.ts';
import { openTestProfile, rejectionOf, snapshot, type TestProfile } from './profile.ts';

async function signsFor(identity: StoredIdentity): Promise<boolean> {
  const message = utf8('proof of key');
  const signature = await sign(identity.signingKey, SigningNamespaces.record, message);
  return verify(identity.publicKey, SigningNamespaces.record, message, signature);
}

describe('Identities', () => {
  let profile: TestProfile;

  beforeEach(async () => {
    profile = await openTestProfile();
  });

  afterEach(async () => {
    await profile.destroy();
  });

  it('has no identity in a fresh profile', async () => {
    expect(await profile.identities.current()).to.equal(undefined);
    expect(await profile.identities.list()).to.deep.equal([]);
  });

  it('creates an identity, makes it current and says so with a changed event', async () => {
    let changes = 0;
    profile.identities.on('changed', () => changes++);
    const created = await profile.identities.create('  Ada  ');
    expect(created.displayName).to.equal('Ada');
    expect(created.id).to.equal(toBase32(await sha256(created.publicKey)));
    expect(created.id).to.have.length(52);
    expect(created.nodeSalt).to.have.length(16);
    expect((await profile.identities.current())?.id).to.equal(created.id);
    expect((await profile.identities.list()).map((identity) => identity.id)).to.deep.equal([created.id]);
    expect(await signsFor(created)).to.equal(true);
    expect(changes).to.equal(1);
  });

  it('keeps the identity, its signing key and its node id across a reload', async () => {
    const created = await profile.identities.create('Ada');
    const nodeIdBefore = await nodeIdOf(created.publicKey, created.nodeSalt);
    await profile.reload();
    const current = await profile.identities.current();
    if (current === undefined) throw new Error('no current identity after reload');
    expect(current.id).to.equal(created.id);
    expect(current.displayName).to.equal('Ada');
    expect(await signsFor(current)).to.equal(true);
    expect(await nodeIdOf(current.publicKey, current.nodeSalt)).to.equal(nodeIdBefore);
  });

  it('keeps the signing key inside Web Crypto: it cannot be exported', async () => {
    const created = await profile.identities.create('Ada');
    await profile.reload();
    const reloaded = await profile.identities.get(created.id);
    for (const key of [created.signingKey, reloaded.signingKey]) {
      expect(key.extractable).to.equal(false);
      for (const format of ['pkcs8', 'jwk'] as const) {
        const error = await rejectionOf(crypto.subtle.exportKey(format, key));
        expect(error).to.be.instanceOf(DOMException);
      }
    }
  });

  it('gives two identities different ids and node ids', async () => {
    const first = await profile.identities.create('Ada');
    const second = await profile.identities.create('Grace');
    expect(first.id).to.not.equal(second.id);
    expect(await nodeIdOf(first.publicKey, first.nodeSalt)).to.not.equal(
      await nodeIdOf(second.publicKey, second.nodeSalt),
    );
    expect((await profile.identities.list()).map((identity) => identity.displayName)).to.deep.equal([
      'Ada',
      'Grace',
    ]);
  });

  it('refuses invalid display names on create and changes nothing', async () => {
    await profile.identities.create('Ada');
    const before = await snapshot(profile.identities);
    for (const name of ['', '   ', 'x'.repeat(65), 'two\nlines', 'bell\u0007']) {
      const error = await rejectionOf(profile.identities.create(name));
      expect(error).to.be.instanceOf(InvalidDisplayNameError);
      expect((error as InvalidDisplayNameError).name).to.equal('InvalidDisplayNameError');
      expect((error as InvalidDisplayNameError).hint).to.be.a('string');
    }
    expect(await snapshot(profile.identities)).to.deep.equal(before);
  });

  it('renames an identity, and refuses an invalid name leaving the old one', async () => {
    const created = await profile.identities.create('Ada');
    let changes = 0;
    profile.identities.on('changed', () => changes++);
    const renamed = await profile.identities.rename(created.id, ' Ada Lovelace ');
    expect(renamed.displayName).to.equal('Ada Lovelace');
    await profile.reload();
    expect((await profile.identities.get(created.id)).displayName).to.equal('Ada Lovelace');
    const error = await rejectionOf(profile.identities.rename(created.id, ' '));
    expect(error).to.be.instanceOf(InvalidDisplayNameError);
    expect((error as Error).message).to.equal('The name is empty.');
    expect((await profile.identities.get(created.id)).displayName).to.equal('Ada Lovelace');
    expect(await signsFor(await profile.identities.get(created.id))).to.equal(true);
    expect(changes).to.equal(1);
  });

  it('switches the current identity with use', async () => {
    const first = await profile.identities.create('Ada');
    const second = await profile.identities.create('Grace');
    expect((await profile.identities.current())?.id).to.equal(second.id);
    await profile.identities.use(first.id);
    await profile.reload();
    expect((await profile.identities.current())?.id).to.equal(first.id);
  });

  it('deletes the current identity and falls back to another, then to none', async () => {
    const first = await profile.identities.create('Ada');
    const second = await profile.identities.create('Grace');
    await profile.identities.delete(second.id);
    expect((await profile.identities.current())?.id).to.equal(first.id);
    expect((await profile.identities.list()).map((identity) => identity.id)).to.deep.equal([first.id]);
    await profile.identities.delete(first.id);
    expect(await profile.identities.current()).to.equal(undefined);
    expect(await profile.identities.list()).to.deep.equal([]);
  });

  it('deletes another identity without changing the current one', async () => {
    const first = await profile.identities.create('Ada');
    const second = await profile.identities.create('Grace');
    await profile.identities.use(first.id);
    await profile.identities.delete(second.id);
    expect((await profile.identities.current())?.id).to.equal(first.id);
  });

  it('says an unknown identity is not in this browser', async () => {
    await profile.identities.create('Ada');
    const before = await snapshot(profile.identities);
    const { identities } = profile;
    for (const attempt of [
      () => identities.rename('nobody', 'Name'),
      () => identities.use('nobody'),
      () => identities.delete('nobody'),
      () => identities.exportFile('nobody', 'a long passphrase'),
    ]) {
      const error = await rejectionOf(attempt());
      expect(error).to.be.instanceOf(IdentityNotFoundError);
      expect((error as Error).message).to.equal('This identity is not in this browser.');
    }
    expect(await snapshot(profile.identities)).to.deep.equal(before);
  });

  it('creates concurrently under one device key, so every identity can be exported', async () => {
    const created = await Promise.all(
      ['Ada', 'Grace', 'Hedy'].map((name) => profile.identities.create(name)),
    );
    for (const identity of created) {
      const file = await profile.identities.exportFile(identity.id, 'a long passphrase');
      expect(file.length).to.be.greaterThan(0);
    }
  });

  it('refuses export iterations outside 1,000 to 10,000,000', () => {
    const store = new IdbIdentityStore(profile.db);
    for (const exportIterations of [999, 10_000_001, 1.5]) {
      expect(() => new Identities({ store, exportIterations })).to.throw(RangeError);
    }
  });
});
