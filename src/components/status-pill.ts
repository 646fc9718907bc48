import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { theme } from './theme.ts';

/**
 * A small coloured label for a connection state.
 * @csspart pill - the label
 */
@customElement('mycel-status-pill')
export class StatusPill extends LitElement {
  static override styles = [
    theme,
    css`
      .pill {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        padding: 0.15rem 0.6rem;
        border-radius: 999px;
        font-size: 0.85em;
        border: 1px solid var(--border);
        white-space: nowrap;
      }
      .pill::before {
        content: '';
        width: 0.55rem;
        height: 0.55rem;
        border-radius: 50%;
        background: var(--muted);
      }
      .pill.online::before {
        background: var(--ok);
      }
      .pill.connecting::before {
        background: var(--warn);
      }
    `,
  ];

  @property() state: 'online' | 'connecting' | 'offline' = 'offline';
  /** Longer explanation, shown as a tooltip and read by screen readers. */
  @property() detail = '';

  override render() {
    const label = { online: 'Online', connecting: 'Connecting…', offline: 'Offline' }[this.state];
    const spoken = this.detail === '' ? label : `${label}: ${this.detail}`;
    return html`<span
      part="pill"
      class="pill ${this.state}"
      role="status"
      title=${this.detail}
      aria-label=${spoken}
      >${label}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-status-pill': StatusPill;
  }
}
