import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MeshLinkInfo, MeshSnapshot } from '../core/mesh/mesh-types.ts';
import { theme } from './theme.ts';

/** A node id as people compare it by eye: the 8 characters after the leading `m`. */
export function shortNodeId(nodeId: string): string {
  return nodeId.startsWith('m') ? nodeId.slice(1, 9) : nodeId.slice(0, 8);
}

/** How a link's round trip is drawn; the limits are what a chat or a file transfer notices. */
export type RttBand = 'fast' | 'slow' | 'bad' | 'unknown';

export function rttBand(rttMs: number | undefined): RttBand {
  if (rttMs === undefined) return 'unknown';
  if (rttMs < 50) return 'fast';
  return rttMs < 200 ? 'slow' : 'bad';
}

/** "This node with 4 neighbours and 12 known nodes." */
export function meshSummary(snapshot: MeshSnapshot): string {
  const neighbours = snapshot.neighbors.length;
  const known = snapshot.known.length;
  return (
    `This node with ${neighbours} ${neighbours === 1 ? 'neighbour' : 'neighbours'}` +
    ` and ${known} known ${known === 1 ? 'node' : 'nodes'}`
  );
}

// Geometry in viewBox units; the drawing scales to its width. The outer labels run outwards
// along their radius so 30 known nodes do not overlap.
const innerRadius = 90;
const outerRadius = 165;
const viewHalf = 232;

interface Placed {
  readonly x: number;
  readonly y: number;
  readonly degrees: number;
}

/** `count` points evenly spaced on a circle, the first at `startDegrees` (0 is east, -90 north). */
function ring(count: number, radius: number, startDegrees: number): Placed[] {
  return Array.from({ length: count }, (_, i) => {
    const degrees = startDegrees + (360 * i) / count;
    const radians = (degrees * Math.PI) / 180;
    return { x: radius * Math.cos(radians), y: radius * Math.sin(radians), degrees };
  });
}

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * An SVG picture of one node's place in the mesh: this node in the centre, its neighbours
 * (active view) on an inner ring joined by lines coloured by round-trip time, and the nodes
 * it knows without a link (passive view) as hollow dots on an outer ring. Layout depends only
 * on the sorted ids, so it does not jump between refreshes.
 * @csspart picture - the `svg` element
 * @csspart legend - the key below it
 */
