import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { messageOf } from '../lib/errors.ts';
import type { CollabApi, PresenceStatus, PresenceView } from '../app/collab-types.ts';
import { theme } from '../components/theme.ts';
import { contactStyles } from '../components/contact-format.ts';
import {
  isPresenceStatus,
  maxPresenceTextLength,
  presenceLabel,
  presenceStatuses,
} from '../components/presence-format.ts';

/**
 * The user's own status and status text, for the header. A new status is saved at once; the
 * text is saved on Enter or when the field loses focus, and Escape puts the saved text back.
 */
@customElement('mycel-presence-selector')
export class PresenceSelector extends LitElement {
  static override styles = [
    theme,
    contactStyles,
    css`
      :host {
        display: block;
        min-width: 0;
      }
      form {
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      select {
        padding: 0.3rem 0.4rem;
      }
      input[type='text'] {
        flex: 1 1 11rem;
        min-width: 0;
        width: 11rem;
        padding: 0.3rem 0.5rem;
      }
      .count {
        color: var(--muted);
        font-size: 0.8em;
        white-space: nowrap;
      }
      .error {
        margin: 0.2rem 0 0;
        font-size: 0.85em;
      }
      .error:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
      @media (max-width: 40rem) {
        input[type='text'] {
          width: auto;
        }
      }
    `,
  ];

  /** The status as the app has it now. */
  @property({ attribute: false }) presence: PresenceView = { status: 'online', text: '' };
  @property({ attribute: false }) collab: Pick<CollabApi, 'setPresence'> | undefined;
  /** The text being typed; undefined while the field shows the saved text. */
  @state() private draft: string | undefined;
  /** What is being saved now, shown until the app's state catches up. */
  @state() private saving: PresenceView | undefined;
  @state() private error = '';
  @query('select') private select!: HTMLSelectElement;

  override render() {
    const status = this.shownStatus;
    const text = this.draft ?? this.saving?.text ?? this.presence.text;
    return html`<form @submit=${this.submit}>
        <span class="dot ${status}" aria-hidden="true"></span>
        <label for="status" class="visually-hidden">Your status</label>
        <select id="status" @change=${this.changeStatus}>
          ${presenceStatuses.map((option) => html`<option value=${option}>${presenceLabel(option)}</option>`)}
        </select>
        <label for="text" class="visually-hidden">Status text</label>
        <input
          id="text"
          type="text"
          maxlength=${maxPresenceTextLength}
          placeholder="Status text"
          autocomplete="off"
          aria-describedby="count"
          .value=${text}
          @input=${this.input}
          @blur=${this.saveText}
          @keydown=${this.keydown}
        />
        <span id="count" class="count"
          >${this.draft === undefined ? nothing : `${this.draft.length}/${maxPresenceTextLength}`}</span
        >
      </form>
      <p class="error" role="alert">${this.error}</p>`;
  }

  /** The `<select>` is set here, not through `selected` attributes: once a person picked an option those no longer move it. */
  override updated(): void {
    if (this.select.value !== this.shownStatus) this.select.value = this.shownStatus;
  }

  private get shownStatus(): PresenceStatus {
    return this.saving?.status ?? this.presence.status;
  }

  private input(event: InputEvent): void {
    this.draft = (event.target as HTMLInputElement).value;
  }

  private keydown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || this.draft === undefined) return;
    event.preventDefault();
    this.draft = undefined;
    this.error = '';
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    void this.saveText();
  }

  private async saveText(): Promise<void> {
    const draft = this.draft;
    // Enter saves and the blur that may follow must not save the same text again.
    if (draft === undefined || this.saving?.text === draft) return;
    if (draft === this.presence.text && this.saving === undefined) {
      this.draft = undefined;
      return;
    }
    await this.save(this.shownStatus, draft);
  }

  private async changeStatus(): Promise<void> {
    const status = this.select.value;
    if (!isPresenceStatus(status)) return;
    await this.save(status, this.draft ?? this.saving?.text ?? this.presence.text);
  }

  private async save(status: PresenceStatus, text: string): Promise<void> {
    if (this.collab === undefined) return;
    if (text.length > maxPresenceTextLength) {
      this.error = `A status text has at most ${maxPresenceTextLength} characters; this one has ${text.length}.`;
      return;
    }
    this.error = '';
    const saving = { status, text };
    this.saving = saving;
    try {
      await this.collab.setPresence(status, text);
      if (this.draft === text) this.draft = undefined;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      if (this.saving === saving) this.saving = undefined;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-presence-selector': PresenceSelector;
  }
}
