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

/** How a graph's direct channels reach the other node. */
export interface DirectLinks {
  open(nodeId: string): Promise<void>;
  close(nodeId: string): void;
  send(nodeId: string, data: Uint8Array): Promise<void>;
}

/** A graph's open direct channels, one per node. */
export class DirectChannels {
  private readonly links: DirectLinks;
  private readonly channels = new Map<string, DirectChannel>();

  constructor(links: DirectLinks) {
    this.links = links;
  }

  /** The open channel to `nodeId`, or a new one once a link to it is made. */
  async open(nodeId: string): Promise<DirectChannel> {
    const existing = this.channels.get(nodeId);
    if (existing?.open === true) return existing;
    await this.links.open(nodeId);
    const channel = new DirectChannel(nodeId, {
      send: (data) => this.links.send(nodeId, data),
      close: () => {
        if (this.channels.get(nodeId) === channel) this.channels.delete(nodeId);
        this.links.close(nodeId);
      },
    });
    this.channels.set(nodeId, channel);
    return channel;
  }

  /** Hands data from `nodeId` to its open channel, if there is one. */
  deliver(nodeId: string, data: Uint8Array): void {
    this.channels.get(nodeId)?.deliver(data);
  }

  closeAll(reason: string): void {
    for (const channel of [...this.channels.values()]) channel.close(reason);
  }
}
