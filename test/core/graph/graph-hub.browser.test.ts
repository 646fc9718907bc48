import { expect } from 'chai';
import { createMeshNodes, destroyMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';
import { closeGraphs, openGraphOn, signedRecordsOf, type GraphTestNode } from '../../helpers/graph-nodes.ts';

describe('several graphs on one node', function () {
  this.timeout(120_000);
  let nodes: GraphTestNode[] = [];

  afterEach(async () => {
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('share the node’s links, keep their records apart, and stay private to the nodes that open them', async () => {
    const meshNodes = await createMeshNodes(3);
    nodes = await Promise.all(meshNodes.map((node) => openGraphOn(node, 'first')));
    const [a, b, c] = nodes;
    if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
    expect(await b.mesh.connect([a.nodeId])).to.equal(true);
    expect(await c.mesh.connect([a.nodeId])).to.equal(true);
    const secondA = await a.hub.openGraph('second', signedRecordsOf(a));
    const secondB = await b.hub.openGraph('second', signedRecordsOf(b));
    await waitFor(
      () => secondA.graphNeighbors().includes(b.nodeId) && a.graph.graphNeighbors().length === 2,
      'a to share "second" with b and "first" with both',
    );
    expect(secondA.graphNeighbors(), 'c has no "second" open').to.deep.equal([b.nodeId]);

    await a.graph.add({ type: 'test/note', data: new TextEncoder().encode('first') });
    await secondA.add({ type: 'test/note', data: new TextEncoder().encode('second') });
    await waitFor(
      () => b.graph.recordCount === 1 && c.graph.recordCount === 1 && secondB.recordCount === 1,
      'each record to reach the nodes of its graph',
    );
    expect(secondA.recordCount).to.equal(1);
    expect(await c.store.loadAll('second'), 'nothing of "second" at c').to.deep.equal([]);
    expect((await b.store.loadAll('first')).map(({ record }) => record.graphId)).to.deep.equal(['first']);
    expect((await b.store.loadAll('second')).map(({ record }) => record.graphId)).to.deep.equal(['second']);
    expect(c.hub.rejections(), 'hellos for a graph c has not open are not offences').to.have.property(
      'graph:not-open',
    );
    expect(c.mesh.rejections(), 'c refused nothing').to.deep.equal({});
  });
});
