/**
 * View models for the group chat components: plain read-only data that the connected views
 * build from the core's records, so the components never see records, keys or signatures.
 */

import type { FileView } from './file-types.ts';

/** A member's role in a group; the owner is also an admin. */
export type MemberRole = 'owner' | 'admin' | 'member';

/** Whether a member has a link now ('online'), is linked but idle ('away'), or neither. */
export type PresenceState = 'online' | 'away' | 'offline';

/** One row of the member list. */
export interface MemberView {
  readonly identityId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly presence: PresenceState;
  /** When the member was last online; only meaningful when `presence` is 'offline'. */
  readonly lastSeenMs?: number;
  /** True for the viewer's own identity. */
  readonly self: boolean;
}

/** One reaction chip under a message: an emoji, how many members chose it, and whether the viewer did. */
export interface ReactionView {
  readonly emoji: string;
  readonly count: number;
  readonly mine: boolean;
}

/** One chat message as the message list shows it. */
export interface ChatMessageView {
  /** Stable id of the message (record key, `creator/id`). */
  readonly key: string;
  readonly authorId: string;
  readonly authorName: string;
  /** '' when deleted. */
  readonly text: string;
  readonly sentAtMs: number;
  readonly edited: boolean;
  readonly deleted: boolean;
  /** True when the viewer wrote it. */
  readonly own: boolean;
  /** The message this one answers, as quoted above it. */
  readonly replyTo?: { readonly key: string; readonly authorName: string; readonly excerpt: string };
  readonly reactions: readonly ReactionView[];
  /** Own messages only: 'sent' = stored locally; 'delivered' = deliveredTo other members have it. */
  readonly delivery?: { readonly state: 'sent' | 'delivered'; readonly deliveredTo: number };
  /** A file shared with this message; `text` is then the sender's caption. */
  readonly file?: FileView;
}

/** One invitation an admin created, as the invitation list shows it. */
export interface InvitationView {
  readonly id: string;
  readonly role: 'member' | 'admin';
  readonly expiresAtMs: number;
  /** 0 = unlimited. */
  readonly maxUses: number;
  readonly used: number;
  readonly note: string;
  readonly revoked: boolean;
  /** The join link that carries this invitation. */
  readonly link: string;
}
