import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import { shortId } from '../core/identity/ids.ts';
import type { StoredIdentity } from '../core/ports.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import { saveFile } from '../app/files.ts';
import { StateController } from '../controllers/state-controller.ts';
import { factList, theme } from '../components/theme.ts';
import { formText } from './form-text.ts';
import '../components/identity-import-form.ts';
import type { IdentityImportDetail } from '../components/identity-import-form.ts';

type Section = 'rename' | 'export' | 'import' | 'switch' | 'delete';

/** The user's identity: rename, export, import, switch and delete. */
@customElement('mycel-identity-view')
export class IdentityView extends LitElement {
  static override styles = [
    theme,
    factList,
    css`
      ul {
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        align-items: center;
        padding: 0.4rem 0;
      }
      dialog {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
        color: var(--text);
        max-width: 28rem;
      }
    `,
  ];

  @consume({ context: appContext }) private app?: App;
  private readonly appState = new StateController(this, () => this.app);
  @state() private errors: Partial<Record<Section, string>> = {};
  @state() private notices: Partial<Record<Section, string>> = {};
  @state() private busy = false;
  @query('dialog') private deleteDialog!: HTMLDialogElement;

  override render() {
    const identity = this.appState.value?.identity;
    if (identity === undefined) return nothing;
    const others = (this.appState.value?.identities ?? []).filter((other) => other.id !== identity.id);
    return html`<h1>Your identity</h1>
      <section class="card" aria-labelledby="about">
        <h2 id="about">${identity.displayName}</h2>
        <dl>
          <dt>Identity</dt>
          <dd class="mono" title=${identity.id}>${shortId(identity.id)}</dd>
          <dt>Full fingerprint</dt>
          <dd class="mono">${identity.id}</dd>
          <dt>Node id</dt>
          <dd class="mono">${this.appState.value?.connection.nodeId ?? '…'}</dd>
          <dt>Created</dt>
          <dd>${new Date(identity.createdAtMs).toLocaleString()}</dd>
        </dl>
        <form @submit=${(event: SubmitEvent) => this.rename(event, identity)}>
          <div class="field">
            <label for="rename">Display name</label>
            <input id="rename" name="name" .value=${identity.displayName} maxlength="64" required />
          </div>
          ${this.feedback('rename')}
          <button type="submit" ?disabled=${this.busy}>Rename</button>
        </form>
      </section>
      <form
        class="card"
        @submit=${(event: SubmitEvent) => this.export(event, identity)}
        aria-labelledby="export"
      >
        <h2 id="export">Export</h2>
        <p class="help">
          Saves your identity to a file locked with a passphrase, to use it in another browser. Keep the file
          and the passphrase safe: together they are you.
        </p>
        <div class="field">
          <label for="pass1">Export passphrase</label>
          <input
            id="pass1"
            name="passphrase"
            type="password"
            autocomplete="new-password"
            minlength="8"
            required
          />
        </div>
        <div class="field">
          <label for="pass2">Repeat passphrase</label>
          <input
            id="pass2"
            name="repeat"
            type="password"
            autocomplete="new-password"
            minlength="8"
            required
          />
        </div>
        ${this.feedback('export')}
        <button type="submit" ?disabled=${this.busy}>Export identity</button>
      </form>
      ${others.length === 0 ? nothing : this.renderOthers(others)}
      <section class="card" aria-labelledby="import">
        <h2 id="import">Import another identity</h2>
        <mycel-identity-import-form
          .error=${this.errors.import ?? ''}
          .busy=${this.busy}
          @identity-import=${this.import}
        ></mycel-identity-import-form>
        ${this.notices.import ? html`<p class="ok" role="status">${this.notices.import}</p>` : nothing}
      </section>
      <section class="card" aria-labelledby="delete">
        <h2 id="delete">Delete</h2>
        <p class="help">Removes this identity from this browser. Export it first if you want to keep it.</p>
        ${this.feedback('delete')}
        <button class="danger" @click=${() => this.deleteDialog.showModal()}>Delete identity</button>
      </section>
      <dialog aria-labelledby="confirm-heading">
        <h2 id="confirm-heading">Delete ${identity.displayName}?</h2>
        <p>
          This browser forgets this identity for good. Without an exported file, it cannot be brought back.
        </p>
        <div class="row">
          <button class="danger" @click=${() => this.delete(identity)}>Delete</button>
          <button autofocus @click=${() => this.deleteDialog.close()}>Cancel</button>
        </div>
      </dialog>`;
  }

  private renderOthers(others: readonly StoredIdentity[]) {
    return html`<section class="card" aria-labelledby="others">
      <h2 id="others">Other identities in this browser</h2>
      <ul>
        ${others.map(
          (other) =>
            html`<li>
              <span>${other.displayName} <span class="mono help">${shortId(other.id)}</span></span>
              <button @click=${() => this.act('switch', (app) => app.useIdentity(other.id))}>
                Use ${other.displayName}
              </button>
            </li>`,
        )}
      </ul>
      ${this.feedback('switch')}
    </section>`;
  }

  private feedback(section: Section) {
    return html`<p class="error" role="alert">${this.errors[section] ?? ''}</p>
      ${this.notices[section] ? html`<p class="ok" role="status">${this.notices[section]}</p>` : nothing}`;
  }

  private async rename(event: SubmitEvent, identity: StoredIdentity): Promise<void> {
    event.preventDefault();
    const name = formText(event.target as HTMLFormElement, 'name');
    await this.act('rename', (app) => app.renameIdentity(identity.id, name), 'Saved.');
  }

  private async export(event: SubmitEvent, identity: StoredIdentity): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const passphrase = formText(form, 'passphrase');
    if (passphrase !== formText(form, 'repeat')) {
      this.errors = { export: 'The two passphrases differ. Type the same one twice.' };
      return;
    }
    await this.act(
      'export',
      async (app) => saveFile(await app.exportIdentity(identity.id, passphrase)),
      'Exported: check your downloads.',
    );
  }

  private async import(event: CustomEvent<IdentityImportDetail>): Promise<void> {
    const { file, passphrase } = event.detail;
    await this.act('import', (app) => app.importIdentity(file, passphrase), 'Imported, and now in use.');
  }

  private async delete(identity: StoredIdentity): Promise<void> {
    this.deleteDialog.close();
    await this.act('delete', (app) => app.deleteIdentity(identity.id));
  }

  private async act(
    section: Section,
    action: (app: App) => Promise<unknown>,
    notice?: string,
  ): Promise<void> {
    if (this.app === undefined) return;
    this.busy = true;
    this.errors = {};
    this.notices = {};
    try {
      await action(this.app);
      if (notice !== undefined) this.notices = { [section]: notice };
    } catch (error) {
      this.errors = { [section]: messageOf(error) };
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-identity-view': IdentityView;
  }
}
