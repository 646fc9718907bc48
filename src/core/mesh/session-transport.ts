import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, Transport, TransportEvents, TransportStatus } from '../ports.ts';

/**
 * The transport a `MembershipNode` sees inside a `Mesh`: every link it dials or is offered is
 * already authenticated and runs in a session, whichever way its signalling went.
 */
export class SessionTransport extends TypedEventTarget<TransportEvents> implements Transport {
  readonly nodeId: string;
  readonly status: TransportStatus = { state: 'online' };
  private readonly opener: (nodeId: string, signal: AbortSignal) => Promise<Link>;

  constructor(nodeId: string, opener: (nodeId: string, signal: AbortSignal) => Promise<Link>) {
    super();
    this.nodeId = nodeId;
    this.opener = opener;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  dial(nodeId: string, signal?: AbortSignal): Promise<Link> {
    return this.opener(nodeId, signal ?? new AbortController().signal);
  }

  stop(): void {
    return undefined;
  }

  /** Hands an incoming, authenticated link to the listener. */
  offer(link: Link): void {
    this.emit('link', link);
  }
}
