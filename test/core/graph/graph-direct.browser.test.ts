import { expect } from 'chai';
import type { GraphEvents } from '../../../src/core/graph/graph-types.ts';
import { DirectDataTooLargeError } from '../../../src/core/graph/direct-channel.ts';
import { createMeshNodes, destroyMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';
import { closeGraphs, openGraphOn, type GraphTestNode } from '../../helpers/graph-nodes.ts';
import { rejectionOf } from '../../helpers/simulation.ts';

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('direct connections between two nodes of a graph', function () {
  this.timeout(120_000);
  let nodes: GraphTestNode[] = [];

  afterEach(async () => {
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('carries data both ways between nodes that are not neighbours, and closes', async () => {
    const meshNodes = await createMeshNodes(2);
    nodes = await Promise.all(meshNodes.map((node) => openGraphOn(node)));
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    expect(a.mesh.neighbors(), 'not neighbours').to.deep.equal([]);
    const atB: GraphEvents['incoming-data'][] = [];
    b.graph.on('incoming-data', (event) => atB.push(event));

    const fromA = await a.graph.openDirect(b.nodeId);
    await fromA.send(bytes('hello over a direct link'));
    await waitFor(() => atB.length === 1, 'the data to arrive at b');
    expect(atB[0]?.from).to.equal(a.nodeId);
    expect(text(atB[0]?.data ?? new Uint8Array())).to.equal('hello over a direct link');
    expect(a.mesh.neighbors(), 'a direct link is not a neighbour').to.deep.equal([]);

    const fromB = await b.graph.openDirect(a.nodeId);
    const atA: string[] = [];
    fromA.on('data', ({ data }) => atA.push(text(data)));
    await fromB.send(bytes('and back'));
    await waitFor(() => atA.length === 1, 'the answer to arrive at a');
    expect(atA).to.deep.equal(['and back']);

    // The direct protocol's own messages: garbage is refused with a reason, a replayed open
    // changes nothing, and the link keeps carrying data.
    for (const garbage of [null, 7, 'open', { t: 'shut' }, { t: 'open', extra: 1 }]) {
      await a.mesh.sendTo(b.nodeId, 'mycel/direct', garbage);
    }
    await a.mesh.sendTo(b.nodeId, 'mycel/direct', { t: 'open' });
    await waitFor(() => b.mesh.rejections()['direct:bad-message'] === 5, 'five refusals at b');
    await fromA.send(bytes('still open'));
    await waitFor(() => atB.length === 2, 'data after the garbage');

    const tooLarge = await rejectionOf(fromA.send(new Uint8Array(61 * 1024)));
    expect(tooLarge).to.be.instanceOf(DirectDataTooLargeError);

    // The link stays while either end holds it: b's channel still does.
    fromA.close();
    expect(fromA.open).to.equal(false);
    const incomingAtA: string[] = [];
    a.graph.on('incoming-data', ({ data }) => incomingAtA.push(text(data)));
    await fromB.send(bytes('b still holds it'));
    await waitFor(() => incomingAtA.length === 1, 'data from b after a let go');
    expect(b.mesh.neighborPeer(a.nodeId), 'the link while b holds it').to.not.equal(undefined);
    fromB.close();
    await waitFor(() => b.mesh.neighborPeer(a.nodeId) === undefined, 'the link to close at b');
    await waitFor(() => a.mesh.neighborPeer(b.nodeId) === undefined, 'the link to close at a');
    const late = await rejectionOf(a.mesh.sendTo(b.nodeId, 'mycel/direct', { t: 'open' }));
    expect(late, 'sending after both ends let go').to.be.instanceOf(Error);
  });

  it('uses the neighbour link when the node is a neighbour', async () => {
    const meshNodes = await createMeshNodes(2);
    nodes = await Promise.all(meshNodes.map((node) => openGraphOn(node)));
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('no nodes');
    expect(await b.mesh.connect([a.nodeId])).to.equal(true);
    await waitFor(() => a.graph.graphNeighbors().includes(b.nodeId), 'b to join a’s graph');
    const received: string[] = [];
    b.graph.on('incoming-data', ({ data }) => received.push(text(data)));
    const channel = await a.graph.openDirect(b.nodeId);
    await channel.send(bytes('neighbourly'));
    await waitFor(() => received.length === 1, 'the data to arrive');
    channel.close();
    expect(b.mesh.neighbors(), 'closing a direct channel keeps the neighbour').to.deep.equal([a.nodeId]);
  });
});
