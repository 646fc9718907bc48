import { expect } from 'chai';
import '../../src/components/member-list.ts';
import { lastSeenText, type MemberActionDetail, type MemberList } from '../../src/components/member-list.ts';
import type { MemberView } from '../../src/components/chat-types.ts';

const nowMs = Date.UTC(2025, 2, 10, 12);

function member(name: string, change: Partial<MemberView> = {}): MemberView {
  return { identityId: `id-${name}`, name, role: 'member', presence: 'online', self: false, ...change };
}

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(members: MemberView[], canManage: boolean): Promise<MemberList> {
  const list = document.createElement('mycel-member-list');
  list.members = members;
  list.canManage = canManage;
  list.clock = () => nowMs;
  document.body.append(list);
  mounted.push(list);
  await list.updateComplete;
  return list;
}

function items(list: MemberList): HTMLLIElement[] {
  const ul = list.shadowRoot?.querySelector('ul[role="list"][aria-label="Members"]');
  if (ul === null || ul === undefined) throw new Error('no Members list');
  return [...ul.querySelectorAll('li')];
}

function names(scope: ParentNode): string[] {
  return [...scope.querySelectorAll('button')].map((b) => b.getAttribute('aria-label') ?? '');
}

describe('mycel-member-list', () => {
  it('sorts online members first, then away, then offline, by name', async () => {
    const list = await mount(
      [
        member('Zoe', { presence: 'offline' }),
        member('bob', { presence: 'away' }),
        member('Carol'),
        member('alice'),
        member('Dan', { presence: 'offline', lastSeenMs: nowMs - 5 * 60_000 }),
      ],
      false,
    );
    expect(items(list).map((li) => li.querySelector('.name')?.textContent)).to.deep.equal([
      'alice',
      'Carol',
      'bob',
      'Dan',
      'Zoe',
    ]);
    expect(items(list).map((li) => li.querySelector('.presence')?.textContent.trim())).to.deep.equal([
      'Online',
      'Online',
      'Away',
      'Last seen 5 min ago',
      'Offline',
    ]);
  });

  it('marks the viewer and shows owner and admin badges', async () => {
    const list = await mount(
      [member('Ann', { role: 'owner', self: true }), member('Ben', { role: 'admin' }), member('Cy')],
      false,
    );
    const [ann, ben, cy] = items(list);
    expect(ann?.querySelector('.who')?.textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'Ann (you) Owner Online',
    );
    expect(ben?.querySelector('.badge')?.textContent).to.equal('Admin');
    expect(cy?.querySelector('.badge')).to.equal(null);
  });

  it('offers role changes and removal to admins only, never on self or the owner', async () => {
    const members = [
      member('Ann', { role: 'owner' }),
      member('Ben', { role: 'admin', self: true }),
      member('Cy', { role: 'admin' }),
      member('Di'),
    ];
    expect(names((await mount(members, false)).shadowRoot as ShadowRoot)).to.deep.equal([]);
    const list = await mount(members, true);
    const [ann, ben, cy, di] = items(list);
    expect(names(ann as HTMLElement)).to.deep.equal([]);
    expect(names(ben as HTMLElement)).to.deep.equal([]);
    expect(names(cy as HTMLElement)).to.deep.equal(['Remove admin role from Cy', 'Remove Cy']);
    expect(names(di as HTMLElement)).to.deep.equal(['Make Di admin', 'Remove Di']);
  });

  it('fires promote, demote and remove with the identity id', async () => {
    const list = await mount([member('Cy', { role: 'admin' }), member('Di')], true);
    const seen: [string, MemberActionDetail][] = [];
    for (const type of ['promote', 'demote', 'remove']) {
      list.addEventListener(type, (event) =>
        seen.push([type, (event as CustomEvent<MemberActionDetail>).detail]),
      );
    }
    for (const button of list.shadowRoot?.querySelectorAll('button') ?? []) button.click();
    expect(seen).to.deep.equal([
      ['demote', { identityId: 'id-Cy' }],
      ['remove', { identityId: 'id-Cy' }],
      ['promote', { identityId: 'id-Di' }],
      ['remove', { identityId: 'id-Di' }],
    ]);
  });

  it('shows hostile names as text', async () => {
    const list = await mount([member('<img src=x onerror=alert(1)>')], true);
    expect(list.shadowRoot?.querySelector('img')).to.equal(null);
    expect(items(list)[0]?.querySelector('.name')?.textContent).to.equal('<img src=x onerror=alert(1)>');
  });

  it('says how long ago an offline member was seen', () => {
    expect(lastSeenText(nowMs - 10_000, nowMs)).to.equal('Last seen just now');
    expect(lastSeenText(nowMs - 59 * 60_000, nowMs)).to.equal('Last seen 59 min ago');
    expect(lastSeenText(nowMs - 3 * 3_600_000, nowMs)).to.equal('Last seen 3 h ago');
    expect(lastSeenText(nowMs - 30 * 3_600_000, nowMs)).to.equal('Last seen yesterday');
    expect(lastSeenText(nowMs - 5 * 86_400_000, nowMs)).to.equal('Last seen 5 days ago');
  });
});
