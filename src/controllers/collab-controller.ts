import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CollabApi, CollabState } from '../app/collab-types.ts';

/**
 * Keeps a host re-rendering with the latest contacts, presence, invitations and names while it
 * is connected. The API appears only once the identity's node has loaded it, so it is read
 * through a function and followed on every host update.
 */
export class CollabController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly collab: () => CollabApi | undefined;
  private unsubscribe: (() => void) | undefined;
  private subscribedTo: CollabApi | undefined;

  /** `collab` is read when the host connects and updates, so it may come from a context. */
  constructor(host: ReactiveControllerHost, collab: () => CollabApi | undefined) {
    this.host = host;
    this.collab = collab;
    host.addController(this);
  }

  /** The API to call; undefined until the app has loaded it. */
  get api(): CollabApi | undefined {
    return this.collab();
  }

  /** The state to render; undefined until the app has loaded the API. */
  get value(): CollabState | undefined {
    return this.collab()?.state;
  }

  hostConnected(): void {
    this.subscribe();
  }

  /** The API may appear after the host connected (the app emits `changed` when it does). */
  hostUpdate(): void {
    if (this.collab() !== this.subscribedTo) this.subscribe();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribedTo = undefined;
  }

  private subscribe(): void {
    this.unsubscribe?.();
    this.subscribedTo = this.collab();
    this.unsubscribe = this.subscribedTo?.on('changed', () => this.host.requestUpdate());
  }
}
