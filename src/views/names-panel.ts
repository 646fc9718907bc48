import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { messageOf } from '../lib/errors.ts';
import type { CollabApi, NameCloud, NameResultView, OwnNameView } from '../app/collab-types.ts';
import { tableStyles, theme } from '../components/theme.ts';
import { contactStyles, durationText, shortIdentityId } from '../components/contact-format.ts';
import { namesStyles } from '../components/names-styles.ts';

/** What the panel calls. */
export type NameActions = Pick<CollabApi, 'registerName' | 'unregisterName' | 'resolveName'>;

/** The longest text a name carries from here; the registration caps its payload at 512 bytes. */
export const maxNamePayloadLength = 200;
/** The longest classifier the name rules allow (in code points; `maxlength` counts code units, never looser). */
const maxClassifierLength = 100;

/**
 * Peer names for the Network page: register one (secured or not, with a short text), list the
 * names this identity holds, and resolve any `authority.classifier` to see who holds it.
 */
@customElement('mycel-names-panel')
export class NamesPanel extends LitElement {
  static override styles = [theme, tableStyles, contactStyles, namesStyles];

  /** The names this identity registered. */
  @property({ attribute: false }) names: readonly OwnNameView[] = [];
  /** This identity's secured peer name: the app keeps it registered, so it offers no Unregister. */
  @property() peerName = '';
  /** Whether the node is in the mesh; names need it. */
  @property({ type: Boolean }) online = false;
  @property({ attribute: false }) collab: NameActions | undefined;
  /** The clock expiries are counted on. */
  @property({ attribute: false }) clock: () => number = () => Date.now();
  @state() private registering = false;
  @state() private registerNotice = '';
  @state() private registerError = '';
  @state() private resolving = false;
  @state() private resolveError = '';
  @state() private result: NameResultView | undefined;

  override render() {
    const nowMs = this.clock();
    return html`${
        this.online
          ? nothing
          : html`<p class="offline" role="note">
              This node is not in the mesh yet, so names can neither be registered nor resolved. They work
              again as soon as it is connected.
            </p>`
      }
      <section aria-labelledby="register-heading">
        <h3 id="register-heading">Register a name</h3>
        <form @submit=${this.register} novalidate>
          <fieldset ?disabled=${!this.online || this.registering}>
            <div class="field">
              <label for="classifier">Name</label>
              <input
                id="classifier"
                name="classifier"
                type="text"
                maxlength=${maxClassifierLength}
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                aria-describedby="classifier-help"
              />
              <p id="classifier-help" class="help">
                A secured name is published under your identity, as <span class="mono">your-id.name</span>,
                and only you can hold it. An unsecured one is published as <span class="mono">0.name</span>,
                where anyone may register the same name.
              </p>
            </div>
            <label class="check"
              ><input type="checkbox" name="secured" checked /> Secured (signed with your identity)</label
            >
            ${cloudField('register-cloud')}
            <div class="field">
              <label for="payload">Text to publish <span class="help">(optional)</span></label>
              <input
                id="payload"
                name="payload"
                type="text"
                maxlength=${maxNamePayloadLength}
                autocomplete="off"
              />
            </div>
            <button type="submit" class="primary" aria-busy=${this.registering ? 'true' : 'false'}>
              Register
            </button>
          </fieldset>
        </form>
        <p class="error" role="alert">${this.registerError}</p>
        <p class="ok" role="status">${this.registerNotice}</p>
        <h3 id="own-heading">Your names</h3>
        ${
          this.names.length === 0
            ? html`<p class="help">You hold no names yet.</p>`
            : html`<ul role="list" aria-labelledby="own-heading">
                ${this.names.map((name) => this.renderOwn(name, nowMs))}
              </ul>`
        }
      </section>
      <section aria-labelledby="resolve-heading">
        <h3 id="resolve-heading">Resolve a name</h3>
        <form @submit=${this.resolve} novalidate>
          <fieldset ?disabled=${!this.online || this.resolving}>
            ${cloudField('resolve-cloud')}
            <label for="resolve-name">Name to resolve</label>
            <div class="inline">
              <input
                id="resolve-name"
                name="name"
                type="text"
                class="mono"
                placeholder="authority.classifier"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
              />
              <button type="submit" class="primary" aria-busy=${this.resolving ? 'true' : 'false'}>
                Resolve
              </button>
            </div>
          </fieldset>
        </form>
        <p class="error" role="alert">${this.resolveError}</p>
        <p class="summary" role="status">
          ${this.result === undefined ? '' : this.resultSummary(this.result)}
        </p>
        ${this.result === undefined ? nothing : this.renderResult(this.result, nowMs)}
      </section>`;
  }

