import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from './theme.ts';

/** Detail of `send`: the trimmed text and the key of the message it answers, if any. */
export interface SendDetail {
  readonly text: string;
  readonly replyTo?: string;
}

/** Detail of `save-edit`: the edited message's key and its new trimmed text. */
export interface SaveEditDetail {
  readonly key: string;
  readonly text: string;
}

/** Detail of `share-file`: the files chosen or dropped, in the order the browser gave them. */
export interface ShareFileDetail {
  readonly files: readonly File[];
}

/** The message being answered, as the "Replying to" bar shows it. */
export interface ComposerReply {
  readonly key: string;
  readonly authorName: string;
  readonly excerpt: string;
}

/** The own message being edited and its current text. */
export interface ComposerEdit {
  readonly key: string;
  readonly text: string;
}

/** Longest message, in UTF-16 code units as `maxlength` counts them. */
export const maxMessageLength = 4000;
/** The counter appears when this few characters are left, so it is there only when it matters. */
const counterFromLeft = 500;

/**
 * The box where a message is written: Enter sends, Shift+Enter starts a new line. It also
 * edits an own message (Escape cancels) and shows which message a reply answers. "Share file"
 * picks files to share; dropping files is `<mycel-file-drop>`'s job.
 * @fires send - CustomEvent<SendDetail>
 * @fires share-file - CustomEvent<ShareFileDetail>
 * @fires save-edit - CustomEvent<SaveEditDetail>
 * @fires cancel-reply - CustomEvent<undefined>
 * @fires cancel-edit - CustomEvent<undefined>
 */
@customElement('mycel-chat-composer')
export class ChatComposer extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .context {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.3rem 0.5rem;
        margin-bottom: 0.4rem;
        border-left: 3px solid var(--accent);
        background: var(--surface-2);
        border-radius: 0 var(--radius) var(--radius) 0;
        font-size: 0.9em;
      }
      .context span {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .context button {
        padding: 0.15rem 0.5rem;
      }
      .bar {
        display: flex;
        gap: 0.5rem;
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        min-width: 0;
        resize: none;
        field-sizing: content;
        min-height: 2.6rem;
        max-height: 10rem;
        padding: 0.5rem 0.7rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
      }
      .counter {
        text-align: right;
        font-size: 0.85em;
        color: var(--muted);
        margin: 0.2rem 0 0;
      }
      .counter.full {
        color: var(--danger);
      }
      .share {
        padding-inline: 0.7rem;
      }
      .reason {
        color: var(--muted);
        margin: 0 0 0.4rem;
      }
    `,
  ];

  /** The message a reply answers; set by the view when "Reply" is chosen. */
  @property({ attribute: false }) replyTo: ComposerReply | undefined;
  /** The own message being edited; set by the view when "Edit" is chosen. */
  @property({ attribute: false }) editing: ComposerEdit | undefined;
  @property({ type: Boolean }) disabled = false;
  /** Why writing is not possible, shown instead of the counter, e.g. "You were removed from this group". */
  @property() disabledReason = '';
  @state() private text = '';
  /** What was being written before an edit started, put back when it ends. */
  private draft = '';
  private focusNext = false;
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type="file"]') private filePicker!: HTMLInputElement;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('editing')) {
      const before = changed.get('editing');
      if (this.editing !== undefined && this.editing.key !== before?.key) {
        if (before === undefined) this.draft = this.text;
        this.text = this.editing.text;
        this.focusNext = true;
      } else if (this.editing === undefined && before !== undefined) {
        this.text = this.draft;
        this.draft = '';
      }
    }
    if (changed.has('replyTo') && this.replyTo !== undefined) this.focusNext = true;
  }

  override updated(): void {
    if (this.focusNext && !this.disabled) this.textarea.focus();
    this.focusNext = false;
  }

  override render() {
    const left = maxMessageLength - this.text.length;
    const blank = this.text.trim() === '';
    return html`${this.renderContext()}
      ${
        this.disabled && this.disabledReason !== ''
          ? html`<p class="reason" id="reason">${this.disabledReason}</p>`
          : nothing
      }
      <form class="bar" @submit=${this.submit}>
        <textarea
          aria-label="Message"
          aria-describedby=${this.disabled ? 'reason' : 'counter'}
          placeholder="Write a message"
          maxlength=${maxMessageLength}
          rows="1"
          .value=${this.text}
          ?disabled=${this.disabled}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
        ></textarea>
        <button
          type="button"
          class="share"
          aria-label="Share file"
          title="Share file"
          ?disabled=${this.disabled || this.editing !== undefined}
          @click=${this.pickFiles}
        >
          <span aria-hidden="true">📎</span>
        </button>
        <input type="file" multiple hidden @change=${this.onFilesChosen} />
        ${
          this.editing === undefined
            ? html`<button type="submit" class="primary" ?disabled=${this.disabled || blank}>Send</button>`
            : html`<button
                type="submit"
                class="primary"
                aria-label="Save edit"
                ?disabled=${this.disabled || blank}
              >
                Save
              </button>`
        }
      </form>
      <p class="counter ${left === 0 ? 'full' : ''}" id="counter" ?hidden=${left > counterFromLeft}>
        ${left === 1 ? '1 character left' : `${left} characters left`}
      </p>`;
  }

  private renderContext() {
    if (this.editing !== undefined) {
      return html`<div class="context">
        <span>Editing your message</span>
        <button type="button" @click=${this.cancelEdit}>Cancel edit</button>
      </div>`;
    }
    if (this.replyTo === undefined) return nothing;
    return html`<div class="context">
      <span>Replying to <strong>${this.replyTo.authorName}</strong>: ${this.replyTo.excerpt}</span>
      <button type="button" @click=${this.cancelReply}>Cancel reply</button>
    </div>`;
  }

  private onInput(event: InputEvent): void {
    this.text = (event.target as HTMLTextAreaElement).value;
  }

  private onKeydown(event: KeyboardEvent): void {
    // While an input method composes (Japanese, Chinese ...), Enter confirms the word.
    if (event.isComposing) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.commit();
    } else if (event.key === 'Escape') {
      if (this.editing !== undefined) this.cancelEdit();
      else if (this.replyTo !== undefined) this.cancelReply();
    }
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    this.commit();
  }

  private commit(): void {
    const text = this.text.trim();
    if (this.disabled || text === '') return;
    if (this.editing !== undefined) {
      this.emit('save-edit', { key: this.editing.key, text });
    } else {
      const detail: SendDetail = this.replyTo === undefined ? { text } : { text, replyTo: this.replyTo.key };
      this.emit('send', detail);
    }
    this.text = '';
  }

  private pickFiles(): void {
    this.filePicker.click();
  }

  private onFilesChosen(): void {
    const files = [...(this.filePicker.files ?? [])];
    // Cleared so that choosing the same file again is a change too.
    this.filePicker.value = '';
    if (this.disabled || files.length === 0) return;
    this.emit('share-file', { files });
  }

  private cancelEdit(): void {
    this.emit('cancel-edit', undefined);
  }

  private cancelReply(): void {
    this.emit('cancel-reply', undefined);
    this.textarea.focus();
  }

  private emit(type: string, detail: SendDetail | SaveEditDetail | ShareFileDetail | undefined): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-chat-composer': ChatComposer;
  }
}
