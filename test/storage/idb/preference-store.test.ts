import { expect } from 'chai';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../../src/storage/idb/profile-database.ts';
import { IdbPreferenceStore } from '../../../src/storage/idb/preference-store.ts';

describe('IdbPreferenceStore', () => {
  let name: string;
  let db: ProfileDatabase;

  beforeEach(async () => {
    name = `test-preferences-${crypto.randomUUID()}`;
    db = await openProfileDatabase(name);
  });

  afterEach(async () => {
    db.close();
    await deleteProfileDatabase(name);
  });

  it('returns undefined for a key never set', async () => {
    expect(await new IdbPreferenceStore(db).get('broker')).to.equal(undefined);
  });

  it('keeps structured values across a reopen and overwrites on set', async () => {
    const preferences = new IdbPreferenceStore(db);
    await preferences.set('broker', { kind: 'custom', url: 'https://broker.example/peerjs', ports: [443] });
    await preferences.set('theme', 'dark');
    await preferences.set('theme', 'light');
    db.close();
    db = await openProfileDatabase(name);
    const reopened = new IdbPreferenceStore(db);
    expect(await reopened.get('broker')).to.deep.equal({
      kind: 'custom',
      url: 'https://broker.example/peerjs',
      ports: [443],
    });
    expect(await reopened.get('theme')).to.equal('light');
  });

  it('removes a key set to undefined', async () => {
    const preferences = new IdbPreferenceStore(db);
    await preferences.set('theme', 'dark');
    await preferences.set('theme', undefined);
    expect(await preferences.get('theme')).to.equal(undefined);
  });
});
