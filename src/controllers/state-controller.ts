import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Something with a state snapshot and a `changed` event: the app, or one of its services. */
export interface StateSource<T> {
  readonly state: T;
  on(type: 'changed', listener: () => void): () => void;
}

/**
 * Keeps a host re-rendering with a source's latest state while it is connected. The source is
 * read through a function and followed on every host update, since it may arrive after the
 * host connected (a property, a late context, a service loaded after the first render).
 */
export class StateController<S extends StateSource<unknown>> implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly read: () => S | undefined;
  private unsubscribe: (() => void) | undefined;
  private subscribedTo: S | undefined;

  constructor(host: ReactiveControllerHost, source: () => S | undefined) {
    this.host = host;
    this.read = source;
    host.addController(this);
  }

  /** The source to call; undefined until it exists. */
  get source(): S | undefined {
    return this.read();
  }

  /** The state to render; undefined until the source exists. */
  get value(): S['state'] | undefined {
    return this.read()?.state;
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostUpdate(): void {
    if (this.read() !== this.subscribedTo) this.subscribe();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribedTo = undefined;
  }

  private subscribe(): void {
    this.unsubscribe?.();
    this.subscribedTo = this.read();
    this.unsubscribe = this.subscribedTo?.on('changed', () => this.host.requestUpdate());
  }
}
