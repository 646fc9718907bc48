import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { MeshSnapshot } from '../core/mesh/mesh-types.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import { StateController } from '../controllers/state-controller.ts';
import { factList, tableStyles, theme } from '../components/theme.ts';
import { shortNodeId } from '../components/mesh-picture.ts';
import '../components/mesh-picture.ts';
import { formText } from './form-text.ts';
import {
  formatAge,
  formatBytes,
  formatRoute,
  formatRtt,
  meshStatusLine,
  sortedRejections,
} from './network-format.ts';

/** The live picture of this node's mesh: neighbours, known nodes, refusals, and a way in. */
@customElement('mycel-network-view')
export class NetworkView extends LitElement {
  static override styles = [
    theme,
    factList,
    tableStyles,
    css`
      dl {
        margin-bottom: 0.75rem;
      }
      td {
        white-space: nowrap;
      }
      td.number,
      th.number {
        text-align: right;
      }
      td.empty {
        color: var(--muted);
        white-space: normal;
      }
      .reason {
        white-space: normal;
        overflow-wrap: anywhere;
      }
      mycel-mesh-picture {
        margin-bottom: 1.25rem;
      }
      @media (max-width: 30rem) {
        table {
          font-size: 0.82em;
        }
        th,
        td {
          padding-right: 0.35rem;
        }
      }
      .connect {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .connect input {
        flex: 1;
        min-width: 0;
      }
    `,
  ];

  @consume({ context: appContext }) private app?: App;
  private readonly appState = new StateController(this, () => this.app);
  private readonly collab = new StateController(this, () => this.app?.collab);
  @state() private copyNotice = '';
  @state() private connectError = '';
  @state() private connectNotice = '';
  @state() private connecting = false;

  /** The Names section's code loads with the page that shows it, not with the shell. */
  override connectedCallback(): void {
    super.connectedCallback();
    void import('./names-panel.ts');
  }

  override render() {
    const appState = this.appState.value;
    const mesh = appState?.mesh;
    const nodeId = mesh?.nodeId ?? appState?.connection.nodeId;
    return html`<h1>Network</h1>
      <section class="card" aria-labelledby="this-node">
        <h2 id="this-node">This node</h2>
        <dl>
          <dt>Node id</dt>
          <dd class="mono">${nodeId ?? 'Not known yet'}</dd>
          <dt>Mesh</dt>
          <dd><span role="status">${meshStatusLine(mesh)}</span></dd>
          <dt>Broker</dt>
          <dd>${mesh?.brokerOnline === true ? 'Connected' : 'Not connected'}</dd>
        </dl>
        <div class="row">
          <button type="button" ?disabled=${nodeId === undefined} @click=${() => this.copy(nodeId)}>
            Copy node id
          </button>
          <span role="status">${this.copyNotice}</span>
        </div>
      </section>
      ${
        mesh === undefined
          ? html`<p class="help">The picture of the mesh appears once this node is running.</p>`
          : html`<mycel-mesh-picture .snapshot=${mesh}></mycel-mesh-picture>`
      }
      ${this.linksTable(mesh)} ${this.rejectionsTable(mesh)} ${this.connectForm()} ${this.namesSection()}`;
  }

  private namesSection() {
    const state = this.collab.value;
    return html`<section class="card" aria-labelledby="names-heading">
      <h2 id="names-heading">Names</h2>
      ${
        state === undefined
          ? html`<p class="help">Peer names are available once this identity’s node has started.</p>`
          : html`<mycel-names-panel
              .names=${state.names}
              .peerName=${state.me.peerName}
              .online=${state.online}
              .collab=${this.collab.source}
            ></mycel-names-panel>`
      }
    </section>`;
  }

