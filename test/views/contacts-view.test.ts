import { expect } from 'chai';
import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { TypedEventTarget } from '../../src/lib/events.ts';
import type { App, SavedFile } from '../../src/app/app.ts';
import type { GroupSummary } from '../../src/app/group-types.ts';
import type { CollabApi, OutgoingInvitationView } from '../../src/app/collab-types.ts';
import { appContext } from '../../src/app/context.ts';
import '../../src/views/contacts-view.ts';
import type { ContactsView } from '../../src/views/contacts-view.ts';
import '../../src/views/app-shell.ts';
import type { AppShell } from '../../src/views/app-shell.ts';
import type { PresenceSelector } from '../../src/views/presence-selector.ts';
import type { InvitationInbox } from '../../src/views/invitation-inbox.ts';
import {
  FakeCollab,
  buttonNamed,
  contact,
  emptyState,
  hasButton,
  identityIdOf,
  myIdentityId,
  regions,
  rootOf,
  settle,
  textOf,
} from './fake-collab.ts';

/** Provides an app to its light-DOM children, as the shell does. */
@customElement('test-contacts-app-provider')
class TestAppProvider extends LitElement {
  @provide({ context: appContext })
  @property({ attribute: false })
  app: App | undefined;

  override render() {
    return html`<slot></slot>`;
  }
}

interface FakeAppState {
  readonly groups: readonly GroupSummary[];
}

/** The part of `App` the Contacts page reads: its groups, and the collaboration API once loaded. */
class FakeApp extends TypedEventTarget<{ changed: FakeAppState }> {
  state: FakeAppState = { groups: [] };
  collab: CollabApi | undefined;

  load(collab: CollabApi): void {
    this.collab = collab;
    this.emit('changed', this.state);
  }
}

function group(name: string, change: Partial<GroupSummary> = {}): GroupSummary {
  return {
    id: `g${name.toLowerCase().padEnd(32, 'a')}`,
    name,
    description: '',
    colour: '#123456',
    role: 'admin',
    memberCount: 2,
    onlineCount: 1,
    unread: 0,
    linked: true,
    left: false,
    removed: false,
    ...change,
  };
}

function outgoing(id: string, change: Partial<OutgoingInvitationView>): OutgoingInvitationView {
  return {
    id,
    groupName: 'Book club',
    toIdentityId: identityIdOf('bob'),
    toName: 'Bob',
    state: 'pending',
    expiresAtMs: 0,
    ...change,
  };
}

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(
  app: FakeApp,
  change: (view: ContactsView) => void = () => undefined,
): Promise<ContactsView> {
  const provider = new TestAppProvider();
  provider.app = app as unknown as App;
  const view = document.createElement('mycel-contacts-view');
  change(view);
  provider.append(view);
  document.body.append(provider);
  mounted.push(provider);
  await view.updateComplete;
  return view;
}

function section(view: ContactsView, heading: string): HTMLElement {
  const title = [...rootOf(view).querySelectorAll('h2')].find((h) => textOf(h) === heading);
  const found = title?.closest('section');
  if (found === null || found === undefined) throw new Error(`no section ${heading}`);
  expect(found.getAttribute('aria-labelledby')).to.equal(title?.id);
  return found;
}

