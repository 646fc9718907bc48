import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { messageOf } from '../lib/errors.ts';
import type { CollabApi, IncomingInvitationView } from '../app/collab-types.ts';
import { theme } from '../components/theme.ts';
import { expiresInText, shortIdentityId } from '../components/contact-format.ts';

/** Detail of `joined-group`: the group the user just joined by accepting an invitation. */
export interface JoinedGroupDetail {
  readonly groupId: string;
}

/** The countdown moves once a second: the coarsest step that still reads as live. */
const tickMs = 1000;

/**
 * Invitations into groups sent straight to this user, with Accept and Decline and the time
 * left. One from someone who is not a contact says so, and Accept asks once more. Outcomes are
 * announced in a status region that stays when the last invitation is gone.
 * @fires joined-group - CustomEvent<JoinedGroupDetail>
 */
@customElement('mycel-invitation-inbox')
export class InvitationInbox extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .inbox {
        border-color: var(--accent);
        border-width: 2px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      li + li {
        border-top: 1px solid var(--border);
        padding-top: 0.75rem;
      }
      h3 {
        font-size: 1.05rem;
        overflow-wrap: anywhere;
      }
      .from {
        overflow-wrap: anywhere;
      }
      .warning {
        color: var(--warn);
        font-weight: 600;
      }
      .warning::before {
        content: '⚠ ';
      }
      .ok:empty,
      .error:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) incoming: readonly IncomingInvitationView[] = [];
  @property({ attribute: false }) collab: Pick<CollabApi, 'answerInvitation'> | undefined;
  /** The clock the time left is counted on. */
  @property({ attribute: false }) clock: () => number = () => Date.now();
  /** The invitation (from a stranger) whose Accept waits for "Join anyway". */
  @state() private confirming: string | undefined;
  @state() private answering: string | undefined;
  @state() private notice = '';
  @state() private error = '';
  private ticker: ReturnType<typeof setInterval> | undefined;

  override disconnectedCallback(): void {
    this.stopTicking();
    super.disconnectedCallback();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.followClock();
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('incoming')) this.followClock();
  }

  override render() {
    const nowMs = this.clock();
    return html`${
        this.incoming.length === 0
          ? nothing
          : html`<section class="card inbox" aria-labelledby="inbox-heading">
              <h2 id="inbox-heading">
                ${this.incoming.length === 1 ? 'An invitation for you' : `${this.incoming.length} invitations for you`}
              </h2>
              <ul role="list">
                ${this.incoming.map((invitation) => this.renderInvitation(invitation, nowMs))}
              </ul>
            </section>`
      }
      <p class="ok" role="status">${this.notice}</p>
      <p class="error" role="alert">${this.error}</p>`;
  }

  private renderInvitation(invitation: IncomingInvitationView, nowMs: number) {
    const { id, groupName, fromName } = invitation;
    const expired = invitation.expiresAtMs <= nowMs;
    const busy = this.answering !== undefined;
    const headingId = `invitation-${id}`;
    return html`<li>
      <section aria-labelledby=${headingId}>
        <h3 id=${headingId}>Invitation to ${groupName}</h3>
        <p class="from">
          From <strong>${fromName}</strong>
          <span class="help mono">${shortIdentityId(invitation.fromIdentityId)}</span>
        </p>
        ${
          invitation.fromContact
            ? nothing
            : html`<p class="warning">
                ${fromName} is not in your contacts. Join only if you know who sent this.
              </p>`
        }
        <p class="help">${expiresInText(invitation.expiresAtMs, nowMs)}</p>
        ${
          this.confirming === id
            ? html`<p>Join ${groupName}, from someone who is not in your contacts?</p>
                <div class="row">
                  <button
                    class="primary"
                    data-confirm=${id}
                    ?disabled=${busy || expired}
                    @click=${() => this.answer(invitation, true)}
                  >
                    Join anyway
                  </button>
                  <button @click=${() => (this.confirming = undefined)}>Cancel</button>
                </div>`
            : html`<div class="row">
                <button
                  class="primary"
                  aria-label=${`Accept invitation to ${groupName}`}
                  ?disabled=${busy || expired}
                  @click=${() => this.accept(invitation)}
                >
                  Accept
                </button>
                <button
                  aria-label=${`Decline invitation to ${groupName}`}
                  ?disabled=${busy}
                  @click=${() => this.answer(invitation, false)}
                >
                  Decline
                </button>
              </div>`
        }
      </section>
    </li>`;
  }

  private async accept(invitation: IncomingInvitationView): Promise<void> {
    if (!invitation.fromContact) {
      this.confirming = invitation.id;
      await this.updateComplete;
      // "Join anyway" replaces Accept under the keyboard, so the focus is not lost.
      this.renderRoot
        .querySelector<HTMLButtonElement>(`button[data-confirm="${CSS.escape(invitation.id)}"]`)
        ?.focus();
      return;
    }
    await this.answer(invitation, true);
  }

  private async answer(invitation: IncomingInvitationView, accept: boolean): Promise<void> {
    const collab = this.collab;
    if (collab === undefined || this.answering !== undefined) return;
    this.answering = invitation.id;
    this.notice = '';
    this.error = '';
    try {
      const groupId = await collab.answerInvitation(invitation.id, accept);
      this.confirming = undefined;
      if (!accept) {
        this.notice = `You declined the invitation to ${invitation.groupName}.`;
        return;
      }
      this.notice = `You joined ${invitation.groupName}.`;
      if (groupId !== undefined) {
        const detail: JoinedGroupDetail = { groupId };
        this.dispatchEvent(new CustomEvent('joined-group', { detail, bubbles: true, composed: true }));
      }
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.answering = undefined;
    }
  }

  /** Ticks while there is a countdown to show, and not otherwise. */
  private followClock(): void {
    if (this.incoming.length === 0 || !this.isConnected) {
      this.stopTicking();
      return;
    }
    this.ticker ??= setInterval(() => this.requestUpdate(), tickMs);
  }

  private stopTicking(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-invitation-inbox': InvitationInbox;
  }
}
