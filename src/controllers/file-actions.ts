import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { App } from '../app/app.ts';
import type { FileService } from '../app/file-service.ts';
import type { Group } from '../core/groups/group.ts';
import type { ShareFileDetail } from '../components/chat-composer.ts';
import type { FileActionDetail } from '../components/file-types.ts';

/** The file card's events and what each does. */
const actions = {
  'file-download': (files: FileService, group: Group, contentId: string) => files.download(group, contentId),
  'file-pause': (files: FileService, _group: Group, contentId: string) => files.pause(contentId),
  'file-resume': (files: FileService, _group: Group, contentId: string) => files.resume(contentId),
  'file-cancel': (files: FileService, _group: Group, contentId: string) => files.remove(contentId),
  'file-remove': (files: FileService, _group: Group, contentId: string) => files.remove(contentId),
  'file-save': async (files: FileService, group: Group, contentId: string) => {
    await files.save(group, contentId);
  },
} as const;

/**
 * Turns the file events that bubble up to a group view (`share-file` from the composer or a
 * drop, the file cards' buttons) into calls on the app's files, and re-renders the view
 * while files are being prepared. Errors go to `failed`, for the view to show.
 */
export class FileActions implements ReactiveController {
  private readonly host: ReactiveControllerHost & HTMLElement;
  private readonly source: () => { app: App | undefined; group: Group | undefined };
  private readonly failed: (error: unknown) => void;
  private readonly listeners: [string, EventListener][] = [];
  private off: (() => void) | undefined;

  constructor(
    host: ReactiveControllerHost & HTMLElement,
    source: () => { app: App | undefined; group: Group | undefined },
    failed: (error: unknown) => void,
  ) {
    this.host = host;
    this.source = source;
    this.failed = failed;
    host.addController(this);
    this.listeners.push(['share-file', (event) => this.share(event as CustomEvent<ShareFileDetail>)]);
    for (const [type, run] of Object.entries(actions)) {
      this.listeners.push([
        type,
        (event) => {
          const { contentId } = (event as CustomEvent<FileActionDetail>).detail;
          this.run((files, group) => run(files, group, contentId));
        },
      ]);
    }
  }

  /** The files being prepared for sharing now. */
  get preparing(): readonly { name: string; sizeBytes: number; doneBytes: number }[] {
    return this.files()?.preparing ?? [];
  }

  /** Whether this browser can share and fetch files. */
  get available(): boolean {
    return this.files() !== undefined;
  }

  hostConnected(): void {
    for (const [type, listener] of this.listeners) this.host.addEventListener(type, listener);
    this.off = this.files()?.on('changed', () => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    for (const [type, listener] of this.listeners) this.host.removeEventListener(type, listener);
    this.off?.();
    this.off = undefined;
  }

  hostUpdate(): void {
    this.off ??= this.files()?.on('changed', () => this.host.requestUpdate());
  }

  private files(): FileService | undefined {
    return this.source().app?.groups?.files;
  }

  private share(event: CustomEvent<ShareFileDetail>): void {
    const { files } = event.detail;
    this.run((service, group) => service.share(group, files));
    this.host.requestUpdate();
  }

  private run(task: (files: FileService, group: Group) => Promise<unknown>): void {
    const files = this.files();
    const { group } = this.source();
    if (files === undefined || group === undefined) {
      this.failed(new Error('Files cannot be shared in this browser.'));
      return;
    }
    task(files, group).catch((error: unknown) => this.failed(error));
  }
}
