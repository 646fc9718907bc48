import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { messageOf } from '../lib/errors.ts';
import type { CollabApi, ContactView, PresenceStatus } from '../app/collab-types.ts';
import { theme } from '../components/theme.ts';
import { contactStyles, initialOf, shortIdentityId } from '../components/contact-format.ts';
import { presenceLabel } from '../components/presence-format.ts';

/** A group a contact can be invited to. */
export interface InvitableGroup {
  readonly id: string;
  readonly name: string;
}

/** What the list calls: the contact actions of the app's collaboration API. */
export type ContactActions = Pick<
  CollabApi,
  'renameContact' | 'deleteContact' | 'setBlocked' | 'setWatched' | 'inviteToGroup'
>;

type FormKind = 'rename' | 'invite' | 'delete';

/** Reachable people first: whoever can answer now is whom one looks for. */
const presenceOrder: Record<PresenceStatus, number> = { online: 0, busy: 1, away: 2, brb: 2, offline: 3 };

/** Contacts by presence, then by name. */
export function sortContacts(contacts: readonly ContactView[]): ContactView[] {
  return [...contacts].sort(
    (a, b) =>
      presenceOrder[a.presence.status] - presenceOrder[b.presence.status] ||
      a.displayName.localeCompare(b.displayName),
  );
}

/**
 * The contacts with their presence, and for each: rename, invite to a group, watch their
 * presence or not, block them from watching this user's, and delete (after a confirmation).
 * One inline form is open at a time.
 */
