import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ShareFileDetail } from './chat-composer.ts';
import { theme } from './theme.ts';

/** Whether a drag carries files (from the desktop or a file manager), not text or a link. */
function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * Makes its content a place to drop files: while files are dragged over it, an overlay says
 * "Drop files to share"; a drop fires `share-file`. Text and links dragged over it are left to
 * the content (the composer's text box still takes dropped text). When `disabled`, a file
 * drop is refused rather than let through, since the browser would otherwise open the file in
 * place of the app.
 * @slot - the area that accepts drops, e.g. the whole chat
 * @fires share-file - CustomEvent<ShareFileDetail>
 * @csspart overlay - the "Drop files to share" layer
 */
@customElement('mycel-file-drop')
export class FileDrop extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        position: relative;
      }
      .overlay {
        position: absolute;
        inset: 0;
        z-index: 1;
        display: grid;
        place-items: center;
        border: 3px dashed var(--accent);
        border-radius: var(--radius);
        background: color-mix(in srgb, var(--surface) 88%, transparent);
        color: var(--accent);
        font-size: 1.2em;
        font-weight: 700;
      }
      .overlay p {
        margin: 0;
        /* The overlay alone is the drop target, so moving over its text is no "leave". */
        pointer-events: none;
      }
    `,
  ];

  @property({ type: Boolean, reflect: true }) disabled = false;
  /** True while files are dragged over the area. */
  @state() private dragging = false;

  constructor() {
    super();
    this.addEventListener('dragenter', this.onDragOver);
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
  }

  override render() {
    return html`<slot></slot>${
        this.dragging
          ? html`<div class="overlay" part="overlay">
              <p>Drop files to share</p>
            </div>`
          : nothing
      }`;
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!carriesFiles(event)) return;
    // Cancelling dragover is what makes this a drop target instead of a page to navigate away to.
    event.preventDefault();
    if (event.dataTransfer !== null) event.dataTransfer.dropEffect = this.disabled ? 'none' : 'copy';
    this.dragging = !this.disabled;
  };

  /**
   * Once the overlay covers the content it is the only thing the pointer can leave (its leave
   * reaches here retargeted to the host). The content's own dragleave events, fired as the
   * pointer moves between its children or as the overlay appears, are not the drag leaving.
   */
  private readonly onDragLeave = (event: DragEvent): void => {
    if (event.target === this) this.dragging = false;
  };

  private readonly onDrop = (event: DragEvent): void => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    this.dragging = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (this.disabled || files.length === 0) return;
    const detail: ShareFileDetail = { files };
    this.dispatchEvent(new CustomEvent('share-file', { detail, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-file-drop': FileDrop;
  }
}
