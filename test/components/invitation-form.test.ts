import { expect } from 'chai';
import '../../src/components/invitation-form.ts';
import type {
  CreateInvitationDetail,
  InvitationForm,
  RevokeInvitationDetail,
} from '../../src/components/invitation-form.ts';
import type { InvitationView } from '../../src/components/chat-types.ts';

const nowMs = Date.UTC(2025, 2, 10, 12);
const dayMs = 86_400_000;
const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

function invitation(id: string, change: Partial<InvitationView> = {}): InvitationView {
  return {
    id,
    role: 'member',
    expiresAtMs: nowMs + dayMs,
    maxUses: 5,
    used: 2,
    note: '',
    revoked: false,
    link: `https://mycel.example/#join=${id}`,
    ...change,
  };
}

async function mount(setup: (form: InvitationForm) => void = () => undefined): Promise<InvitationForm> {
  const form = document.createElement('mycel-invitation-form');
  form.clock = () => nowMs;
  setup(form);
  document.body.append(form);
  mounted.push(form);
  await form.updateComplete;
  return form;
}

function root(form: InvitationForm): ShadowRoot {
  if (form.shadowRoot === null) throw new Error('no shadow root');
  return form.shadowRoot;
}

/** The control a `<label>` with this text names. */
function labelled(form: InvitationForm, name: string): HTMLElement {
  const label = [...root(form).querySelectorAll('label')].find((l) => l.textContent.trim().startsWith(name));
  const control = label?.control;
  if (control === null || control === undefined) throw new Error(`no control labelled ${name}`);
  return control;
}

function button(form: InvitationForm, name: string): HTMLButtonElement {
  const found = [...root(form).querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent.trim()) === name,
  );
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
}

describe('mycel-invitation-form', () => {
  it('creates an invitation with the defaults: member, 7 days, 25 uses', async () => {
    const form = await mount();
    const created: CreateInvitationDetail[] = [];
    form.addEventListener('create-invitation', (e) =>
      created.push((e as CustomEvent<CreateInvitationDetail>).detail),
    );
    button(form, 'Create invitation').click();
    expect(created).to.deep.equal([{ role: 'member', expiresInMs: 7 * dayMs, maxUses: 25, note: '' }]);
  });

  it('creates an invitation with the chosen role, expiry, uses and note', async () => {
    const form = await mount();
    const created: CreateInvitationDetail[] = [];
    form.addEventListener('create-invitation', (e) =>
      created.push((e as CustomEvent<CreateInvitationDetail>).detail),
    );
    (labelled(form, 'Role') as HTMLSelectElement).value = 'admin';
    const expires = labelled(form, 'Expires') as HTMLSelectElement;
    expect([...expires.options].map((o) => o.text)).to.deep.equal(['1 hour', '1 day', '7 days', '30 days']);
    expires.selectedIndex = 0;
    const uses = labelled(form, 'Uses') as HTMLSelectElement;
    expect([...uses.options].map((o) => o.text)).to.deep.equal(['Single use', '5', '25', 'Unlimited']);
    uses.selectedIndex = 3;
    const note = labelled(form, 'Note') as HTMLInputElement;
    expect(note.maxLength).to.equal(200);
    note.value = '  for Sam ';
    button(form, 'Create invitation').click();
    expect(created).to.deep.equal([{ role: 'admin', expiresInMs: 3_600_000, maxUses: 0, note: 'for Sam' }]);
    expect(note.value).to.equal('');
  });

  it('lists invitations with uses, expiry, note and Revoked, and revokes open ones', async () => {
    const form = await mount((f) => {
      f.invitations = [
        invitation('a', { note: 'for Sam' }),
        invitation('b', { revoked: true, note: 'old' }),
        invitation('c', { maxUses: 0, used: 1, role: 'admin' }),
        invitation('d', { expiresAtMs: nowMs - 1, note: 'stale' }),
      ];
    });
    const rows = [...root(form).querySelectorAll('li')].map((li) =>
      li.textContent.replace(/\s+/g, ' ').trim(),
    );
    expect(rows[0]).to.match(/^Member · 2 of 5 uses · Expires .+ · for Sam Revoke$/);
    expect(rows[1]).to.match(/^Member · 2 of 5 uses · Expires .+ · old Revoked$/);
    expect(rows[2]).to.match(/^Admin · 1 use, unlimited · Expires .+ Revoke$/);
    expect(rows[3]).to.match(/^Member · 2 of 5 uses · Expired .+ · stale$/);
    const revoked: RevokeInvitationDetail[] = [];
    form.addEventListener('revoke-invitation', (e) =>
      revoked.push((e as CustomEvent<RevokeInvitationDetail>).detail),
    );
    button(form, 'Revoke invitation for Sam').click();
    const expiry = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      nowMs + dayMs,
    );
    button(form, `Revoke invitation expiring ${expiry}`).click();
    expect(revoked).to.deep.equal([{ id: 'a' }, { id: 'c' }]);
  });

  it('offers the latest link for sharing', async () => {
    const form = await mount();
    expect(root(form).querySelector('mycel-link-share')).to.equal(null);
    form.latestLink = 'https://mycel.example/#join=new';
    await form.updateComplete;
    expect(root(form).querySelector('mycel-link-share')?.link).to.equal('https://mycel.example/#join=new');
  });

  it('shows a hostile note as text', async () => {
    const form = await mount((f) => {
      f.invitations = [invitation('a', { note: '<img src=x onerror=alert(1)>' })];
    });
    expect(root(form).querySelector('img')).to.equal(null);
    expect(root(form).querySelector('li')?.textContent).to.contain('<img src=x onerror=alert(1)>');
  });
});
