import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from './theme.ts';
import './qr-code.ts';

/**
 * A link to pass on (a group's join link, one's contact card): copy it, hand it to the system
 * share sheet where there is one, or show it as a QR code for a phone across the table. The
 * words default to a join link's.
 */
@customElement('mycel-link-share')
export class LinkShare extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .row {
        margin-top: 0.5rem;
      }
      .status {
        min-height: 1.4em;
        margin: 0.3rem 0 0;
      }
      mycel-qr-code {
        margin-top: 0.75rem;
      }
    `,
  ];

  @property() link = '';
  /** The link box's label. */
  @property() label = 'Join link';
  @property() copyText = 'Copy join link';
  /** The QR code's accessible name. */
  @property() qrLabel = 'QR code of the join link';
  /** Title and text offered to the share sheet. */
  @property() shareTitle = 'Join my Mycel group';
  @state() private status = '';
  @state() private qrShown = false;
  @query('input') private input!: HTMLInputElement;

  override render() {
    const canShare = typeof navigator.share === 'function';
    return html`<label for="link">${this.label}</label>
      <input id="link" class="mono" readonly .value=${this.link} @focus=${this.selectAll} />
      <div class="row">
        <button class="primary" @click=${this.copy}>${this.copyText}</button>
        ${canShare ? html`<button @click=${this.share}>Share…</button>` : nothing}
        <button aria-expanded=${this.qrShown ? 'true' : 'false'} aria-controls="qr" @click=${this.toggleQr}>
          ${this.qrShown ? 'Hide QR code' : 'Show QR code'}
        </button>
      </div>
      <p class="status" role="status">${this.status}</p>
      <div id="qr">
        ${this.qrShown ? html`<mycel-qr-code .text=${this.link} label=${this.qrLabel}></mycel-qr-code>` : nothing}
      </div>`;
  }

  private selectAll(): void {
    this.input.select();
  }

  private async copy(): Promise<void> {
    this.status = '';
    try {
      await navigator.clipboard.writeText(this.link);
      this.status = 'Copied';
    } catch (error) {
      // No clipboard permission, an insecure origin or an old browser: the person copies by hand.
      console.info('clipboard write refused', error);
      this.input.focus();
      this.input.select();
      this.status = 'Press Ctrl+C to copy';
    }
  }

  private async share(): Promise<void> {
    try {
      await navigator.share({ title: this.shareTitle, text: this.shareTitle, url: this.link });
    } catch (error) {
      // Closing the share sheet rejects with AbortError; that is the person's choice, not a failure.
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        this.status = 'Sharing did not work; copy the link instead.';
      }
    }
  }

  private toggleQr(): void {
    this.qrShown = !this.qrShown;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-link-share': LinkShare;
  }
}
