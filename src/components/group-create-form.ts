import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from './theme.ts';

/** Detail of `create-group`: trimmed name and description, colour as `#rrggbb`. */
export interface CreateGroupDetail {
  readonly name: string;
  readonly description: string;
  readonly colour: string;
}

export const maxGroupNameLength = 64;
export const maxGroupDescriptionLength = 500;

/** The colours a group can have, with the names screen readers say; the first is the default. */
export const groupColours: readonly (readonly [hex: string, name: string])[] = [
  ['#1f6f5c', 'Moss'],
  ['#1d6fa5', 'Blue'],
  ['#5b4fc4', 'Indigo'],
  ['#8e3fa0', 'Plum'],
  ['#b8325a', 'Rose'],
  ['#c2561a', 'Orange'],
  ['#9a7400', 'Amber'],
  ['#4d5b66', 'Slate'],
];

/**
 * Name, description and colour of a new group.
 * @fires create-group - CustomEvent<CreateGroupDetail>
 */
@customElement('mycel-group-create-form')
export class GroupCreateForm extends LitElement {
  static override styles = [
    theme,
    css`
      textarea {
        width: 100%;
        min-height: 4.5rem;
        padding: 0.5rem 0.7rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
        resize: vertical;
      }
      fieldset {
        border: 0;
        margin: 0 0 0.9rem;
        padding: 0;
      }
      legend {
        font-weight: 600;
        margin-bottom: 0.35rem;
      }
      .swatches {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .swatches label {
        position: relative;
        margin: 0;
      }
      .swatches input {
        position: absolute;
        opacity: 0;
        width: 100%;
        height: 100%;
        margin: 0;
        cursor: pointer;
      }
      .swatch {
        display: block;
        width: 2rem;
        height: 2rem;
        border-radius: 50%;
        border: 3px solid var(--surface);
        outline: 1px solid var(--border);
      }
      input:checked + .swatch {
        outline: 3px solid var(--text);
      }
      input:focus-visible + .swatch {
        box-shadow: var(--focus);
      }
    `,
  ];

  /** True while the group is being created: the button waits. */
  @property({ type: Boolean }) busy = false;
  @state() private nameError = '';
  @query('#name') private nameInput!: HTMLInputElement;
  @query('#description') private descriptionInput!: HTMLTextAreaElement;

  override render() {
    const [defaultColour] = groupColours[0] ?? ['', ''];
    return html`<form @submit=${this.submit} novalidate>
      <div class="field">
        <label for="name">Group name</label>
        <input
          id="name"
          type="text"
          required
          maxlength=${maxGroupNameLength}
          autocomplete="off"
          aria-invalid=${this.nameError === '' ? 'false' : 'true'}
          aria-describedby="name-error"
          @input=${this.clearError}
        />
        <p class="error" id="name-error">${this.nameError}</p>
      </div>
      <div class="field">
        <label for="description">Description <span class="help">(optional)</span></label>
        <textarea id="description" maxlength=${maxGroupDescriptionLength}></textarea>
      </div>
      <fieldset>
        <legend>Colour</legend>
        <div class="swatches">
          ${groupColours.map(
            ([hex, name]) =>
              html`<label title=${name}>
                <input
                  type="radio"
                  name="colour"
                  value=${hex}
                  aria-label=${name}
                  ?checked=${hex === defaultColour}
                />
                <span class="swatch" style="background: ${hex}"></span>
              </label>`,
          )}
        </div>
      </fieldset>
      <button type="submit" class="primary" ?disabled=${this.busy}>Create group</button>
    </form>`;
  }

  private clearError(): void {
    this.nameError = '';
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.busy) return;
    const name = this.nameInput.value.trim();
    if (name === '') {
      this.nameError = 'Give the group a name.';
      this.nameInput.focus();
      return;
    }
    const checked = this.renderRoot.querySelector<HTMLInputElement>('input[name=colour]:checked');
    const detail: CreateGroupDetail = {
      name: name.slice(0, maxGroupNameLength),
      description: this.descriptionInput.value.trim().slice(0, maxGroupDescriptionLength),
      colour: checked?.value ?? groupColours[0]?.[0] ?? '#1f6f5c',
    };
    this.dispatchEvent(new CustomEvent('create-group', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-group-create-form': GroupCreateForm;
  }
}
