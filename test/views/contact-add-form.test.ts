import { expect } from 'chai';
import { MycelError, messageOf } from '../../src/lib/errors.ts';
import '../../src/views/contact-add-form.ts';
import type { ContactAddForm, ContactAddedDetail } from '../../src/views/contact-add-form.ts';
import type { CardPreview } from '../../src/app/collab-types.ts';
import {
  FakeCollab,
  buttonNamed,
  contact,
  controlLabelled,
  hasButton,
  identityIdOf,
  mount,
  regions,
  rootOf,
  settle,
  textOf,
  type,
  unmountAll,
} from './fake-collab.ts';

afterEach(unmountAll);

const link = 'https://mycel.example/#/contact/Y2FyZC1vZi1ib2I';

function preview(change: Partial<CardPreview> = {}): CardPreview {
  return {
    identityId: identityIdOf('bobq'),
    displayName: 'Bob',
    colour: '#228833',
    known: false,
    own: false,
    ...change,
  };
}

async function form(collab: FakeCollab, initialLink = ''): Promise<ContactAddForm> {
  const element = document.createElement('mycel-contact-add-form');
  element.collab = collab;
  element.link = initialLink;
  return mount(element);
}

function cardInput(element: ContactAddForm): HTMLInputElement {
  const control = controlLabelled(rootOf(element), 'Contact card link');
  if (!(control instanceof HTMLInputElement)) throw new Error('not an input');
  return control;
}

async function check(element: ContactAddForm, text: string): Promise<void> {
  type(cardInput(element), text);
  buttonNamed(rootOf(element), 'Check card').click();
  await settle(element);
}

describe('mycel-contact-add-form', () => {
  it('checks the pasted link, shows the card, and adds it on a second press', async () => {
    const collab = new FakeCollab();
    collab.answer('previewCard', () => Promise.resolve(preview()));
    collab.answer('addContact', () => Promise.resolve(contact('Bob')));
    const element = await form(collab);
    const added: ContactAddedDetail[] = [];
    element.addEventListener('contact-added', (event) =>
      added.push((event as CustomEvent<ContactAddedDetail>).detail),
    );
    await check(element, `  ${link}\n`);
    expect(collab.calls).to.deep.equal([['previewCard', link]]);
    const card = rootOf(element).querySelector('section.preview');
    expect(card?.getAttribute('aria-label')).to.equal('Card of Bob');
    expect(textOf(card)).to.contain('Bob');
    expect(textOf(card)).to.contain('bobq-aaaa');
    buttonNamed(rootOf(element), 'Add contact').click();
    await settle(element);
    expect(collab.callsOf('addContact')).to.deep.equal([[link]]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Bob is now in your contacts.']);
    expect(cardInput(element).value).to.equal('');
    expect(rootOf(element).querySelector('section.preview')).to.equal(null);
    expect(added.map((detail) => detail.displayName)).to.deep.equal(['Bob']);
  });

  it('says when the card is already a contact, and offers to update it', async () => {
    const collab = new FakeCollab();
    collab.answer('previewCard', () => Promise.resolve(preview({ known: true })));
    const element = await form(collab);
    await check(element, link);
    expect(textOf(rootOf(element).querySelector('section.preview'))).to.contain('Already in your contacts');
    expect(hasButton(rootOf(element), 'Update contact')).to.equal(true);
    expect(hasButton(rootOf(element), 'Add contact')).to.equal(false);
  });

  it('does not offer to add the user’s own card', async () => {
    const collab = new FakeCollab();
    collab.answer('previewCard', () => Promise.resolve(preview({ own: true })));
    const element = await form(collab);
    await check(element, link);
    expect(textOf(rootOf(element).querySelector('section.preview'))).to.contain('This is your own card');
    expect(hasButton(rootOf(element), 'Add contact')).to.equal(false);
    expect(hasButton(rootOf(element), 'Update contact')).to.equal(false);
  });

  it('shows why a link is bad, in the app’s words, as an alert', async () => {
    const collab = new FakeCollab();
    const failure = new MycelError('This contact card was changed after it was signed.', {
      hint: 'Ask your friend for their link again.',
    });
    collab.fail('previewCard', failure);
    const element = await form(collab);
    await check(element, 'https://mycel.example/#/contact/tampered');
    expect(regions(rootOf(element), 'alert')).to.deep.equal([messageOf(failure)]);
    expect(rootOf(element).querySelector('section.preview')).to.equal(null);
    expect(cardInput(element).getAttribute('aria-describedby')).to.contain('add-error');
  });

  it('asks for a link instead of checking nothing', async () => {
    const collab = new FakeCollab();
    const element = await form(collab);
    await check(element, '   ');
    expect(collab.calls).to.deep.equal([]);
    expect(regions(rootOf(element), 'alert')).to.deep.equal(['Paste a contact card link first.']);
  });

  it('forgets the card shown once the link is edited', async () => {
    const collab = new FakeCollab();
    const element = await form(collab);
    await check(element, link);
    expect(rootOf(element).querySelector('section.preview')).to.not.equal(null);
    type(cardInput(element), `${link}x`);
    await settle(element);
    expect(rootOf(element).querySelector('section.preview')).to.equal(null);
  });

  it('checks a link it was opened with at once', async () => {
    const collab = new FakeCollab();
    collab.answer('previewCard', () => Promise.resolve(preview({ displayName: 'Opened' })));
    const element = await form(collab, link);
    await settle(element);
    expect(collab.calls).to.deep.equal([['previewCard', link]]);
    expect(cardInput(element).value).to.equal(link);
    expect(textOf(rootOf(element).querySelector('section.preview .name'))).to.equal('Opened');
  });

  it('renders a hostile name on a card as text', async () => {
    const collab = new FakeCollab();
    const hostile = '<img src=x onerror="document.title=1">Mallory';
    collab.answer('previewCard', () => Promise.resolve(preview({ displayName: hostile })));
    const element = await form(collab);
    await check(element, link);
    expect(rootOf(element).querySelector('img')).to.equal(null);
    expect(rootOf(element).querySelector('section.preview .name')?.textContent).to.equal(hostile);
  });

  it('shows an error from adding as an alert and keeps the card', async () => {
    const collab = new FakeCollab();
    collab.fail('addContact', new Error('Contacts could not be saved: the storage is full.'));
    const element = await form(collab);
    await check(element, link);
    buttonNamed(rootOf(element), 'Add contact').click();
    await settle(element);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([
      'Contacts could not be saved: the storage is full.',
    ]);
    expect(hasButton(rootOf(element), 'Add contact')).to.equal(true);
  });
});
