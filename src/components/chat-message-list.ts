import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { virtualize, virtualizerRef, type VirtualizerHostElement } from '@lit-labs/virtualizer/virtualize.js';
import type { ChatMessageView } from './chat-types.ts';
import type { FileView } from './file-types.ts';
import { linkify } from './linkify.ts';
import { theme } from './theme.ts';
import { chatMessageListStyles } from './chat-message-list-styles.ts';
import './file-card.ts';

/** Detail of `reply`, `edit` and `delete`: the message's key. */
export interface MessageKeyDetail {
  readonly key: string;
}

/** Detail of `react`: toggles the viewer's `emoji` reaction on the message `key`. */
export interface ReactDetail {
  readonly key: string;
  readonly emoji: string;
}

/** A day separator or a message: the virtualizer's items. */
type Row =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | { readonly kind: 'message'; readonly key: string; readonly message: ChatMessageView };

interface Pin {
  readonly index: number;
  readonly block: 'start' | 'end';
}

/** The reactions offered by "React", with the names screen readers say for them. */
const quickReactions: readonly (readonly [emoji: string, name: string])[] = [
  ['👍', 'thumbs up'],
  ['❤️', 'heart'],
  ['😂', 'laughing'],
  ['😮', 'surprised'],
  ['😢', 'sad'],
  ['🎉', 'party'],
];

/** How far above the end still counts as "at the bottom": rounding and a half-seen last row. */
const bottomSlackPx = 48;

/** Frames to wait for the virtualizer to measure and place rows after a jump. */
const maxSettleFrames = 120;

/** Local midnight of the day holding `ms`, `offsetDays` days later. */
function dayStartMs(ms: number, offsetDays = 0): number {
  const date = new Date(ms);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + offsetDays).getTime();
}

/** Whether a file's message has a caption of its own, not just the file's name again. */
function hasCaption(message: ChatMessageView, file: FileView): boolean {
  return message.text.trim() !== '' && message.text !== file.name;
}

/** What the status region says for one new message: its text, or that a file was shared. */
function spokenArrival(message: ChatMessageView): string {
  const file = message.file;
  if (file === undefined) return `${message.authorName}: ${message.text}`;
  const caption = hasCaption(message, file) ? `: ${message.text}` : '';
  return `${message.authorName} shared ${file.name}${caption}`;
}

const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));

/**
 * The messages of one chat as a scrolling log. Only the rows in view are in the DOM (through
 * `@lit-labs/virtualizer`), so 10,000 messages scroll as smoothly as ten. It sticks to the
 * bottom while the reader is there and otherwise keeps its place and offers "New messages".
 * @fires reply - CustomEvent<MessageKeyDetail>
 * @fires edit - CustomEvent<MessageKeyDetail>
 * @fires delete - CustomEvent<MessageKeyDetail>
 * @fires react - CustomEvent<ReactDetail>
 */
@customElement('mycel-chat-message-list')
export class ChatMessageList extends LitElement {
  static override styles = [theme, chatMessageListStyles];

  /** The chat's messages, ascending by time. */
  @property({ attribute: false }) messages: readonly ChatMessageView[] = [];
  /** Members of the group, the viewer included: the "delivered to N" of own messages is out of the others. */
  @property({ type: Number }) memberCount = 0;
  /** The clock that decides what "Today" is. */
  @property({ attribute: false }) clock: () => number = () => Date.now();

  /** Messages that arrived while the reader was scrolled up. */
  @state() private unseen = 0;
  @state() private pickerFor: string | undefined;
  /** Spoken by the status region: the latest arrival from someone else. */
  @state() private announcement = '';
  private rows: Row[] = [];
  private atBottom = true;
  /** A jump for the next render to hand to the virtualizer's layout. */
  private pendingPin: Pin | undefined;
  private focusPicker = false;
  private readonly timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  private readonly dayFormat = new Intl.DateTimeFormat(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
  private readonly dayYearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

  /** Jumps to the first message and resolves once it is on screen. */
  async scrollToTop(): Promise<void> {
    await this.jumpTo({ index: 0, block: 'start' });
  }

  /** Jumps to the newest message and resolves once it is on screen. */
  async scrollToBottom(): Promise<void> {
    this.unseen = 0;
    await this.jumpTo({ index: this.rows.length - 1, block: 'end' });
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('messages')) {
      this.rows = this.buildRows();
      const previous = changed.get('messages');
      this.noteArrivals(previous ?? []);
    }
  }

