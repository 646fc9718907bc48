import { LitElement, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from './theme.ts';

/** Detail of `identity-import`: the chosen file's bytes and the passphrase typed. */
export interface IdentityImportDetail {
  readonly file: Uint8Array<ArrayBuffer>;
  readonly passphrase: string;
}

/** Largest file read into memory: identity files are a few hundred bytes. */
const maxFileBytes = 64 * 1024;

/**
 * Picks an identity file and its passphrase.
 * @fires identity-import - CustomEvent<IdentityImportDetail>
 */
@customElement('mycel-identity-import-form')
export class IdentityImportForm extends LitElement {
  static override styles = theme;

  /** Error to show from the last attempt, if any. */
  @property() error = '';
  @property({ type: Boolean }) busy = false;
  @state() private localError = '';
  @query('input[type=file]') private fileInput!: HTMLInputElement;
  @query('input[type=password]') private passphraseInput!: HTMLInputElement;

  override render() {
    const error = this.localError || this.error;
    return html`<form @submit=${this.submit} aria-label="Import an identity">
      <div class="field">
        <label for="file">Identity file</label>
        <input id="file" type="file" accept=".json,application/json" required />
      </div>
      <div class="field">
        <label for="passphrase">Passphrase</label>
        <input id="passphrase" type="password" autocomplete="current-password" required />
      </div>
      <p class="error" role="alert">${error}</p>
      <button type="submit" ?disabled=${this.busy}>Import identity</button>
    </form>`;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const file = this.fileInput.files?.[0];
    if (file === undefined) {
      this.localError = 'Choose an identity file first.';
      return;
    }
    if (file.size > maxFileBytes) {
      this.localError = 'This file is too large to be a Mycel identity file.';
      return;
    }
    this.localError = '';
    const detail: IdentityImportDetail = {
      file: new Uint8Array(await file.arrayBuffer()),
      passphrase: this.passphraseInput.value,
    };
    this.dispatchEvent(new CustomEvent('identity-import', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-identity-import-form': IdentityImportForm;
  }
}
