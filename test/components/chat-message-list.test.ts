import { expect } from 'chai';
import '../../src/components/chat-message-list.ts';
import type {
  ChatMessageList,
  MessageKeyDetail,
  ReactDetail,
} from '../../src/components/chat-message-list.ts';
import type { ChatMessageView } from '../../src/components/chat-types.ts';
import type { FileActionDetail, FileView } from '../../src/components/file-types.ts';

/** Noon on 10 March 2025, local time: "today" for every test. */
const nowMs = new Date(2025, 2, 10, 12, 0).getTime();
const minuteMs = 60_000;

function message(n: number, change: Partial<ChatMessageView> = {}): ChatMessageView {
  return {
    key: `alice/${n}`,
    authorId: 'alice',
    authorName: 'Alice',
    text: `message number ${n}`,
    sentAtMs: nowMs - 60 * minuteMs + n,
    edited: false,
    deleted: false,
    own: false,
    reactions: [],
    ...change,
  };
}

function sharedFile(change: Partial<FileView> = {}): FileView {
  return {
    contentId: 'content-7',
    name: 'plan.pdf',
    mime: 'application/pdf',
    sizeBytes: 512_000,
    state: 'available',
    doneBytes: 0,
    bytesPerSecond: 0,
    peers: 0,
    ...change,
  };
}

function many(count: number): ChatMessageView[] {
  // One message a minute, ending an hour before "now": spans about a week of days.
  return Array.from({ length: count }, (_, n) =>
    message(n, { sentAtMs: nowMs - 60 * minuteMs - (count - n) * minuteMs }),
  );
}

// The virtualizer measures rows in a ResizeObserver callback and places the rows it adds there;
// after a long jump Chromium reports "ResizeObserver loop completed with undelivered
// notifications" as a page error. The notice is harmless (the rows are measured a frame later,
// see w3c/csswg-drafts#5488) but mocha fails the running test on any page error, so the
// tests here let that one message through and nothing else.
let mochaOnError: OnErrorEventHandler = null;
before(() => {
  mochaOnError = window.onerror;
  window.onerror = (message, ...rest) => {
    if (typeof message === 'string' && message.startsWith('ResizeObserver loop')) return true;
    const handled: unknown = mochaOnError?.call(window, message, ...rest);
    return handled === true;
  };
});
after(() => {
  window.onerror = mochaOnError;
});

const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
});

async function mount(messages: readonly ChatMessageView[], memberCount = 3): Promise<ChatMessageList> {
  const list = document.createElement('mycel-chat-message-list');
  list.clock = () => nowMs;
  list.messages = messages;
  list.memberCount = memberCount;
  list.style.height = '400px';
  list.style.width = '600px';
  document.body.append(list);
  mounted.push(list);
  await list.updateComplete;
  await frames(3);
  return list;
}

async function frames(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Waits (in frames, with a generous cap) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return;
    await frames(1);
  }
  throw new Error(`never happened: ${what}`);
}

function root(list: ChatMessageList): ShadowRoot {
  if (list.shadowRoot === null) throw new Error('no shadow root');
  return list.shadowRoot;
}

function log(list: ChatMessageList): HTMLElement {
  const element = root(list).querySelector<HTMLElement>('[role="log"]');
  if (element === null) throw new Error('no log');
  return element;
}

function article(list: ChatMessageList, text: string): HTMLElement {
  const found = [...root(list).querySelectorAll<HTMLElement>('article')].find((a) =>
    a.textContent.includes(text),
  );
  if (found === undefined) throw new Error(`no message showing "${text}"`);
  return found;
}

function button(scope: ParentNode, name: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent.trim()) === name,
  );
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
}

function buttonNames(scope: ParentNode): string[] {
  return [...scope.querySelectorAll('button')].map(
    (b) => b.getAttribute('aria-label') ?? b.textContent.trim(),
  );
}

function events<T>(list: ChatMessageList, type: string): T[] {
  const seen: T[] = [];
  list.addEventListener(type, (event) => seen.push((event as CustomEvent<T>).detail));
  return seen;
}

/** Whether the row is inside the visible box of the log. */
function onScreen(list: ChatMessageList, text: string): boolean {
  const found = [...root(list).querySelectorAll<HTMLElement>('article')].find(
    (a) => a.querySelector('.text')?.textContent.trim() === text,
  );
  if (found === undefined) return false;
  const box = log(list).getBoundingClientRect();
  const rect = found.getBoundingClientRect();
  return rect.bottom > box.top && rect.top < box.bottom;
}

