import type { ChatMessage } from '../core/groups/chat-log.ts';
import type { GroupRole } from '../core/groups/group-state.ts';

/** A group as the list of groups shows it. */
export interface GroupSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly colour: string;
  readonly role: GroupRole | undefined;
  readonly memberCount: number;
  readonly onlineCount: number;
  /** Messages by others after the last one the user saw. */
  readonly unread: number;
  /** Whether a member's node takes part with this one now. */
  readonly linked: boolean;
  readonly left: boolean;
  readonly removed: boolean;
  /** Why members refused this node's membership, while none takes part with it. */
  readonly refusal?: string;
  readonly lastMessage?: { readonly authorName: string; readonly text: string; readonly atMs: number };
}

/** What a join link offers, before the user confirms. */
export interface JoinPreview {
  readonly groupId: string;
  readonly groupName: string;
  readonly inviterName: string;
  readonly inviterId: string;
  readonly role: 'member' | 'admin';
  readonly note: string;
  readonly expiresAtMs: number;
  readonly alreadyMember: boolean;
  readonly broker?: string;
}

/** A new message by someone else, for notifications. */
export interface IncomingMessage {
  readonly groupId: string;
  readonly groupName: string;
  readonly authorName: string;
  readonly message: ChatMessage;
}
