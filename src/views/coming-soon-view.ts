import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../components/theme.ts';

/** A page whose feature is not built yet: says what it will hold. */
@customElement('mycel-coming-soon-view')
export class ComingSoonView extends LitElement {
  static override styles = theme;

  @property() heading = '';

  override render() {
    return html`<h1>${this.heading}</h1>
      <div class="card">
        <p><slot></slot></p>
        <p class="help">Coming soon.</p>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-coming-soon-view': ComingSoonView;
  }
}
