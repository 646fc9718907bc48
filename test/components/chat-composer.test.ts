import { expect } from 'chai';
import '../../src/components/chat-composer.ts';
import type {
  ChatComposer,
  SaveEditDetail,
  SendDetail,
  ShareFileDetail,
} from '../../src/components/chat-composer.ts';

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(setup: (composer: ChatComposer) => void = () => undefined): Promise<ChatComposer> {
  const composer = document.createElement('mycel-chat-composer');
  setup(composer);
  document.body.append(composer);
  mounted.push(composer);
  await composer.updateComplete;
  return composer;
}

function part(composer: ChatComposer, selector: string): HTMLElement {
  const found = composer.shadowRoot?.querySelector<HTMLElement>(selector);
  if (found === null || found === undefined) throw new Error(`no ${selector}`);
  return found;
}

function textbox(composer: ChatComposer): HTMLTextAreaElement {
  return part(composer, 'textarea[aria-label="Message"]') as HTMLTextAreaElement;
}

function button(composer: ChatComposer, name: string): HTMLButtonElement {
  const found = [...(composer.shadowRoot?.querySelectorAll('button') ?? [])].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent.trim()) === name,
  );
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
}

async function type(composer: ChatComposer, text: string): Promise<void> {
  const box = textbox(composer);
  box.value = text;
  box.dispatchEvent(new InputEvent('input', { bubbles: true }));
  await composer.updateComplete;
}

async function press(composer: ChatComposer, key: string, shiftKey = false): Promise<KeyboardEvent> {
  const event = new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true });
  textbox(composer).dispatchEvent(event);
  await composer.updateComplete;
  return event;
}

function events<T>(composer: ChatComposer, type: string): T[] {
  const seen: T[] = [];
  composer.addEventListener(type, (event) => seen.push((event as CustomEvent<T>).detail));
  return seen;
}

