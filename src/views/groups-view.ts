import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import type { GroupSummary } from '../app/group-service.ts';
import { StateController } from '../controllers/state-controller.ts';
import { theme } from '../components/theme.ts';
import '../components/group-create-form.ts';
import type { CreateGroupDetail } from '../components/group-create-form.ts';
import './group-view.ts';

/** The id in `#/groups/<id>`, if the fragment names a group. */
export function groupIdOfHash(hash: string): string | undefined {
  return /^#\/groups\/(g[a-z2-7]{32})$/.exec(hash)?.[1];
}

/** The Groups page: the list of groups with unread counts, and creating one; or one group. */
@customElement('mycel-groups-view')
export class GroupsView extends LitElement {
  static override styles = [
    theme,
    css`
      ul.groups {
        list-style: none;
        padding: 0;
        margin: 0 0 1rem;
        display: grid;
        gap: 0.5rem;
      }
      ul.groups a {
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 0.75rem;
        align-items: center;
        padding: 0.75rem;
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        color: inherit;
        text-decoration: none;
        background: var(--surface);
      }
      .swatch {
        width: 2.25rem;
        height: 2.25rem;
        border-radius: 50%;
        display: grid;
        place-items: center;
        color: white;
        font-weight: 700;
      }
      .name {
        font-weight: 600;
      }
      .last {
        color: var(--muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-size: 0.9rem;
      }
      .unread {
        background: var(--accent);
        color: white;
        border-radius: 1rem;
        padding: 0.1rem 0.55rem;
        font-size: 0.85rem;
        font-weight: 600;
      }
    `,
  ];

  @consume({ context: appContext, subscribe: true }) private app?: App;
  @state() private hash = window.location.hash;
  @state() private busy = false;
  @state() private error = '';
  private readonly appState = new StateController(this, () => this.app);
  private readonly onHashChange = (): void => {
    this.hash = window.location.hash;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  override render() {
    const groupId = groupIdOfHash(this.hash);
    if (groupId !== undefined) return html`<mycel-group-view .groupId=${groupId}></mycel-group-view>`;
    const groups = this.appState.value?.groups ?? [];
    return html`<h1>Groups</h1>
      ${
        groups.length === 0
          ? html`<p>
              You are in no group yet. Create one and share its join link, or open a join link a friend sent
              you.
            </p>`
          : html`<ul class="groups" aria-label="Your groups">
              ${groups.map((group) => this.renderGroup(group))}
            </ul>`
      }
      <section class="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a group</h2>
        <mycel-group-create-form .busy=${this.busy} @create-group=${this.create}></mycel-group-create-form>
        <p class="error" role="alert">${this.error}</p>
      </section>`;
  }

  private renderGroup(group: GroupSummary) {
    const last = group.lastMessage;
    const status = group.left
      ? 'You left this group'
      : group.removed
        ? 'You were removed from this group'
        : last === undefined
          ? `${group.memberCount} ${group.memberCount === 1 ? 'member' : 'members'}`
          : `${last.authorName}: ${last.text}`;
    const unread = group.unread > 0 ? `, ${group.unread} unread` : '';
    return html`<li>
      <a href="#/groups/${group.id}" aria-label="${group.name}${unread}">
        <span class="swatch" style="background:${group.colour}" aria-hidden="true"
          >${group.name.slice(0, 1).toUpperCase()}</span
        >
        <span>
          <span class="name">${group.name}</span>
          <div class="last">${status}</div>
        </span>
        ${group.unread > 0 ? html`<span class="unread" aria-hidden="true">${group.unread}</span>` : nothing}
      </a>
    </li>`;
  }

  private async create(event: CustomEvent<CreateGroupDetail>): Promise<void> {
    const app = this.app;
    if (app === undefined) return;
    const { name, description, colour } = event.detail;
    this.busy = true;
    this.error = '';
    try {
      const id = await app.createGroup({ n: name, d: description, c: colour });
      window.location.hash = `#/groups/${id}`;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-groups-view': GroupsView;
  }
}
