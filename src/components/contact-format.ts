import { css } from 'lit';

const secondMs = 1000;
const minuteMs = 60 * secondMs;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/**
 * An identity id shown short for people, `abcd-efgh`: the same shape as the core's `shortId`,
 * which components may not import (they stay free of protocol code).
 */
export function shortIdentityId(identityId: string): string {
  return `${identityId.slice(0, 4)}-${identityId.slice(4, 8)}`;
}

/** The letter on a person's avatar: the first character of the name (a whole emoji, not half). */
export function initialOf(name: string): string {
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name.trim());
  const first = graphemes[Symbol.iterator]().next();
  return first.done === true ? '?' : first.value.segment.toUpperCase();
}

/**
 * A time left, coarse as a person reads it: seconds under a minute, then minutes and seconds
 * under ten minutes (invitations live five), then whole minutes, hours or days.
 */
export function durationText(remainingMs: number): string {
  const ms = Math.max(0, remainingMs);
  if (ms < minuteMs) return `${Math.ceil(ms / secondMs)} s`;
  if (ms < 10 * minuteMs) {
    const minutes = Math.floor(ms / minuteMs);
    const seconds = Math.floor((ms % minuteMs) / secondMs);
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  if (ms < hourMs) return `${Math.round(ms / minuteMs)} min`;
  if (ms < dayMs) return `${Math.round(ms / hourMs)} h`;
  return `${Math.round(ms / dayMs)} days`;
}

/** "Expires in 4 min 30 s", or "Expired" once the time is up. */
export function expiresInText(expiresAtMs: number, nowMs: number): string {
  return expiresAtMs <= nowMs ? 'Expired' : `Expires in ${durationText(expiresAtMs - nowMs)}`;
}

/** A round avatar with a person's colour and initial, and the presence dot beside a label. */
export const contactStyles = css`
  .avatar {
    flex: none;
    width: 2.25rem;
    height: 2.25rem;
    border-radius: 50%;
    display: grid;
    place-items: center;
    color: #ffffff;
    font-weight: 700;
    /* The colour comes from the card; a dark outline keeps a pale one visible on white. */
    text-shadow: 0 0 2px rgb(0 0 0 / 60%);
  }
  .dot {
    display: inline-block;
    width: 0.6rem;
    height: 0.6rem;
    border-radius: 50%;
    margin-right: 0.3rem;
    background: var(--muted);
  }
  .dot.online {
    background: var(--ok);
  }
  .dot.away,
  .dot.brb {
    background: var(--warn);
  }
  .dot.busy {
    background: var(--danger);
  }
  .dot.offline {
    background: transparent;
    border: 1px solid var(--muted);
  }
  .badge {
    font-size: 0.78em;
    padding: 0.05rem 0.45rem;
    border-radius: 999px;
    border: 1px solid var(--muted);
    color: var(--muted);
    white-space: nowrap;
  }
  select {
    padding: 0.45rem 0.5rem;
    border: 1px solid var(--border);
    border-radius: var(--radius);
    background: var(--surface);
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
