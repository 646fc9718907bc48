import { expect } from 'chai';
import { MycelError, messageOf } from '../../src/lib/errors.ts';
import '../../src/views/presence-selector.ts';
import type { PresenceSelector } from '../../src/views/presence-selector.ts';
import type { PresenceView } from '../../src/app/collab-types.ts';
import { presenceLabel } from '../../src/components/presence-format.ts';
import {
  FakeCollab,
  controlLabelled,
  deferred,
  mount,
  regions,
  rootOf,
  settle,
  textOf,
  type,
  unmountAll,
} from './fake-collab.ts';

afterEach(unmountAll);

async function selector(collab: FakeCollab, presence: PresenceView): Promise<PresenceSelector> {
  const element = document.createElement('mycel-presence-selector');
  element.collab = collab;
  element.presence = presence;
  return mount(element);
}

function statusSelect(element: PresenceSelector): HTMLSelectElement {
  const control = controlLabelled(rootOf(element), 'Your status');
  if (!(control instanceof HTMLSelectElement)) throw new Error('Your status is not a select');
  return control;
}

function textInput(element: PresenceSelector): HTMLInputElement {
  const control = controlLabelled(rootOf(element), 'Status text');
  if (!(control instanceof HTMLInputElement)) throw new Error('Status text is not an input');
  return control;
}

function pick(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

function pressEnter(input: HTMLInputElement): void {
  input.form?.requestSubmit();
}

describe('mycel-presence-selector', () => {
  it('offers the five statuses in words, with the current one selected', async () => {
    const element = await selector(new FakeCollab(), { status: 'brb', text: 'Lunch' });
    const select = statusSelect(element);
    expect([...select.options].map((option) => [option.value, option.text])).to.deep.equal([
      ['online', 'Online'],
      ['away', 'Away'],
      ['busy', 'Busy'],
      ['brb', 'Be right back'],
      ['offline', 'Offline'],
    ]);
    expect(select.value).to.equal('brb');
    expect(textInput(element).value).to.equal('Lunch');
    expect(textInput(element).maxLength).to.equal(255);
  });

  it('follows the app when the status changes elsewhere (auto-away), even after a pick', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'online', text: '' });
    pick(statusSelect(element), 'busy');
    await settle(element);
    element.presence = { status: 'busy', text: '' };
    await settle(element);
    element.presence = { status: 'away', text: 'Idle' };
    await settle(element);
    expect(statusSelect(element).value).to.equal('away');
    expect(textInput(element).value).to.equal('Idle');
  });

  it('saves a new status at once, with the current text', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'online', text: 'In the lab' });
    pick(statusSelect(element), 'busy');
    await settle(element);
    expect(collab.callsOf('setPresence')).to.deep.equal([['busy', 'In the lab']]);
  });

  it('saves the text on Enter, and not again on the blur that follows', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'away', text: '' });
    const input = textInput(element);
    input.focus();
    type(input, 'Back at 3');
    await settle(element);
    expect(textOf(rootOf(element).querySelector('#count'))).to.equal('9/255');
    pressEnter(input);
    input.blur();
    await settle(element);
    expect(collab.callsOf('setPresence')).to.deep.equal([['away', 'Back at 3']]);
  });

  it('saves the text when the field loses focus, and not when nothing changed', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'online', text: 'Same' });
    const input = textInput(element);
    input.focus();
    input.blur();
    input.focus();
    type(input, 'Same');
    input.blur();
    await settle(element);
    expect(collab.callsOf('setPresence')).to.deep.equal([]);
    input.focus();
    type(input, 'Different');
    input.blur();
    await settle(element);
    expect(collab.callsOf('setPresence')).to.deep.equal([['online', 'Different']]);
  });

  it('puts the saved text back on Escape', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'online', text: 'Saved' });
    const input = textInput(element);
    type(input, 'Half typed');
    await settle(element);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle(element);
    expect(input.value).to.equal('Saved');
    input.blur();
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
  });

  it('refuses a text over 255 characters with an alert, without calling the app', async () => {
    const collab = new FakeCollab();
    const element = await selector(collab, { status: 'online', text: '' });
    const input = textInput(element);
    // maxlength stops typing, not a script; the check must hold on its own.
    type(input, 'x'.repeat(256));
    pressEnter(input);
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([
      'A status text has at most 255 characters; this one has 256.',
    ]);
  });

  it('shows the app’s error as an alert and keeps the text being typed', async () => {
    const collab = new FakeCollab();
    const failure = new MycelError('Your status could not be saved.', { hint: 'Try again.' });
    collab.fail('setPresence', failure);
    const element = await selector(collab, { status: 'online', text: '' });
    const input = textInput(element);
    type(input, 'Hello');
    pressEnter(input);
    await settle(element);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([messageOf(failure)]);
    expect(input.value).to.equal('Hello');
  });

  it('shows the status being saved until the app answers, then the app’s own', async () => {
    const collab = new FakeCollab();
    const answer = deferred<undefined>();
    collab.answer('setPresence', () => answer.promise);
    const element = await selector(collab, { status: 'online', text: '' });
    pick(statusSelect(element), 'offline');
    await settle(element);
    expect(statusSelect(element).value).to.equal('offline');
    expect(rootOf(element).querySelector('.dot')?.classList.contains('offline')).to.equal(true);
    answer.resolve(undefined);
    await settle(element);
    // The fake app's state did not follow, so the selector shows what the app says.
    expect(statusSelect(element).value).to.equal('online');
    expect(presenceLabel('brb')).to.equal('Be right back');
  });
});
