import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MemberView, PresenceState } from './chat-types.ts';
import { theme } from './theme.ts';

/** Detail of `promote`, `demote` and `remove`: the member acted on. */
export interface MemberActionDetail {
  readonly identityId: string;
}

const presenceOrder: Record<PresenceState, number> = { online: 0, away: 1, offline: 2 };
const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** "Last seen 5 min ago": coarse on purpose, presence is only known to the minute. */
export function lastSeenText(lastSeenMs: number, nowMs: number): string {
  const agoMs = Math.max(0, nowMs - lastSeenMs);
  if (agoMs < minuteMs) return 'Last seen just now';
  if (agoMs < hourMs) return `Last seen ${Math.floor(agoMs / minuteMs)} min ago`;
  if (agoMs < dayMs) return `Last seen ${Math.floor(agoMs / hourMs)} h ago`;
  const days = Math.floor(agoMs / dayMs);
  return days === 1 ? 'Last seen yesterday' : `Last seen ${days} days ago`;
}

/** Online members first, then away, then offline; by name within each. */
export function sortMembers(members: readonly MemberView[]): MemberView[] {
  return [...members].sort(
    (a, b) => presenceOrder[a.presence] - presenceOrder[b.presence] || a.name.localeCompare(b.name),
  );
}

/**
 * The members of a group with their role and presence; for an admin, buttons to promote,
 * demote and remove them (the view asks for confirmation before removing).
 * @fires promote - CustomEvent<MemberActionDetail>
 * @fires demote - CustomEvent<MemberActionDetail>
 * @fires remove - CustomEvent<MemberActionDetail>
 */
@customElement('mycel-member-list')
export class MemberList extends LitElement {
  static override styles = [
    theme,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.6rem;
        padding: 0.45rem 0;
        border-bottom: 1px solid var(--border);
      }
      .who {
        flex: 1 1 10rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .name {
        font-weight: 600;
      }
      .badge {
        font-size: 0.78em;
        padding: 0.05rem 0.45rem;
        border-radius: 999px;
        border: 1px solid var(--accent);
        color: var(--accent);
        margin-left: 0.3rem;
      }
      .presence {
        display: block;
        color: var(--muted);
        font-size: 0.85em;
      }
      .dot {
        display: inline-block;
        width: 0.55rem;
        height: 0.55rem;
        border-radius: 50%;
        margin-right: 0.3rem;
        background: var(--muted);
      }
      .dot.online {
        background: var(--ok);
      }
      .dot.away {
        background: var(--warn);
      }
      .dot.offline {
        background: transparent;
        border: 1px solid var(--muted);
      }
      li button {
        padding: 0.2rem 0.6rem;
        font-size: 0.88em;
      }
    `,
  ];

  @property({ attribute: false }) members: readonly MemberView[] = [];
  /** Whether the viewer is an admin and may change roles and remove members. */
  @property({ type: Boolean }) canManage = false;
  /** The clock that "last seen" is counted from. */
  @property({ attribute: false }) clock: () => number = () => Date.now();

  override render() {
    const nowMs = this.clock();
    return html`<ul role="list" aria-label="Members">
      ${sortMembers(this.members).map((member) => this.renderMember(member, nowMs))}
    </ul>`;
  }

  private renderMember(member: MemberView, nowMs: number) {
    return html`<li>
      <span class="who">
        <span class="name">${member.name}</span>${member.self ? ' (you)' : nothing}
        ${
          member.role === 'member'
            ? nothing
            : html`<span class="badge">${member.role === 'owner' ? 'Owner' : 'Admin'}</span>`
        }
        <span class="presence"
          ><span class="dot ${member.presence}"></span>${this.presenceText(member, nowMs)}</span
        >
      </span>
      ${this.canManage && !member.self && member.role !== 'owner' ? this.renderActions(member) : nothing}
    </li>`;
  }

  private renderActions(member: MemberView) {
    const detail: MemberActionDetail = { identityId: member.identityId };
    const roleButton =
      member.role === 'admin'
        ? html`<button
            aria-label=${`Remove admin role from ${member.name}`}
            @click=${() => this.emit('demote', detail)}
          >
            Remove admin
          </button>`
        : html`<button aria-label=${`Make ${member.name} admin`} @click=${() => this.emit('promote', detail)}>
            Make admin
          </button>`;
    return html`${roleButton}
      <button
        class="danger"
        aria-label=${`Remove ${member.name}`}
        @click=${() => this.emit('remove', detail)}
      >
        Remove
      </button>`;
  }

  private presenceText(member: MemberView, nowMs: number): string {
    if (member.presence === 'online') return 'Online';
    if (member.presence === 'away') return 'Away';
    return member.lastSeenMs === undefined ? 'Offline' : lastSeenText(member.lastSeenMs, nowMs);
  }

  private emit(type: 'promote' | 'demote' | 'remove', detail: MemberActionDetail): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-member-list': MemberList;
  }
}
