import { expect } from 'chai';
import { GraphSimulation, replicaDigest } from '../../helpers/graph-simulation.ts';

const quickMesh = {
  membership: { shuffleIntervalMs: 5_000, dialTimeoutMs: 3_000, neighborReplyTimeoutMs: 2_000 },
};

describe('graph on a simulated mesh', () => {
  it('a record written on one node reaches the others once, and updates and deletions follow', async () => {
    const sim = await GraphSimulation.create({ seed: 7, mesh: quickMesh });
    const nodes = [sim.addNode(), sim.addNode(), sim.addNode(), sim.addNode()];
    for (const [i, node] of nodes.entries()) {
      await sim.start(node, i === 0 ? undefined : nodes[0]?.nodeId);
      await sim.network.advance(500);
    }
    await sim.network.advance(5_000);
    const changes: string[][] = nodes.map(() => []);
    for (const [i, node] of nodes.entries()) {
      node.graph?.on('record-changed', ({ change, record }) =>
        changes[i]?.push(`${change}@${record.record.version}`),
      );
    }
    const writer = nodes[1]?.graph;
    if (writer === undefined) throw new Error('not started');
    const added = await writer.add({ type: 'test/note', data: new Uint8Array([1, 2, 3]) });
    await sim.network.advance(3_000);
    await writer.update(added.key, { attributes: { topic: 'x' } });
    await sim.network.advance(3_000);
    await writer.delete(added.key);
    await sim.network.advance(3_000);
    for (const list of changes) expect(list).to.deep.equal(['added@1', 'updated@2', 'deleted@3']);
    const digests = await Promise.all(nodes.map((node) => replicaDigest(node, sim.graphId)));
    expect(new Set(digests).size).to.equal(1);
    for (const node of nodes) sim.crash(node);
  });

  it('a late joiner gets every record by reconciliation', async () => {
    const sim = await GraphSimulation.create({ seed: 8, mesh: quickMesh });
    const [a, b] = [sim.addNode(), sim.addNode()];
    await sim.start(a);
    for (let i = 0; i < 300; i++) await a.graph?.add({ type: 'test/note', data: new Uint8Array(100) });
    await sim.start(b, a.nodeId);
    await sim.network.advance(10_000);
    expect(b.graph?.recordCount).to.equal(300);
    expect(b.graph?.status.synchronized).to.equal(true);
    expect(await replicaDigest(b, sim.graphId)).to.equal(await replicaDigest(a, sim.graphId));
    sim.crash(a);
    sim.crash(b);
  });
});
