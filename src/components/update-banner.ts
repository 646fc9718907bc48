import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { theme } from './theme.ts';

/**
 * Tells the user a new version is ready.
 * @fires update-accept - the user wants to reload into the new version
 */
@customElement('mycel-update-banner')
export class UpdateBanner extends LitElement {
  static override styles = [
    theme,
    css`
      div {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
        flex-wrap: wrap;
        padding: 0.6rem 1rem;
        background: var(--surface-2);
        border-bottom: 1px solid var(--border);
      }
    `,
  ];

  override render() {
    return html`<div role="status">
      <span>Update available: a new version of Mycel is ready.</span>
      <button
        class="primary"
        @click=${() => this.dispatchEvent(new Event('update-accept', { bubbles: true, composed: true }))}
      >
        Reload to update
      </button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-update-banner': UpdateBanner;
  }
}