describe('contacts view', () => {
  it('waits for the app to load contacts, then shows every section', async () => {
    const app = new FakeApp();
    const view = await mount(app);
    expect(regions(rootOf(view), 'status')).to.deep.equal([
      'Your contacts open as soon as your profile has started…',
    ]);
    app.load(new FakeCollab());
    await settle(view);
    expect([...rootOf(view).querySelectorAll('h2')].map((h) => textOf(h))).to.deep.equal([
      'Your contact card',
      'Add a contact',
      'Your contacts',
      'Invitations you sent',
      'People nearby',
    ]);
  });

  it('shares the user’s card and shows the secured peer name in monospace', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab();
    app.load(collab);
    const view = await mount(app);
    const card = section(view, 'Your contact card');
    expect(card.querySelector('mycel-link-share')?.link).to.equal(collab.state.me.link);
    const name = card.querySelector('dd');
    expect(textOf(name)).to.equal(`${myIdentityId}.contact`);
    expect(name?.classList.contains('mono')).to.equal(true);
    expect(textOf(card)).to.contain('can see your presence');
  });

  it('follows the app’s state: a new contact appears in the list', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab();
    app.load(collab);
    const view = await mount(app);
    const list = section(view, 'Your contacts').querySelector('mycel-contact-list');
    expect(list?.contacts).to.deep.equal([]);
    collab.update({ contacts: [contact('Zoe')] });
    await settle(view);
    expect(list?.contacts.map((entry) => entry.displayName)).to.deep.equal(['Zoe']);
  });

  it('offers to invite only to groups the user administers and still belongs to', async () => {
    const app = new FakeApp();
    app.state = {
      groups: [
        group('Owned', { role: 'owner' }),
        group('Admin'),
        group('Member', { role: 'member' }),
        group('Left', { left: true }),
        group('Removed', { removed: true }),
      ],
    };
    app.load(new FakeCollab());
    const view = await mount(app);
    const list = section(view, 'Your contacts').querySelector('mycel-contact-list');
    expect(list?.groups.map((entry) => entry.name)).to.deep.equal(['Owned', 'Admin']);
  });

  it('tells each sent invitation’s fate in words, and dismisses only ended ones', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab(
      emptyState({
        outgoing: [
          outgoing('o1', { state: 'pending' }),
          outgoing('o2', { state: 'accepted', groupName: 'Climbing' }),
          outgoing('o3', { state: 'declined', groupName: 'Chess' }),
          outgoing('o4', { state: 'expired', groupName: 'Choir' }),
          outgoing('o5', { state: 'failed', groupName: 'Darts', error: 'Bob is not reachable.' }),
        ],
      }),
    );
    app.load(collab);
    const view = await mount(app);
    const sent = section(view, 'Invitations you sent');
    expect([...sent.querySelectorAll('li .facts')].map((node) => textOf(node))).to.deep.equal([
      'Book club, to Bob: Waiting for an answer…',
      'Climbing, to Bob: Accepted',
      'Chess, to Bob: Declined',
      'Choir, to Bob: Expired',
      'Darts, to Bob: Failed: Bob is not reachable.',
    ]);
    expect(hasButton(sent, 'Dismiss the invitation to Book club for Bob')).to.equal(false);
    buttonNamed(sent, 'Dismiss the invitation to Choir for Bob').click();
    expect(collab.calls).to.deep.equal([['dismissOutgoing', 'o4']]);
  });

  it('exports the contacts as a file to save', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab();
    app.load(collab);
    const saved: SavedFile[] = [];
    const view = await mount(app, (element) => (element.save = (file) => saved.push(file)));
    buttonNamed(rootOf(view), 'Export contacts').click();
    await settle(view);
    expect(collab.calls).to.deep.equal([['exportContacts']]);
    expect(saved.map((file) => [file.name, [...file.bytes]])).to.deep.equal([
      ['mycel-contacts.json', [123, 125]],
    ]);
    expect(regions(section(view, 'Your contacts'), 'status')).to.include('Saved mycel-contacts.json.');
  });

  it('shows a failed export as an alert', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab();
    collab.fail('exportContacts', new Error('Contacts could not be read. Reload the page and try again.'));
    app.load(collab);
    const saved: SavedFile[] = [];
    const view = await mount(app, (element) => (element.save = (file) => saved.push(file)));
    buttonNamed(rootOf(view), 'Export contacts').click();
    await settle(view);
    expect(saved).to.deep.equal([]);
    expect(regions(section(view, 'Your contacts'), 'alert')).to.include(
      'Contacts could not be read. Reload the page and try again.',
    );
  });

  it('checks a card link the app was opened with', async () => {
    const app = new FakeApp();
    const collab = new FakeCollab();
    app.load(collab);
    const link = 'https://mycel.example/#/contact/abc';
    const view = await mount(app, (element) => (element.link = link));
    await settle(view);
    expect(collab.calls).to.deep.equal([['previewCard', link]]);
  });
});

