import { expect } from 'chai';
import '../../src/components/file-drop.ts';
import type { ShareFileDetail } from '../../src/components/chat-composer.ts';
import type { FileDrop } from '../../src/components/file-drop.ts';

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

/** A drop area around a paragraph and a text box, as a chat view would wrap its content. */
async function mount(disabled = false): Promise<{ drop: FileDrop; inner: HTMLElement }> {
  const drop = document.createElement('mycel-file-drop');
  drop.disabled = disabled;
  const inner = document.createElement('p');
  inner.textContent = 'chat goes here';
  drop.append(inner, document.createElement('textarea'));
  document.body.append(drop);
  mounted.push(drop);
  await drop.updateComplete;
  return { drop, inner };
}

function withFiles(...names: string[]): DataTransfer {
  const transfer = new DataTransfer();
  for (const name of names) transfer.items.add(new File([`contents of ${name}`], name));
  return transfer;
}

/**
 * Chromium ignores `dropEffect` on a DataTransfer that no real drag made, so the tests keep
 * what the element sets on the object itself.
 */
function recordDropEffect(transfer: DataTransfer): DataTransfer {
  let effect = 'unset';
  Object.defineProperty(transfer, 'dropEffect', {
    get: () => effect,
    set: (value: string) => {
      effect = value;
    },
  });
  return transfer;
}

function withText(text: string): DataTransfer {
  const transfer = new DataTransfer();
  transfer.setData('text/plain', text);
  return transfer;
}

async function drag(
  target: EventTarget,
  drop: FileDrop,
  type: string,
  data: DataTransfer,
): Promise<DragEvent> {
  const event = new DragEvent(type, { dataTransfer: data, bubbles: true, composed: true, cancelable: true });
  target.dispatchEvent(event);
  await drop.updateComplete;
  return event;
}

function overlay(drop: FileDrop): HTMLElement | null {
  return drop.shadowRoot?.querySelector<HTMLElement>('.overlay') ?? null;
}

/** The overlay's text, or null when there is none (a string keeps failure messages readable). */
function overlayText(drop: FileDrop): string | null {
  return overlay(drop)?.textContent.trim() ?? null;
}

function shared(drop: FileDrop): ShareFileDetail[] {
  const seen: ShareFileDetail[] = [];
  drop.addEventListener('share-file', (event) => seen.push((event as CustomEvent<ShareFileDetail>).detail));
  return seen;
}

describe('mycel-file-drop', () => {
  it('shows its content and no overlay at rest', async () => {
    const { drop, inner } = await mount();
    expect(inner.assignedSlot !== null, 'the content is slotted').to.equal(true);
    expect(overlayText(drop)).to.equal(null);
  });

  it('shows "Drop files to share" while files are dragged over and shares them on drop', async () => {
    const { drop, inner } = await mount();
    const seen = shared(drop);
    const files = recordDropEffect(withFiles('a.txt', 'b.png'));
    const enter = await drag(inner, drop, 'dragenter', files);
    expect(enter.defaultPrevented).to.equal(true);
    expect(overlayText(drop)).to.equal('Drop files to share');
    expect(overlay(drop)?.getBoundingClientRect().height).to.be.above(0);
    const over = await drag(inner, drop, 'dragover', files);
    expect(over.defaultPrevented, 'the browser must not open the file instead').to.equal(true);
    expect(files.dropEffect).to.equal('copy');
    const dropped = await drag(inner, drop, 'drop', files);
    expect(dropped.defaultPrevented).to.equal(true);
    expect(seen).to.have.length(1);
    expect(seen[0]?.files.map((file) => file.name)).to.deep.equal(['a.txt', 'b.png']);
    expect(await seen[0]?.files[1]?.text()).to.equal('contents of b.png');
    expect(overlayText(drop)).to.equal(null);
  });

  it('keeps the overlay while the pointer moves between children and hides it when the drag leaves', async () => {
    const { drop, inner } = await mount();
    const seen = shared(drop);
    const files = withFiles('a.txt');
    await drag(inner, drop, 'dragenter', files);
    await drag(inner, drop, 'dragleave', files);
    expect(overlayText(drop), 'a child left is not the area left').to.equal('Drop files to share');
    const layer = overlay(drop);
    if (layer === null) throw new Error('no overlay');
    await drag(layer, drop, 'dragleave', files);
    expect(overlayText(drop)).to.equal(null);
    expect(seen).to.deep.equal([]);
  });

  it('leaves dragged text to the content: no overlay, nothing shared, default kept', async () => {
    const { drop, inner } = await mount();
    const seen = shared(drop);
    const text = withText('hello');
    const enter = await drag(inner, drop, 'dragenter', text);
    const over = await drag(inner, drop, 'dragover', text);
    expect(overlayText(drop)).to.equal(null);
    const dropped = await drag(inner, drop, 'drop', text);
    expect(enter.defaultPrevented || over.defaultPrevented || dropped.defaultPrevented).to.equal(false);
    expect(seen).to.deep.equal([]);
  });

  it('when disabled, shows no overlay, shares nothing and still keeps the browser from opening the file', async () => {
    const { drop, inner } = await mount(true);
    const seen = shared(drop);
    const files = recordDropEffect(withFiles('a.txt'));
    await drag(inner, drop, 'dragenter', files);
    const over = await drag(inner, drop, 'dragover', files);
    expect(overlayText(drop)).to.equal(null);
    expect(over.defaultPrevented).to.equal(true);
    expect(files.dropEffect).to.equal('none');
    const dropped = await drag(inner, drop, 'drop', files);
    expect(dropped.defaultPrevented).to.equal(true);
    expect(seen).to.deep.equal([]);
  });
});
