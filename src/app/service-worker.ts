import { Workbox } from 'workbox-window';
import { TypedEventTarget } from '../lib/events.ts';

/**
 * Registers the service worker and tells when a new version is waiting. The new version
 * takes over only when the user accepts (`apply`), then the page reloads into it.
 */
export class ServiceWorkerUpdates extends TypedEventTarget<{ 'update-available': undefined }> {
  private readonly workbox: Workbox;
  private waiting = false;

  constructor(scriptUrl: string) {
    super();
    this.workbox = new Workbox(scriptUrl);
    this.workbox.addEventListener('waiting', () => {
      this.waiting = true;
      this.emit('update-available', undefined);
    });
  }

  get updateAvailable(): boolean {
    return this.waiting;
  }

  async register(): Promise<void> {
    await this.workbox.register();
  }

  /** Activates the waiting version and reloads once it controls the page. */
  apply(): void {
    this.workbox.addEventListener('controlling', () => window.location.reload());
    this.workbox.messageSkipWaiting();
  }
}
