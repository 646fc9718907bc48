import { expect } from 'chai';
import '../../src/views/nearby-panel.ts';
import type { NearbyPanel } from '../../src/views/nearby-panel.ts';
import type { NearbyPersonView, ReceivedCardView } from '../../src/app/collab-types.ts';
import {
  FakeCollab,
  buttonNamed,
  hasButton,
  identityIdOf,
  mount,
  regions,
  rootOf,
  settle,
  textOf,
  unmountAll,
} from './fake-collab.ts';

afterEach(unmountAll);

function person(name: string, isContact = false): NearbyPersonView {
  return { identityId: identityIdOf(name.toLowerCase()), displayName: name, colour: '#884422', isContact };
}

function card(name: string): ReceivedCardView {
  return {
    identityId: identityIdOf(name.toLowerCase()),
    displayName: name,
    colour: '#224488',
    link: `https://mycel.example/#/contact/${name}`,
  };
}

async function panel(
  collab: FakeCollab,
  signedIn: boolean,
  people: readonly NearbyPersonView[] = [],
  receivedCards: readonly ReceivedCardView[] = [],
): Promise<NearbyPanel> {
  const element = document.createElement('mycel-nearby-panel');
  element.collab = collab;
  element.nearby = { signedIn, people };
  element.receivedCards = receivedCards;
  return mount(element);
}

function listNamed(element: NearbyPanel, heading: string): HTMLLIElement[] {
  const title = [...rootOf(element).querySelectorAll('h3')].find((h) => textOf(h) === heading);
  const list =
    title === undefined ? null : rootOf(element).querySelector(`ul[aria-labelledby="${title.id}"]`);
  if (list === null) throw new Error(`no list under ${heading}`);
  return [...list.querySelectorAll('li')];
}

describe('mycel-nearby-panel', () => {
  it('is off until the user signs in, and says what signing in shows to whom', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab, false);
    expect(textOf(rootOf(element).querySelector('.help'))).to.contain('off until you sign in');
    expect(textOf(rootOf(element).querySelector('.help'))).to.contain('same broker sees your display name');
    expect(rootOf(element).querySelector('h3')).to.equal(null);
    buttonNamed(rootOf(element), 'Sign in to people nearby').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['signInNearby']]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['You are signed in to people nearby.']);
  });

  it('lists the people signed in, marks contacts, and sends them the user’s card', async () => {
    const collab = new FakeCollab();
    const ann = person('Ann');
    const element = await panel(collab, true, [ann, person('Bo', true)]);
    const [first, second] = listNamed(element, 'Signed in now');
    expect(textOf(first)).to.contain('Ann');
    expect(first?.querySelector('.badge')).to.equal(null);
    expect(textOf(second?.querySelector('.badge'))).to.equal('Already a contact');
    buttonNamed(rootOf(element), 'Send my card to Ann').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['sendCardTo', ann.identityId]]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Your card is on its way to Ann.']);
  });

  it('says so when nobody else is signed in, and signs out', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab, true, []);
    expect(textOf(rootOf(element))).to.contain('Nobody else is signed in right now.');
    expect(hasButton(rootOf(element), 'Sign in to people nearby')).to.equal(false);
    buttonNamed(rootOf(element), 'Sign out').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['signOutNearby']]);
  });

  it('adds a received card as a contact and drops it from the list', async () => {
    const collab = new FakeCollab();
    const cy = card('Cy');
    const element = await panel(collab, false, [], [cy, card('Di')]);
    expect(
      listNamed(element, 'Cards sent to you').map((li) => textOf(li.querySelector('.name'))),
    ).to.deep.equal(['Cy', 'Di']);
    buttonNamed(rootOf(element), 'Add Cy as a contact').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([
      ['addContact', cy.link],
      ['dismissCard', cy.identityId],
    ]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['Cy is now in your contacts.']);
  });

  it('dismisses a received card', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab, true, [], [card('Di')]);
    buttonNamed(rootOf(element), 'Dismiss the card of Di').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['dismissCard', card('Di').identityId]]);
  });

  it('shows a failure as an alert', async () => {
    const collab = new FakeCollab();
    collab.fail(
      'signInNearby',
      new Error('Not connected to the broker. Check the connection and try again.'),
    );
    const element = await panel(collab, false);
    buttonNamed(rootOf(element), 'Sign in to people nearby').click();
    await settle(element);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([
      'Not connected to the broker. Check the connection and try again.',
    ]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['']);
  });

  it('renders hostile display names as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>&lt;Eve';
    const element = await panel(new FakeCollab(), true, [person(hostile)], [card(hostile)]);
    expect(rootOf(element).querySelector('img')).to.equal(null);
    const names = [...rootOf(element).querySelectorAll('.name')].map((node) => node.textContent);
    expect(names).to.deep.equal([hostile, hostile]);
  });
});
