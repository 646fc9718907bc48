import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import type { BrokerChoice, IceServerSetting, Settings } from '../app/settings.ts';
import { StateController } from '../controllers/state-controller.ts';
import { theme } from '../components/theme.ts';

type BrokerKind = BrokerChoice['kind'];

/** Broker and ICE server settings, checked before they are saved. */
@customElement('mycel-settings-view')
export class SettingsView extends LitElement {
  static override styles = [
    theme,
    css`
      fieldset {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 1rem;
        margin: 0 0 1rem;
        background: var(--surface);
      }
      legend {
        font-weight: 700;
        padding: 0 0.3rem;
      }
      .choice {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-weight: normal;
        margin-bottom: 0.4rem;
      }
      .ice {
        display: grid;
        grid-template-columns: 2fr 1fr 1fr auto;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.6rem;
      }
      @media (max-width: 40rem) {
        .ice {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @consume({ context: appContext }) private app?: App;
  private readonly appState = new StateController(this, () => this.app);
  /** The form's edits; `undefined` until the user changes something. */
  @state() private draft: Settings | undefined;
  @state() private error = '';
  @state() private notice = '';

  private get shown(): Settings | undefined {
    return this.draft ?? this.appState.value?.settings;
  }

  override render() {
    const settings = this.shown;
    if (settings === undefined) return nothing;
    const kind = settings.broker.kind;
    const url = settings.broker.kind === 'custom' ? settings.broker.url : '';
    const connection = this.appState.value?.connection;
    return html`<h1>Settings</h1>
      <form @submit=${this.save} novalidate>
        <fieldset>
          <legend>Broker</legend>
          <p class="help">
            The broker only introduces browsers to each other; it never sees your messages. In use now:
            <span class="mono">${connection?.broker ?? 'none'}</span>.
          </p>
          ${this.brokerChoice('auto', 'Automatic: this server’s broker if it has one, else the PeerJS cloud', kind)}
          ${this.brokerChoice('cloud', 'The public PeerJS cloud', kind)}
          ${this.brokerChoice('custom', 'My own broker', kind)}
          <div class="field">
            <label for="broker-url">Broker URL</label>
            <input
              id="broker-url"
              type="url"
              inputmode="url"
              placeholder="https://broker.example.org/peerjs"
              .value=${url}
              @input=${(event: InputEvent) => this.edit({ broker: { kind: 'custom', url: (event.target as HTMLInputElement).value } })}
            />
            <p class="help">Run one with <span class="mono">npm run broker</span>.</p>
          </div>
        </fieldset>
        <fieldset>
          <legend>ICE servers</legend>
          <p class="help">
            STUN finds your public address; TURN relays links that cannot go direct (strict firewalls). Leave
            the list empty on a local network.
          </p>
          ${settings.iceServers.map((entry, i) => this.iceRow(entry, i))}
          <button type="button" @click=${this.addIceServer}>Add ICE server</button>
        </fieldset>
        <p class="error" role="alert">${this.error}</p>
        <p class="ok" role="status">${this.notice}</p>
        <button class="primary" type="submit">Save settings</button>
      </form>`;
  }

  private brokerChoice(value: BrokerKind, label: string, current: BrokerKind) {
    return html`<label class="choice">
      <input
        type="radio"
        name="broker"
        .value=${value}
        .checked=${current === value}
        @change=${() => this.edit({ broker: value === 'custom' ? { kind: 'custom', url: this.customUrl() } : { kind: value } })}
      />
      ${label}
    </label>`;
  }

  private iceRow(entry: IceServerSetting, i: number) {
    const n = i + 1;
    const set = (change: Partial<IceServerSetting>): void => {
      const iceServers = [...(this.shown?.iceServers ?? [])];
      iceServers[i] = { ...entry, ...change };
      this.edit({ iceServers });
    };
    const value = (event: Event): string => (event.target as HTMLInputElement).value;
    return html`<div class="ice">
      <div>
        <label for="ice-url-${n}">ICE server ${n} URL</label>
        <input id="ice-url-${n}" .value=${entry.urls} @input=${(e: Event) => set({ urls: value(e) })} />
      </div>
      <div>
        <label for="ice-user-${n}">User name</label>
        <input
          id="ice-user-${n}"
          aria-label="ICE server ${n} user name"
          .value=${entry.username ?? ''}
          @input=${(e: Event) => set({ username: value(e) })}
        />
      </div>
      <div>
        <label for="ice-pass-${n}">Password</label>
        <input
          id="ice-pass-${n}"
          aria-label="ICE server ${n} password"
          type="password"
          autocomplete="off"
          .value=${entry.credential ?? ''}
          @input=${(e: Event) => set({ credential: value(e) })}
        />
      </div>
      <button type="button" aria-label="Remove ICE server ${n}" @click=${() => this.removeIceServer(i)}>
        Remove
      </button>
    </div>`;
  }

  private customUrl(): string {
    const broker = this.shown?.broker;
    return broker?.kind === 'custom' ? broker.url : '';
  }

  private edit(change: Partial<Settings>): void {
    const base = this.shown;
    if (base === undefined) return;
    this.draft = { ...base, ...change };
    this.notice = '';
  }

  private addIceServer(): void {
    this.edit({ iceServers: [...(this.shown?.iceServers ?? []), { urls: '' }] });
  }

  private removeIceServer(index: number): void {
    this.edit({ iceServers: (this.shown?.iceServers ?? []).filter((_, i) => i !== index) });
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const settings = this.shown;
    if (this.app === undefined || settings === undefined) return;
    try {
      await this.app.saveSettings(settings);
      this.draft = undefined;
      this.error = '';
      this.notice = 'Settings saved.';
    } catch (error) {
      this.error = messageOf(error);
      this.notice = '';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-settings-view': SettingsView;
  }
}
