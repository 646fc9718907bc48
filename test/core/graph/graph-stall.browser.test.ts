import { expect } from 'chai';
import { createMeshNodes, destroyMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';
import { closeGraphs, describeGraphs, openGraphOn, type GraphTestNode } from '../../helpers/graph-nodes.ts';
import { GraphAttacker } from '../../helpers/graph-attacker.ts';

describe('a graph neighbour that stops answering', function () {
  this.timeout(60_000);
  let nodes: GraphTestNode[] = [];
  let attacker: GraphAttacker | undefined;

  afterEach(async () => {
    attacker?.stop();
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('does not leave the graph unsynchronized for good: the hanging round is given up', async () => {
    const [victimNode, silentNode] = await createMeshNodes(2);
    if (victimNode === undefined || silentNode === undefined) throw new Error('two nodes');
    await victimNode.mesh.connect([silentNode.nodeId]);
    await waitFor(() => victimNode.mesh.neighbors().includes(silentNode.nodeId), 'the link');
    attacker = new GraphAttacker(silentNode);
    const victim = await openGraphOn(victimNode, undefined, { stallTimeoutMs: 1_500 });
    nodes = [victim];
    await attacker.join(victim);
    expect(victim.graph.status.synchronized, 'waiting on a round nobody answers').to.equal(false);
    await waitFor(
      () => victim.graph.status.synchronized,
      'the round to be given up',
      10_000,
      () => describeGraphs(nodes),
    );
    expect(victim.graph.syncProgress()[silentNode.nodeId]?.stalls).to.equal(1);
    expect(victim.graph.graphNeighbors(), 'the neighbour stays').to.deep.equal([silentNode.nodeId]);
  });
});
