import { expect } from 'chai';
import { fromUtf8 } from '../../../src/lib/bytes.ts';
import { InvalidDisplayNameError } from '../../../src/core/identity/errors.ts';
import { createCard, readCardLink, type VerifiedCard } from '../../../src/core/collab/contact-card.ts';
import { contactsKey } from '../../../src/core/collab/contact-store.ts';
import {
  ContactNotFoundError,
  Contacts,
  OwnCardError,
  contactsFileFormat,
} from '../../../src/core/collab/contacts.ts';
import { baseMs, MemoryPreferences, newIdentity, type TestIdentity } from './collab-net.ts';
import { rejectionOf } from '../../helpers/rejections.ts';

describe('contacts', () => {
  let me: TestIdentity;
  let ann: TestIdentity;
  let bob: TestIdentity;
  let annCard: VerifiedCard;
  let bobCard: VerifiedCard;
  let preferences: MemoryPreferences;
  let contacts: Contacts;
  let nowMs: number;

  before(async () => {
    [me, ann, bob] = await Promise.all([newIdentity('Me'), newIdentity('Ann'), newIdentity('Bob')]);
    annCard = await createCard(ann, '#aa0000', ann.nodeId, baseMs);
    bobCard = await createCard(bob, '#0000aa', undefined, baseMs);
  });

  beforeEach(async () => {
    preferences = new MemoryPreferences();
    nowMs = baseMs + 1000;
    contacts = new Contacts({ identityId: me.identityId, preferences, nowMs: () => nowMs });
    await contacts.load();
  });

  function reloaded(): Promise<Contacts> {
    const again = new Contacts({ identityId: me.identityId, preferences, nowMs: () => nowMs });
    return again.load().then(() => again);
  }

  it('adds a contact from a card, watched and not blocked, and tells listeners', async () => {
    const changes: (string | undefined)[] = [];
    contacts.on('changed', ({ identityId }) => changes.push(identityId));
    const added = await contacts.add(annCard);
    expect(added).to.include({ identityId: ann.identityId, displayName: 'Ann', nickname: '', watched: true });
    expect(added.blocked).to.equal(false);
    expect(added.addedAtMs).to.equal(baseMs + 1000);
    expect(contacts.get(ann.identityId)?.card.colour).to.equal('#aa0000');
    expect(changes).to.deep.equal([ann.identityId]);
    expect(contacts.mayWatch(ann.identityId)).to.equal('yes');
    expect(contacts.mayWatch(bob.identityId)).to.equal('not-a-contact');
  });

  it('refuses to add this identity itself, and stores nothing', async () => {
    const myCard = await createCard(me, '#123456', undefined, baseMs);
    expect(await rejectionOf(contacts.add(myCard))).to.be.instanceOf(OwnCardError);
    expect(contacts.list()).to.deep.equal([]);
    expect(preferences.values.has(contactsKey(me.identityId))).to.equal(false);
  });

  it('renames, clears the nickname, and refuses a name that cannot be one', async () => {
    await contacts.add(annCard);
    await contacts.rename(ann.identityId, '  Annie  ');
    expect(contacts.get(ann.identityId)).to.include({ nickname: 'Annie', displayName: 'Annie' });
    expect(await rejectionOf(contacts.rename(ann.identityId, 'x'.repeat(65)))).to.be.instanceOf(
      InvalidDisplayNameError,
    );
    expect(contacts.get(ann.identityId)?.nickname).to.equal('Annie');
    await contacts.rename(ann.identityId, '');
    expect(contacts.get(ann.identityId)).to.include({ nickname: '', displayName: 'Ann' });
    expect(await rejectionOf(contacts.rename(bob.identityId, 'B'))).to.be.instanceOf(ContactNotFoundError);
  });

  it('takes a newer card of a known contact and keeps the nickname and flags', async () => {
    await contacts.add(annCard);
    await contacts.rename(ann.identityId, 'Annie');
    await contacts.setBlocked(ann.identityId, true);
    const newer = await createCard({ ...ann, displayName: 'Ann B.' }, '#00aa00', undefined, baseMs + 5000);
    await contacts.add(newer);
    const updated = contacts.get(ann.identityId);
    expect(updated?.card.displayName).to.equal('Ann B.');
    expect(updated).to.include({ nickname: 'Annie', blocked: true, addedAtMs: baseMs + 1000 });
    // An older card does not roll it back.
    await contacts.add(annCard);
    expect(contacts.get(ann.identityId)?.card.colour).to.equal('#00aa00');
  });

  it('blocks, unwatches and deletes', async () => {
    await contacts.add(annCard);
    await contacts.add(bobCard);
    await contacts.setBlocked(bob.identityId, true);
    await contacts.setWatched(ann.identityId, false);
    expect(contacts.mayWatch(bob.identityId)).to.equal('blocked');
    expect(contacts.get(ann.identityId)?.watched).to.equal(false);
    await contacts.remove(ann.identityId);
    expect(contacts.list().map((contact) => contact.identityId)).to.deep.equal([bob.identityId]);
    expect(await rejectionOf(contacts.remove(ann.identityId))).to.be.instanceOf(ContactNotFoundError);
  });

  it('persists everything and reads it back', async () => {
    await contacts.add(annCard);
    await contacts.add(bobCard);
    await contacts.rename(bob.identityId, 'Robert');
    await contacts.setBlocked(bob.identityId, true);
    await contacts.setWatched(ann.identityId, false);
    const again = await reloaded();
    expect(
      again
        .list()
        .map(({ identityId, nickname, watched, blocked }) => ({ identityId, nickname, watched, blocked })),
    ).to.deep.equal([
      { identityId: ann.identityId, nickname: '', watched: false, blocked: false },
      { identityId: bob.identityId, nickname: 'Robert', watched: true, blocked: true },
    ]);
    expect(again.get(ann.identityId)?.card.bytes).to.deep.equal(annCard.bytes);
  });

  it('keeps the list as stored when a write fails', async () => {
    await contacts.add(annCard);
    const stored = structuredClone(preferences.values.get(contactsKey(me.identityId)));
    preferences.failWrites = true;
    expect(await rejectionOf(contacts.add(bobCard))).to.be.instanceOf(Error);
    expect(await rejectionOf(contacts.setBlocked(ann.identityId, true))).to.be.instanceOf(Error);
    expect(await rejectionOf(contacts.remove(ann.identityId))).to.be.instanceOf(Error);
    expect(contacts.list().map((contact) => contact.identityId)).to.deep.equal([ann.identityId]);
    expect(contacts.get(ann.identityId)?.blocked).to.equal(false);
    expect(preferences.values.get(contactsKey(me.identityId))).to.deep.equal(stored);
    preferences.failWrites = false;
    await contacts.add(bobCard);
    expect(contacts.list()).to.have.length(2);
  });

  it('serializes concurrent changes so none is lost', async () => {
    await Promise.all([
      contacts.add(annCard),
      contacts.add(bobCard),
      contacts.rename(ann.identityId, 'A'),
      contacts.setBlocked(bob.identityId, true),
    ]);
    const again = await reloaded();
    expect(again.get(ann.identityId)?.nickname).to.equal('A');
    expect(again.get(bob.identityId)?.blocked).to.equal(true);
  });

  it('leaves out stored entries that are damaged or forged', async () => {
    await contacts.add(annCard);
    await contacts.add(bobCard);
    const key = contactsKey(me.identityId);
    const stored = preferences.values.get(key) as { card: Uint8Array }[];
    const forged = new Uint8Array(stored[1]?.card ?? []);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    preferences.values.set(key, [stored[0], { ...stored[1], card: forged }, { card: 'junk' }, 42, null]);
    const again = await reloaded();
    expect(again.list().map((contact) => contact.identityId)).to.deep.equal([ann.identityId]);
  });

  it('exports every card and nickname as a readable JSON file', async () => {
    await contacts.add(annCard);
    await contacts.add(bobCard);
    await contacts.rename(bob.identityId, 'Robert');
    const file = contacts.exportFile();
    expect(file.name).to.equal('mycel-contacts.json');
    const parsed = JSON.parse(fromUtf8(file.bytes)) as {
      format: string;
      version: number;
      contacts: { card: string; nickname: string }[];
    };
    expect(parsed.format).to.equal(contactsFileFormat);
    expect(parsed.version).to.equal(1);
    expect(parsed.contacts.map((contact) => contact.nickname)).to.deep.equal(['', 'Robert']);
    const cards = await Promise.all(parsed.contacts.map((contact) => readCardLink(contact.card)));
    expect(cards.map((card) => card.identityId)).to.deep.equal([ann.identityId, bob.identityId]);
  });
});