  private linksTable(mesh: MeshSnapshot | undefined) {
    const takenAtMs = mesh?.takenAtMs ?? 0;
    return dataTable({
      id: 'links',
      caption: 'Links',
      columns: ['Neighbour', 'Route', '#RTT', '#Received', '#Sent', '#Age'],
      empty: 'No neighbours yet.',
      rows: (mesh?.neighbors ?? []).map(
        (link) =>
          html`<tr>
            <th scope="row" class="mono" title=${link.nodeId}>${shortNodeId(link.nodeId)}</th>
            <td>${formatRoute(link.route)}</td>
            <td class="number">${formatRtt(link.rttMs)}</td>
            <td class="number">${formatBytes(link.bytesIn)}</td>
            <td class="number">${formatBytes(link.bytesOut)}</td>
            <td class="number">${formatAge(takenAtMs - link.openedAtMs)}</td>
          </tr>`,
      ),
    });
  }

  private rejectionsTable(mesh: MeshSnapshot | undefined) {
    return dataTable({
      id: 'rejections',
      caption: 'Rejected input',
      columns: ['Reason', '#Count'],
      empty: 'Nothing rejected.',
      rows: sortedRejections(mesh?.rejections ?? {}).map(
        ({ reason, count }) =>
          html`<tr>
            <th scope="row" class="reason">${reason}</th>
            <td class="number">${count}</td>
          </tr>`,
      ),
    });
  }

  private connectForm() {
    return html`<form class="card" @submit=${this.connect} aria-labelledby="connect-heading" novalidate>
      <h2 id="connect-heading">Connect to a node</h2>
      <p class="help">Paste a friend’s node id to join the mesh through their browser.</p>
      <label for="connect-id">Node id to connect to</label>
      <div class="connect">
        <input
          id="connect-id"
          name="nodeId"
          class="mono"
          autocomplete="off"
          autocapitalize="none"
          spellcheck="false"
          aria-describedby="connect-error"
        />
        <button class="primary" type="submit" ?disabled=${this.connecting} aria-busy=${this.connecting}>
          Connect
        </button>
      </div>
      <p id="connect-error" class="error" role="alert">${this.connectError}</p>
      <p class="ok" role="status">${this.connectNotice}</p>
    </form>`;
  }

  private async copy(nodeId: string | undefined): Promise<void> {
    if (nodeId === undefined) return;
    // Cleared first, so a second copy is announced again.
    this.copyNotice = '';
    try {
      await navigator.clipboard.writeText(nodeId);
      this.copyNotice = 'Copied';
    } catch (error) {
      this.copyNotice = `Could not copy (${messageOf(error)}). Select the id and copy it by hand.`;
    }
  }

  private async connect(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const nodeId = formText(form, 'nodeId').trim();
    this.connectNotice = '';
    if (nodeId === '') {
      this.connectError = 'Type or paste a node id first.';
      return;
    }
    if (this.app === undefined || this.connecting) return;
    this.connecting = true;
    this.connectError = '';
    this.connectNotice = `Connecting to ${shortNodeId(nodeId)}…`;
    try {
      await this.app.connectTo(nodeId);
      this.connectNotice = `Joined the mesh through ${shortNodeId(nodeId)}.`;
      form.reset();
    } catch (error) {
      this.connectNotice = '';
      this.connectError = messageOf(error);
    } finally {
      this.connecting = false;
    }
  }
}

/**
 * A captioned table in a scrollable, keyboard-reachable region. Column names starting with
 * `#` are numeric (right-aligned); `empty` fills the body when there are no rows.
 */
function dataTable(table: {
  id: string;
  caption: string;
  columns: readonly string[];
  empty: string;
  rows: readonly TemplateResult[];
}) {
  const { id, caption, columns, empty, rows } = table;
  return html`<div class="scroll" role="region" aria-labelledby="${id}-caption" tabindex="0">
    <table>
      <caption id="${id}-caption">
        ${caption}
      </caption>
      <thead>
        <tr>
          ${columns.map((column) =>
            column.startsWith('#')
              ? html`<th scope="col" class="number">${column.slice(1)}</th>`
              : html`<th scope="col">${column}</th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${
          rows.length > 0
            ? rows
            : html`<tr>
                <td class="empty" colspan=${columns.length}>${empty}</td>
              </tr>`
        }
      </tbody>
    </table>
  </div>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-network-view': NetworkView;
  }
}
