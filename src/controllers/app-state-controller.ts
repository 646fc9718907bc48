import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { App, AppState } from '../app/app.ts';

/** Keeps a host re-rendering with the app's latest state while it is connected. */
export class AppStateController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly app: () => App | undefined;
  private unsubscribe: (() => void) | undefined;
  private subscribedTo: App | undefined;

  /** `app` is read when the host connects, so it may come from a context. */
  constructor(host: ReactiveControllerHost, app: () => App | undefined) {
    this.host = host;
    this.app = app;
    host.addController(this);
  }

  get value(): AppState | undefined {
    return this.app()?.state;
  }

  hostConnected(): void {
    this.subscribe();
  }

  /** The app may arrive after the host connected (a property or a late context). */
  hostUpdate(): void {
    if (this.app() !== this.subscribedTo) this.subscribe();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribedTo = undefined;
  }

  private subscribe(): void {
    this.unsubscribe?.();
    this.subscribedTo = this.app();
    this.unsubscribe = this.subscribedTo?.on('changed', () => this.host.requestUpdate());
  }
}
