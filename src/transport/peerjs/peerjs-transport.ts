import { Peer, type DataConnection, type PeerError } from 'peerjs';
import { Backoff } from '../../lib/backoff.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, Transport, TransportEvents, TransportStatus } from '../../core/ports.ts';
import { DataChannelLink } from '../data-channel-link.ts';
import { BrokerError, DialError } from '../errors.ts';
import { fingerprintsOf } from '../sdp-fingerprint.ts';
import type { BrokerEndpoint } from './broker-endpoint.ts';

export interface PeerJsTransportInit {
  readonly nodeId: string;
  readonly broker: BrokerEndpoint;
  readonly iceServers: readonly RTCIceServer[];
  /** How long a dial may take before it fails. */
  readonly dialTimeoutMs?: number;
  /** First wait before reconnecting to a lost broker; doubles up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
}

type PeerErrorKind = PeerError<string>['type'];

/** Human words for the broker errors that can happen before or while listening. */
function brokerMessage(kind: PeerErrorKind, broker: BrokerEndpoint): string {
  const where = `${broker.secure ? 'https' : 'http'}://${broker.host}:${broker.port}${broker.path}`;
  switch (kind) {
    case 'unavailable-id':
      return 'This identity is already online elsewhere with the same node id.';
    case 'invalid-id':
      return 'The node id was refused by the broker.';
    case 'invalid-key':
      return `The broker at ${where} refused its API key.`;
    case 'browser-incompatible':
      return 'This browser does not support WebRTC data channels.';
    default:
      return `Cannot reach the broker at ${where}.`;
  }
}

/**
 * Bootstrap links through a PeerJS broker. peerjs carries the signalling only: the data
 * channel it opens is handed to a `DataChannelLink`, which sends raw bytes with proper
 * backpressure (peerjs's own buffering polls on a timer).
 */
export class PeerJsTransport extends TypedEventTarget<TransportEvents> implements Transport {
  readonly nodeId: string;
  private readonly init: PeerJsTransportInit;
  private peer: Peer | undefined;
  private currentStatus: TransportStatus = { state: 'offline', reason: 'not started' };
  private readonly pendingDials = new Map<string, Set<(error: Error) => void>>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reconnectBackoff: Backoff;
  private stopped = false;
  private everOpened = false;

  constructor(init: PeerJsTransportInit) {
    super();
    this.nodeId = init.nodeId;
    this.init = init;
    this.reconnectBackoff = new Backoff(init.reconnectDelayMs ?? 1000, init.maxReconnectDelayMs ?? 30_000);
  }

  get status(): TransportStatus {
    return this.currentStatus;
  }

  start(): Promise<void> {
    if (this.peer !== undefined)
      return Promise.reject(new BrokerError('This transport has already started.'));
    const { broker, iceServers } = this.init;
    this.setStatus({ state: 'connecting' });
    // peerjs types its options as a class; a plain object is what its docs pass.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const peer = new Peer(this.nodeId, {
      host: broker.host,
      port: broker.port,
      path: broker.path,
      secure: broker.secure,
      key: broker.key ?? 'peerjs',
      config: { iceServers: [...iceServers] },
    });
    this.peer = peer;
    peer.on('connection', (connection) => this.accept(connection));
    peer.on('disconnected', () => this.onBrokerLost());
    return new Promise((resolve, reject) => {
      peer.on('open', () => {
        this.everOpened = true;
        this.reconnectBackoff.reset();
        this.setStatus({ state: 'online' });
        resolve();
      });
      peer.on('error', (error) => {
        if (this.currentStatus.state === 'connecting' && !peer.open && error.type !== 'peer-unavailable') {
          const message = brokerMessage(error.type, broker);
          this.stopped = true;
          peer.destroy();
          this.setStatus({ state: 'offline', reason: message });
          reject(new BrokerError(message, { cause: error }));
        }
        this.onPeerError(error);
      });
    });
  }

  async dial(nodeId: string, signal?: AbortSignal): Promise<Link> {
    const peer = this.peer;
    if (peer === undefined || !peer.open) throw new DialError('Not connected to the broker.');
    if (signal?.aborted === true) throw new DialError(`Dialling ${nodeId} was cancelled.`);
    const connection = peer.connect(nodeId, { serialization: 'raw', reliable: true });
    return new Promise<Link>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new DialError(`${nodeId} did not answer in time.`)),
        this.init.dialTimeoutMs ?? 15_000,
      );
      const failures = this.pendingDials.get(nodeId) ?? new Set();
      this.pendingDials.set(nodeId, failures);
      const settle = (): void => {
        clearTimeout(timer);
        failures.delete(fail);
        if (failures.size === 0) this.pendingDials.delete(nodeId);
        signal?.removeEventListener('abort', onAbort);
      };
      function fail(error: Error): void {
        settle();
        connection.close();
        reject(error);
      }
      const onAbort = (): void => fail(new DialError(`Dialling ${nodeId} was cancelled.`));
      failures.add(fail);
      signal?.addEventListener('abort', onAbort);
      connection.on('open', () => {
        settle();
        resolve(this.linkOf(connection));
      });
      connection.on('error', (error) =>
        fail(new DialError(`Could not open a link to ${nodeId}.`, { cause: error })),
      );
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.peer?.destroy();
    this.setStatus({ state: 'offline', reason: 'stopped' });
  }

  private accept(connection: DataConnection): void {
    connection.on('open', () => this.emit('link', this.linkOf(connection)));
  }

  private linkOf(connection: DataConnection): Link {
    return new DataChannelLink(
      connection.peer,
      connection.dataChannel,
      () => connection.close(),
      () => fingerprintsOf(connection.peerConnection),
    );
  }

  private onPeerError(error: PeerError<string>): void {
    if (error.type !== 'peer-unavailable') return;
    for (const [nodeId, failures] of this.pendingDials) {
      if (!error.message.includes(nodeId)) continue;
      for (const fail of [...failures]) fail(new DialError(`${nodeId} is not online.`));
    }
  }

  private onBrokerLost(): void {
    if (this.stopped || !this.everOpened || this.peer === undefined) return;
    this.setStatus({ state: 'offline', reason: 'Lost the connection to the broker.' });
    const peer = this.peer;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.stopped || peer.destroyed) return;
      this.setStatus({ state: 'connecting' });
      peer.reconnect();
    }, this.reconnectBackoff.next());
  }

  private setStatus(status: TransportStatus): void {
    this.currentStatus = status;
    this.emit('status', status);
  }
}
