import type { PauseReason, StoredFileState } from '../ports.ts';

export type { PauseReason } from '../ports.ts';
import type { GraphPeer } from '../graph/security.ts';
import type { ContentInfo } from './content-info.ts';

/** What distribution needs of one group (or any graph) whose files it serves and fetches. */
export interface DistGroup {
  readonly groupId: string;
  /** Whether `peer` may fetch this group's files: a member, not removed. */
  authorize(peer: GraphPeer): Promise<boolean>;
  /** The checked content information of a file of the group, once its record is here. */
  contentInfo(contentId: string): ContentInfo | undefined;
  /** Node ids of members that hold blocks of `contentId`, most likely reachable first. */
  holders(contentId: string): readonly string[];
  /** Tells the group whether this node holds some, all or none of `contentId`. */
  announce(contentId: string, holding: 'partial' | 'complete' | 'none'): Promise<void>;
}

/** Where one file stands in this browser. */
export interface FileProgress {
  readonly contentId: string;
  readonly groupId: string;
  readonly state: StoredFileState;
  readonly sizeBytes: number;
  readonly doneBytes: number;
  readonly bytesPerSecond: number;
  /** Peers serving this download now. */
  readonly peers: number;
  readonly pauseReason?: PauseReason;
  /** What to tell the user about a pause that was not theirs. */
  readonly message?: string;
}

/** Events of a `Distribution`. */
export interface DistributionEvents {
  /** A file's progress or state changed (also when it was removed: `progress` undefined). */
  progress: { readonly contentId: string; readonly progress: FileProgress | undefined };
}
