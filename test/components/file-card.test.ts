import { expect } from 'chai';
import '../../src/components/file-card.ts';
import type { FileCard } from '../../src/components/file-card.ts';
import type { FileActionDetail, FileView } from '../../src/components/file-types.ts';

function file(change: Partial<FileView> = {}): FileView {
  return {
    contentId: 'content-1',
    name: 'holiday.mp4',
    mime: 'video/mp4',
    sizeBytes: 20_000_000,
    state: 'available',
    doneBytes: 0,
    bytesPerSecond: 0,
    peers: 0,
    ...change,
  };
}

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(view: FileView): Promise<FileCard> {
  const card = document.createElement('mycel-file-card');
  card.file = view;
  document.body.append(card);
  mounted.push(card);
  await card.updateComplete;
  return card;
}

function root(card: FileCard): ShadowRoot {
  if (card.shadowRoot === null) throw new Error('no shadow root');
  return card.shadowRoot;
}

function group(card: FileCard): HTMLElement {
  const found = root(card).querySelector<HTMLElement>('[role="group"]');
  if (found === null) throw new Error('no group');
  return found;
}

function buttonNames(card: FileCard): string[] {
  return [...root(card).querySelectorAll('button')].map(
    (b) => b.getAttribute('aria-label') ?? b.textContent.trim(),
  );
}

function button(card: FileCard, name: string): HTMLButtonElement {
  const found = [...root(card).querySelectorAll('button')].find((b) => b.textContent.trim() === name);
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
}

/** How many elements match: counts, not elements, so a failure message stays readable. */
function count(card: FileCard, selector: string): number {
  return root(card).querySelectorAll(selector).length;
}

function progress(card: FileCard): HTMLProgressElement | null {
  return root(card).querySelector('progress');
}

/** The visible text of the part matching `selector`, spaces collapsed. */
function text(card: FileCard, selector: string): string {
  return root(card).querySelector(selector)?.textContent.replace(/\s+/g, ' ').trim() ?? '';
}

/** Role and name of what has focus inside the card (elements themselves make unreadable failures). */
function focused(card: FileCard): string {
  const active = root(card).activeElement;
  if (active === null) return 'nothing';
  if (active instanceof HTMLButtonElement) return `button ${active.textContent.trim()}`;
  return `${active.getAttribute('role') ?? active.tagName} ${active.getAttribute('aria-label') ?? ''}`;
}

function events(card: FileCard, type: string): FileActionDetail[] {
  const seen: FileActionDetail[] = [];
  card.addEventListener(type, (event) => seen.push((event as CustomEvent<FileActionDetail>).detail));
  return seen;
}

