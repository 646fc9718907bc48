import { TypedEventTarget } from '../../lib/events.ts';
import type { Transport, TransportEvents, TransportStatus } from '../../core/ports.ts';
import { BrokerError, DialError } from '../errors.ts';
import type { MemoryLink } from './memory-link.ts';

/** What a `MemoryTransport` needs from its network (the network plays the broker). */
export interface TransportFabric {
  /** Makes `transport` reachable; throws a `BrokerError` if its node id is already online. */
  register(transport: MemoryTransport): void;
  /** Makes `transport` unreachable. */
  unregister(transport: MemoryTransport): void;
  /** Opens a link from `transport` to `nodeId`, in virtual time. */
  dial(transport: MemoryTransport, nodeId: string, signal: AbortSignal | undefined): Promise<MemoryLink>;
}

/** `TransportEvents`, with the link as the `MemoryLink` it is (for its `stats`). */
export interface MemoryTransportEvents extends TransportEvents {
  link: MemoryLink;
}

/**
 * A `Transport` on a `MemoryNetwork`, with the PeerJS transport's events and errors: `start`
 * goes online at once (or rejects with `BrokerError` if the node id is taken), `dial` rejects
 * with `DialError`, `stop` closes every link and the other ends hear `close`. A stopped
 * transport stays stopped; make a new one with the same node id to come back.
 */
export class MemoryTransport extends TypedEventTarget<MemoryTransportEvents> implements Transport {
  readonly nodeId: string;
  private readonly fabric: TransportFabric;
  private currentStatus: TransportStatus = { state: 'offline', reason: 'not started' };
  private started = false;
  private readonly openLinks = new Set<MemoryLink>();
  private readonly pendingDials = new Set<(error: DialError) => void>();

  /** Made by `MemoryNetwork.createTransport`. */
  constructor(nodeId: string, fabric: TransportFabric) {
    super();
    this.nodeId = nodeId;
    this.fabric = fabric;
  }

  get status(): TransportStatus {
    return this.currentStatus;
  }

  /** The links of this node that are open (including one still being dialled). */
  get links(): readonly MemoryLink[] {
    return [...this.openLinks];
  }

  start(): Promise<void> {
    if (this.started) return Promise.reject(new BrokerError('This transport has already started.'));
    this.started = true;
    this.setStatus({ state: 'connecting' });
    try {
      this.fabric.register(this);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.setStatus({ state: 'offline', reason });
      return Promise.reject(error instanceof Error ? error : new BrokerError(reason));
    }
    this.setStatus({ state: 'online' });
    return Promise.resolve();
  }

  dial(nodeId: string, signal?: AbortSignal): Promise<MemoryLink> {
    if (this.currentStatus.state !== 'online') {
      return Promise.reject(new DialError('This node is not online.'));
    }
    if (signal?.aborted === true) {
      return Promise.reject(new DialError(`Dialling ${nodeId} was cancelled.`));
    }
    if (nodeId === this.nodeId) return Promise.reject(new DialError('A node cannot dial itself.'));
    return this.fabric.dial(this, nodeId, signal);
  }

  stop(): void {
    if (this.currentStatus.state === 'online') this.fabric.unregister(this);
    this.started = true;
    for (const fail of [...this.pendingDials]) fail(new DialError('This node stopped.'));
    for (const link of [...this.openLinks]) link.close('transport stopped');
    this.setStatus({ state: 'offline', reason: 'stopped' });
  }

  /** Network side: a link end now belongs to this node (dialled or accepted). */
  adopt(link: MemoryLink): void {
    this.openLinks.add(link);
  }

  /** Network side: a link end of this node closed. */
  release(link: MemoryLink): void {
    this.openLinks.delete(link);
  }

  /** Network side: a remote node opened `link` to this one. */
  accept(link: MemoryLink): void {
    this.emit('link', link);
  }

  /** Network side: remembers how to fail a pending dial if this node stops; returns a forget function. */
  trackDial(fail: (error: DialError) => void): () => void {
    this.pendingDials.add(fail);
    return () => this.pendingDials.delete(fail);
  }

  private setStatus(status: TransportStatus): void {
    this.currentStatus = status;
    this.emit('status', status);
  }
}
