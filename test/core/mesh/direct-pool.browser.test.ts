import { expect } from 'chai';
import {
  DirectOpenTimeoutError,
  DirectPool,
  type DirectPoolMesh,
} from '../../../src/core/mesh/direct-pool.ts';
import { SessionClosedError } from '../../../src/core/mesh/link-session.ts';
import { realTimeTimers } from '../../../src/core/mesh/timers.ts';
import { Dht } from '../../../src/core/names/dht.ts';
import { MeshCarrier } from '../../../src/core/names/mesh-carrier.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';
import { createMeshNodes, destroyMeshNodes, waitFor, type MeshTestNode } from '../../helpers/mesh-nodes.ts';
import { encodeSimValue, simKey, simPolicy } from '../../helpers/names-simulation.ts';
import { rejectionOf } from '../../helpers/simulation.ts';

/**
 * A mesh that keeps score: sessions exist for neighbours and for nodes held open directly;
 * `openDirect` takes 100 ms of virtual time, or never finishes for `unreachable` nodes.
 */
class FakeMesh implements DirectPoolMesh {
  readonly clock = new VirtualClock();
  readonly neighborIds: string[] = [];
  readonly unreachable = new Set<string>();
  readonly opens: string[] = [];
  readonly closes: string[] = [];
  readonly sent: string[] = [];
  finishAfterAbort = false;
  private readonly holds = new Map<string, number>();

  sendTo(nodeId: string, protocol: string, body: WireValue): Promise<void> {
    if (!this.neighborIds.includes(nodeId) && (this.holds.get(nodeId) ?? 0) === 0) {
      return Promise.reject(new SessionClosedError(nodeId));
    }
    this.sent.push(`${nodeId} ${protocol} ${JSON.stringify(body)}`);
    return Promise.resolve();
  }

  openDirect(nodeId: string, signal?: AbortSignal): Promise<void> {
    this.opens.push(nodeId);
    return new Promise((resolve, reject) => {
      if (this.unreachable.has(nodeId)) {
        signal?.addEventListener('abort', () => reject(new Error('dial cancelled')));
        return;
      }
      const cancel = this.clock.schedule(100, () => {
        this.holds.set(nodeId, (this.holds.get(nodeId) ?? 0) + 1);
        resolve();
      });
      signal?.addEventListener('abort', () => {
        // Past the dial, a real mesh finishes the handshake whatever the signal says.
        if (this.finishAfterAbort) return;
        cancel();
        reject(new Error('dial cancelled'));
      });
    });
  }

  closeDirect(nodeId: string): void {
    this.closes.push(nodeId);
    const held = this.holds.get(nodeId) ?? 0;
    if (held <= 1) this.holds.delete(nodeId);
    else this.holds.set(nodeId, held - 1);
  }

  neighbors(): string[] {
    return [...this.neighborIds];
  }

  /** The session to `nodeId` dies, as when the peer goes away. */
  drop(nodeId: string): void {
    this.holds.delete(nodeId);
  }

  held(): string[] {
    return [...this.holds.keys()].sort();
  }
}

/** Runs the fake mesh's clock, then awaits `work`. */
async function run<T>(mesh: FakeMesh, work: Promise<T>, durationMs = 1_000): Promise<T> {
  // Let the work schedule what it schedules after its first awaits before time moves.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await mesh.clock.advance(durationMs);
  return work;
}