interface ShellState {
  readonly phase: 'ready';
  readonly identity: { readonly id: string; readonly displayName: string };
  readonly connection: { readonly state: 'online' };
  readonly mesh: undefined;
  readonly groups: readonly never[];
  readonly updateAvailable: false;
}

/** The part of `App` the shell reads. */
class FakeShellApp extends TypedEventTarget<{ changed: ShellState }> {
  state: ShellState = {
    phase: 'ready',
    identity: { id: identityIdOf('self'), displayName: 'Ada' },
    connection: { state: 'online' },
    mesh: undefined,
    groups: [],
    updateAvailable: false,
  };
  collab: CollabApi | undefined;
}

const startHash = window.location.hash;

async function shell(app: FakeShellApp): Promise<AppShell> {
  const element = document.createElement('mycel-app');
  element.app = app as unknown as App;
  document.body.append(element);
  mounted.push(element);
  await element.updateComplete;
  return element;
}

async function hashChange(element: AppShell, hash: string): Promise<void> {
  const changed = new Promise((resolve) => window.addEventListener('hashchange', resolve, { once: true }));
  window.location.hash = hash;
  await changed;
  await settle(element);
}

describe('the shell with contacts', () => {
  afterEach(() => {
    window.location.hash = startHash;
  });

  it('puts the presence selector in the header once the app has loaded contacts', async () => {
    const app = new FakeShellApp();
    const element = await shell(app);
    expect(rootOf(element).querySelector<PresenceSelector>('header mycel-presence-selector')).to.equal(null);
    const collab = new FakeCollab(emptyState({ presence: { status: 'busy', text: 'Writing' } }));
    app.collab = collab;
    app.emit('changed', app.state);
    await settle(element);
    await customElements.whenDefined('mycel-presence-selector');
    const selector = rootOf(element).querySelector<PresenceSelector>('header mycel-presence-selector');
    await selector?.updateComplete;
    expect(selector?.presence).to.deep.equal({ status: 'busy', text: 'Writing' });
    collab.update({ presence: { status: 'away', text: '' } });
    await settle(element);
    expect(selector?.presence).to.deep.equal({ status: 'away', text: '' });
  });

  it('shows incoming invitations on any page and opens the group joined', async () => {
    const app = new FakeShellApp();
    const collab = new FakeCollab();
    const groupId = `g${'e'.repeat(32)}`;
    collab.answer('answerInvitation', () => Promise.resolve(groupId));
    app.collab = collab;
    const element = await shell(app);
    await hashChange(element, '#/settings');
    collab.update({
      incoming: [
        {
          id: 'i1',
          groupName: 'Book club',
          fromName: 'Bob',
          fromIdentityId: identityIdOf('bob'),
          fromContact: true,
          expiresAtMs: Date.now() + 60_000,
        },
      ],
    });
    await settle(element);
    // Its code loads once contacts have: the element upgrades then.
    await customElements.whenDefined('mycel-invitation-inbox');
    const inbox = rootOf(element).querySelector<InvitationInbox>('main mycel-invitation-inbox');
    if (inbox === null) throw new Error('no inbox');
    await inbox.updateComplete;
    expect(textOf(rootOf(inbox).querySelector('h3'))).to.equal('Invitation to Book club');
    expect(rootOf(element).querySelector('mycel-settings-view')).to.not.equal(null);
    const opened = new Promise((resolve) => window.addEventListener('hashchange', resolve, { once: true }));
    buttonNamed(rootOf(inbox), 'Accept invitation to Book club').click();
    await opened;
    expect(window.location.hash).to.equal(`#/groups/${groupId}`);
  });

  it('opens Contacts for a contact card link and checks the card', async () => {
    const app = new FakeShellApp();
    const collab = new FakeCollab();
    app.collab = collab;
    const element = await shell(app);
    await hashChange(element, '#/contact/Y2FyZA');
    const view = rootOf(element).querySelector('mycel-contacts-view');
    if (view === null) throw new Error('no contacts view');
    await customElements.whenDefined('mycel-contacts-view');
    await settle(view);
    await settle(view);
    expect(rootOf(element).querySelector('nav a[aria-current="page"]')?.textContent).to.equal('Contacts');
    expect(collab.callsOf('previewCard')).to.deep.equal([[window.location.href]]);
  });
});
