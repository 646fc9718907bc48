import { expect } from 'chai';
import '../../src/components/link-share.ts';
import type { LinkShare } from '../../src/components/link-share.ts';

const link = 'https://mycel.example/#join=abc123';
const mounted: HTMLElement[] = [];
const stubbed: (keyof Navigator)[] = [];

/** Replaces a navigator member for one test; removed again after it. */
function stub(key: keyof Navigator, value: unknown): void {
  Object.defineProperty(navigator, key, { value, configurable: true });
  stubbed.push(key);
}

afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
  for (const key of stubbed.splice(0)) Reflect.deleteProperty(navigator, key);
});

async function mount(): Promise<LinkShare> {
  const share = document.createElement('mycel-link-share');
  share.link = link;
  document.body.append(share);
  mounted.push(share);
  await share.updateComplete;
  return share;
}

function root(share: LinkShare): ShadowRoot {
  if (share.shadowRoot === null) throw new Error('no shadow root');
  return share.shadowRoot;
}

function button(share: LinkShare, name: string): HTMLButtonElement | undefined {
  return [...root(share).querySelectorAll('button')].find((b) => b.textContent.trim() === name);
}

function input(share: LinkShare): HTMLInputElement {
  const label = root(share).querySelector('label');
  const found = root(share).querySelector<HTMLInputElement>(`#${label?.htmlFor ?? ''}`);
  if (label?.textContent !== 'Join link' || found === null) throw new Error('no input labelled Join link');
  return found;
}

async function settle(share: LinkShare): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await share.updateComplete;
}

describe('mycel-link-share', () => {
  it('shows the link in a read-only textbox named Join link', async () => {
    const share = await mount();
    expect(input(share).value).to.equal(link);
    expect(input(share).readOnly).to.equal(true);
  });

  it('copies the link and says Copied', async () => {
    const written: string[] = [];
    stub('clipboard', { writeText: (text: string) => (written.push(text), Promise.resolve()) });
    const share = await mount();
    button(share, 'Copy join link')?.click();
    await settle(share);
    expect(written).to.deep.equal([link]);
    expect(root(share).querySelector('[role="status"]')?.textContent).to.equal('Copied');
  });

  it('selects the link and asks for Ctrl+C when the clipboard refuses', async () => {
    stub('clipboard', { writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) });
    const share = await mount();
    button(share, 'Copy join link')?.click();
    await settle(share);
    expect(root(share).querySelector('[role="status"]')?.textContent).to.equal('Press Ctrl+C to copy');
    const box = input(share);
    expect([box.selectionStart, box.selectionEnd]).to.deep.equal([0, link.length]);
  });

  it('offers Share… only where the Web Share API exists, and shares the link', async () => {
    stub('share', undefined);
    expect(button(await mount(), 'Share…')).to.equal(undefined);
    const shared: ShareData[] = [];
    stub('share', (data: ShareData) => (shared.push(data), Promise.resolve()));
    const share = await mount();
    button(share, 'Share…')?.click();
    await settle(share);
    expect(shared).to.deep.equal([{ title: 'Join my Mycel group', text: 'Join my Mycel group', url: link }]);
  });

  it('toggles a QR code of the link', async () => {
    const share = await mount();
    const toggle = button(share, 'Show QR code');
    expect(toggle?.getAttribute('aria-expanded')).to.equal('false');
    expect(root(share).querySelector('mycel-qr-code')).to.equal(null);
    toggle?.click();
    await share.updateComplete;
    expect(toggle?.getAttribute('aria-expanded')).to.equal('true');
    expect(root(share).querySelector('mycel-qr-code')?.text).to.equal(link);
    toggle?.click();
    await share.updateComplete;
    expect(root(share).querySelector('mycel-qr-code')).to.equal(null);
  });
});
