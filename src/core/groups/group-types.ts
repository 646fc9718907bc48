import type { RecordStore } from '../ports.ts';
import type { GraphConfig } from '../graph/graph.ts';
import type { GraphHub } from '../graph/graph-hub.ts';
import type { RecordAuthor } from '../graph/signed-records.ts';
import type { Timers } from '../mesh/timers.ts';
import type { ChatMessage } from './chat-log.ts';
import type { GroupLinksConfig } from './group-links.ts';
import type { Distribution } from '../dist/distribution.ts';

/** What a `Group` runs on: the node's graphs, store and identity. */
export interface GroupComponents {
  readonly hub: GraphHub;
  readonly store: RecordStore;
  readonly author: RecordAuthor;
  readonly nodeId: string;
  readonly timers: Timers;
  readonly graphConfig?: Partial<GraphConfig>;
  readonly linksConfig?: Partial<GroupLinksConfig>;
  /** The node's file distribution; without it the group shows files but cannot fetch or share them. */
  readonly distribution?: Distribution;
}

/** Events of a `Group`. */
export interface GroupEvents {
  /** Info, members, roles, invitations, presence or status changed. */
  changed: Record<string, never>;
  /** Messages, reactions or receipts changed; `added` lists new messages by others. */
  chat: { readonly added: readonly ChatMessage[] };
}
