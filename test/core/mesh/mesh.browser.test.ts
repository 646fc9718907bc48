import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { brokerAddress, stopBroker } from '../../helpers/broker.ts';
import {
  createMeshNodes,
  describeMesh,
  destroyMeshNodes,
  isConnected,
  restartMeshNode,
  waitFor,
  type MeshTestNode,
} from '../../helpers/mesh-nodes.ts';

const degrees = (nodes: readonly MeshTestNode[]): number[] =>
  nodes.map((node) => node.mesh.neighbors().length);

describe('the mesh over real WebRTC and a real broker', function () {
  this.timeout(300_000);
  let nodes: MeshTestNode[] = [];

  afterEach(async () => {
    await destroyMeshNodes(nodes);
    nodes = [];
    // Starts the harness broker again if a test stopped it.
    await brokerAddress();
  });

  it('forms a connected mesh of 16 with 3 to 8 neighbours each, and heals over mesh links once the broker is gone and 5 nodes close', async () => {
    nodes = await createMeshNodes(16);
    const random = createRandom(16);
    for (const [i, node] of nodes.entries()) {
      if (i === 0) continue;
      const contact = nodes[random.int(i)];
      if (contact === undefined) throw new Error('no contact');
      // A join refused now (a handshake lost on a busy machine) is retried with backoff by the
      // mesh itself; the wait below checks that every node did get in.
      await node.mesh.connect([contact.nodeId]);
    }
    await waitFor(
      () => degrees(nodes).every((degree) => degree >= 3 && degree <= 8) && isConnected(nodes),
      'every node to have 3 to 8 neighbours in one connected mesh',
      60_000,
      () => describeMesh(nodes),
    );
    for (const node of nodes) expect(node.mesh.status).to.equal('has-connections');

    await stopBroker();
    await waitFor(
      () => nodes.every((node) => !node.mesh.snapshot().brokerOnline),
      'every node to lose the broker',
    );

    const leaving = random.shuffle([...nodes]).slice(0, 5);
    const gone = new Set(leaving.map((node) => node.nodeId));
    const survivors = nodes.filter((node) => !gone.has(node.nodeId));
    const bereaved = survivors.filter((node) => node.mesh.neighbors().some((id) => gone.has(id)));
    const closedAtMs = performance.now();
    for (const node of leaving) {
      node.mesh.stop();
      node.transport.stop();
    }

    const refilled = (node: MeshTestNode): boolean => node.ups.some((up) => up.atMs > closedAtMs);
    await waitFor(
      () =>
        survivors.every((node) => {
          const neighbors = node.mesh.neighbors();
          return neighbors.length >= 3 && neighbors.every((id) => !gone.has(id));
        }) &&
        bereaved.every(refilled) &&
        isConnected(survivors),
      'the 11 survivors to refill their views in one connected mesh',
      60_000,
      () => describeMesh(survivors),
    );
    expect(bereaved.length, 'some survivors lost a neighbour').to.be.greaterThan(0);
    const laterLinks = survivors.flatMap((node) => node.ups.filter((up) => up.atMs > closedAtMs));
    expect(laterLinks.every((up) => up.route === 'mesh')).to.equal(true);
    for (const node of survivors) {
      for (const link of node.mesh.snapshot().neighbors) expect(gone.has(link.nodeId)).to.equal(false);
    }
  });

  it('brings an isolated node back in through the broker once a node it remembers returns', async () => {
    nodes = await createMeshNodes(3);
    const [a, b, d] = nodes;
    if (a === undefined || b === undefined || d === undefined) throw new Error('three nodes');
    // As above: a join refused now is retried by the mesh; the wait checks all three got in.
    await b.mesh.connect([a.nodeId]);
    await d.mesh.connect([a.nodeId]);
    await waitFor(() => nodes.every((node) => node.mesh.status === 'has-connections'), 'all three linked');

    for (const node of [a, b]) {
      node.mesh.stop();
      node.transport.stop();
    }
    await waitFor(() => d.mesh.status === 'isolated', 'the last node to be isolated');
    expect(d.mesh.neighbors()).to.deep.equal([]);

    const back = await restartMeshNode(a, 77);
    nodes = [back, b, d];
    await waitFor(() => d.mesh.status === 'has-connections', 'the isolated node to get back in');
    expect(d.mesh.neighbors()).to.deep.equal([a.nodeId]);
    expect(d.mesh.snapshot().neighbors[0]?.route).to.equal('broker');
    await waitFor(
      () => back.mesh.neighbors().includes(d.nodeId),
      'the returning node to take it as neighbour',
    );
  });
});