describe('mycel-chat-message-list', () => {
  it('is a log named Messages that says so when it is empty', async () => {
    const list = await mount([]);
    expect(log(list).getAttribute('aria-label')).to.equal('Messages');
    expect(log(list).textContent.trim()).to.equal('No messages yet. Say hello!');
  });

  it('shows author, time, edited marker, deletion, reply quote and delivery', async () => {
    const sentAtMs = new Date(2025, 2, 10, 9, 5).getTime();
    const list = await mount([
      message(1, { sentAtMs, text: 'first', edited: true }),
      message(2, { sentAtMs: sentAtMs + 1, deleted: true, text: '' }),
      message(3, {
        sentAtMs: sentAtMs + 2,
        text: 'answer',
        own: true,
        authorName: 'Me',
        replyTo: { key: 'alice/1', authorName: 'Alice', excerpt: 'first' },
        delivery: { state: 'delivered', deliveredTo: 2 },
      }),
      message(4, {
        sentAtMs: sentAtMs + 3,
        text: 'pending',
        own: true,
        delivery: { state: 'sent', deliveredTo: 0 },
      }),
    ]);
    const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(sentAtMs);
    const first = article(list, 'first');
    expect(first.querySelector('.author')?.textContent).to.equal('Alice');
    expect(first.querySelector('time')?.textContent).to.equal(time);
    expect(first.querySelector('.edited')?.textContent).to.equal('edited');
    expect(article(list, 'Message deleted').querySelector('.edited')).to.equal(null);
    const reply = article(list, 'answer');
    expect(reply.querySelector('blockquote')?.textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'Alice first',
    );
    expect(reply.querySelector('.delivery')?.textContent).to.equal('Delivered to 2');
    expect(article(list, 'pending').querySelector('.delivery')?.textContent).to.equal('Sent');
    expect(first.querySelector('.delivery')).to.equal(null);
  });

  it('offers Reply and React on every live message and Edit and Delete only on own ones', async () => {
    const list = await mount([
      message(1, { text: 'theirs' }),
      message(2, { text: 'mine', own: true }),
      message(3, { text: '', own: true, deleted: true }),
    ]);
    expect(buttonNames(article(list, 'theirs'))).to.deep.equal(['Reply', 'React']);
    expect(buttonNames(article(list, 'mine'))).to.deep.equal(['Reply', 'React', 'Edit', 'Delete']);
    expect(buttonNames(article(list, 'Message deleted'))).to.deep.equal([]);
  });

  it('fires reply, edit and delete with the message key', async () => {
    const list = await mount([message(7, { text: 'mine', own: true })]);
    const replies = events<MessageKeyDetail>(list, 'reply');
    const edits = events<MessageKeyDetail>(list, 'edit');
    const deletes = events<MessageKeyDetail>(list, 'delete');
    const mine = article(list, 'mine');
    button(mine, 'Reply').click();
    button(mine, 'Edit').click();
    button(mine, 'Delete').click();
    expect(replies).to.deep.equal([{ key: 'alice/7' }]);
    expect(edits).to.deep.equal([{ key: 'alice/7' }]);
    expect(deletes).to.deep.equal([{ key: 'alice/7' }]);
  });

  it('toggles a reaction from its chip and adds one from the React picker', async () => {
    const list = await mount([
      message(1, { text: 'hi', reactions: [{ emoji: '🎉', count: 2, mine: true }] }),
    ]);
    const reacts = events<ReactDetail>(list, 'react');
    const chip = article(list, 'hi').querySelector<HTMLButtonElement>('.reactions button');
    expect(chip?.getAttribute('aria-pressed')).to.equal('true');
    expect(chip?.textContent.trim()).to.equal('🎉 2');
    chip?.click();
    const react = button(article(list, 'hi'), 'React');
    react.click();
    await list.updateComplete;
    expect(react.getAttribute('aria-expanded')).to.equal('true');
    const heart = button(article(list, 'hi'), 'React with heart');
    expect(root(list).activeElement).to.equal(
      article(list, 'hi').querySelector('.picker button'),
      'the picker takes focus',
    );
    heart.click();
    await list.updateComplete;
    expect(reacts).to.deep.equal([
      { key: 'alice/1', emoji: '🎉' },
      { key: 'alice/1', emoji: '❤️' },
    ]);
    expect(article(list, 'hi').querySelector('.picker')).to.equal(null);
  });

  it('shows hostile text as text and links only http(s) URLs', async () => {
    const hostile = `<img src=x onerror="window.pwned=1"> javascript:alert(1) "quoted' https://example.com/ok.`;
    const list = await mount([message(1, { text: hostile, authorName: '<b>Eve</b>' })]);
    const shown = article(list, 'javascript:');
    expect(shown.querySelector('img, b, script')).to.equal(null);
    expect(shown.querySelector('.text')?.textContent.trim()).to.equal(hostile);
    expect(shown.querySelector('.author')?.textContent).to.equal('<b>Eve</b>');
    expect([...shown.querySelectorAll('a')].map((a) => a.getAttribute('href'))).to.deep.equal([
      'https://example.com/ok',
    ]);
    expect((window as { pwned?: number }).pwned).to.equal(undefined);
  });

  it('separates days with Today, Yesterday or the date', async () => {
    const at = (day: number, hour: number) => new Date(2025, 2, day, hour).getTime();
    const list = await mount([
      message(1, { sentAtMs: at(3, 9) }),
      message(2, { sentAtMs: at(3, 18) }),
      message(3, { sentAtMs: at(9, 23) }),
      message(4, { sentAtMs: at(10, 0) }),
    ]);
    const dateLabel = new Intl.DateTimeFormat(undefined, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
    }).format(at(3, 0));
    const days = [...root(list).querySelectorAll('.day')].map((day) => day.textContent.trim());
    expect(days).to.deep.equal([dateLabel, 'Yesterday', 'Today']);
  });

  it('renders only the visible rows of 10,000 messages, starts at the newest and scrolls to the first', async () => {
    const list = await mount(many(10_000));
    await until(() => onScreen(list, 'message number 9999'), 'the newest message is on screen');
    expect(root(list).querySelectorAll('article').length).to.be.below(200);
    await list.scrollToTop();
    expect(onScreen(list, 'message number 0')).to.equal(true);
    expect(root(list).querySelectorAll('article').length).to.be.below(200);
    await list.scrollToBottom();
    expect(onScreen(list, 'message number 9999')).to.equal(true);
  });

  it('follows new messages while the reader is at the bottom', async () => {
    const list = await mount(many(300));
    await until(() => onScreen(list, 'message number 299'), 'the newest message is on screen');
    list.messages = [...list.messages, message(300, { text: 'fresh', sentAtMs: nowMs - minuteMs })];
    await until(() => onScreen(list, 'fresh'), 'the new message is on screen');
    expect(buttonNames(root(list)).includes('New messages')).to.equal(false);
    expect(root(list).querySelector('[role="status"]')?.textContent).to.equal('Alice: fresh');
  });

  it('keeps its place when scrolled up and offers a jump to new messages', async () => {
    const list = await mount(many(300));
    await until(() => onScreen(list, 'message number 299'), 'the newest message is on screen');
    await list.scrollToTop();
    log(list).dispatchEvent(new Event('scroll'));
    list.messages = [...list.messages, message(300, { text: 'fresh', sentAtMs: nowMs - minuteMs })];
    await list.updateComplete;
    await frames(3);
    expect(onScreen(list, 'message number 0')).to.equal(true);
    expect(onScreen(list, 'fresh')).to.equal(false);
    button(root(list), 'New messages').click();
    await until(() => onScreen(list, 'fresh'), 'the jump reaches the new message');
    await list.updateComplete;
    expect(buttonNames(root(list)).includes('New messages')).to.equal(false);
  });

  it('shows a shared file as a card under its caption and passes its events on', async () => {
    const list = await mount([
      message(1, { text: 'the plan for Monday', file: sharedFile() }),
      message(2, { text: 'notes.txt', file: sharedFile({ contentId: 'content-8', name: 'notes.txt' }) }),
      message(3, { text: 'no file here' }),
    ]);
    const captioned = article(list, 'the plan for Monday');
    expect(captioned.querySelector('.text')?.textContent.trim()).to.equal('the plan for Monday');
    const card = captioned.querySelector('mycel-file-card');
    expect(card?.file?.name).to.equal('plan.pdf');
    await card?.updateComplete;
    const downloads = events<FileActionDetail>(list, 'file-download');
    const download = card?.shadowRoot?.querySelector('button');
    expect(download?.textContent.trim()).to.equal('Download');
    download?.click();
    expect(downloads).to.deep.equal([{ contentId: 'content-7' }]);
    const unnamed = [...root(list).querySelectorAll('article')].find(
      (a) => a.querySelector('mycel-file-card')?.file?.name === 'notes.txt',
    );
    expect(unnamed === undefined, 'the notes.txt card is shown').to.equal(false);
    expect(
      unnamed?.querySelector('.text') === null,
      'a caption that is just the name is not repeated',
    ).to.equal(true);
    expect(article(list, 'no file here').querySelector('mycel-file-card') === null).to.equal(true);
  });

  it('shows no card for a deleted file message and announces a new file by its name', async () => {
    const list = await mount([
      message(1, { text: '', deleted: true, file: sharedFile() }),
      message(2, { text: 'older' }),
    ]);
    expect(article(list, 'Message deleted').querySelector('mycel-file-card') === null).to.equal(true);
    list.messages = [...list.messages, message(3, { text: 'plan.pdf', file: sharedFile() })];
    await list.updateComplete;
    expect(root(list).querySelector('[role="status"]')?.textContent).to.equal('Alice shared plan.pdf');
  });
});
