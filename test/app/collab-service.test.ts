import { expect } from 'chai';
import { CollabService } from '../../src/app/collab-service.ts';
import { Identities } from '../../src/core/identity/identities.ts';
import { nodeIdOf } from '../../src/core/identity/ids.ts';
import type { StoredIdentity } from '../../src/core/ports.ts';
import {
  deleteProfileDatabase,
  IdbIdentityStore,
  IdbPreferenceStore,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/index.ts';
import { randomName } from '../helpers/ids.ts';
import { rejectionOf } from '../helpers/rejections.ts';

// CollabService with no mesh attached: cards, contacts and presence work offline, from
// IndexedDB; what needs the mesh says so. The mesh paths run in the names, collab and e2e tests.

interface Profile {
  readonly name: string;
  readonly db: ProfileDatabase;
  readonly identity: StoredIdentity;
  readonly nodeId: string;
  service: CollabService;
}

const origin = new URL('https://mycel.example/app/');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return (await rejectionOf(promise)) as Error;
}

function serviceOver(db: ProfileDatabase): CollabService {
  return new CollabService({
    preferences: new IdbPreferenceStore(db),
    origin,
    invitationFor: () => Promise.reject(new Error('no groups here')),
    joinGroup: () => Promise.reject(new Error('no groups here')),
    connectTo: () => Promise.resolve(false),
  });
}

describe('CollabService offline, over real IndexedDB', () => {
  const profiles: Profile[] = [];

  async function openProfile(displayName: string): Promise<Profile> {
    const name = randomName('test-collab-');
    const db = await openProfileDatabase(name);
    const identity = await new Identities({ store: new IdbIdentityStore(db) }).create(displayName);
    const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
    const profile: Profile = { name, db, identity, nodeId, service: serviceOver(db) };
    profiles.push(profile);
    await profile.service.useIdentity(identity, nodeId);
    return profile;
  }

  afterEach(async () => {
    for (const profile of profiles.splice(0)) {
      profile.service.stop();
      profile.db.close();
      await deleteProfileDatabase(profile.name);
    }
  });

  it('says there is no identity before one is in use', async () => {
    const db = await openProfileDatabase(randomName('test-collab-'));
    const service = serviceOver(db);
    expect(service.state.contacts).to.deep.equal([]);
    expect(service.state.me.link).to.equal('');
    expect((await rejection(service.setPresence('busy', ''))).message).to.equal('No identity yet.');
    db.close();
  });

  it('shows its own card, previews and adds a contact, and keeps it and the presence across a reload', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const { me } = ada.service.state;
    expect(me.link.startsWith(`${origin.href}#/contact/`), me.link).to.equal(true);
    expect(me.peerName).to.equal(`${ada.identity.id}.contact`);
    expect(ada.service.state.online).to.equal(false);

    const own = await ada.service.previewCard(me.link);
    expect(own).to.include({ own: true, known: false, displayName: 'Ada' });
    const preview = await ada.service.previewCard(bob.service.state.me.link);
    expect(preview).to.include({ own: false, known: false, displayName: 'Bob', identityId: bob.identity.id });

    const added = await ada.service.addContact(bob.service.state.me.link);
    expect(added).to.include({
      identityId: bob.identity.id,
      displayName: 'Bob',
      watched: true,
      blocked: false,
    });
    expect(added.presence).to.deep.equal({ status: 'offline', text: '' });
    expect((await ada.service.previewCard(bob.service.state.me.link)).known).to.equal(true);

    await ada.service.renameContact(bob.identity.id, 'Bobby');
    await ada.service.setBlocked(bob.identity.id, true);
    await ada.service.setWatched(bob.identity.id, false);
    const exported = await ada.service.exportContacts();
    expect(new TextDecoder().decode(exported.bytes)).to.contain('Bobby');

    await ada.service.setPresence('brb', 'Back at 3');
    // A reload: a new service over the same database.
    ada.service.stop();
    ada.service = serviceOver(ada.db);
    await ada.service.useIdentity(ada.identity, ada.nodeId);
    const [bobAtAda] = ada.service.state.contacts;
    expect(bobAtAda).to.include({ displayName: 'Bobby', cardName: 'Bob', blocked: true, watched: false });
    expect(ada.service.state.presence).to.deep.equal({ status: 'brb', text: 'Back at 3' });

    await ada.service.deleteContact(bob.identity.id);
    expect(ada.service.state.contacts).to.deep.equal([]);
  });

  it('signs its card again when the identity is renamed', async () => {
    const ada = await openProfile('Ada');
    const before = ada.service.state.me.link;
    const resigned = new Promise<void>((resolve) => {
      const off = ada.service.on('changed', (state) => {
        if (state.me.link === before) return;
        off();
        resolve();
      });
    });
    ada.service.renameIdentity('Ada Lovelace');
    await resigned;
    const card = await ada.service.previewCard(ada.service.state.me.link);
    expect(card).to.include({ displayName: 'Ada Lovelace', own: true });
  });

  it('refuses a damaged card link and a status text over 255 characters, with messages for people', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const link = bob.service.state.me.link;
    const damaged = link.slice(0, -6) + (link.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    const error = await rejection(ada.service.addContact(damaged));
    expect(error.message).to.be.a('string').and.not.equal('');
    expect(ada.service.state.contacts).to.deep.equal([]);

    const tooLong = await rejection(ada.service.setPresence('busy', 'x'.repeat(256)));
    expect(tooLong.message).to.match(/255/);
    await ada.service.setPresence('busy', 'Lunch');
    expect(ada.service.state.presence).to.deep.equal({ status: 'busy', text: 'Lunch' });
  });

  it('registers a name in the local cloud that another tab resolves, with no mesh at all', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    await ada.service.registerName('whiteboard', { secured: false, payloadText: 'Room 4', cloud: 'local' });
    expect(ada.service.state.names.map((name) => [name.name, name.cloud, name.published])).to.deep.equal([
      ['0.whiteboard', 'local', true],
    ]);
    const found = await bob.service.resolveName('0.whiteboard', 'local');
    expect(found.records.map((record) => [record.identityId, record.payloadText])).to.deep.equal([
      [ada.identity.id, 'Room 4'],
    ]);
  });

  it('shows away while idle only over an online status, and names need the mesh', async () => {
    const ada = await openProfile('Ada');
    await ada.service.setPresence('online', '');
    const changed = new Promise((resolve) => ada.service.on('changed', resolve));
    ada.service.setIdle(true);
    await changed;
    expect(ada.service.state.presence.status).to.equal('away');
    ada.service.setIdle(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ada.service.state.presence.status).to.equal('online');

    const offline = await rejection(ada.service.resolveName(`${ada.identity.id}.contact`, 'global'));
    expect(offline.message).to.equal('Not connected: names can be resolved once this node is in the mesh.');
  });
});
