import { css } from 'lit';

/** The look of the Names panel: two stacked forms, the list of own names, the result table. */
export const namesStyles = css`
  :host {
    display: block;
  }
  section + section {
    margin-top: 1.25rem;
  }
  fieldset {
    border: none;
    margin: 0;
    padding: 0;
    min-width: 0;
  }
  label.check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    font-weight: normal;
    margin-bottom: 0.9rem;
  }
  .inline {
    display: flex;
    gap: 0.5rem;
    align-items: center;
  }
  .inline input {
    flex: 1;
    min-width: 0;
  }
  .offline {
    color: var(--warn);
    font-weight: 600;
  }
  ul {
    list-style: none;
    margin: 0 0 0.75rem;
    padding: 0;
  }
  li {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem 0.75rem;
    align-items: center;
    padding: 0.45rem 0;
    border-bottom: 1px solid var(--border);
  }
  .facts {
    flex: 1 1 14rem;
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .name {
    font-weight: 600;
  }
  .payload {
    overflow-wrap: anywhere;
  }
  li button {
    padding: 0.25rem 0.65rem;
    font-size: 0.9em;
  }
  .scroll {
    margin-bottom: 0.5rem;
  }
  td {
    vertical-align: top;
  }
  .error:empty,
  .ok:empty,
  .summary:empty {
    /* Empty, but still rendered: a live region must exist before it speaks. */
    margin: 0;
  }
`;
