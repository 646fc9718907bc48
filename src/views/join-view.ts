import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import { shortId } from '../core/identity/ids.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import type { JoinPreview } from '../app/group-service.ts';
import { theme } from '../components/theme.ts';

/** An opened join link: what it offers, and a confirmation before joining. */
@customElement('mycel-join-view')
export class JoinView extends LitElement {
  static override styles = theme;

  @consume({ context: appContext, subscribe: true }) private app?: App;
  /** The whole link (or its `#join=` fragment). */
  @property() link = '';
  @state() private preview: JoinPreview | undefined;
  @state() private error = '';
  @state() private busy = false;
  private previewed = '';

  override willUpdate(): void {
    if (this.app !== undefined && this.link !== this.previewed) {
      this.previewed = this.link;
      this.preview = undefined;
      this.error = '';
      void this.app
        .previewJoinLink(this.link)
        .then((preview) => {
          this.preview = preview;
        })
        .catch((error: unknown) => {
          this.error = messageOf(error);
        });
    }
  }

  override render() {
    if (this.error !== '') {
      return html`<h1>Cannot join</h1>
        <div class="card">
          <p role="alert">${this.error}</p>
          <p><a href="#/groups">Go to your groups</a></p>
        </div>`;
    }
    const preview = this.preview;
    if (preview === undefined) return html`<p role="status">Reading the join link…</p>`;
    const expires = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      preview.expiresAtMs,
    );
    return html`<h1>Join ${preview.groupName}?</h1>
      <div class="card">
        <p>
          <strong>${preview.inviterName || 'Someone'}</strong>
          <span class="mono">(${shortId(preview.inviterId)})</span> invites you to join
          <strong>${preview.groupName}</strong> as ${preview.role === 'admin' ? 'an admin' : 'a member'}.
        </p>
        ${preview.note === '' ? nothing : html`<blockquote>${preview.note}</blockquote>`}
        <p class="help">The invitation is valid until ${expires}. Members will see your display name.</p>
        ${
          preview.alreadyMember
            ? html`<p>You are already in this group.</p>
                <a class="button" href="#/groups/${preview.groupId}">Open ${preview.groupName}</a>`
            : html`<button class="primary" ?disabled=${this.busy} @click=${this.join}>Join group</button>
                <a href="#/groups">Not now</a>`
        }
      </div>`;
  }

  private async join(): Promise<void> {
    const app = this.app;
    if (app === undefined) return;
    this.busy = true;
    try {
      const groupId = await app.joinGroup(this.link);
      window.location.hash = `#/groups/${groupId}`;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-join-view': JoinView;
  }
}