  private renderOwn(name: OwnNameView, nowMs: number) {
    const kind = `${name.secured ? 'Secured' : 'Unsecured'}${name.cloud === 'local' ? ', this browser only' : ''}`;
    const published =
      name.error !== undefined
        ? html`<span class="error">Not published: ${name.error}</span>`
        : name.published
          ? 'Published'
          : 'Not published yet';
    const expiry =
      name.expiresAtMs <= nowMs ? 'expired' : `expires in ${durationText(name.expiresAtMs - nowMs)}`;
    return html`<li>
      <div class="facts">
        <span class="mono name">${name.name}</span>
        <span class="help">${kind} · ${published} · ${expiry}</span>
        ${name.payloadText === '' ? nothing : html`<span class="payload">${name.payloadText}</span>`}
      </div>
      ${
        name.name === this.peerName
          ? html`<span class="help">Your contacts find you by this name.</span>`
          : html`<button aria-label=${`Unregister ${name.name}`} @click=${() => this.unregister(name.name)}>
              Unregister
            </button>`
      }
    </li>`;
  }

  /** The result in one sentence, for the status region: the table itself is not read out. */
  private resultSummary(result: NameResultView): string {
    const count = result.records.length;
    const found =
      count === 0
        ? `Nobody holds ${result.name} now`
        : `${count} ${count === 1 ? 'registration' : 'registrations'} of ${result.name}`;
    const source = result.fromCache ? 'from cache' : 'from the network';
    const hops = `${result.hops} ${result.hops === 1 ? 'hop' : 'hops'}`;
    return `${found}: ${hops}, ${Math.round(result.elapsedMs)} ms, ${source}.`;
  }

  private renderResult(result: NameResultView, nowMs: number) {
    if (result.records.length === 0) return nothing;
    return html`<div class="scroll" role="region" aria-labelledby="result-caption" tabindex="0">
      <table>
        <caption id="result-caption">
          Results for
          <span class="mono">${result.name}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Identity</th>
            <th scope="col">Secured</th>
            <th scope="col">Endpoints</th>
            <th scope="col">Text</th>
            <th scope="col">Expires in</th>
          </tr>
        </thead>
        <tbody>
          ${result.records.map(
            (record) =>
              html`<tr>
                <th scope="row" class="mono" title=${record.identityId}>
                  ${shortIdentityId(record.identityId)}
                </th>
                <td>${record.secured ? 'Yes' : 'No'}</td>
                <td class="mono">${record.endpoints.length === 0 ? 'None' : record.endpoints.join(', ')}</td>
                <td class="payload">${record.payloadText}</td>
                <td>${record.expiresAtMs <= nowMs ? 'Expired' : durationText(record.expiresAtMs - nowMs)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private async register(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const classifier = textOf(data, 'classifier').trim();
    const payloadText = textOf(data, 'payload').trim();
    const secured = data.get('secured') !== null;
    const cloud = cloudOf(data);
    const collab = this.collab;
    this.registerNotice = '';
    if (classifier === '') {
      this.registerError = 'Type the name to register first.';
      return;
    }
    if (payloadText.length > maxNamePayloadLength) {
      this.registerError = `The text to publish has at most ${maxNamePayloadLength} characters.`;
      return;
    }
    if (collab === undefined || this.registering) return;
    this.registering = true;
    this.registerError = '';
    try {
      await collab.registerName(classifier, { secured, payloadText, cloud });
      this.registerNotice = `Registered ${classifier}${secured ? ' (secured)' : ''}.`;
      form.reset();
    } catch (error) {
      this.registerError = messageOf(error);
    } finally {
      this.registering = false;
    }
  }

  private async unregister(name: string): Promise<void> {
    const collab = this.collab;
    if (collab === undefined) return;
    this.registerNotice = '';
    this.registerError = '';
    try {
      await collab.unregisterName(name);
      this.registerNotice = `Unregistered ${name}.`;
    } catch (error) {
      this.registerError = messageOf(error);
    }
  }

  private async resolve(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const name = textOf(data, 'name').trim();
    const collab = this.collab;
    if (name === '') {
      this.resolveError = 'Type a name to resolve, as authority.classifier.';
      return;
    }
    if (collab === undefined || this.resolving) return;
    this.resolving = true;
    this.resolveError = '';
    this.result = undefined;
    try {
      this.result = await collab.resolveName(name, cloudOf(data));
    } catch (error) {
      this.resolveError = messageOf(error);
    } finally {
      this.resolving = false;
    }
  }
}

/** The cloud picker of a form: everyone reachable (the default) or this browser's tabs. */
function cloudField(id: string) {
  return html`<div class="field">
    <label for=${id}>Cloud</label>
    <select id=${id} name="cloud">
      <option value="global" selected>Everyone reachable (global)</option>
      <option value="local">Other tabs of this browser (local)</option>
    </select>
  </div>`;
}

function cloudOf(data: FormData): NameCloud {
  return data.get('cloud') === 'local' ? 'local' : 'global';
}

function textOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-names-panel': NamesPanel;
  }
}
