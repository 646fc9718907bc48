import { css } from 'lit';

/** Layout of the group page: the chat beside the members on wide screens, below on narrow ones. */
export const groupViewStyles = css`
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 18rem;
    gap: 1rem;
    align-items: start;
  }
  .chat {
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
    min-width: 0;
  }
  mycel-chat-message-list {
    height: min(60vh, 40rem);
  }
  .preparing {
    display: flex;
    flex-direction: column;
    gap: 0.4rem;
  }
  .group-header {
    display: flex;
    align-items: center;
    gap: 0.75rem;
  }
  .group-header h1 {
    margin: 0;
    font-size: 1.3rem;
  }
  .status {
    margin: 0;
    color: var(--muted);
    font-size: 0.9rem;
  }
  .back {
    text-decoration: none;
    font-size: 1.3rem;
    padding: 0.25rem 0.5rem;
  }
  .swatch {
    width: 1.5rem;
    height: 1.5rem;
    border-radius: 50%;
    flex: none;
  }
  aside {
    display: grid;
    gap: 1rem;
  }
  aside button {
    margin: 0.25rem 0.25rem 0 0;
  }
  dialog {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    background: var(--surface);
    color: var(--text);
    max-width: 28rem;
  }
  @media (max-width: 60rem) {
    .layout {
      grid-template-columns: minmax(0, 1fr);
    }
  }
`;
