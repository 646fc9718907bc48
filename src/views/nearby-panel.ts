import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { messageOf } from '../lib/errors.ts';
import type { CollabApi, CollabState, NearbyPersonView, ReceivedCardView } from '../app/collab-types.ts';
import { theme } from '../components/theme.ts';
import { contactStyles, initialOf, shortIdentityId } from '../components/contact-format.ts';

/** What the panel calls. */
export type NearbyActions = Pick<
  CollabApi,
  'signInNearby' | 'signOutNearby' | 'sendCardTo' | 'addContact' | 'dismissCard'
>;

/**
 * "People nearby": opt-in, off until the user signs in. Lists the others signed in on the same
 * broker, sends them this user's card, and shows the cards others sent, to add or dismiss.
 */
@customElement('mycel-nearby-panel')
export class NearbyPanel extends LitElement {
  static override styles = [
    theme,
    contactStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0 0 1rem;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.75rem;
        align-items: center;
        padding: 0.5rem 0;
        border-bottom: 1px solid var(--border);
      }
      .who {
        flex: 1 1 10rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .name {
        font-weight: 600;
      }
      li button {
        padding: 0.25rem 0.65rem;
        font-size: 0.9em;
      }
      h3 {
        font-size: 1rem;
        margin-top: 1rem;
      }
      .ok:empty,
      .error:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) nearby: CollabState['nearby'] = { signedIn: false, people: [] };
  @property({ attribute: false }) receivedCards: readonly ReceivedCardView[] = [];
  @property({ attribute: false }) collab: NearbyActions | undefined;
  @state() private busy = false;
  @state() private notice = '';
  @state() private error = '';

  override render() {
    const { signedIn, people } = this.nearby;
    return html`<p class="help">
        People nearby is off until you sign in. While you are signed in, everyone else signed in on the same
        broker sees your display name, and you see theirs; you can send each other your contact cards. Signing
        out removes you from their lists at once.
      </p>
      <div class="row">
        ${
          signedIn
            ? html`<button ?disabled=${this.busy} @click=${this.signOut}>Sign out</button>
                <span>You are signed in to people nearby.</span>`
            : html`<button class="primary" ?disabled=${this.busy} @click=${this.signIn}>
                Sign in to people nearby
              </button>`
        }
      </div>
      ${signedIn ? this.renderPeople(people) : nothing} ${this.renderCards()}
      <p class="ok" role="status">${this.notice}</p>
      <p class="error" role="alert">${this.error}</p>`;
  }

  private renderPeople(people: readonly NearbyPersonView[]) {
    return html`<h3 id="people-heading">Signed in now</h3>
      ${
        people.length === 0
          ? html`<p class="help">
              Nobody else is signed in right now. The list refreshes every few seconds.
            </p>`
          : html`<ul role="list" aria-labelledby="people-heading">
              ${people.map(
                (person) =>
                  html`<li>
                    ${this.renderPerson(person)}
                    ${person.isContact ? html`<span class="badge">Already a contact</span>` : nothing}
                    <button
                      aria-label=${`Send my card to ${person.displayName}`}
                      ?disabled=${this.busy}
                      @click=${() =>
                        this.run(
                          (collab) => collab.sendCardTo(person.identityId),
                          `Your card is on its way to ${person.displayName}.`,
                        )}
                    >
                      Send my card
                    </button>
                  </li>`,
              )}
            </ul>`
      }`;
  }

  private renderCards() {
    if (this.receivedCards.length === 0) return nothing;
    return html`<h3 id="cards-heading">Cards sent to you</h3>
      <ul role="list" aria-labelledby="cards-heading">
        ${this.receivedCards.map(
          (card) =>
            html`<li>
              ${this.renderPerson(card)}
              <button
                class="primary"
                aria-label=${`Add ${card.displayName} as a contact`}
                ?disabled=${this.busy}
                @click=${() => this.addCard(card)}
              >
                Add contact
              </button>
              <button
                aria-label=${`Dismiss the card of ${card.displayName}`}
                @click=${() => this.collab?.dismissCard(card.identityId)}
              >
                Dismiss
              </button>
            </li>`,
        )}
      </ul>`;
  }

  private renderPerson(person: { identityId: string; displayName: string; colour: string }) {
    return html`<span class="avatar" style=${styleMap({ background: person.colour })} aria-hidden="true"
        >${initialOf(person.displayName)}</span
      >
      <span class="who">
        <span class="name">${person.displayName}</span>
        <span class="help mono">${shortIdentityId(person.identityId)}</span>
      </span>`;
  }

  private signIn(): Promise<void> {
    return this.run((collab) => collab.signInNearby(), 'You are signed in to people nearby.');
  }

  private signOut(): Promise<void> {
    return this.run((collab) => collab.signOutNearby(), 'You signed out: nobody nearby sees you now.');
  }

  private addCard(card: ReceivedCardView): Promise<void> {
    return this.run(async (collab) => {
      await collab.addContact(card.link);
      // The card has done its job once its sender is a contact.
      collab.dismissCard(card.identityId);
    }, `${card.displayName} is now in your contacts.`);
  }

  private async run(action: (collab: NearbyActions) => Promise<void>, done: string): Promise<void> {
    const collab = this.collab;
    if (collab === undefined || this.busy) return;
    this.busy = true;
    this.notice = '';
    this.error = '';
    try {
      await action(collab);
      this.notice = done;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-nearby-panel': NearbyPanel;
  }
}