  override render() {
    const jump =
      this.unseen > 0
        ? html`<button class="jump primary" title=${`${this.unseen} unread`} @click=${this.scrollToBottom}>
            New messages
          </button>`
        : nothing;
    return html`${this.renderLog()}${jump}
      <div class="visually-hidden" role="status">${this.announcement}</div>`;
  }

  override updated(): void {
    this.pendingPin = undefined;
    if (this.focusPicker) {
      this.focusPicker = false;
      this.renderRoot.querySelector<HTMLButtonElement>('.picker button')?.focus();
    }
  }

  private renderLog(): TemplateResult {
    // The log announces nothing itself (aria-live off): rows that the virtualizer adds while
    // scrolling would otherwise be read out as if they were new. Arrivals go to the status region.
    if (this.rows.length === 0) {
      return html`<div class="log" role="log" aria-label="Messages" aria-live="off">
        <p class="empty">No messages yet. Say hello!</p>
      </div>`;
    }
    const layout = this.pendingPin === undefined ? {} : { pin: this.pendingPin };
    return html`<div
      class="log"
      role="log"
      aria-label="Messages"
      aria-live="off"
      tabindex="0"
      @scroll=${this.onScroll}
    >
      ${virtualize({
        items: this.rows,
        keyFunction: (row: Row) => row.key,
        renderItem: (row: Row, index: number) => this.renderRow(row, index),
        scroller: true,
        layout,
      })}
    </div>`;
  }

  private renderRow(row: Row, index: number): TemplateResult {
    if (row.kind === 'day') return html`<div class="row day" data-index=${index}>${row.label}</div>`;
    const message = row.message;
    const sentAt = new Date(message.sentAtMs);
    return html`<article class="row message ${message.own ? 'own' : ''}" data-index=${index}>
      ${
        message.replyTo === undefined || message.deleted
          ? nothing
          : html`<blockquote>
              <span class="author">${message.replyTo.authorName}</span> ${message.replyTo.excerpt}
            </blockquote>`
      }
      <div class="meta">
        <span class="author">${message.authorName}</span>
        <time datetime=${sentAt.toISOString()}>${this.timeFormat.format(sentAt)}</time>
        ${message.edited && !message.deleted ? html`<span class="edited">edited</span>` : nothing}
      </div>
      ${this.renderBody(message)} ${message.deleted ? nothing : this.renderReactions(message)}
      ${this.renderDelivery(message)} ${message.deleted ? nothing : this.renderActions(message)}
    </article>`;
  }

  /** The text, then the card of a shared file. */
  private renderBody(message: ChatMessageView): TemplateResult {
    if (message.deleted) return html`<p class="text"><span class="deleted">Message deleted</span></p>`;
    const file = message.file;
    if (file === undefined) return html`<p class="text">${linkify(message.text)}</p>`;
    return html`${hasCaption(message, file) ? html`<p class="text">${linkify(message.text)}</p>` : nothing}
      <mycel-file-card .file=${file}></mycel-file-card>`;
  }

  private renderReactions(message: ChatMessageView): TemplateResult | typeof nothing {
    if (message.reactions.length === 0) return nothing;
    return html`<ul class="reactions" role="list" aria-label="Reactions">
      ${message.reactions.map(
        (reaction) =>
          html`<li>
            <button
              aria-pressed=${reaction.mine ? 'true' : 'false'}
              @click=${() => this.emit('react', { key: message.key, emoji: reaction.emoji })}
            >
              ${reaction.emoji} ${reaction.count}
            </button>
          </li>`,
      )}
    </ul>`;
  }

  private renderDelivery(message: ChatMessageView): TemplateResult | typeof nothing {
    if (!message.own || message.deleted || message.delivery === undefined) return nothing;
    const { state, deliveredTo } = message.delivery;
    if (state === 'sent') return html`<span class="delivery">Sent</span>`;
    const others = Math.max(this.memberCount - 1, deliveredTo);
    return html`<span class="delivery" title=${`${deliveredTo} of ${others} other members have it`}
      >Delivered to ${deliveredTo}</span
    >`;
  }

