import { TypedEventTarget } from '../lib/events.ts';
import { messageOf } from '../lib/errors.ts';
import type { StoredIdentity, Transport } from '../core/ports.ts';
import { nodeIdOf } from '../core/identity/ids.ts';
import type { BrokerEndpoint } from '../transport/peerjs/broker-endpoint.ts';
import type { PeerJsTransportInit } from '../transport/peerjs/peerjs-transport.ts';
import { brokerLabel, chooseBroker, probeSameOriginBroker } from './broker.ts';
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

export interface ConnectionInit {
  /** The origin the app was served from, probed for a same-origin broker. */
  readonly origin: URL;
  /** Builds the bootstrap transport; `src/main.ts` passes the PeerJS one. */
  readonly createTransport: (init: PeerJsTransportInit) => Transport;
}

/** Runs this node's bootstrap transport for the current identity and settings. */
export class Connection extends TypedEventTarget<{ status: ConnectionStatus }> {
  private readonly init: ConnectionInit;
  private transport: Transport | undefined;
  private sameOrigin: Promise<BrokerEndpoint | undefined> | undefined;
  private current: ConnectionStatus = { state: 'offline', reason: 'No identity yet.' };
  private generation = 0;

  constructor(init: ConnectionInit) {
    super();
    this.init = init;
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  /** (Re)starts the transport as `identity` with `settings`; never throws. */
  async connect(identity: StoredIdentity, settings: Settings): Promise<void> {
    const generation = ++this.generation;
    this.transport?.stop();
    this.transport = undefined;
    const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
    let broker: BrokerEndpoint;
    try {
      this.sameOrigin ??= probeSameOriginBroker(this.init.origin);
      broker = chooseBroker(settings.broker, await this.sameOrigin);
    } catch (error) {
      this.setStatus({ state: 'offline', reason: messageOf(error), nodeId });
      return;
    }
    if (generation !== this.generation) return;
    const label = brokerLabel(broker);
    const transport = this.init.createTransport({ nodeId, broker, iceServers: settings.iceServers });
    this.transport = transport;
    transport.on('status', (status) => {
      if (this.transport !== transport) return;
      this.setStatus({ ...status, broker: label, nodeId });
    });
    this.setStatus({ state: 'connecting', broker: label, nodeId });
    try {
      await transport.start();
    } catch (error) {
      if (this.transport === transport)
        this.setStatus({ state: 'offline', reason: messageOf(error), broker: label, nodeId });
    }
  }

  /** Stops the transport, e.g. when the identity is deleted. */
  disconnect(reason: string): void {
    this.generation++;
    this.transport?.stop();
    this.transport = undefined;
    this.setStatus({ state: 'offline', reason });
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.emit('status', status);
  }
}
