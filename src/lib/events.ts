/**
 * An EventTarget whose event names and details are checked by the compiler.
 * `Events` maps each event name to the `detail` type of its `CustomEvent`.
 */
export class TypedEventTarget<Events extends object> extends EventTarget {
  /** Dispatches `CustomEvent<Events[K]>` named `type`. */
  emit<K extends keyof Events & string>(type: K, detail: Events[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events & string>(
    type: K,
    listener: (detail: Events[K]) => void,
    options?: AddEventListenerOptions,
  ): () => void {
    const handler = (event: Event): void => listener((event as CustomEvent<Events[K]>).detail);
    this.addEventListener(type, handler, options);
    return () => this.removeEventListener(type, handler);
  }
}