describe('mycel-chat-composer', () => {
  it('sends the trimmed text on Enter and clears the box', async () => {
    const composer = await mount();
    const sent = events<SendDetail>(composer, 'send');
    await type(composer, '  hello there \n');
    const enter = await press(composer, 'Enter');
    expect(enter.defaultPrevented).to.equal(true);
    expect(sent).to.deep.equal([{ text: 'hello there' }]);
    expect(textbox(composer).value).to.equal('');
  });

  it('keeps Shift+Enter as a new line and sends with the Send button', async () => {
    const composer = await mount();
    const sent = events<SendDetail>(composer, 'send');
    await type(composer, 'line one');
    const shiftEnter = await press(composer, 'Enter', true);
    expect(shiftEnter.defaultPrevented).to.equal(false);
    expect(sent).to.deep.equal([]);
    await type(composer, 'line one\nline two');
    button(composer, 'Send').click();
    expect(sent).to.deep.equal([{ text: 'line one\nline two' }]);
  });

  it('does not send empty or whitespace-only text', async () => {
    const composer = await mount();
    const sent = events<SendDetail>(composer, 'send');
    await press(composer, 'Enter');
    await type(composer, ' \n\t ');
    await press(composer, 'Enter');
    expect(button(composer, 'Send').disabled).to.equal(true);
    expect(sent).to.deep.equal([]);
  });

  it('shows what a reply answers, sends its key and cancels it', async () => {
    const composer = await mount((c) => {
      c.replyTo = { key: 'bob/3', authorName: 'Bob', excerpt: 'lunch?' };
    });
    expect(part(composer, '.context').textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'Replying to Bob: lunch? Cancel reply',
    );
    const sent = events<SendDetail>(composer, 'send');
    const cancelled = events<undefined>(composer, 'cancel-reply');
    await type(composer, 'yes');
    await press(composer, 'Enter');
    expect(sent).to.deep.equal([{ text: 'yes', replyTo: 'bob/3' }]);
    button(composer, 'Cancel reply').click();
    expect(cancelled).to.have.length(1);
  });

  it('edits: pre-fills the text, saves with "Save edit", cancels on Escape and restores the draft', async () => {
    const composer = await mount();
    await type(composer, 'half-written draft');
    composer.editing = { key: 'me/9', text: 'old text' };
    await composer.updateComplete;
    expect(textbox(composer).value).to.equal('old text');
    expect(button(composer, 'Save edit').textContent.trim()).to.equal('Save');
    const saved = events<SaveEditDetail>(composer, 'save-edit');
    const cancelled = events<undefined>(composer, 'cancel-edit');
    await type(composer, 'new text ');
    button(composer, 'Save edit').click();
    expect(saved).to.deep.equal([{ key: 'me/9', text: 'new text' }]);
    composer.editing = { key: 'me/10', text: 'another' };
    await composer.updateComplete;
    await press(composer, 'Escape');
    expect(cancelled).to.have.length(1);
    composer.editing = undefined;
    await composer.updateComplete;
    expect(textbox(composer).value).to.equal('half-written draft');
  });

  it('is disabled with its reason', async () => {
    const composer = await mount((c) => {
      c.disabled = true;
      c.disabledReason = 'You were removed from this group';
    });
    const sent = events<SendDetail>(composer, 'send');
    expect(textbox(composer).disabled).to.equal(true);
    expect(button(composer, 'Send').disabled).to.equal(true);
    expect(part(composer, '#reason').textContent).to.equal('You were removed from this group');
    expect(textbox(composer).getAttribute('aria-describedby')).to.equal('reason');
    await press(composer, 'Enter');
    expect(sent).to.deep.equal([]);
  });

  it('limits text to 4000 characters and shows a counter only near the limit', async () => {
    const composer = await mount();
    expect(textbox(composer).maxLength).to.equal(4000);
    await type(composer, 'x'.repeat(100));
    expect(part(composer, '#counter').hidden).to.equal(true);
    await type(composer, 'x'.repeat(3990));
    const counter = part(composer, '#counter');
    expect(counter.hidden).to.equal(false);
    expect(counter.textContent.trim()).to.equal('10 characters left');
  });

  it('opens the file picker from "Share file" and shares the chosen files', async () => {
    const composer = await mount();
    const shared = events<ShareFileDetail>(composer, 'share-file');
    const picker = part(composer, 'input[type="file"]') as HTMLInputElement;
    expect(picker.multiple).to.equal(true);
    expect(picker.hidden).to.equal(true);
    let opened = 0;
    // Cancelled so that the headless browser does not try to show a real file chooser.
    picker.addEventListener('click', (event) => {
      event.preventDefault();
      opened++;
    });
    const share = button(composer, 'Share file');
    expect(share.type).to.equal('button');
    share.click();
    expect(opened).to.equal(1);
    const chosen = new DataTransfer();
    chosen.items.add(new File(['x'], 'a.txt'));
    chosen.items.add(new File(['yy'], 'b.txt'));
    picker.files = chosen.files;
    picker.dispatchEvent(new Event('change'));
    expect(shared).to.have.length(1);
    expect(shared[0]?.files.map((file) => [file.name, file.size])).to.deep.equal([
      ['a.txt', 1],
      ['b.txt', 2],
    ]);
    expect(picker.files.length, 'cleared so the same file can be chosen again').to.equal(0);
  });

  it('shares nothing when the picker is closed without a choice', async () => {
    const composer = await mount();
    const shared = events<ShareFileDetail>(composer, 'share-file');
    part(composer, 'input[type="file"]').dispatchEvent(new Event('change'));
    expect(shared).to.deep.equal([]);
  });

  it('disables "Share file" when the composer is disabled or editing', async () => {
    const composer = await mount((c) => {
      c.disabled = true;
    });
    expect(button(composer, 'Share file').disabled).to.equal(true);
    composer.disabled = false;
    await composer.updateComplete;
    expect(button(composer, 'Share file').disabled).to.equal(false);
    composer.editing = { key: 'me/1', text: 'typo' };
    await composer.updateComplete;
    expect(button(composer, 'Share file').disabled).to.equal(true);
  });
});