@customElement('mycel-contact-list')
export class ContactList extends LitElement {
  static override styles = [
    theme,
    contactStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 0.6rem 0;
        border-bottom: 1px solid var(--border);
      }
      .person {
        display: flex;
        gap: 0.75rem;
        align-items: center;
      }
      .who {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .name {
        font-weight: 600;
      }
      .presence {
        display: block;
        color: var(--muted);
        font-size: 0.9em;
      }
      .actions {
        margin-top: 0.4rem;
      }
      .actions button,
      form button {
        padding: 0.25rem 0.65rem;
        font-size: 0.9em;
      }
      form {
        margin-top: 0.5rem;
        padding: 0.75rem;
        background: var(--surface-2);
        border-radius: var(--radius);
      }
      .empty {
        color: var(--muted);
      }
      .status:empty,
      .error:empty {
        /* Empty, but still rendered: a live region must exist before it speaks. */
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) contacts: readonly ContactView[] = [];
  /** The groups this user may invite to (an admin's), offered in "Invite to group". */
  @property({ attribute: false }) groups: readonly InvitableGroup[] = [];
  @property({ attribute: false }) collab: ContactActions | undefined;
  @state() private open: { readonly identityId: string; readonly form: FormKind } | undefined;
  @state() private busy = false;
  @state() private notice = '';
  @state() private error = '';

  override render() {
    return html`${
        this.contacts.length === 0
          ? html`<p class="empty">
              No contacts yet. Paste a friend’s contact card link under “Add a contact”, or meet them under
              “People nearby”.
            </p>`
          : html`<ul role="list" aria-label="Contacts">
              ${sortContacts(this.contacts).map((contact) => this.renderContact(contact))}
            </ul>`
      }
      <p class="status ok" role="status">${this.notice}</p>
      <p class="error" role="alert">${this.error}</p>`;
  }

  private renderContact(contact: ContactView) {
    const { identityId, displayName: name, presence } = contact;
    const form = this.open?.identityId === identityId ? this.open.form : undefined;
    return html`<li>
      <div class="person">
        <span class="avatar" style=${styleMap({ background: contact.colour })} aria-hidden="true"
          >${initialOf(name)}</span
        >
        <div class="who">
          <span class="name">${name}</span>
          ${name === contact.cardName ? nothing : html`<span class="help">(card: ${contact.cardName})</span>`}
          <span class="help mono">${shortIdentityId(identityId)}</span>
          <span class="presence"
            ><span class="dot ${presence.status}" aria-hidden="true"></span
            >${presenceLabel(presence.status)}${
              presence.text === '' ? nothing : html` – <span class="text">${presence.text}</span>`
            }${contact.watched ? nothing : ' (not watched)'}</span
          >
          ${contact.blocked ? html`<span class="badge">Blocked from watching you</span>` : nothing}
        </div>
      </div>
      <div class="actions row">${this.renderActions(contact, form)}</div>
      ${form === undefined ? nothing : this.renderForm(contact, form)}
    </li>`;
  }

  private renderActions(contact: ContactView, form: FormKind | undefined) {
    const { identityId, displayName: name } = contact;
    const toggle = (kind: FormKind, text: string, label: string) =>
      html`<button
        type="button"
        data-form=${kind}
        data-id=${identityId}
        aria-label=${label}
        aria-expanded=${form === kind ? 'true' : 'false'}
        @click=${() => this.toggleForm(identityId, kind)}
      >
        ${text}
      </button>`;
    return html`${toggle('rename', 'Rename', `Rename ${name}`)}
    ${toggle('invite', 'Invite to group', `Invite ${name} to a group`)}
    ${
      contact.watched
        ? html`<button
            type="button"
            aria-label=${`Stop watching ${name}’s presence`}
            ?disabled=${this.busy}
            @click=${() => this.run(() => this.require().setWatched(identityId, false), `You no longer watch ${name}’s presence.`)}
          >
            Stop watching
          </button>`
        : html`<button
            type="button"
            aria-label=${`Watch ${name}’s presence`}
            ?disabled=${this.busy}
            @click=${() => this.run(() => this.require().setWatched(identityId, true), `You watch ${name}’s presence again.`)}
          >
            Watch presence
          </button>`
    }
    ${
      contact.blocked
        ? html`<button
            type="button"
            aria-label=${`Let ${name} watch your presence`}
            ?disabled=${this.busy}
            @click=${() => this.run(() => this.require().setBlocked(identityId, false), `${name} may watch your presence again.`)}
          >
            Unblock
          </button>`
        : html`<button
            type="button"
            aria-label=${`Block ${name} from watching your presence`}
            ?disabled=${this.busy}
            @click=${() => this.run(() => this.require().setBlocked(identityId, true), `${name} can no longer watch your presence.`)}
          >
            Block watching
          </button>`
    }
    ${toggle('delete', 'Delete', `Delete ${name}`)}`;
  }

  private renderForm(contact: ContactView, form: FormKind) {
    const { identityId, displayName: name } = contact;
    const cancel = html`<button type="button" @click=${() => this.closeForm(identityId, form)}>
      Cancel
    </button>`;
    switch (form) {
      case 'rename':
        return html`<form @submit=${(event: SubmitEvent) => this.rename(event, contact)}>
          <div class="field">
            <label for="rename-${identityId}">New name for ${name}</label>
            <input
              id="rename-${identityId}"
              name="nickname"
              type="text"
              maxlength="64"
              autocomplete="off"
              .value=${name}
            />
            <p class="help">Leave it empty to use the name on their card, “${contact.cardName}”.</p>
          </div>
          <div class="row">
            <button type="submit" class="primary" ?disabled=${this.busy}>Save name</button>${cancel}
          </div>
        </form>`;
      case 'invite':
        return html`<form @submit=${(event: SubmitEvent) => this.invite(event, contact)}>
          ${
            this.groups.length === 0
              ? html`<p>
                    Only a group’s admins can invite, and you are admin of no group yet. Create one on the
                    Groups page, then invite ${name} to it.
                  </p>
                  <div class="row">${cancel}</div>`
              : html`<div class="field">
                    <label for="invite-${identityId}">Group to invite ${name} to</label>
                    <select id="invite-${identityId}" name="group">
                      ${this.groups.map((group) => html`<option value=${group.id}>${group.name}</option>`)}
                    </select>
                    <p class="help">
                      ${name} has 5 minutes to accept. The answer shows under “Invitations you sent”.
                    </p>
                  </div>
                  <div class="row">
                    <button type="submit" class="primary" ?disabled=${this.busy}>Send invitation</button
                    >${cancel}
                  </div>`
          }
        </form>`;
      case 'delete':
        return html`<form @submit=${(event: SubmitEvent) => this.deleteContact(event, contact)}>
          <p>
            Delete ${name} from your contacts? You stop seeing their presence; groups you share stay as they
            are.
          </p>
          <div class="row">
            <button type="submit" class="danger" ?disabled=${this.busy}>Yes, delete ${name}</button>${cancel}
          </div>
        </form>`;
    }
  }

  private async toggleForm(identityId: string, form: FormKind): Promise<void> {
    if (this.open?.identityId === identityId && this.open.form === form) {
      this.open = undefined;
      return;
    }
    this.open = { identityId, form };
    await this.updateComplete;
    // The first field (or the confirming button) takes the focus, so the keyboard lands in the form.
    this.renderRoot.querySelector<HTMLElement>('form input, form select, form button')?.focus();
  }

  private async closeForm(identityId: string, form: FormKind): Promise<void> {
    this.open = undefined;
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLElement>(`button[data-form="${form}"][data-id="${CSS.escape(identityId)}"]`)
      ?.focus();
  }

  private rename(event: SubmitEvent, contact: ContactView): void {
    event.preventDefault();
    const nickname = fieldValue(event, 'nickname').trim();
    const shown = nickname === '' ? contact.cardName : nickname;
    void this.run(
      () => this.require().renameContact(contact.identityId, nickname),
      `${contact.displayName} is now called ${shown}.`,
      true,
    );
  }

  private invite(event: SubmitEvent, contact: ContactView): void {
    event.preventDefault();
    const groupId = fieldValue(event, 'group');
    const group = this.groups.find((candidate) => candidate.id === groupId);
    if (group === undefined) return;
    void this.run(
      () => this.require().inviteToGroup(contact.identityId, group.id),
      `Invitation to ${group.name} sent to ${contact.displayName}.`,
      true,
    );
  }

  private deleteContact(event: SubmitEvent, contact: ContactView): void {
    event.preventDefault();
    void this.run(
      () => this.require().deleteContact(contact.identityId),
      `${contact.displayName} is no longer a contact.`,
      true,
    );
  }

  /** Runs one action, announces `done` or the error; `closes` closes the open form on success. */
  private async run(action: () => Promise<void>, done: string, closes = false): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.notice = '';
    this.error = '';
    try {
      await action();
      this.notice = done;
      if (closes) this.open = undefined;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }

  private require(): ContactActions {
    if (this.collab === undefined) throw new Error('Contacts are not ready yet. Try again in a moment.');
    return this.collab;
  }
}

/** The text of the field named `name` in the form `event` submits. */
function fieldValue(event: SubmitEvent, name: string): string {
  const value = new FormData(event.target as HTMLFormElement).get(name);
  return typeof value === 'string' ? value : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-contact-list': ContactList;
  }
}
