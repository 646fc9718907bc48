import { css } from 'lit';

/** Styles of `<mycel-chat-message-list>`: rows, day separators, file cards, reactions and the jump button. */
export const chatMessageListStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    position: relative;
    min-height: 0;
    height: 100%;
  }
  .log {
    flex: 1 1 auto;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
  }
  .empty {
    color: var(--muted);
    text-align: center;
    padding: 2rem 1rem;
  }
  .row {
    width: 100%;
  }
  .day {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    padding: 0.75rem 0.75rem 0.25rem;
    color: var(--muted);
    font-size: 0.85em;
    font-weight: 600;
  }
  .day::before,
  .day::after {
    content: '';
    flex: 1;
    border-top: 1px solid var(--border);
  }
  .message {
    position: relative;
    padding: 0.35rem 0.75rem;
    border-left: 3px solid transparent;
  }
  .message.own {
    border-left-color: color-mix(in srgb, var(--accent) 55%, transparent);
  }
  .message:hover,
  .message:focus-within {
    background: var(--surface-2);
  }
  .meta {
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
    flex-wrap: wrap;
  }
  .author {
    font-weight: 700;
  }
  .meta time,
  .edited,
  .delivery {
    color: var(--muted);
    font-size: 0.82em;
  }
  .text {
    margin: 0.1rem 0 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .text a {
    color: var(--accent);
  }
  mycel-file-card {
    margin-top: 0.3rem;
  }
  .deleted {
    color: var(--muted);
    font-style: italic;
  }
  blockquote {
    margin: 0 0 0.2rem;
    padding: 0.1rem 0.5rem;
    border-left: 3px solid var(--border);
    color: var(--muted);
    font-size: 0.88em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3rem;
    list-style: none;
    margin: 0.3rem 0 0;
    padding: 0;
  }
  .reactions button,
  .picker button {
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    font-size: 0.9em;
  }
  .reactions button[aria-pressed='true'] {
    border-color: var(--accent);
    background: color-mix(in srgb, var(--accent) 18%, var(--surface));
  }
  .actions {
    position: absolute;
    top: 0.2rem;
    right: 0.5rem;
    display: flex;
    gap: 0.25rem;
    opacity: 0;
  }
  .actions button {
    padding: 0.15rem 0.5rem;
    font-size: 0.82em;
    background: var(--surface);
  }
  .message:hover .actions,
  .message:focus-within .actions {
    opacity: 1;
  }
  @media (hover: none) {
    .actions {
      opacity: 1;
    }
  }
  .picker {
    display: flex;
    gap: 0.3rem;
    margin-top: 0.3rem;
  }
  .jump {
    position: absolute;
    bottom: 0.75rem;
    left: 50%;
    transform: translateX(-50%);
    box-shadow: 0 2px 8px rgb(0 0 0 / 25%);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