describe('direct link pool', () => {
  it('sends to neighbours over their links without opening anything', async () => {
    const mesh = new FakeMesh();
    mesh.neighborIds.push('n1');
    const pool = new DirectPool(mesh, mesh.clock);
    await pool.send('n1', 'p', 1);
    expect(mesh.sent).to.deep.equal(['n1 p 1']);
    expect(mesh.opens).to.deep.equal([]);
    expect(pool.size).to.equal(0);
  });

  it('opens one link for concurrent sends to a stranger and reuses it', async () => {
    const mesh = new FakeMesh();
    const pool = new DirectPool(mesh, mesh.clock);
    const sends = [pool.send('s1', 'p', 1), pool.send('s1', 'p', 2), pool.send('s1', 'p', 3)];
    await run(mesh, Promise.all(sends));
    await pool.send('s1', 'p', 4);
    expect(mesh.opens).to.deep.equal(['s1']);
    expect(mesh.sent).to.deep.equal(['s1 p 1', 's1 p 2', 's1 p 3', 's1 p 4']);
    expect(mesh.held()).to.deep.equal(['s1']);
  });

  it('lets go of links idle for idleMs, and of the least recently used past maxLinks', async () => {
    const mesh = new FakeMesh();
    const pool = new DirectPool(mesh, mesh.clock, { maxLinks: 2, idleMs: 5_000 });
    await run(mesh, pool.send('a', 'p', 1));
    await run(mesh, pool.send('b', 'p', 1));
    await pool.send('a', 'p', 2); // a is now used more recently than b
    await run(mesh, pool.send('c', 'p', 1));
    expect(mesh.closes).to.deep.equal(['b']);
    expect(mesh.held()).to.deep.equal(['a', 'c']);
    await mesh.clock.advance(2_000);
    await pool.send('c', 'p', 2);
    await mesh.clock.advance(2_500);
    // a has been idle for 5 s now, c only for 2.5 s.
    expect(mesh.held()).to.deep.equal(['c']);
    await mesh.clock.advance(5_000);
    expect(mesh.held()).to.deep.equal([]);
    expect(pool.size).to.equal(0);
    expect(mesh.clock.pendingTasks, 'no sweep left armed once nothing is held').to.equal(0);
  });

  it('opens a fresh link when the held one died', async () => {
    const mesh = new FakeMesh();
    const pool = new DirectPool(mesh, mesh.clock);
    await run(mesh, pool.send('a', 'p', 1));
    mesh.drop('a');
    await run(mesh, pool.send('a', 'p', 2));
    expect(mesh.opens).to.deep.equal(['a', 'a']);
    expect(mesh.sent).to.deep.equal(['a p 1', 'a p 2']);
  });

  it('gives up on a node that cannot be reached within openTimeoutMs', async () => {
    const mesh = new FakeMesh();
    mesh.unreachable.add('gone');
    const pool = new DirectPool(mesh, mesh.clock, { openTimeoutMs: 3_000 });
    const sending = rejectionOf(pool.send('gone', 'p', 1));
    await mesh.clock.advance(3_000);
    expect(await sending).to.be.instanceOf(DirectOpenTimeoutError);
    expect(pool.size).to.equal(0);
    // The next send tries again rather than reusing the failed attempt.
    const again = rejectionOf(pool.send('gone', 'p', 2));
    await mesh.clock.advance(3_000);
    expect(await again).to.be.instanceOf(DirectOpenTimeoutError);
    expect(mesh.opens).to.deep.equal(['gone', 'gone']);
  });

  it('lets go of everything on stop, including links that finish opening later', async () => {
    const mesh = new FakeMesh();
    const pool = new DirectPool(mesh, mesh.clock);
    await run(mesh, Promise.all([pool.send('a', 'p', 1), pool.send('b', 'p', 1)]));
    mesh.finishAfterAbort = true;
    const late = rejectionOf(pool.send('c', 'p', 1));
    pool.stop();
    await mesh.clock.advance(1_000);
    expect(await late).to.be.instanceOf(Error);
    expect(mesh.held()).to.deep.equal([]);
    expect(await rejectionOf(pool.send('a', 'p', 2))).to.be.instanceOf(Error);
  });
});

describe('direct link pool and DHT carrier on a real mesh', function () {
  this.timeout(120_000);
  let nodes: MeshTestNode[] = [];

  afterEach(async () => {
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('reaches a node that is not a neighbour, and closes the link on stop', async () => {
    nodes = await createMeshNodes(2);
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    expect(a.mesh.neighbors(), 'not neighbours').to.deep.equal([]);
    const atB: WireValue[] = [];
    b.mesh.handle('test/pool', (_from, body) => {
      atB.push(body);
      return undefined;
    });
    const closed: string[] = [];
    b.mesh.on('link-closed', ({ nodeId }) => closed.push(nodeId));
    const pool = new DirectPool(a.mesh, realTimeTimers());
    await pool.send(b.nodeId, 'test/pool', { n: 1 });
    await pool.send(b.nodeId, 'test/pool', { n: 2 });
    await waitFor(() => atB.length === 2, 'both messages at b');
    expect(atB).to.deep.equal([{ n: 1 }, { n: 2 }]);
    expect(pool.size).to.equal(1);
    pool.stop();
    await waitFor(() => closed.includes(a.nodeId), 'the direct link to close');
  });

  it('carries DHT stores and lookups between two nodes', async () => {
    nodes = await createMeshNodes(2);
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    const timers = realTimeTimers();
    const [dhtA, dhtB] = [a, b].map((node, i) => {
      const carrier = new MeshCarrier(node.mesh, timers);
      const dht = new Dht({ carrier, timers, random: createRandom(500 + i), policy: simPolicy });
      carrier.bind(dht);
      return { carrier, dht };
    });
    if (dhtA === undefined || dhtB === undefined) throw new Error('no DHTs');
    try {
      // Not neighbours: a learns of b the way a mesh neighbour would be announced.
      dhtA.dht.neighborUp(b.nodeId);
      const key = simKey('real-mesh');
      const value = encodeSimValue({
        slot: 'a',
        version: 1,
        expiresAtMs: Date.now() + 60_000,
        blob: new Uint8Array(1),
      });
      const put = await dhtA.dht.put(key, value);
      expect(put.stored).to.equal(2);
      expect(dhtB.dht.held(key)).to.deep.equal([value]);
      // b learnt of a from its messages, and finds the value through it too.
      expect(dhtB.dht.contactCount()).to.equal(1);
      const got = await dhtB.dht.get(key);
      expect(got.values).to.deep.equal([value]);
      expect(dhtA.dht.rejections()).to.deep.equal({});
      expect(dhtB.dht.rejections()).to.deep.equal({});
    } finally {
      for (const { carrier, dht } of [dhtA, dhtB]) {
        dht.stop();
        carrier.stop();
      }
    }
  });
});
