/**
 * View model of a shared file, as the file card in the chat shows it: plain data the group
 * controller builds from the core's distribution state.
 */

/**
 * `available`: others have it, this browser does not; `publishing`: being hashed and stored
 * here; `downloading`, `paused`, `complete` as they say; `missing`: the message names a file
 * whose details have not arrived yet.
 */
export type FileTransferState =
  'available' | 'publishing' | 'downloading' | 'paused' | 'complete' | 'missing';

/** One shared file. */
export interface FileView {
  readonly contentId: string;
  readonly name: string;
  readonly mime: string;
  readonly sizeBytes: number;
  readonly state: FileTransferState;
  /** Bytes held (or hashed, while publishing) here. */
  readonly doneBytes: number;
  /** Download speed over the last seconds, while downloading. */
  readonly bytesPerSecond: number;
  /** Peers serving blocks to this download now. */
  readonly peers: number;
  /** Why a download paused or stopped, for the user. */
  readonly message?: string;
  /** An object URL of the image thumbnail the sender attached. */
  readonly thumbnailUrl?: string;
}

/** Detail of the file card's events (`file-download`, `file-pause`, `file-resume`, `file-cancel`, `file-save`, `file-remove`). */
export interface FileActionDetail {
  readonly contentId: string;
}
