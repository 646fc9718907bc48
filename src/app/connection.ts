import { TypedEventTarget } from '../lib/events.ts';
import { Backoff } from '../lib/backoff.ts';
import { messageOf } from '../lib/errors.ts';
import type { StoredIdentity, Transport } from '../core/ports.ts';
import { nodeIdOf } from '../core/identity/ids.ts';
import type { PeerJsTransportInit } from '../transport/peerjs/peerjs-transport.ts';
import { brokerLabel, chooseBroker, probeSameOriginBroker, type SameOriginProbe } from './broker.ts';
import type { Settings } from './settings.ts';

/** What the header shows about this node's reachability. */
export interface ConnectionStatus {
  readonly state: 'offline' | 'connecting' | 'online';
  /** Why it is offline, in words for a person. */
  readonly reason?: string;
  /** The broker in use, as an address. */
  readonly broker?: string;
  readonly nodeId?: string;
}

/** A transport the broker accepted, and the identity it runs as. */
export interface StartedTransport {
  readonly transport: Transport;
  readonly identity: StoredIdentity;
}

export interface ConnectionInit {
  /** The origin the app was served from, probed for a same-origin broker. */
  readonly origin: URL;
  /** Builds the bootstrap transport; `src/main.ts` passes the PeerJS one, loaded lazily. */
  readonly createTransport: (init: PeerJsTransportInit) => Transport | Promise<Transport>;
  /** First wait before trying again after a failed start; doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

interface Target {
  readonly identity: StoredIdentity;
  readonly settings: Settings;
  readonly nodeId: string;
}

/**
 * Runs this node's bootstrap transport for the current identity and settings, and keeps
 * trying (with exponential backoff, and at once when the browser comes back online) while
 * the broker or the app's own server cannot be reached.
 */
/** Events of a `Connection`. */
export interface ConnectionEvents {
  status: ConnectionStatus;
  /**
   * A transport started for `identity` (the broker accepted it), or, with `current`
   * undefined, the current one was stopped. Later status changes of the same transport do
   * not repeat it. (A detail is never `undefined` itself: a CustomEvent turns that into null.)
   */
  transport: { readonly current: StartedTransport | undefined };
}

export class Connection extends TypedEventTarget<ConnectionEvents> {
  private readonly init: ConnectionInit;
  private target: Target | undefined;
  private transport: Transport | undefined;
  private sameOrigin: SameOriginProbe = { result: 'unreachable' };
  private current: ConnectionStatus = { state: 'offline', reason: 'No identity yet.' };
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly retryBackoff: Backoff;

  constructor(init: ConnectionInit) {
    super();
    this.init = init;
    this.retryBackoff = new Backoff(init.retryDelayMs ?? 1000, init.maxRetryDelayMs ?? 30_000);
    globalThis.addEventListener('online', () => {
      if (this.target !== undefined && this.current.state === 'offline') void this.attempt(this.generation);
    });
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  /** (Re)starts the transport as `identity` with `settings`; never throws. */
  async connect(identity: StoredIdentity, settings: Settings): Promise<void> {
    const generation = this.reset();
    const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
    if (generation !== this.generation) return;
    this.target = { identity, settings, nodeId };
    await this.attempt(generation);
  }

  /** Stops the transport, e.g. when the identity is deleted. */
  disconnect(reason: string): void {
    this.reset();
    this.target = undefined;
    this.setStatus({ state: 'offline', reason });
  }

  private reset(): number {
    clearTimeout(this.retryTimer);
    this.retryBackoff.reset();
    this.replaceTransport(undefined);
    return ++this.generation;
  }

  private async attempt(generation: number): Promise<void> {
    const target = this.target;
    if (target === undefined || generation !== this.generation) return;
    clearTimeout(this.retryTimer);
    const { nodeId, settings } = target;
    if (this.sameOrigin.result === 'unreachable' && settings.broker.kind === 'auto') {
      this.sameOrigin = await probeSameOriginBroker(this.init.origin);
      if (generation !== this.generation) return;
    }
    let broker;
    try {
      broker = chooseBroker(settings.broker, this.sameOrigin);
    } catch (error) {
      this.setStatus({ state: 'offline', reason: messageOf(error), nodeId });
      return;
    }
    if (broker === undefined) {
      this.setStatus({ state: 'offline', reason: 'Cannot reach the server this app came from.', nodeId });
      this.retryLater(generation);
      return;
    }
    const label = brokerLabel(broker);
    const transport = await this.init.createTransport({ nodeId, broker, iceServers: settings.iceServers });
    if (generation !== this.generation) return;
    this.replaceTransport(transport);
    transport.on('status', (status) => {
      if (this.transport === transport) this.setStatus({ ...status, broker: label, nodeId });
    });
    this.setStatus({ state: 'connecting', broker: label, nodeId });
    try {
      await transport.start();
      this.retryBackoff.reset();
      if (this.transport === transport)
        this.emit('transport', { current: { transport, identity: target.identity } });
    } catch (error) {
      if (this.transport !== transport) return;
      this.setStatus({ state: 'offline', reason: messageOf(error), broker: label, nodeId });
      this.retryLater(generation);
    }
  }

  /** Detaches the old transport before stopping it, so its last status is not shown. */
  private replaceTransport(next: Transport | undefined): void {
    const old = this.transport;
    this.transport = next;
    if (old === undefined) return;
    old.stop();
    this.emit('transport', { current: undefined });
  }

  private retryLater(generation: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(generation), this.retryBackoff.next());
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.emit('status', status);
  }
}
