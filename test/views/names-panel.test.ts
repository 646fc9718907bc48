import { expect } from 'chai';
import { MycelError, messageOf } from '../../src/lib/errors.ts';
import '../../src/views/names-panel.ts';
import type { NamesPanel } from '../../src/views/names-panel.ts';
import type { NameResultView, OwnNameView } from '../../src/app/collab-types.ts';
import {
  FakeCollab,
  buttonNamed,
  controlLabelled,
  deferred,
  identityIdOf,
  mount,
  regions,
  rootOf,
  settle,
  textOf,
  unmountAll,
} from './fake-collab.ts';

afterEach(unmountAll);

const nowMs = Date.UTC(2025, 4, 1, 9);
const minuteMs = 60_000;

function own(name: string, change: Partial<OwnNameView> = {}): OwnNameView {
  return {
    name,
    cloud: 'global',
    secured: true,
    payloadText: '',
    expiresAtMs: nowMs + 8 * minuteMs,
    published: true,
    ...change,
  };
}

const peerName = `${identityIdOf('self')}.contact`;

async function panel(
  collab: FakeCollab,
  names: readonly OwnNameView[] = [],
  online = true,
): Promise<NamesPanel> {
  const element = document.createElement('mycel-names-panel');
  element.collab = collab;
  element.peerName = peerName;
  element.names = names;
  element.online = online;
  element.clock = () => nowMs;
  return mount(element);
}

function input(element: NamesPanel, label: string): HTMLInputElement {
  const control = controlLabelled(rootOf(element), label);
  if (!(control instanceof HTMLInputElement)) throw new Error(`${label} is not an input`);
  return control;
}

function sectionNamed(element: NamesPanel, heading: string): HTMLElement {
  const title = [...rootOf(element).querySelectorAll('h3')].find((h) => textOf(h) === heading);
  const section = title?.closest('section');
  if (section === null || section === undefined) throw new Error(`no section ${heading}`);
  return section;
}

function tableRows(element: NamesPanel): string[][] {
  return [...rootOf(element).querySelectorAll<HTMLTableRowElement>('tbody tr')].map((row) =>
    [...row.cells].map((cell) => textOf(cell)),
  );
}

async function resolve(element: NamesPanel, name: string): Promise<void> {
  input(element, 'Name to resolve').value = name;
  buttonNamed(rootOf(element), 'Resolve').click();
  await settle(element);
}

