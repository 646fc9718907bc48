import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { App, SavedFile } from '../app/app.ts';
import type { CollabApi, CollabState, OutgoingInvitationView } from '../app/collab-types.ts';
import { appContext } from '../app/context.ts';
import { saveFile } from '../app/files.ts';
import { StateController } from '../controllers/state-controller.ts';
import { factList, theme } from '../components/theme.ts';
import type { InvitableGroup } from './contact-list.ts';
import '../components/link-share.ts';
import './contact-add-form.ts';
import './contact-list.ts';
import './nearby-panel.ts';

/** An invitation's fate in words; the words carry it, never a colour alone. */
export function outgoingStateText(invitation: OutgoingInvitationView): string {
  switch (invitation.state) {
    case 'pending':
      return 'Waiting for an answer…';
    case 'accepted':
      return 'Accepted';
    case 'declined':
      return 'Declined';
    case 'expired':
      return 'Expired';
    case 'failed':
      return `Failed: ${invitation.error ?? 'the invitation could not be delivered'}`;
  }
}

/**
 * The Contacts page: this user's card to share, adding a contact from a card link, the contacts
 * with their presence and actions, the invitations sent to them, exporting, and people nearby.
 */
@customElement('mycel-contacts-view')
export class ContactsView extends LitElement {
  static override styles = [
    theme,
    factList,
    css`
      ul.sent {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ul.sent li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 0.75rem;
        align-items: center;
        padding: 0.45rem 0;
        border-bottom: 1px solid var(--border);
      }
      ul.sent .facts {
        flex: 1 1 14rem;
        overflow-wrap: anywhere;
      }
      ul.sent button {
        padding: 0.25rem 0.65rem;
        font-size: 0.9em;
      }
      .state.failed {
        color: var(--danger);
      }
      .state.accepted {
        color: var(--ok);
      }
      mycel-contact-list {
        margin-bottom: 0.75rem;
      }
      dl {
        margin-top: 0.75rem;
      }
      .ok:empty,
      .error:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
    `,
  ];

  @consume({ context: appContext, subscribe: true }) private app?: App;
  /** A card link the app was opened with (`#/contact/…`), to check and add; '' for none. */
  @property() link = '';
  /** Offers a file for download; the default saves it through the browser. */
  @property({ attribute: false }) save: (file: SavedFile) => void = saveFile;
  @state() private exporting = false;
  @state() private exportNotice = '';
  @state() private exportError = '';
  private readonly appState = new StateController(this, () => this.app);
  private readonly collab = new StateController(this, () => this.app?.collab);

  override render() {
    const api = this.collab.source;
    const state = this.collab.value;
    if (api === undefined || state === undefined) {
      return html`<h1>Contacts</h1>
        <p role="status">Your contacts open as soon as your profile has started…</p>`;
    }
    return html`<h1>Contacts</h1>
      ${this.renderCard(state)}
      <section class="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a contact</h2>
        <mycel-contact-add-form
          .collab=${api}
          .link=${this.link}
          @contact-added=${this.added}
        ></mycel-contact-add-form>
      </section>
      <section class="card" aria-labelledby="contacts-heading">
        <h2 id="contacts-heading">Your contacts</h2>
        <mycel-contact-list
          .contacts=${state.contacts}
          .groups=${this.invitableGroups()}
          .collab=${api}
        ></mycel-contact-list>
        <div class="row">
          <button ?disabled=${this.exporting} @click=${() => this.export(api)}>Export contacts</button>
        </div>
        <p class="ok" role="status">${this.exportNotice}</p>
        <p class="error" role="alert">${this.exportError}</p>
      </section>
      ${this.renderSent(api, state.outgoing)}
      <section class="card" aria-labelledby="nearby-heading">
        <h2 id="nearby-heading">People nearby</h2>
        <mycel-nearby-panel
          .nearby=${state.nearby}
          .receivedCards=${state.receivedCards}
          .collab=${api}
        ></mycel-nearby-panel>
      </section>`;
  }

  private renderCard(state: CollabState) {
    return html`<section class="card" aria-labelledby="card-heading">
      <h2 id="card-heading">Your contact card</h2>
      <p class="help">
        Your card carries your display name, your key and your colour. Friends who add you with it can see
        your presence; you can block any of them from watching it.
      </p>
      ${
        state.me.link === ''
          ? html`<p role="status">Your card is being made…</p>`
          : html`<mycel-link-share
              .link=${state.me.link}
              label="Your contact card link"
              copyText="Copy card link"
              qrLabel="QR code of your contact card"
              shareTitle="My Mycel contact card"
            ></mycel-link-share>`
      }
      <dl>
        <dt>Your secured peer name</dt>
        <dd class="mono">${state.me.peerName}</dd>
      </dl>
    </section>`;
  }

  private renderSent(api: CollabApi, outgoing: readonly OutgoingInvitationView[]) {
    return html`<section class="card" aria-labelledby="sent-heading">
      <h2 id="sent-heading">Invitations you sent</h2>
      ${
        outgoing.length === 0
          ? html`<p class="help">None right now. Invite a contact to a group from the list above.</p>`
          : html`<ul class="sent" role="list" aria-labelledby="sent-heading">
              ${outgoing.map(
                (invitation) =>
                  html`<li>
                    <span class="facts"
                      >${invitation.groupName}, to ${invitation.toName}:
                      <span class="state ${invitation.state}">${outgoingStateText(invitation)}</span></span
                    >
                    ${
                      invitation.state === 'pending'
                        ? nothing
                        : html`<button
                            aria-label=${`Dismiss the invitation to ${invitation.groupName} for ${invitation.toName}`}
                            @click=${() => api.dismissOutgoing(invitation.id)}
                          >
                            Dismiss
                          </button>`
                    }
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
  }

  /** Groups this user administers: only an admin can make the join link an invitation carries. */
  private invitableGroups(): InvitableGroup[] {
    const groups = this.appState.value?.groups ?? [];
    return groups
      .filter((group) => !group.left && !group.removed && (group.role === 'owner' || group.role === 'admin'))
      .map((group) => ({ id: group.id, name: group.name }));
  }

  /** Once the card a link brought is added, the page's address forgets the link. */
  private added(): void {
    if (window.location.hash.startsWith('#/contact/')) window.location.hash = '#/contacts';
  }

  private async export(api: CollabApi): Promise<void> {
    this.exporting = true;
    this.exportNotice = '';
    this.exportError = '';
    try {
      const file = await api.exportContacts();
      this.save(file);
      this.exportNotice = `Saved ${file.name}.`;
    } catch (error) {
      this.exportError = messageOf(error);
    } finally {
      this.exporting = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-contacts-view': ContactsView;
  }
}
