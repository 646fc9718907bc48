import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { encode } from 'uqr';

/** Light modules around the code; the QR specification asks for four. */
const quietZoneModules = 4;

/**
 * The dark modules of `text`'s QR code as one rectangle per horizontal run, so a code of
 * version 10 (57 × 57) draws as a few hundred rectangles rather than thousands.
 */
export function qrRuns(text: string): {
  readonly size: number;
  readonly runs: readonly (readonly [x: number, y: number, width: number])[];
} {
  // Error correction L keeps the code smallest; a join link on a screen is not scratched.
  const { size, data } = encode(text, { ecc: 'L', border: 0 });
  const runs: [number, number, number][] = [];
  data.forEach((row, y) => {
    let start = -1;
    for (let x = 0; x <= size; x++) {
      const dark = x < size && row[x] === true;
      if (dark && start < 0) start = x;
      if (!dark && start >= 0) {
        runs.push([start, y, x - start]);
        start = -1;
      }
    }
  });
  return { size, runs };
}

/**
 * A QR code as an SVG image, dark on light whatever the theme: scanners expect that contrast.
 * @csspart code - the `svg` element
 */
@customElement('mycel-qr-code')
export class QrCode extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      width: 14rem;
      max-width: 100%;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
      background: #ffffff;
      border-radius: 4px;
    }
  `;

  @property() text = '';
  /** The image's accessible name. */
  @property() label = 'QR code of the join link';

  override render() {
    const { size, runs } = qrRuns(this.text);
    const side = size + 2 * quietZoneModules;
    const offset = quietZoneModules;
    return html`<svg
      part="code"
      role="img"
      aria-label=${this.label}
      viewBox="0 0 ${side} ${side}"
      shape-rendering="crispEdges"
    >
      <rect width=${side} height=${side} fill="#ffffff"></rect>
      ${runs.map(([x, y, width]) => svg`<rect x=${x + offset} y=${y + offset} width=${width} height="1" fill="#000000"></rect>`)}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-qr-code': QrCode;
  }
}
