import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import { maxDirectBytes } from './graph-messages.ts';

/** Events of a `DirectChannel`. */
export interface DirectChannelEvents {
  /** Application data from the other node. */
  data: { readonly data: Uint8Array };
  /** The channel was closed by this side. */
  close: { readonly reason: string };
}

/** Data too large for one direct message. */
export class DirectDataTooLargeError extends MycelError {
  override name = 'DirectDataTooLargeError';

  constructor(bytes: number) {
    super(`${bytes} bytes is too much for one direct message (at most ${maxDirectBytes}).`, {
      hint: 'Split the data into smaller messages, or share it as a file.',
    });
  }
}

/** What a `DirectChannel` uses of its graph. */
export interface DirectChannelLinks {
  send(data: Uint8Array): Promise<void>;
  close(): void;
}

/**
 * A private channel to one node of a graph (`PeerGraphOpenDirectConnection`): application data
 * over an authenticated, encrypted link between the two nodes only, never relayed.
 */
export class DirectChannel extends TypedEventTarget<DirectChannelEvents> {
  readonly nodeId: string;
  private readonly links: DirectChannelLinks;
  private closed = false;

  constructor(nodeId: string, links: DirectChannelLinks) {
    super();
    this.nodeId = nodeId;
    this.links = links;
  }

  get open(): boolean {
    return !this.closed;
  }

  /**
   * Sends one message; resolves once queued. Rejects with `DirectDataTooLargeError` over
   * `maxDirectBytes`, and with the link's error when the other node is gone.
   */
  send(data: Uint8Array): Promise<void> {
    if (data.length > maxDirectBytes) return Promise.reject(new DirectDataTooLargeError(data.length));
    return this.links.send(data);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.links.close();
    this.emit('close', { reason });
  }

  /** Hands data from the other node to listeners; the graph calls it. */
  deliver(data: Uint8Array): void {
    if (!this.closed) this.emit('data', { data });
  }
}