  private renderActions(message: ChatMessageView): TemplateResult {
    const key = message.key;
    const open = this.pickerFor === key;
    const mine = message.own
      ? html`<button @click=${() => this.emit('edit', { key })}>Edit</button>
          <button class="danger" @click=${() => this.emit('delete', { key })}>Delete</button>`
      : nothing;
    const picker = open
      ? html`<div class="picker" role="group" aria-label="Choose a reaction" @keydown=${this.onPickerKey}>
          ${quickReactions.map(
            ([emoji, name]) =>
              html`<button aria-label=${`React with ${name}`} @click=${() => this.pick(key, emoji)}>
                ${emoji}
              </button>`,
          )}
        </div>`
      : nothing;
    return html`<div class="actions" role="group" aria-label=${`Actions for ${message.authorName}'s message`}>
        <button @click=${() => this.emit('reply', { key })}>Reply</button>
        <button aria-expanded=${open ? 'true' : 'false'} @click=${() => this.togglePicker(key)}>React</button>
        ${mine}
      </div>
      ${picker}`;
  }

  private buildRows(): Row[] {
    const rows: Row[] = [];
    const nowMs = this.clock();
    let day = Number.NaN;
    for (const message of this.messages) {
      const start = dayStartMs(message.sentAtMs);
      if (start !== day) {
        day = start;
        rows.push({ kind: 'day', key: `day:${start}`, label: this.dayLabel(start, nowMs) });
      }
      rows.push({ kind: 'message', key: message.key, message });
    }
    return rows;
  }

  private dayLabel(startMs: number, nowMs: number): string {
    if (startMs === dayStartMs(nowMs)) return 'Today';
    if (startMs === dayStartMs(nowMs, -1)) return 'Yesterday';
    const sameYear = new Date(startMs).getFullYear() === new Date(nowMs).getFullYear();
    return (sameYear ? this.dayFormat : this.dayYearFormat).format(startMs);
  }

  /** Decides, for messages that arrived at the end, whether to follow them or offer a jump. */
  private noteArrivals(previous: readonly ChatMessageView[]): void {
    const last = this.messages.at(-1);
    const previousLast = previous.at(-1)?.key;
    if (last === undefined || last.key === previousLast) return;
    const lastIndex = this.rows.length - 1;
    if (previous.length === 0) {
      this.pendingPin = { index: lastIndex, block: 'end' };
      return;
    }
    const from = this.messages.findLastIndex((message) => message.key === previousLast) + 1;
    const arrived = this.messages.slice(from);
    if (this.atBottom || last.own) {
      this.pendingPin = { index: lastIndex, block: 'end' };
      this.unseen = 0;
    } else {
      this.unseen += arrived.length;
    }
    const fromOthers = arrived.filter((message) => !message.own && !message.deleted);
    const newest = fromOthers.at(-1);
    if (newest !== undefined) {
      this.announcement =
        fromOthers.length === 1
          ? spokenArrival(newest)
          : `${fromOthers.length} new messages, the last from ${newest.authorName}`;
    }
  }

  private onScroll(event: Event): void {
    const log = event.currentTarget as HTMLElement;
    this.atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= bottomSlackPx;
    if (this.atBottom && this.unseen > 0) this.unseen = 0;
  }

  private async jumpTo(pin: Pin): Promise<void> {
    if (this.rows.length === 0) return;
    this.pendingPin = pin;
    this.requestUpdate();
    await this.updateComplete;
    for (let frame = 0; frame < maxSettleFrames && !this.isShown(pin); frame++) await nextFrame();
  }

  /** Whether the row `pin` names is rendered and inside the scrolling box at its `block` edge. */
  private isShown(pin: Pin): boolean {
    const log = this.renderRoot.querySelector<VirtualizerHostElement>('.log');
    if (log === null) return false;
    const row = log.querySelector(`[data-index="${pin.index}"]`);
    if (row === null || log[virtualizerRef] === undefined) return false;
    const box = log.getBoundingClientRect();
    const rect = row.getBoundingClientRect();
    return pin.block === 'start' ? Math.abs(rect.top - box.top) < 1 : Math.abs(rect.bottom - box.bottom) < 1;
  }

  private togglePicker(key: string): void {
    this.pickerFor = this.pickerFor === key ? undefined : key;
    this.focusPicker = this.pickerFor !== undefined;
  }

  private pick(key: string, emoji: string): void {
    this.pickerFor = undefined;
    this.emit('react', { key, emoji });
  }

  private onPickerKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return;
    const actions = (event.currentTarget as HTMLElement).previousElementSibling;
    this.pickerFor = undefined;
    actions?.querySelector<HTMLButtonElement>('[aria-expanded]')?.focus();
  }

  private emit(type: 'reply' | 'edit' | 'delete', detail: MessageKeyDetail): void;
  private emit(type: 'react', detail: ReactDetail): void;
  private emit(type: string, detail: MessageKeyDetail | ReactDetail): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-chat-message-list': ChatMessageList;
  }
}
