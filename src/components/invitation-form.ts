import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { InvitationView } from './chat-types.ts';
import { theme } from './theme.ts';
import './link-share.ts';

/** Detail of `create-invitation`; `maxUses` 0 means unlimited. */
export interface CreateInvitationDetail {
  readonly role: 'member' | 'admin';
  readonly expiresInMs: number;
  readonly maxUses: number;
  readonly note: string;
}

/** Detail of `revoke-invitation`. */
export interface RevokeInvitationDetail {
  readonly id: string;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
export const maxInvitationNoteLength = 200;

/** Expiry choices; a week is the default, long enough to reach a friend, short enough to forget safely. */
const expiries: readonly (readonly [ms: number, label: string])[] = [
  [hourMs, '1 hour'],
  [dayMs, '1 day'],
  [7 * dayMs, '7 days'],
  [30 * dayMs, '30 days'],
];
const defaultExpiryMs = 7 * dayMs;
const useLimits: readonly (readonly [uses: number, label: string])[] = [
  [1, 'Single use'],
  [5, '5'],
  [25, '25'],
  [0, 'Unlimited'],
];
const defaultUses = 25;

/**
 * Creates invitations to a group and lists the ones already made, for an admin.
 * @fires create-invitation - CustomEvent<CreateInvitationDetail>
 * @fires revoke-invitation - CustomEvent<RevokeInvitationDetail>
 */
@customElement('mycel-invitation-form')
export class InvitationForm extends LitElement {
  static override styles = [
    theme,
    css`
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
        gap: 0 0.75rem;
      }
      select {
        width: 100%;
        padding: 0.45rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 1rem 0 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.75rem;
        padding: 0.45rem 0;
        border-bottom: 1px solid var(--border);
      }
      li .facts {
        flex: 1 1 12rem;
        overflow-wrap: anywhere;
      }
      .badge {
        font-size: 0.78em;
        padding: 0.05rem 0.45rem;
        border-radius: 999px;
        border: 1px solid var(--muted);
        color: var(--muted);
      }
      mycel-link-share {
        margin-top: 1rem;
      }
    `,
  ];

  @property({ attribute: false }) invitations: readonly InvitationView[] = [];
  /** The link of the invitation just created, offered for sharing; '' for none. */
  @property() latestLink = '';
  @property({ type: Boolean }) busy = false;
  /** The clock that tells an expired invitation from an open one. */
  @property({ attribute: false }) clock: () => number = () => Date.now();
  @query('#role') private roleSelect!: HTMLSelectElement;
  @query('#expires') private expiresSelect!: HTMLSelectElement;
  @query('#uses') private usesSelect!: HTMLSelectElement;
  @query('#note') private noteInput!: HTMLInputElement;
  private readonly expiryFormat = new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });

  override render() {
    return html`<form @submit=${this.submit}>
        <div class="fields">
          <div class="field">
            <label for="role">Role</label>
            <select id="role">
              <option value="member" selected>Member</option>
              <option value="admin">Admin</option>
            </select>
          </div>
          <div class="field">
            <label for="expires">Expires</label>
            <select id="expires">
              ${expiries.map(
                ([ms, label]) =>
                  html`<option value=${ms} ?selected=${ms === defaultExpiryMs}>${label}</option>`,
              )}
            </select>
          </div>
          <div class="field">
            <label for="uses">Uses</label>
            <select id="uses">
              ${useLimits.map(
                ([uses, label]) =>
                  html`<option value=${uses} ?selected=${uses === defaultUses}>${label}</option>`,
              )}
            </select>
          </div>
        </div>
        <div class="field">
          <label for="note">Note <span class="help">(optional, only admins see it)</span></label>
          <input id="note" type="text" maxlength=${maxInvitationNoteLength} autocomplete="off" />
        </div>
        <button type="submit" class="primary" ?disabled=${this.busy}>Create invitation</button>
      </form>
      ${
        this.latestLink === ''
          ? nothing
          : html`<mycel-link-share .link=${this.latestLink}></mycel-link-share>`
      }
      ${
        this.invitations.length === 0
          ? nothing
          : html`<ul role="list" aria-label="Invitations">
              ${this.invitations.map((invitation) => this.renderInvitation(invitation))}
            </ul>`
      }`;
  }

  private renderInvitation(invitation: InvitationView) {
    const expired = invitation.expiresAtMs <= this.clock();
    const expiry = this.expiryFormat.format(invitation.expiresAtMs);
    const uses =
      invitation.maxUses === 0
        ? `${invitation.used} ${invitation.used === 1 ? 'use' : 'uses'}, unlimited`
        : `${invitation.used} of ${invitation.maxUses} ${invitation.maxUses === 1 ? 'use' : 'uses'}`;
    const open = !invitation.revoked && !expired;
    return html`<li>
      <span class="facts">
        <strong>${invitation.role === 'admin' ? 'Admin' : 'Member'}</strong> · ${uses} ·
        ${expired ? `Expired ${expiry}` : `Expires ${expiry}`}
        ${invitation.note === '' ? nothing : html`· <span>${invitation.note}</span>`}
        ${invitation.revoked ? html`<span class="badge">Revoked</span>` : nothing}
      </span>
      ${
        open
          ? html`<button
              class="danger"
              aria-label=${`Revoke invitation ${invitation.note === '' ? `expiring ${expiry}` : invitation.note}`}
              @click=${() => this.emit('revoke-invitation', { id: invitation.id })}
            >
              Revoke
            </button>`
          : nothing
      }
    </li>`;
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.busy) return;
    const detail: CreateInvitationDetail = {
      role: this.roleSelect.value === 'admin' ? 'admin' : 'member',
      expiresInMs: Number(this.expiresSelect.value),
      maxUses: Number(this.usesSelect.value),
      note: this.noteInput.value.trim().slice(0, maxInvitationNoteLength),
    };
    this.emit('create-invitation', detail);
    this.noteInput.value = '';
  }

  private emit(type: string, detail: CreateInvitationDetail | RevokeInvitationDetail): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-invitation-form': InvitationForm;
  }
}