describe('mycel-file-card', () => {
  it('is a group named after the file, with its name, size and a generic icon', async () => {
    const card = await mount(file());
    expect(group(card).getAttribute('aria-label')).to.equal('holiday.mp4');
    expect(text(card, '.name')).to.equal('holiday.mp4');
    expect(root(card).querySelector('.name')?.getAttribute('title')).to.equal('holiday.mp4');
    expect(text(card, '.size')).to.equal('20 MB');
    expect(count(card, 'img')).to.equal(0);
    expect(root(card).querySelector('svg')?.getAttribute('aria-hidden')).to.equal('true');
    expect(count(card, 'progress')).to.equal(0);
  });

  it('shows a local thumbnail with an alt text and refuses a remote one', async () => {
    const blob = URL.createObjectURL(new Blob(['x'], { type: 'image/png' }));
    try {
      const card = await mount(file({ name: 'cat.png', mime: 'image/png', thumbnailUrl: blob }));
      const img = root(card).querySelector('img');
      expect(img?.getAttribute('src')).to.equal(blob);
      expect(img?.getAttribute('alt')).to.equal('Preview of cat.png');
      const remote = await mount(file({ thumbnailUrl: 'https://tracker.example/pixel.png' }));
      expect(count(remote, 'img')).to.equal(0);
      expect(count(remote, 'svg')).to.equal(1);
    } finally {
      URL.revokeObjectURL(blob);
    }
  });

  it('offers the buttons each state allows and fires each with the content id', async () => {
    const expected: [FileView['state'], [name: string, event: string][]][] = [
      ['available', [['Download', 'file-download']]],
      [
        'downloading',
        [
          ['Pause', 'file-pause'],
          ['Cancel', 'file-cancel'],
        ],
      ],
      [
        'paused',
        [
          ['Resume', 'file-resume'],
          ['Cancel', 'file-cancel'],
        ],
      ],
      [
        'complete',
        [
          ['Save', 'file-save'],
          ['Remove from this browser', 'file-remove'],
        ],
      ],
      ['publishing', []],
      ['missing', []],
    ];
    for (const [state, buttons] of expected) {
      const card = await mount(file({ state, contentId: `id-${state}`, peers: 2 }));
      expect(buttonNames(card), state).to.deep.equal(buttons.map(([name]) => name));
      for (const [name, type] of buttons) {
        const seen = events(card, type);
        const target = button(card, name);
        expect(target.type, `${state} ${name}`).to.equal('button');
        expect(target.tabIndex, `${state} ${name} is in the tab order`).to.equal(0);
        target.click();
        expect(seen, `${state} ${name}`).to.deep.equal([{ contentId: `id-${state}` }]);
      }
    }
  });

  it('lets the events bubble out of shadow roots', async () => {
    const card = await mount(file());
    const seen: string[] = [];
    const listener = (event: Event) => {
      seen.push((event as CustomEvent<FileActionDetail>).detail.contentId);
    };
    document.body.addEventListener('file-download', listener);
    try {
      button(card, 'Download').click();
    } finally {
      document.body.removeEventListener('file-download', listener);
    }
    expect(seen).to.deep.equal(['content-1']);
  });

  it('shows download progress, speed and peers', async () => {
    const card = await mount(
      file({ state: 'downloading', doneBytes: 3_100_000, bytesPerSecond: 4_200_000, peers: 3 }),
    );
    const bar = progress(card);
    expect(bar?.getAttribute('aria-label')).to.equal('Download of holiday.mp4');
    expect(bar?.max).to.equal(20_000_000);
    expect(bar?.value).to.equal(3_100_000);
    expect(text(card, '.detail')).to.equal('3.1 MB of 20 MB · 4.2 MB/s from 3 peers');
    card.file = file({ state: 'downloading', doneBytes: 3_100_000, bytesPerSecond: 4_200_000, peers: 1 });
    await card.updateComplete;
    expect(text(card, '.detail')).to.equal('3.1 MB of 20 MB · 4.2 MB/s from 1 peer');
    card.file = file({ state: 'downloading', doneBytes: 3_100_000, peers: 0 });
    await card.updateComplete;
    expect(text(card, '.detail')).to.equal('3.1 MB of 20 MB · Waiting for a member who has it…');
  });

  it('shows a paused download with its reason in a status line and no speed', async () => {
    const card = await mount(
      file({
        state: 'paused',
        doneBytes: 512_000,
        peers: 2,
        bytesPerSecond: 9e6,
        message: 'Storage is full',
      }),
    );
    expect(progress(card)?.getAttribute('aria-label')).to.equal('Download of holiday.mp4');
    expect(progress(card)?.value).to.equal(512_000);
    expect(text(card, '.detail')).to.equal('512 KB of 20 MB');
    expect(text(card, '[role="status"]')).to.equal('Storage is full');
  });

  it('keeps the status line in place, empty, while there is no reason to give', async () => {
    const card = await mount(file({ state: 'downloading', peers: 1 }));
    const status = root(card).querySelector('[role="status"]');
    expect(status?.textContent.trim()).to.equal('');
    card.file = file({ state: 'paused', message: 'Nobody has this file right now' });
    await card.updateComplete;
    expect(root(card).querySelector('[role="status"]') === status, 'the same live region').to.equal(true);
    expect(status?.textContent.trim()).to.equal('Nobody has this file right now');
  });

  it('names the progress "Preparing" while publishing and keeps an empty file within bounds', async () => {
    const card = await mount(
      file({ state: 'publishing', doneBytes: 1_200_000_000, sizeBytes: 2_000_000_000 }),
    );
    expect(progress(card)?.getAttribute('aria-label')).to.equal('Preparing holiday.mp4');
    expect(progress(card)?.value).to.equal(1_200_000_000);
    expect(text(card, '.detail')).to.equal('1.2 GB of 2 GB');
    const empty = await mount(file({ state: 'downloading', sizeBytes: 0, doneBytes: 0, peers: 1 }));
    expect(progress(empty)?.max).to.equal(1);
    expect(progress(empty)?.value).to.equal(0);
  });

  it('says when the file details have not arrived', async () => {
    const card = await mount(file({ state: 'missing', sizeBytes: 0 }));
    expect(text(card, '.note')).to.equal('File details have not arrived yet.');
    expect(count(card, '.size')).to.equal(0);
    expect(buttonNames(card)).to.deep.equal([]);
  });

  it('keeps keyboard focus in the card when the focused button goes away', async () => {
    const card = await mount(file({ state: 'downloading', peers: 1 }));
    button(card, 'Cancel').focus();
    expect(focused(card)).to.equal('button Cancel');
    card.file = file({ state: 'available' });
    await card.updateComplete;
    expect(focused(card)).to.equal('button Download');
    card.file = file({ state: 'missing' });
    await card.updateComplete;
    expect(focused(card)).to.equal('group holiday.mp4');
  });

  it('shows hostile names as text', async () => {
    const hostile = '<img src=x onerror="window.pwnedByFileName=1">.png';
    const long = `${'a'.repeat(10_000)}.txt`;
    const flipped = 'invoice\u202Egpj.exe';
    for (const name of [hostile, long, flipped]) {
      const card = await mount(file({ name, state: 'downloading', peers: 1, message: name }));
      const shown = root(card).querySelector('.name');
      expect(shown?.tagName, 'a <bdi> keeps direction marks inside the name').to.equal('BDI');
      expect(shown?.textContent).to.equal(name);
      expect(shown?.getAttribute('title')).to.equal(name);
      expect(group(card).getAttribute('aria-label')).to.equal(name);
      expect(progress(card)?.getAttribute('aria-label')).to.equal(`Download of ${name}`);
      expect(text(card, '[role="status"]')).to.equal(name.trim());
      expect(count(card, 'img, script')).to.equal(0);
    }
    expect((window as { pwnedByFileName?: number }).pwnedByFileName).to.equal(undefined);
  });

  it('ellipsizes a long name on one line instead of widening the card', async () => {
    const card = await mount(file({ name: `${'a'.repeat(10_000)}.txt` }));
    card.style.width = '300px';
    const shown = root(card).querySelector<HTMLElement>('.name');
    if (shown === null) throw new Error('no name');
    const style = getComputedStyle(shown);
    expect(style.textOverflow).to.equal('ellipsis');
    expect(shown.clientWidth).to.be.at.most(300);
    expect(shown.scrollWidth).to.be.above(shown.clientWidth);
  });
});
