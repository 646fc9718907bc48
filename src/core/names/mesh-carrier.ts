import { DirectPool } from '../mesh/direct-pool.ts';
import type { Mesh } from '../mesh/mesh.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import { dhtProtocol } from './dht-messages.ts';
import { isBenignDhtRejection, type Dht } from './dht.ts';
import type { DhtCarrier } from './dht-types.ts';

/**
 * The DHT's carrier over the real mesh: frames of `mycel/names/1` on the shared channel,
 * to neighbours over their links and to anyone else over links a `DirectPool` opens on
 * demand. The sender of a frame is the peer the link handshake proved, so a node cannot
 * answer for another.
 */
export class MeshCarrier implements DhtCarrier {
  readonly nodeId: string;
  private readonly mesh: Mesh;
  private readonly pool: DirectPool;
  private readonly ownsPool: boolean;
  private unbind: (() => void)[] = [];

  /** A carrier on `mesh`; without `pool` it makes (and on `stop` stops) its own. */
  constructor(mesh: Mesh, timers: Timers, pool?: DirectPool) {
    this.mesh = mesh;
    this.nodeId = mesh.nodeId;
    this.pool = pool ?? new DirectPool(mesh, timers);
    this.ownsPool = pool === undefined;
  }

  /** Sends one message to `nodeId`, opening a link if needed; rejects when it cannot be reached. */
  send(nodeId: string, body: WireValue): Promise<void> {
    return this.pool.send(nodeId, dhtProtocol, body);
  }

  /** The mesh's active view: nodes reachable now at no cost. */
  neighbors(): readonly string[] {
    return this.mesh.neighbors();
  }

  /**
   * Hands `dht` the frames of `mycel/names/1` and the mesh's neighbour changes. Refusals an
   * honest peer can cause are not reported to the link, so they never count towards closing it.
   */
  bind(dht: Dht): void {
    this.release();
    const offFrames = this.mesh.handle(dhtProtocol, async (from, body) => {
      const reason = await dht.receive(from.nodeId, body);
      return reason === undefined || isBenignDhtRejection(reason) ? undefined : reason;
    });
    const offUp = this.mesh.on('neighbor-up', ({ nodeId }) => dht.neighborUp(nodeId));
    const offDown = this.mesh.on('neighbor-down', ({ nodeId }) => dht.neighborDown(nodeId));
    this.unbind = [offFrames, offUp, offDown];
  }

  /** Removes the handler and listeners, and stops the pool if this carrier made it. */
  stop(): void {
    this.release();
    if (this.ownsPool) this.pool.stop();
  }

  private release(): void {
    for (const off of this.unbind.splice(0)) off();
  }
}
