import { css } from 'lit';

/** Colours, spacing and form styles shared by every element; light and dark follow the system. */
export const theme = css`
  :host {
    --accent: #1f6f5c;
    --accent-fg: #ffffff;
    --surface: #ffffff;
    --surface-2: #efede6;
    --border: #d4d1c7;
    --text: #1d2321;
    --muted: #5a6360;
    --danger: #a4262c;
    --ok: #1e7b34;
    --warn: #8a5a00;
    --radius: 10px;
    --focus: 0 0 0 3px color-mix(in srgb, var(--accent) 45%, transparent);
    color: var(--text);
    font: inherit;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --accent: #5cc2a6;
      --accent-fg: #0d1a16;
      --surface: #1c2320;
      --surface-2: #252d2a;
      --border: #38423e;
      --text: #e7ebe9;
      --muted: #a3ada9;
      --danger: #ff8a8f;
      --ok: #7fd694;
      --warn: #e7b550;
    }
  }
  * {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    margin: 0 0 0.5rem;
    line-height: 1.25;
  }
  p {
    margin: 0 0 0.75rem;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    border: 1px solid var(--border);
    background: var(--surface-2);
    border-radius: var(--radius);
    padding: 0.5rem 0.9rem;
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--accent-fg);
    font-weight: 600;
  }
  button.danger {
    color: var(--danger);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  input[type='text'],
  input[type='password'],
  input[type='url'],
  input:not([type]) {
    width: 100%;
    padding: 0.5rem 0.7rem;
    border: 1px solid var(--border);
    border-radius: var(--radius);
    background: var(--surface);
  }
  :focus-visible {
    outline: none;
    box-shadow: var(--focus);
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  .field {
    margin-bottom: 0.9rem;
  }
  .help {
    color: var(--muted);
    font-size: 0.9em;
  }
  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 1rem;
    margin-bottom: 1rem;
  }
  .error {
    color: var(--danger);
  }
  .ok {
    color: var(--ok);
  }
  .row {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
    align-items: center;
  }
  .mono {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, monospace;
    overflow-wrap: anywhere;
  }
`;

/** A `<dl>` of facts as two columns: terms muted on the left, values on the right. */
export const factList = css`
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.3rem 1rem;
    margin: 0 0 1rem;
  }
  dt {
    color: var(--muted);
  }
  dd {
    margin: 0;
  }
`;

/** A data table in a horizontally scrolling `.scroll` box: caption on top, muted column heads. */
export const tableStyles = css`
  .scroll {
    overflow-x: auto;
    margin-bottom: 1rem;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.92em;
  }
  caption {
    text-align: left;
    font-weight: 700;
    padding-bottom: 0.4rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.35rem 0.5rem 0.35rem 0;
    border-bottom: 1px solid var(--border);
  }
  th[scope='col'] {
    color: var(--muted);
    font-weight: 600;
    white-space: nowrap;
  }
  th[scope='row'] {
    font-weight: normal;
    white-space: nowrap;
  }
`;
