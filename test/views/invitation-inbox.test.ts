import { expect } from 'chai';
import '../../src/views/invitation-inbox.ts';
import type { InvitationInbox, JoinedGroupDetail } from '../../src/views/invitation-inbox.ts';
import type { IncomingInvitationView } from '../../src/app/collab-types.ts';
import {
  FakeCollab,
  buttonNamed,
  deferred,
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

const nowMs = Date.UTC(2025, 4, 1, 9);
const groupId = `g${'d'.repeat(32)}`;

function invitation(id: string, change: Partial<IncomingInvitationView> = {}): IncomingInvitationView {
  return {
    id,
    groupName: 'Book club',
    fromName: 'Alice',
    fromIdentityId: identityIdOf('alic'),
    fromContact: true,
    expiresAtMs: nowMs + 4 * 60_000 + 30_000,
    ...change,
  };
}

async function inbox(
  collab: FakeCollab,
  incoming: readonly IncomingInvitationView[],
): Promise<InvitationInbox> {
  const element = document.createElement('mycel-invitation-inbox');
  element.collab = collab;
  element.incoming = incoming;
  element.clock = () => nowMs;
  return mount(element);
}

function region(element: InvitationInbox, heading: string): HTMLElement {
  const found = [...rootOf(element).querySelectorAll<HTMLElement>('section[aria-labelledby]')].find(
    (section) =>
      textOf(rootOf(element).getElementById(section.getAttribute('aria-labelledby') ?? '')) === heading,
  );
  if (found === undefined) throw new Error(`no region named ${heading}`);
  return found;
}

function joinedGroups(element: InvitationInbox): string[] {
  const ids: string[] = [];
  element.addEventListener('joined-group', (event) =>
    ids.push((event as CustomEvent<JoinedGroupDetail>).detail.groupId),
  );
  return ids;
}

describe('mycel-invitation-inbox', () => {
  it('shows nothing but its live regions while there is no invitation', async () => {
    const element = await inbox(new FakeCollab(), []);
    expect(rootOf(element).querySelector('section')).to.equal(null);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['']);
    expect(regions(rootOf(element), 'alert')).to.deep.equal(['']);
  });

  it('shows each invitation as a region, with its sender and the time left', async () => {
    const element = await inbox(new FakeCollab(), [
      invitation('i1'),
      invitation('i2', { groupName: 'Climbing', fromName: 'Ben', expiresAtMs: nowMs + 40_000 }),
    ]);
    expect(textOf(rootOf(element).querySelector('h2'))).to.equal('2 invitations for you');
    const book = region(element, 'Invitation to Book club');
    expect(textOf(book)).to.contain('From Alice alic-aaaa');
    expect(textOf(book)).to.contain('Expires in 4 min 30 s');
    expect(textOf(book)).to.not.contain('not in your contacts');
    expect(textOf(region(element, 'Invitation to Climbing'))).to.contain('Expires in 40 s');
  });

  it('counts down as the clock moves, and an expired one cannot be accepted', async () => {
    let clockMs = nowMs;
    const element = await inbox(new FakeCollab(), [invitation('i1')]);
    element.clock = () => clockMs;
    clockMs = nowMs + 4 * 60_000;
    element.requestUpdate();
    await element.updateComplete;
    expect(textOf(region(element, 'Invitation to Book club'))).to.contain('Expires in 30 s');
    clockMs = nowMs + 5 * 60_000;
    element.requestUpdate();
    await element.updateComplete;
    expect(textOf(region(element, 'Invitation to Book club'))).to.contain('Expired');
    expect(buttonNamed(rootOf(element), 'Accept invitation to Book club').disabled).to.equal(true);
    expect(buttonNamed(rootOf(element), 'Decline invitation to Book club').disabled).to.equal(false);
  });

  it('accepts an invitation from a contact at once, then opens the group', async () => {
    const collab = new FakeCollab();
    collab.answer('answerInvitation', () => Promise.resolve(groupId));
    const element = await inbox(collab, [invitation('i1')]);
    const joined = joinedGroups(element);
    buttonNamed(rootOf(element), 'Accept invitation to Book club').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['answerInvitation', 'i1', true]]);
    expect(joined).to.deep.equal([groupId]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['You joined Book club.']);
  });

  it('declines, and says so', async () => {
    const collab = new FakeCollab();
    const element = await inbox(collab, [invitation('i1')]);
    const joined = joinedGroups(element);
    buttonNamed(rootOf(element), 'Decline invitation to Book club').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['answerInvitation', 'i1', false]]);
    expect(joined).to.deep.equal([]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['You declined the invitation to Book club.']);
  });

  it('warns about a sender who is not a contact and asks once more before joining', async () => {
    const collab = new FakeCollab();
    const element = await inbox(collab, [invitation('i1', { fromName: 'Mallory', fromContact: false })]);
    const joined = joinedGroups(element);
    const section = region(element, 'Invitation to Book club');
    expect(textOf(section.querySelector('.warning'))).to.equal(
      'Mallory is not in your contacts. Join only if you know who sent this.',
    );
    buttonNamed(section, 'Accept invitation to Book club').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
    expect(rootOf(element).activeElement).to.equal(buttonNamed(rootOf(element), 'Join anyway'));
    buttonNamed(rootOf(element), 'Cancel').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([]);
    expect(hasButton(rootOf(element), 'Join anyway')).to.equal(false);

    buttonNamed(rootOf(element), 'Accept invitation to Book club').click();
    await settle(element);
    buttonNamed(rootOf(element), 'Join anyway').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['answerInvitation', 'i1', true]]);
    expect(joined).to.have.length(1);
  });

  it('answers one invitation at a time', async () => {
    const collab = new FakeCollab();
    const answer = deferred<string | undefined>();
    collab.answer('answerInvitation', () => answer.promise);
    const element = await inbox(collab, [invitation('i1'), invitation('i2', { groupName: 'Climbing' })]);
    buttonNamed(rootOf(element), 'Accept invitation to Book club').click();
    await settle(element);
    expect(buttonNamed(rootOf(element), 'Accept invitation to Climbing').disabled).to.equal(true);
    buttonNamed(rootOf(element), 'Decline invitation to Climbing').click();
    await settle(element);
    expect(collab.calls).to.deep.equal([['answerInvitation', 'i1', true]]);
    answer.resolve(groupId);
    await settle(element);
    expect(buttonNamed(rootOf(element), 'Accept invitation to Climbing').disabled).to.equal(false);
  });

  it('shows a failed answer as an alert', async () => {
    const collab = new FakeCollab();
    collab.fail('answerInvitation', new Error('This invitation expired. Ask Alice for a new one.'));
    const element = await inbox(collab, [invitation('i1')]);
    buttonNamed(rootOf(element), 'Accept invitation to Book club').click();
    await settle(element);
    expect(regions(rootOf(element), 'alert')).to.deep.equal([
      'This invitation expired. Ask Alice for a new one.',
    ]);
    expect(regions(rootOf(element), 'status')).to.deep.equal(['']);
  });

  it('renders hostile group and sender names as text', async () => {
    const hostile = '<script>alert(1)</script><b>x</b>';
    const element = await inbox(new FakeCollab(), [
      invitation('i1', { groupName: hostile, fromName: `<i>${hostile}</i>`, fromContact: false }),
    ]);
    expect(rootOf(element).querySelector('script, b, i')).to.equal(null);
    expect(rootOf(element).querySelector('h3')?.textContent).to.equal(`Invitation to ${hostile}`);
    expect(textOf(rootOf(element).querySelector('.warning'))).to.contain(
      `<i>${hostile}</i> is not in your contacts`,
    );
  });
});
