import { expect } from 'chai';
import { destroyMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';
import {
  closeGraphs,
  createGraphNodes,
  describeGraphs,
  type GraphTestNode,
} from '../../helpers/graph-nodes.ts';

describe('graph over real WebRTC and IndexedDB', function () {
  this.timeout(240_000);
  let nodes: GraphTestNode[] = [];

  afterEach(async () => {
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('16 nodes adding records at once converge to the same records, each delivered once per node', async () => {
    nodes = await createGraphNodes(16, 16);
    await waitFor(
      () => nodes.every((node) => node.graph.status.synchronized),
      'every graph to be synchronized',
      60_000,
      () => describeGraphs(nodes),
    );
    const reports = nodes.map((node) => {
      const seen = new Map<string, number>();
      node.graph.on('record-changed', ({ record }) => {
        const name = `${record.key}@${record.record.version}`;
        seen.set(name, (seen.get(name) ?? 0) + 1);
      });
      return seen;
    });
    const perNode = 20;
    await Promise.all(
      nodes.map(async (node, i) => {
        for (let n = 0; n < perNode; n++) {
          await node.graph.add({ type: 'test/note', data: new TextEncoder().encode(`node ${i} note ${n}`) });
        }
      }),
    );
    const total = nodes.length * perNode;
    await waitFor(
      () => nodes.every((node) => node.graph.recordCount === total),
      `every node to hold all ${total} records`,
      60_000,
      () => describeGraphs(nodes),
    );
    const digests = await Promise.all(
      nodes.map(async (node) =>
        (await node.store.loadAll(node.graph.graphId))
          .map(({ key, record }) => `${key}@${record.version}`)
          .sort()
          .join(','),
      ),
    );
    expect(new Set(digests).size, 'distinct replicas').to.equal(1);
    for (const [i, seen] of reports.entries()) {
      expect(seen.size, `records reported at node ${i}`).to.equal(total);
      expect(
        [...seen.values()].every((count) => count === 1),
        `node ${i} reports each record once`,
      ).to.equal(true);
    }
  });
});
