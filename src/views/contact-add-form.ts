import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { messageOf } from '../lib/errors.ts';
import type { CardPreview, CollabApi, ContactView } from '../app/collab-types.ts';
import { theme } from '../components/theme.ts';
import { contactStyles, initialOf, shortIdentityId } from '../components/contact-format.ts';

/** Detail of `contact-added`: the contact as the app now lists it. */
export type ContactAddedDetail = ContactView;

/**
 * Adds a contact from a card link: the card is checked and shown first (name, short id, and
 * whether it is already a contact or the user's own), then added on a second press.
 * @fires contact-added - CustomEvent<ContactAddedDetail>
 */
@customElement('mycel-contact-add-form')
export class ContactAddForm extends LitElement {
  static override styles = [
    theme,
    contactStyles,
    css`
      :host {
        display: block;
      }
      .paste {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .paste input {
        flex: 1;
        min-width: 0;
      }
      .preview {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        margin: 0.75rem 0;
        padding: 0.75rem;
        background: var(--surface-2);
        border-radius: var(--radius);
      }
      .preview .who {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .preview .name {
        font-weight: 600;
      }
      .error:empty,
      .ok:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) collab: Pick<CollabApi, 'previewCard' | 'addContact'> | undefined;
  /** A card link to check at once (one the app was opened with); '' for none. */
  @property() link = '';
  @state() private text = '';
  @state() private preview: { readonly link: string; readonly card: CardPreview } | undefined;
  @state() private busy = false;
  @state() private error = '';
  @state() private notice = '';

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('link') && this.link !== '') {
      this.text = this.link;
      void this.check();
    }
  }

  override render() {
    return html`<form @submit=${this.submit} novalidate>
        <label for="card">Contact card link</label>
        <div class="paste">
          <input
            id="card"
            type="text"
            class="mono"
            autocomplete="off"
            autocapitalize="none"
            spellcheck="false"
            aria-describedby="card-help add-error"
            .value=${this.text}
            @input=${this.input}
          />
          <button type="submit" ?disabled=${this.busy} aria-busy=${this.busy ? 'true' : 'false'}>
            Check card
          </button>
        </div>
        <p id="card-help" class="help">
          Paste the link a friend sent you, or open it: Mycel checks their key.
        </p>
      </form>
      ${this.preview === undefined ? nothing : this.renderPreview(this.preview.card)}
      <p id="add-error" class="error" role="alert">${this.error}</p>
      <p class="ok" role="status">${this.notice}</p>`;
  }

  private renderPreview(card: CardPreview) {
    const note = card.own
      ? 'This is your own card: share it with friends, they add you with it.'
      : card.known
        ? 'Already in your contacts: adding again updates their card.'
        : 'The card’s signature checks out.';
    return html`<section class="preview" aria-label="Card of ${card.displayName}">
      <span class="avatar" style=${styleMap({ background: card.colour })} aria-hidden="true"
        >${initialOf(card.displayName)}</span
      >
      <div class="who">
        <span class="name">${card.displayName}</span>
        <span class="help mono">${shortIdentityId(card.identityId)}</span>
        <div class="help">${note}</div>
      </div>
      ${
        card.own
          ? nothing
          : html`<button class="primary" ?disabled=${this.busy} @click=${this.add}>
              ${card.known ? 'Update contact' : 'Add contact'}
            </button>`
      }
    </section>`;
  }

  private input(event: InputEvent): void {
    this.text = (event.target as HTMLInputElement).value;
    // The card shown belongs to the old text; a new one has to be checked again.
    this.preview = undefined;
    this.error = '';
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    void this.check();
  }

  private async check(): Promise<void> {
    const link = this.text.trim();
    this.notice = '';
    this.preview = undefined;
    if (link === '') {
      this.error = 'Paste a contact card link first.';
      return;
    }
    await this.attempt(async (collab) => {
      const card = await collab.previewCard(link);
      // A newer paste replaces this check's answer.
      if (this.text.trim() === link) this.preview = { link, card };
    });
  }

  private async add(): Promise<void> {
    const preview = this.preview;
    if (preview === undefined) return;
    await this.attempt(async (collab) => {
      const contact = await collab.addContact(preview.link);
      this.preview = undefined;
      this.text = '';
      this.notice = `${contact.displayName} is now in your contacts.`;
      this.dispatchEvent(
        new CustomEvent<ContactAddedDetail>('contact-added', {
          detail: contact,
          bubbles: true,
          composed: true,
        }),
      );
    });
  }

  private async attempt(
    action: (collab: Pick<CollabApi, 'previewCard' | 'addContact'>) => Promise<void>,
  ): Promise<void> {
    if (this.busy) return;
    const collab = this.collab;
    if (collab === undefined) {
      this.error = 'Contacts are not ready yet. Try again in a moment.';
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      await action(collab);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-contact-add-form': ContactAddForm;
  }
}
