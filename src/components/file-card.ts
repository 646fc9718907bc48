import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FileActionDetail, FileView } from './file-types.ts';
import { formatBytes } from './format-bytes.ts';
import { theme } from './theme.ts';

/** The card's events, one per button. */
export type FileActionType =
  'file-download' | 'file-pause' | 'file-resume' | 'file-cancel' | 'file-save' | 'file-remove';

interface FileAction {
  readonly type: FileActionType;
  readonly label: string;
  readonly className: string;
}

const download: FileAction = { type: 'file-download', label: 'Download', className: 'primary' };
const pause: FileAction = { type: 'file-pause', label: 'Pause', className: '' };
const resume: FileAction = { type: 'file-resume', label: 'Resume', className: 'primary' };
const cancel: FileAction = { type: 'file-cancel', label: 'Cancel', className: '' };
const save: FileAction = { type: 'file-save', label: 'Save', className: 'primary' };
const remove: FileAction = { type: 'file-remove', label: 'Remove from this browser', className: 'secondary' };

/** What a person can do with a file in each state. */
const actionsByState: Readonly<Record<FileView['state'], readonly FileAction[]>> = {
  available: [download],
  downloading: [pause, cancel],
  paused: [resume, cancel],
  complete: [save, remove],
  publishing: [],
  missing: [],
};

/**
 * Thumbnails are object URLs the app made from stored bytes. Anything else (an https URL that
 * slipped through from a peer) would make the browser fetch from a third party and tell it who
 * is reading the chat, so it is not shown.
 */
function isLocalUrl(url: string): boolean {
  return url.startsWith('blob:');
}

/**
 * One shared file in the chat: a preview, the name and size, progress while it is being
 * prepared or downloaded, and the buttons the state allows. Heard by a screen reader as one
 * group named after the file.
 * @fires file-download - CustomEvent<FileActionDetail>
 * @fires file-pause - CustomEvent<FileActionDetail>
 * @fires file-resume - CustomEvent<FileActionDetail>
 * @fires file-cancel - CustomEvent<FileActionDetail>
 * @fires file-save - CustomEvent<FileActionDetail>
 * @fires file-remove - CustomEvent<FileActionDetail>
 * @csspart card - the card's box
 */
