import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, LinkEvents } from '../../core/ports.ts';
import { LinkClosedError } from '../errors.ts';

/** What a `MemoryLink` needs from the network that carries it. */
export interface LinkCarrier {
  /** Carries `message` from `from` to the other end, after everything `from` sent before. */
  carry(from: MemoryLink, message: Uint8Array): void;
  /** `from` was closed by its owner; the other end learns it after everything `from` sent. */
  carryClose(from: MemoryLink): void;
}

/** Frames and bytes one end of a link has sent and received. */
export interface LinkStats {
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
}

/**
 * One end of an in-memory link. Like a reliable, ordered data channel: messages arrive whole
 * and in order, a message sent before `close` still arrives, and `send` copies its bytes so
 * the caller may reuse its buffer. There is no backpressure: `send` resolves at once.
 */
export class MemoryLink extends TypedEventTarget<LinkEvents> implements Link {
  readonly localNodeId: string;
  readonly remoteNodeId: string;
  private readonly carrier: LinkCarrier;
  private readonly onClosed: (link: MemoryLink) => void;
  private closed = false;
  private framesSent = 0;
  private bytesSent = 0;
  private framesReceived = 0;
  private bytesReceived = 0;

  /** Made by `MemoryNetwork`; `onClosed` tells the owning transport to forget the link. */
  constructor(
    localNodeId: string,
    remoteNodeId: string,
    carrier: LinkCarrier,
    onClosed: (link: MemoryLink) => void,
  ) {
    super();
    this.localNodeId = localNodeId;
    this.remoteNodeId = remoteNodeId;
    this.carrier = carrier;
    this.onClosed = onClosed;
  }

  get open(): boolean {
    return !this.closed;
  }

  send(message: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new LinkClosedError(this.remoteNodeId));
    this.framesSent++;
    this.bytesSent += message.byteLength;
    this.carrier.carry(this, message.slice());
    return Promise.resolve();
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.finish(reason);
    this.carrier.carryClose(this);
  }

  /** What this end has sent and received so far. */
  stats(): LinkStats {
    return {
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      framesReceived: this.framesReceived,
      bytesReceived: this.bytesReceived,
    };
  }

  /**
   * Network side: a message arrived for this end. Returns false (and drops it) if this end
   * has closed meanwhile.
   */
  deliver(message: Uint8Array): boolean {
    if (this.closed) return false;
    this.framesReceived++;
    this.bytesReceived += message.byteLength;
    this.emit('message', message);
    return true;
  }

  /** Network side: closes this end without telling the other one (it knows, or cannot hear). */
  sever(reason: string): void {
    if (this.closed) return;
    this.finish(reason);
  }

  private finish(reason: string): void {
    this.closed = true;
    this.onClosed(this);
    this.emit('close', { reason });
  }
}