@customElement('mycel-mesh-picture')
export class MeshPicture extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      svg {
        display: block;
        width: 100%;
        max-width: 30rem;
        height: auto;
        margin: 0 auto;
      }
      .guide {
        fill: none;
        stroke: var(--border);
        stroke-width: 1;
      }
      .link {
        stroke-width: 3;
        stroke-linecap: round;
      }
      .fast {
        stroke: var(--ok);
      }
      .slow {
        stroke: var(--warn);
      }
      .bad {
        stroke: var(--danger);
      }
      .unknown {
        stroke: var(--muted);
        stroke-dasharray: 6 5;
      }
      .self {
        fill: var(--accent);
        stroke: var(--surface);
        stroke-width: 3;
      }
      .neighbor {
        fill: var(--surface-2);
        stroke: var(--text);
        stroke-width: 2;
      }
      .known {
        fill: var(--surface);
        stroke: var(--muted);
        stroke-width: 1.5;
      }
      text {
        font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace;
        font-size: 11px;
        fill: var(--text);
        paint-order: stroke;
        stroke: var(--surface);
        stroke-width: 3px;
        stroke-linejoin: round;
      }
      text.known-label {
        font-size: 10px;
        fill: var(--muted);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        justify-content: center;
        gap: 0.3rem 1rem;
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        font-size: 0.85em;
        color: var(--muted);
      }
      .legend li {
        display: flex;
        align-items: center;
        gap: 0.35rem;
      }
      .legend svg {
        width: 1.6rem;
        height: 0.8rem;
        margin: 0;
      }
    `,
  ];

  /** What to draw; nothing is drawn while it is undefined. */
  @property({ attribute: false }) snapshot: MeshSnapshot | undefined;

  override render() {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return nothing;
    const neighbours = [...snapshot.neighbors].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    const known = [...snapshot.known].sort((a, b) => a.localeCompare(b));
    const inner = ring(neighbours.length, innerRadius, -90);
    // Half a step off the inner ring, so outer dots sit between neighbours, not behind them.
    const outer = ring(known.length, outerRadius, -90 + 180 / Math.max(1, known.length));
    const box = `${-viewHalf} ${-viewHalf} ${2 * viewHalf} ${2 * viewHalf}`;
    return html`<svg part="picture" viewBox=${box} role="img" aria-label=${meshSummary(snapshot)}>
        <circle class="guide" r=${innerRadius}></circle>
        <circle class="guide" r=${outerRadius}></circle>
        ${neighbours.map((link, i) => this.linkLine(link, inner[i]))}
        ${known.map((nodeId, i) => this.knownNode(nodeId, outer[i]))}
        <circle class="self" r="16"><title>This node ${shortNodeId(snapshot.nodeId)}</title></circle>
        ${neighbours.map((link, i) => this.neighbourNode(link, inner[i]))}
      </svg>
      ${this.legend()}`;
  }

  private linkLine(link: MeshLinkInfo, at: Placed | undefined) {
    if (at === undefined) return nothing;
    return svg`<line class="link ${rttBand(link.rttMs)}" x1="0" y1="0" x2=${round(at.x)} y2=${round(at.y)}></line>`;
  }

  private neighbourNode(link: MeshLinkInfo, at: Placed | undefined) {
    if (at === undefined) return nothing;
    const label = shortNodeId(link.nodeId);
    // Label on the outward side of the dot, clear of the line to the centre.
    const labelY = at.y <= 0 ? at.y - 17 : at.y + 25;
    return svg`<circle class="neighbor" cx=${round(at.x)} cy=${round(at.y)} r="11"><title>${link.nodeId}</title></circle>
      <text class="neighbor-label" x=${round(at.x)} y=${round(labelY)} text-anchor="middle">${label}</text>`;
  }

  private knownNode(nodeId: string, at: Placed | undefined) {
    if (at === undefined) return nothing;
    // Text reads outwards along the radius; on the left half it is turned round so it is
    // never upside down.
    const left = Math.cos((at.degrees * Math.PI) / 180) < 0;
    const rotate = left ? at.degrees + 180 : at.degrees;
    const anchor = left ? 'end' : 'start';
    const labelRadius = outerRadius + 10;
    const radians = (at.degrees * Math.PI) / 180;
    const x = round(labelRadius * Math.cos(radians));
    const y = round(labelRadius * Math.sin(radians));
    return svg`<circle class="known" cx=${round(at.x)} cy=${round(at.y)} r="5"><title>${nodeId}</title></circle>
      <text class="known-label" x=${x} y=${y} text-anchor=${anchor} dominant-baseline="middle"
        transform="rotate(${round(rotate)} ${x} ${y})">${shortNodeId(nodeId)}</text>`;
  }

  private legend() {
    const swatch = (band: RttBand) =>
      html`<svg viewBox="0 0 32 16" aria-hidden="true">
        <line class="link ${band}" x1="2" y1="8" x2="30" y2="8"></line>
      </svg>`;
    const dot = (kind: 'self' | 'known') =>
      html`<svg viewBox="0 0 32 16" aria-hidden="true">
        <circle class=${kind} cx="16" cy="8" r=${kind === 'self' ? 6 : 4.5}></circle>
      </svg>`;
    return html`<ul part="legend" class="legend" aria-label="Key">
      <li>${dot('self')}This node</li>
      <li>${swatch('fast')}Round trip under 50 ms</li>
      <li>${swatch('slow')}50 to 200 ms</li>
      <li>${swatch('bad')}200 ms or more</li>
      <li>${swatch('unknown')}Not measured yet</li>
      <li>${dot('known')}Known node, no link</li>
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-mesh-picture': MeshPicture;
  }
}
