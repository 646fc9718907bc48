import { expect } from 'chai';
import { createRandom } from '../../src/lib/random.ts';
import '../../src/views/contact-list.ts';
import type { ContactList, InvitableGroup } from '../../src/views/contact-list.ts';
import type { ContactView } from '../../src/app/collab-types.ts';
import {
  FakeCollab,
  buttonNamed,
  contact,
  controlLabelled,
  hasButton,
  mount,
  regions,
  rootOf,
  settle,
  textOf,
  unmountAll,
} from './fake-collab.ts';

afterEach(unmountAll);

const groups: InvitableGroup[] = [
  { id: `g${'b'.repeat(32)}`, name: 'Book club' },
  { id: `g${'c'.repeat(32)}`, name: 'Climbing' },
];

async function list(
  collab: FakeCollab,
  contacts: readonly ContactView[],
  invitable: readonly InvitableGroup[] = groups,
): Promise<ContactList> {
  const element = document.createElement('mycel-contact-list');
  element.collab = collab;
  element.contacts = contacts;
  element.groups = invitable;
  return mount(element);
}

function items(element: ContactList): HTMLLIElement[] {
  return [...rootOf(element).querySelectorAll<HTMLLIElement>('ul[aria-label="Contacts"] > li')];
}

function item(element: ContactList, name: string): HTMLLIElement {
  const found = items(element).find((li) => textOf(li.querySelector('.name')) === name);
  if (found === undefined) throw new Error(`no contact named ${name}`);
  return found;
}