@customElement('mycel-file-card')
export class FileCard extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        max-width: 26rem;
      }
      .file {
        display: flex;
        gap: 0.7rem;
        align-items: flex-start;
        padding: 0.6rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
      }
      .file:focus-visible {
        box-shadow: var(--focus);
      }
      .preview {
        flex: none;
        width: 3rem;
        height: 3rem;
        display: grid;
        place-items: center;
        border-radius: calc(var(--radius) / 2);
        background: var(--surface-2);
        color: var(--muted);
        overflow: hidden;
      }
      .preview img {
        width: 100%;
        height: 100%;
        object-fit: cover;
      }
      .preview svg {
        width: 1.6rem;
        height: 1.6rem;
      }
      .body {
        flex: 1;
        min-width: 0;
      }
      .name {
        display: block;
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .size,
      .detail,
      .note {
        color: var(--muted);
        font-size: 0.85em;
        margin: 0;
      }
      progress {
        display: block;
        width: 100%;
        margin: 0.35rem 0 0.15rem;
        accent-color: var(--accent);
      }
      .message {
        margin: 0.2rem 0 0;
        font-size: 0.85em;
        color: var(--warn);
      }
      .message:empty {
        /* Kept, not hidden: screen readers announce changes only in a live region already shown. */
        margin: 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-top: 0.45rem;
      }
      .actions button {
        padding: 0.3rem 0.8rem;
      }
      .actions button.secondary {
        padding: 0.2rem 0.55rem;
        font-size: 0.82em;
        background: transparent;
      }
    `,
  ];

  /** The file to show; set by the message list. */
  @property({ attribute: false }) file: FileView | undefined;

  /** Set when a button of the card had focus before an update that may take that button away. */
  private focusWasInside = false;

  override willUpdate(): void {
    this.focusWasInside = this.shadowRoot?.activeElement instanceof HTMLButtonElement;
  }

  override updated(changed: PropertyValues<this>): void {
    // Download, Pause and the others replace themselves with the next state's buttons. Without
    // this a keyboard user would be dropped at the top of the page after each press.
    const focused = this.shadowRoot?.activeElement ?? null;
    if (!changed.has('file') || !this.focusWasInside || focused !== null) return;
    const next =
      this.renderRoot.querySelector<HTMLElement>('.actions button') ??
      this.renderRoot.querySelector<HTMLElement>('.file');
    next?.focus();
  }

  override render() {
    const file = this.file;
    if (file === undefined) return nothing;
    const label = file.name === '' ? 'File' : file.name;
    // <bdi> keeps direction marks in a name (U+202E and friends) from flipping the text around it.
    return html`<div class="file" part="card" role="group" aria-label=${label} tabindex="-1">
      <div class="preview">${this.renderPreview(file)}</div>
      <div class="body">
        <bdi class="name" title=${file.name}>${file.name}</bdi>
        ${this.renderDetails(file)}
        <p class="message" role="status">${file.message ?? nothing}</p>
        ${this.renderActions(file)}
      </div>
    </div>`;
  }

  private renderPreview(file: FileView): TemplateResult {
    if (file.thumbnailUrl !== undefined && isLocalUrl(file.thumbnailUrl)) {
      return html`<img src=${file.thumbnailUrl} alt=${`Preview of ${file.name}`} />`;
    }
    return html`<svg
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="1.6"
    >
      <path d="M6 2.75h8l4.25 4.25v14.25H6z" stroke-linejoin="round" />
      <path d="M14 2.75V7h4.25" stroke-linejoin="round" />
    </svg>`;
  }

  private renderDetails(file: FileView): TemplateResult {
    const size = formatBytes(file.sizeBytes);
    switch (file.state) {
      case 'missing':
        return html`<p class="note">File details have not arrived yet.</p>`;
      case 'available':
      case 'complete':
        return html`<p class="size">${size}</p>`;
      case 'publishing':
        return this.renderProgress(file, `Preparing ${file.name}`, nothing);
      case 'paused':
        return this.renderProgress(file, `Download of ${file.name}`, nothing);
      case 'downloading':
        return this.renderProgress(file, `Download of ${file.name}`, this.renderSpeed(file));
    }
  }

  private renderProgress(
    file: FileView,
    name: string,
    speed: TemplateResult | typeof nothing,
  ): TemplateResult {
    // A progress element ignores a max of 0; an empty file is simply done or not.
    const max = Math.max(file.sizeBytes, 1);
    const value = Math.min(Math.max(file.doneBytes, 0), max);
    return html`<progress aria-label=${name} max=${max} .value=${value}></progress>
      <p class="detail">
        <span class="done">${formatBytes(file.doneBytes)} of ${formatBytes(file.sizeBytes)}</span>${speed}
      </p>`;
  }

  private renderSpeed(file: FileView): TemplateResult {
    if (file.peers <= 0) return html` · <span class="peers">Waiting for a member who has it…</span>`;
    const peers = file.peers === 1 ? '1 peer' : `${file.peers} peers`;
    return html` · <span class="speed">${formatBytes(file.bytesPerSecond)}/s</span>
      <span class="peers">from ${peers}</span>`;
  }

  private renderActions(file: FileView): TemplateResult | typeof nothing {
    const actions = actionsByState[file.state];
    if (actions.length === 0) return nothing;
    return html`<div class="actions">
      ${actions.map(
        (action) =>
          html`<button type="button" class=${action.className} @click=${() => this.emit(action.type)}>
            ${action.label}
          </button>`,
      )}
    </div>`;
  }

  private emit(type: FileActionType): void {
    if (this.file === undefined) return;
    const detail: FileActionDetail = { contentId: this.file.contentId };
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-file-card': FileCard;
  }
}
