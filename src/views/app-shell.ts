import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { shortId } from '../core/identity/ids.ts';
import type { App, AppState } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import { routeOf, type Route } from '../app/routes.ts';
import { StateController } from '../controllers/state-controller.ts';
import { theme } from '../components/theme.ts';
import '../components/status-pill.ts';
import '../components/update-banner.ts';
import type { JoinedGroupDetail } from './invitation-inbox.ts';
import './onboarding-view.ts';
import './identity-view.ts';
import './settings-view.ts';
import './network-view.ts';

const navItems: readonly { route: Route; label: string }[] = [
  { route: 'groups', label: 'Groups' },
  { route: 'contacts', label: 'Contacts' },
  { route: 'network', label: 'Network' },
  { route: 'settings', label: 'Settings' },
];

/** The app shell: header, navigation and the page the URL fragment names. */
@customElement('mycel-app')
export class AppShell extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: grid;
        grid-template-rows: auto auto 1fr auto;
        min-height: 100vh;
        min-height: 100dvh;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        padding: 0.6rem 1rem;
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .brand {
        font-weight: 700;
        font-size: 1.15rem;
        margin-right: auto;
        color: var(--accent);
      }
      .who {
        color: inherit;
        text-decoration: none;
        display: flex;
        flex-direction: column;
        line-height: 1.2;
        text-align: right;
        min-width: 0;
        max-width: 45vw;
      }
      .who span {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .who small {
        color: var(--muted);
      }
      mycel-presence-selector {
        flex: 0 1 20rem;
      }
      nav ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
      }
      nav a {
        display: block;
        padding: 0.75rem 1rem;
        color: var(--muted);
        text-decoration: none;
        border-bottom: 3px solid transparent;
      }
      nav a[aria-current='page'] {
        color: var(--text);
        border-bottom-color: var(--accent);
        font-weight: 600;
      }
      main {
        padding: 1rem;
        width: 100%;
        max-width: 72rem;
        margin: 0 auto;
      }
      .skip {
        position: absolute;
        left: -999px;
      }
      .skip:focus {
        left: 1rem;
        top: 1rem;
        z-index: 1;
        background: var(--surface);
        padding: 0.5rem;
      }
      @media (max-width: 40rem) {
        nav {
          grid-row: 4;
          position: sticky;
          bottom: 0;
          background: var(--surface);
          border-top: 1px solid var(--border);
        }
        nav li {
          flex: 1;
        }
        nav a {
          text-align: center;
          font-size: 0.9rem;
          padding: 0.8rem 0.25rem;
          border-bottom: none;
          border-top: 3px solid transparent;
        }
        nav a[aria-current='page'] {
          border-top-color: var(--accent);
        }
        .who small {
          display: none;
        }
        /* On a phone the status gets a line of its own under the brand and the identity. */
        mycel-presence-selector {
          order: 1;
          flex: 1 1 100%;
        }
      }
    `,
  ];

  /** The running app; `src/main.ts` sets it. */
  @provide({ context: appContext })
  @property({ attribute: false })
  app: App | undefined;

  @state() private route: Route = routeOf(window.location.hash);
  @state() private hash = window.location.hash;
  private readonly appState = new StateController(this, () => this.app);
  private readonly collab = new StateController(this, () => this.app?.collab);
  private readonly onHashChange = (): void => {
    this.route = routeOf(window.location.hash);
    this.hash = window.location.hash;
  };

  /** Name of the User Timing mark set when the shell first shows real content (see bench/shell.ts). */
  static readonly renderedMark = 'mycel:shell-rendered';

  /** Group and contact pages (and their chat, QR and list code) load when first shown, not with the shell. */
  override willUpdate(): void {
    if (this.hash.startsWith('#join=')) void import('./join-view.ts');
    else if (this.page === 'groups') void import('./groups-view.ts');
    else if (this.page === 'contacts') void import('./contacts-view.ts');
    // The presence selector and the invitation inbox show once contacts have loaded (after the
    // first render), so their code loads then too, not with the shell.
    if (this.collab.source !== undefined) {
      void import('./presence-selector.ts');
      void import('./invitation-inbox.ts');
    }
  }

  /** The page shown: a contact card link (`#/contact/…`) opens Contacts to add it. */
  private get page(): Route {
    return this.hash.startsWith('#/contact/') ? 'contacts' : this.route;
  }

  override updated(): void {
    const phase = this.appState.value?.phase;
    if (phase === undefined || phase === 'loading') return;
    if (performance.getEntriesByName(AppShell.renderedMark).length === 0)
      performance.mark(AppShell.renderedMark);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  override render() {
    const appState = this.appState.value;
    if (appState === undefined || appState.phase === 'loading') {
      return html`<main><p role="status">Opening your profile…</p></main>`;
    }
    if (appState.phase === 'other-tab') {
      return html`<main>
        <h1>Mycel is open in another tab</h1>
        <p>Only one tab can run Mycel at a time, so nothing you write is sent twice or lost.</p>
        <p>Switch to the other tab, or close it: this tab takes over as soon as it closes.</p>
      </main>`;
    }
    const banner = appState.updateAvailable
      ? html`<mycel-update-banner @update-accept=${() => this.app?.applyUpdate()}></mycel-update-banner>`
      : nothing;
    const joining = this.hash.startsWith('#join=');
    if (appState.identity === undefined) {
      return html`${banner}
        <main>
          ${joining ? html`<p class="card" role="status">You opened a join link. Create your identity first, then you can join the group.</p>` : nothing}
          <mycel-onboarding-view></mycel-onboarding-view>
        </main>`;
    }
    return html`<a class="skip" href="#content" @click=${this.skipToContent}>Skip to content</a>
      ${banner}${this.renderHeader(appState)}
      <nav aria-label="Main">
        <ul>
          ${navItems.map(
            (item) =>
              html`<li>
                <a href="#/${item.route}" aria-current=${this.page === item.route ? 'page' : 'false'}
                  >${item.label}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <main id="content" tabindex="-1">
        <mycel-invitation-inbox
          .incoming=${this.collab.value?.incoming ?? []}
          .collab=${this.collab.source}
          @joined-group=${this.openGroup}
        ></mycel-invitation-inbox>
        ${joining ? html`<mycel-join-view .link=${this.hash}></mycel-join-view>` : this.renderPage()}
      </main>`;
  }

  private renderHeader(appState: AppState) {
    const identity = appState.identity;
    const connection = appState.connection;
    const detail = connection.state === 'offline' ? (connection.reason ?? '') : (connection.broker ?? '');
    const collab = this.collab.value;
    return html`<header>
      <span class="brand">Mycel</span>
      <mycel-status-pill .state=${connection.state} .detail=${detail}></mycel-status-pill>
      ${
        collab === undefined
          ? nothing
          : html`<mycel-presence-selector
              .presence=${collab.presence}
              .collab=${this.collab.source}
            ></mycel-presence-selector>`
      }
      ${
        identity === undefined
          ? nothing
          : html`<a class="who" href="#/identity" aria-label="Your identity: ${identity.displayName}">
              <span>${identity.displayName}</span><small class="mono">${shortId(identity.id)}</small>
            </a>`
      }
    </header>`;
  }

  private renderPage() {
    switch (this.page) {
      case 'identity':
        return html`<mycel-identity-view></mycel-identity-view>`;
      case 'settings':
        return html`<mycel-settings-view></mycel-settings-view>`;
      case 'groups':
        return html`<mycel-groups-view></mycel-groups-view>`;
      case 'contacts':
        return html`<mycel-contacts-view
          .link=${this.hash.startsWith('#/contact/') ? window.location.href : ''}
        ></mycel-contacts-view>`;
      case 'network':
        return html`<mycel-network-view></mycel-network-view>`;
    }
  }

  /** After accepting an invitation, the group it let the user into opens. */
  private openGroup(event: CustomEvent<JoinedGroupDetail>): void {
    window.location.hash = `#/groups/${event.detail.groupId}`;
  }

  private skipToContent(event: Event): void {
    event.preventDefault();
    this.renderRoot.querySelector<HTMLElement>('#content')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-app': AppShell;
  }
}