describe('mycel-contact-list', () => {
  it('says how to add a contact when there is none', async () => {
    const element = await list(new FakeCollab(), []);
    expect(items(element)).to.deep.equal([]);
    expect(textOf(rootOf(element).querySelector('.empty'))).to.contain('Paste a friend’s contact card link');
  });

  it('shows each presence in words, reachable people first, the dot only as decoration', async () => {
    const contacts = [
      contact('Olga', { presence: { status: 'offline', text: '' } }),
      contact('Bert', { presence: { status: 'brb', text: 'coffee' } }),
      contact('Ann', { presence: { status: 'away', text: '' } }),
      contact('Bea', { presence: { status: 'busy', text: 'Deadline' } }),
      contact('Zed', { presence: { status: 'online', text: '' } }),
      contact('Nia', { presence: { status: 'offline', text: '' }, watched: false }),
    ];
    const element = await list(new FakeCollab(), contacts);
    expect(items(element).map((li) => textOf(li.querySelector('.presence')))).to.deep.equal([
      'Online',
      'Busy – Deadline',
      'Away',
      'Be right back – coffee',
      'Offline (not watched)',
      'Offline',
    ]);
    expect(items(element).map((li) => textOf(li.querySelector('.name')))).to.deep.equal([
      'Zed',
      'Bea',
      'Ann',
      'Bert',
      'Nia',
      'Olga',
    ]);
    for (const li of items(element)) {
      expect(li.querySelector('.dot')?.getAttribute('aria-hidden')).to.equal('true');
      expect(li.querySelector('.avatar')?.getAttribute('aria-hidden')).to.equal('true');
    }
    expect(textOf(item(element, 'Ann').querySelector('.avatar'))).to.equal('A');
  });

  it('shows a nickname with the card’s name, and the block mark in words', async () => {
    const element = await list(new FakeCollab(), [contact('Bobby', { cardName: 'Robert', blocked: true })]);
    const li = item(element, 'Bobby');
    expect(textOf(li.querySelector('.who'))).to.contain('(card: Robert)');
    expect(textOf(li.querySelector('.badge'))).to.equal('Blocked from watching you');
    expect(hasButton(li, 'Let Bobby watch your presence')).to.equal(true);
    expect(hasButton(li, 'Block Bobby from watching your presence')).to.equal(false);
  });

  it('renders hostile names and texts as text (seeded)', async () => {
    const seed = 0x5eed0001;
    const random = createRandom(seed);
    const pieces = ['<img src=x onerror=alert(1)>', '<b>', '&amp;', '"', "'", '</li>', '<script>', 'é', '👋'];
    const names = Array.from(
      { length: 6 },
      (_, i) => Array.from({ length: 1 + random.int(4) }, () => random.pick(pieces)).join('') + String(i),
    );
    const texts = names.map(() => random.pick(pieces) + random.pick(pieces));
    const element = await list(
      new FakeCollab(),
      names.map((name, i) => contact(name, { presence: { status: 'busy', text: texts[i] ?? '' } })),
    );
    const root = rootOf(element);
    expect(root.querySelector('img, b, script'), `seed ${seed}`).to.equal(null);
    const shown = items(element).map((li) => li.querySelector('.name')?.textContent);
    expect([...shown].sort(), `seed ${seed}`).to.deep.equal([...names].sort());
    const shownTexts = items(element).map((li) => li.querySelector('.text')?.textContent);
    expect([...shownTexts].sort(), `seed ${seed}`).to.deep.equal([...texts].sort());
  });

  it('renames through an inline form, and an empty name clears the nickname', async () => {
    const collab = new FakeCollab();
    const bob = contact('Bob', { cardName: 'Robert' });
    const element = await list(collab, [bob]);
    const toggle = buttonNamed(item(element, 'Bob'), 'Rename Bob');
    toggle.click();
    await settle(element);
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    const input = controlLabelled(rootOf(element), 'New name for Bob');
    expect(input.value).to.equal('Bob');
    expect(rootOf(element).activeElement).to.equal(input);
    input.value = '  Bobby  ';
    buttonNamed(rootOf(element), 'Save name').click();
    await settle(element);
    expect(collab.callsOf('renameContact')).to.deep.equal([[bob.identityId, 'Bobby']]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Bob is now called Bobby.']);
    expect(rootOf(element).querySelector('form')).to.equal(null);

    buttonNamed(item(element, 'Bob'), 'Rename Bob').click();
    await settle(element);
    controlLabelled(rootOf(element), 'New name for Bob').value = '';
    buttonNamed(rootOf(element), 'Save name').click();
    await settle(element);
    expect(collab.callsOf('renameContact')[1]).to.deep.equal([bob.identityId, '']);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Bob is now called Robert.']);
  });

  it('cancels a form and gives the focus back to its button', async () => {
    const collab = new FakeCollab();
    const element = await list(collab, [contact('Bob')]);
    buttonNamed(item(element, 'Bob'), 'Rename Bob').click();
    await settle(element);
    buttonNamed(rootOf(element), 'Cancel').click();
    await settle(element);
    expect(rootOf(element).querySelector('form')).to.equal(null);
    expect(rootOf(element).activeElement).to.equal(buttonNamed(item(element, 'Bob'), 'Rename Bob'));
    expect(collab.calls).to.deep.equal([]);
  });

  it('invites to the group picked among the user’s groups', async () => {
    const collab = new FakeCollab();
    const carol = contact('Carol');
    const element = await list(collab, [carol]);
    buttonNamed(item(element, 'Carol'), 'Invite Carol to a group').click();
    await settle(element);
    const select = controlLabelled(rootOf(element), 'Group to invite Carol to');
    expect([...(select as HTMLSelectElement).options].map((option) => option.text)).to.deep.equal([
      'Book club',
      'Climbing',
    ]);
    select.value = groups[1]?.id ?? '';
    buttonNamed(rootOf(element), 'Send invitation').click();
    await settle(element);
    expect(collab.callsOf('inviteToGroup')).to.deep.equal([[carol.identityId, groups[1]?.id]]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Invitation to Climbing sent to Carol.']);
  });

  it('says why there is no group to invite to', async () => {
    const element = await list(new FakeCollab(), [contact('Carol')], []);
    buttonNamed(item(element, 'Carol'), 'Invite Carol to a group').click();
    await settle(element);
    expect(textOf(rootOf(element).querySelector('form'))).to.contain('you are admin of no group yet');
    expect(hasButton(rootOf(element), 'Send invitation')).to.equal(false);
  });

  it('turns watching and blocking on and off', async () => {
    const collab = new FakeCollab();
    const dan = contact('Dan');
    const eve = contact('Eve', { watched: false, blocked: true });
    const element = await list(collab, [dan, eve]);
    buttonNamed(item(element, 'Dan'), 'Stop watching Dan’s presence').click();
    await settle(element);
    buttonNamed(item(element, 'Dan'), 'Block Dan from watching your presence').click();
    await settle(element);
    buttonNamed(item(element, 'Eve'), 'Watch Eve’s presence').click();
    await settle(element);
    buttonNamed(item(element, 'Eve'), 'Let Eve watch your presence').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([
      ['setWatched', dan.identityId, false],
      ['setBlocked', dan.identityId, true],
      ['setWatched', eve.identityId, true],
      ['setBlocked', eve.identityId, false],
    ]);
  });

  it('deletes only after the confirmation', async () => {
    const collab = new FakeCollab();
    const fay = contact('Fay');
    const element = await list(collab, [fay]);
    buttonNamed(item(element, 'Fay'), 'Delete Fay').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
    expect(textOf(rootOf(element).querySelector('form'))).to.contain('Delete Fay from your contacts?');
    buttonNamed(rootOf(element), 'Yes, delete Fay').click();
    await settle(element);
    expect(collab.callsOf('deleteContact')).to.deep.equal([[fay.identityId]]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Fay is no longer a contact.']);
  });

  it('shows the app’s error as an alert and keeps the form open', async () => {
    const collab = new FakeCollab();
    collab.fail('inviteToGroup', new Error('Gus is not reachable now. Try again when they are online.'));
    const element = await list(collab, [contact('Gus')]);
    buttonNamed(item(element, 'Gus'), 'Invite Gus to a group').click();
    await settle(element);
    buttonNamed(rootOf(element), 'Send invitation').click();
    await settle(element);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([
      'Gus is not reachable now. Try again when they are online.',
    ]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['']);
    expect(hasButton(rootOf(element), 'Send invitation')).to.equal(true);
  });
});
