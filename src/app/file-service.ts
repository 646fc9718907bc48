import { TypedEventTarget } from '../lib/events.ts';
import type { StorageQuota } from '../core/ports.ts';
import type { Distribution } from '../core/dist/distribution.ts';
import type { FileProgress } from '../core/dist/dist-types.ts';
import type { Group } from '../core/groups/group.ts';
import type { SharedFile } from '../core/groups/file-records.ts';
import type { FileView } from '../components/file-types.ts';
import { makeThumbnail } from './thumbnail.ts';
import { saveStream } from './save-stream.ts';

/** How often a file's progress reaches the views at most. */
const viewRefreshMs = 250;

/** A file being hashed and stored for sharing. */
interface Publishing {
  readonly name: string;
  readonly sizeBytes: number;
  doneBytes: number;
}

/**
 * Files for the views: shares them (thumbnails, persistent storage), fetches, pauses, removes
 * and saves them, and turns a chat message's file into the file card's view model. Progress
 * reaches the views at most every `viewRefreshMs` per file.
 */
export class FileService extends TypedEventTarget<{ changed: { readonly contentId: string } }> {
  readonly distribution: Distribution;
  private readonly quota: StorageQuota;
  private readonly publishing = new Map<string, Publishing>();
  private readonly thumbnails = new Map<string, string>();
  private readonly pending = new Set<string>();
  private askedToPersist = false;
  private readonly off: () => void;

  constructor(distribution: Distribution, quota: StorageQuota) {
    super();
    this.distribution = distribution;
    this.quota = quota;
    this.off = distribution.on('progress', ({ contentId }) => this.changed(contentId));
  }

  /**
   * Shares files in a group's chat, one message each; `caption` goes with the first. A file
   * that fails (too large, unreadable) rejects after the others were shared.
   */
  async share(group: Group, files: readonly File[], caption = ''): Promise<void> {
    this.persist();
    const failures: unknown[] = [];
    for (const [i, file] of files.entries()) {
      const token = `publishing:${group.id}:${i}:${file.name}`;
      const entry: Publishing = { name: file.name, sizeBytes: file.size, doneBytes: 0 };
      this.publishing.set(token, entry);
      try {
        const thumbnail = await makeThumbnail(file);
        await group.shareFile(file, {
          name: file.name || 'file',
          mime: /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(file.type) ? file.type : '',
          ...(thumbnail === undefined ? {} : { thumbnail }),
          ...(i === 0 && caption.trim() !== '' ? { caption } : {}),
          onProgress: (done) => {
            entry.doneBytes = done;
            this.changed(token);
          },
        });
      } catch (error) {
        failures.push(error);
      } finally {
        this.publishing.delete(token);
        this.changed(token);
      }
    }
    if (failures.length > 0) throw failures[0];
  }

  /** Files being prepared for sharing now, for the composer to show. */
  get preparing(): readonly { name: string; sizeBytes: number; doneBytes: number }[] {
    return [...this.publishing.values()];
  }

  async download(group: Group, contentId: string): Promise<void> {
    const file = group.files.file(contentId);
    if (file === undefined) return;
    await this.distribution.download(group.id, contentId, file.key);
  }

  pause(contentId: string): Promise<void> {
    return this.distribution.pause(contentId);
  }

  resume(contentId: string): Promise<void> {
    return this.distribution.resume(contentId);
  }

  /** Cancels a download or removes a file from this browser; the group keeps its record. */
  remove(contentId: string): Promise<void> {
    return this.distribution.remove(contentId);
  }

  /** Saves a complete file where the user says; false if they closed the picker. */
  async save(group: Group, contentId: string): Promise<boolean> {
    this.persist();
    const file = group.files.file(contentId);
    if (file === undefined) return false;
    return saveStream(this.distribution.read(contentId), file.info.name, file.info.mime);
  }

  /** The file card of the file a message names by its record key. */
  view(group: Group, fileKey: string): FileView {
    const file = group.files.fileByKey(fileKey);
    if (file === undefined) {
      return {
        contentId: fileKey,
        name: 'File',
        mime: '',
        sizeBytes: 0,
        state: 'missing',
        doneBytes: 0,
        bytesPerSecond: 0,
        peers: 0,
      };
    }
    const progress = this.distribution.progress(file.contentId);
    return { ...this.base(file), ...stateOf(progress) };
  }

  stop(): void {
    this.off();
    this.distribution.stop();
    for (const url of this.thumbnails.values()) URL.revokeObjectURL(url);
    this.thumbnails.clear();
  }

  private base(file: SharedFile): Omit<FileView, 'state' | 'doneBytes' | 'bytesPerSecond' | 'peers'> {
    const thumbnailUrl = this.thumbnailOf(file);
    return {
      contentId: file.contentId,
      name: file.info.name,
      mime: file.info.mime,
      sizeBytes: file.info.size,
      ...(thumbnailUrl === undefined ? {} : { thumbnailUrl }),
    };
  }

  private thumbnailOf(file: SharedFile): string | undefined {
    if (file.thumbnail === undefined) return undefined;
    let url = this.thumbnails.get(file.contentId);
    if (url === undefined) {
      url = URL.createObjectURL(new Blob([new Uint8Array(file.thumbnail)], { type: 'image/webp' }));
      this.thumbnails.set(file.contentId, url);
    }
    return url;
  }

  /** Asks once per session for storage the browser will not clear under pressure. */
  private persist(): void {
    if (this.askedToPersist) return;
    this.askedToPersist = true;
    void this.quota.persist().catch(() => false);
  }

  private changed(contentId: string): void {
    if (this.pending.has(contentId)) return;
    this.pending.add(contentId);
    setTimeout(() => {
      this.pending.delete(contentId);
      this.emit('changed', { contentId });
    }, viewRefreshMs);
  }
}

function stateOf(
  progress: FileProgress | undefined,
): Pick<FileView, 'state' | 'doneBytes' | 'bytesPerSecond' | 'peers' | 'message'> {
  if (progress === undefined) return { state: 'available', doneBytes: 0, bytesPerSecond: 0, peers: 0 };
  return {
    state: progress.state,
    doneBytes: progress.doneBytes,
    bytesPerSecond: progress.bytesPerSecond,
    peers: progress.peers,
    ...(progress.message === undefined ? {} : { message: progress.message }),
  };
}