describe('mycel-names-panel', () => {
  it('registers a secured name with a text by default', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab);
    const secured = input(element, 'Secured (signed with your identity)');
    expect(secured.type).to.equal('checkbox');
    expect(secured.checked).to.equal(true);
    expect(input(element, 'Text to publish').maxLength).to.equal(200);
    input(element, 'Name').value = '  chess  ';
    input(element, 'Text to publish').value = 'Plays on Sundays';
    buttonNamed(rootOf(element), 'Register').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([
      ['registerName', 'chess', { secured: true, payloadText: 'Plays on Sundays', cloud: 'global' }],
    ]);
    expect(regions(sectionNamed(element, 'Register a name'), 'status')).to.deep.equal([
      'Registered chess (secured).',
    ]);
    expect(input(element, 'Name').value).to.equal('');
  });

  it('registers an unsecured name when the box is cleared', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab);
    input(element, 'Name').value = 'lobby';
    input(element, 'Secured (signed with your identity)').checked = false;
    buttonNamed(rootOf(element), 'Register').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([
      ['registerName', 'lobby', { secured: false, payloadText: '', cloud: 'global' }],
    ]);
  });

  it('registers in the local cloud when it is chosen', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab);
    input(element, 'Name').value = 'board';
    const cloud = sectionNamed(element, 'Register a name').querySelector('select');
    if (cloud === null) throw new Error('no cloud picker');
    cloud.value = 'local';
    buttonNamed(rootOf(element), 'Register').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([
      ['registerName', 'board', { secured: true, payloadText: '', cloud: 'local' }],
    ]);
  });

  it('asks for a name instead of registering nothing, and shows the app’s refusal', async () => {
    const collab = new FakeCollab();
    const failure = new MycelError('A name has no spaces.', { hint: 'Try “chess-club”.' });
    collab.fail('registerName', failure);
    const element = await panel(collab);
    buttonNamed(rootOf(element), 'Register').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
    expect(regions(sectionNamed(element, 'Register a name'), 'alert')).to.deep.equal([
      'Type the name to register first.',
    ]);
    input(element, 'Name').value = 'chess club';
    buttonNamed(rootOf(element), 'Register').click();
    await settle(element);
    expect(regions(sectionNamed(element, 'Register a name'), 'alert')).to.deep.equal([messageOf(failure)]);
    expect(input(element, 'Name').value).to.equal('chess club');
  });

  it('lists the user’s names with their state, and unregisters one', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab, [
      own(peerName),
      own('0.lobby', { secured: false, cloud: 'local', published: false, payloadText: 'Hi <b>all</b>' }),
      own('0.broken', { secured: false, error: 'no node answered', expiresAtMs: nowMs - 1 }),
    ]);
    const items = [...rootOf(element).querySelectorAll('ul[aria-labelledby="own-heading"] > li')];
    expect(items.map((li) => textOf(li.querySelector('.facts .help')))).to.deep.equal([
      'Secured · Published · expires in 8 min',
      'Unsecured, this browser only · Not published yet · expires in 8 min',
      'Unsecured · Not published: no node answered · expired',
    ]);
    expect(items[1]?.querySelector('.payload')?.textContent).to.equal('Hi <b>all</b>');
    // The name contacts find this user by stays: the app keeps it registered.
    expect(items[0]?.querySelector('button')).to.equal(null);
    expect(textOf(items[0])).to.contain('Your contacts find you by this name.');
    buttonNamed(rootOf(element), 'Unregister 0.lobby').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['unregisterName', '0.lobby']]);
    expect(regions(sectionNamed(element, 'Register a name'), 'status')).to.deep.equal([
      'Unregistered 0.lobby.',
    ]);
  });

  it('resolves a name and shows every registration found, with hops, time and source', async () => {
    const collab = new FakeCollab();
    const result: NameResultView = {
      name: '0.lobby',
      records: [
        {
          identityId: identityIdOf('ann'),
          secured: false,
          endpoints: ['mnodeone', 'mnodetwo'],
          payloadText: '<script>alert(1)</script>',
          expiresAtMs: nowMs + 5 * minuteMs,
        },
        {
          identityId: identityIdOf('bob'),
          secured: false,
          endpoints: [],
          payloadText: '',
          expiresAtMs: nowMs + 90_000,
        },
      ],
      hops: 3,
      fromCache: false,
      elapsedMs: 41.6,
    };
    collab.answer('resolveName', () => Promise.resolve(result));
    const element = await panel(collab);
    await resolve(element, ' 0.lobby ');
    expect(collab.calls).to.deep.equal([['resolveName', '0.lobby', 'global']]);
    expect(tableRows(element)).to.deep.equal([
      ['anna-aaaa', 'No', 'mnodeone, mnodetwo', '<script>alert(1)</script>', '5 min'],
      ['boba-aaaa', 'No', 'None', '', '1 min 30 s'],
    ]);
    expect(rootOf(element).querySelector('tbody script')).to.equal(null);
    expect(regions(sectionNamed(element, 'Resolve a name'), 'status')).to.deep.equal([
      '2 registrations of 0.lobby: 3 hops, 42 ms, from the network.',
    ]);
  });

  it('says when nobody holds a name, and when the answer came from the cache', async () => {
    const collab = new FakeCollab();
    collab.answer('resolveName', (name) =>
      Promise.resolve({ name, records: [], hops: 1, fromCache: true, elapsedMs: 0.2 }),
    );
    const element = await panel(collab);
    await resolve(element, '0.nobody');
    expect(tableRows(element)).to.deep.equal([]);
    expect(regions(sectionNamed(element, 'Resolve a name'), 'status')).to.deep.equal([
      'Nobody holds 0.nobody now: 1 hop, 0 ms, from cache.',
    ]);
  });

  it('shows a failed resolve as an alert and is busy while it runs', async () => {
    const collab = new FakeCollab();
    const answer = deferred<NameResultView>();
    collab.answer('resolveName', () => answer.promise);
    const element = await panel(collab);
    await resolve(element, 'bad name');
    expect(
      rootOf(element).querySelector<HTMLFieldSetElement>('section:last-of-type fieldset')?.disabled,
    ).to.equal(true);
    answer.resolve({ name: 'x', records: [], hops: 0, fromCache: false, elapsedMs: 0 });
    await settle(element);
    collab.fail('resolveName', new Error('“bad name” is not a name: it needs authority.classifier.'));
    await resolve(element, 'bad name');
    expect(regions(sectionNamed(element, 'Resolve a name'), 'alert')).to.deep.equal([
      '“bad name” is not a name: it needs authority.classifier.',
    ]);
    expect(regions(sectionNamed(element, 'Resolve a name'), 'status')).to.deep.equal(['']);
  });

  it('is disabled with an explanation while the node is offline', async () => {
    const collab = new FakeCollab();
    const element = await panel(collab, [], false);
    expect(textOf(rootOf(element).querySelector('.offline'))).to.contain('not in the mesh yet');
    const fieldsets = [...rootOf(element).querySelectorAll('fieldset')];
    expect(fieldsets.map((fieldset) => fieldset.disabled)).to.deep.equal([true, true]);
    expect(buttonNamed(rootOf(element), 'Register').matches(':disabled')).to.equal(true);
    expect(buttonNamed(rootOf(element), 'Resolve').matches(':disabled')).to.equal(true);
    element.online = true;
    await element.updateComplete;
    expect(rootOf(element).querySelector('.offline')).to.equal(null);
    expect(buttonNamed(rootOf(element), 'Resolve').matches(':disabled')).to.equal(false);
  });
});
