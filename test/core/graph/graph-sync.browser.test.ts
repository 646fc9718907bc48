import { expect } from 'chai';
import type { Graph } from '../../../src/core/graph/graph.ts';
import type { GraphTraffic } from '../../../src/core/graph/graph-traffic.ts';
import { createMeshNodes, destroyMeshNodes, waitFor } from '../../helpers/mesh-nodes.ts';
import {
  closeGraphs,
  describeGraphs,
  openGraphOn,
  reloadGraphNode,
  type GraphTestNode,
} from '../../helpers/graph-nodes.ts';

/** Writes `count` records of about 500 bytes, `inFlight` at a time so commits batch. */
async function writeRecords(graph: Graph, count: number, label: string, inFlight = 250): Promise<number> {
  let bytes = 0;
  for (let start = 0; start < count; start += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, count - start) }, (_, i) =>
      graph.add({
        type: 'test/note',
        data: new TextEncoder().encode(`${label} ${start + i} `.padEnd(400, '.')),
        attributes: { n: start + i },
      }),
    );
    for (const stored of await Promise.all(batch)) bytes += stored.bytes;
  }
  return bytes;
}

function total(counts: Readonly<Record<string, number>>, parts?: readonly string[]): number {
  return Object.entries(counts)
    .filter(([part]) => parts === undefined || parts.includes(part))
    .reduce((sum, [, n]) => sum + n, 0);
}

function difference(
  after: GraphTraffic,
  before: GraphTraffic,
  key: keyof GraphTraffic,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [part, n] of Object.entries(after[key])) out[part] = n - (before[key][part] ?? 0);
  return out;
}

async function synchronizedWith(
  node: GraphTestNode,
  count: number,
  nodes: readonly GraphTestNode[],
): Promise<void> {
  await waitFor(
    () => node.graph.status.synchronized && node.graph.recordCount === count,
    `a synchronized graph of ${count} records`,
    120_000,
    () => describeGraphs(nodes),
  );
}

describe('graph synchronisation over real WebRTC and IndexedDB', function () {
  this.timeout(600_000);
  let nodes: GraphTestNode[] = [];

  afterEach(async () => {
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('a late joiner gets 10,000 records, a returning node gets about the 100 it missed, and up-to-date nodes exchange a summary', async () => {
    const [meshA, meshB] = await createMeshNodes(2);
    if (meshA === undefined || meshB === undefined) throw new Error('no nodes');
    const a = await openGraphOn(meshA);
    await writeRecords(a.graph, 10_000, 'first');
    let b = await openGraphOn(meshB);
    nodes = [a, b];

    void b.mesh.connect([a.nodeId]);
    await synchronizedWith(b, 10_000, nodes);
    const joined = b.graph.traffic();
    expect(joined.framesIn.records, 'record frames to the joiner').to.be.greaterThan(0);

    b = await reloadGraphNode(b, 2);
    nodes = [a, b];
    expect(b.graph.recordCount, 'records kept by IndexedDB').to.equal(10_000);
    const missedBytes = await writeRecords(a.graph, 100, 'while away');
    const added: string[] = [];
    b.graph.on('record-changed', ({ change, record }) => {
      if (change === 'added') added.push(record.key);
    });
    void b.mesh.connect([a.nodeId]);
    await synchronizedWith(b, 10_100, nodes);
    const back = b.graph.traffic();
    expect(added.length, 'records reported on return').to.equal(100);
    // They come by reconciliation, or by broadcast if the writer still took the old link for live.
    // When the writer sees the old link die only after the new one is up, it hears a relink,
    // greets again, and the round runs twice: records already asked for are asked for again
    // (each copy is taken once). Then, and only then, two copies may come.
    const receivedBytes = total(back.bytesIn, ['records', 'tree']);
    const traffic = JSON.stringify(back);
    const rounds = (back.framesOut.hello ?? 0) > 2 ? 2 : 1;
    expect(receivedBytes, `bytes of records received; ${traffic}`).to.be.within(
      missedBytes,
      (rounds + 0.3) * missedBytes,
    );
    const syncParts = ['hello', 'sync', 'synced', 'offer', 'want'];
    const syncBytes = total(back.bytesIn, syncParts) + total(back.bytesOut, syncParts);
    // Ranges, then 17 bytes per missing id each way (offered, then asked for): it grows with
    // the difference, about 55 bytes per missing record, not with the 10,000 held. When the
    // old link is seen to die only after the new one is up, the greeting and the round run
    // twice, hence the bound of 200.
    expect(syncBytes, `reconciliation bytes; ${traffic}`).to.be.below(200 * 100);

    const before = a.graph.traffic();
    b = await reloadGraphNode(b, 3);
    nodes = [a, b];
    void b.mesh.connect([a.nodeId]);
    await synchronizedWith(b, 10_100, nodes);
    await waitFor(() => a.graph.status.synchronized, 'the older node to be synchronized too');
    const after = a.graph.traffic();
    const exchanged =
      total(difference(after, before, 'bytesIn')) + total(difference(after, before, 'bytesOut'));
    const parts = JSON.stringify(
      (['framesOut', 'framesIn', 'bytesOut', 'bytesIn'] as const).map((key) =>
        difference(after, before, key),
      ),
    );
    // One round is about 300 bytes with the hellos. Each greeting the returning node sends
    // (again when the old link is seen to die only after the new one is up, or when a busy
    // machine drops and remakes the link) starts a round; what must not happen is a round that
    // grows with the 10,100 records held (17 bytes each) instead of staying a summary.
    const greetings = Math.max(1, difference(after, before, 'framesIn').hello ?? 0);
    const linkUps = b.ups.length;
    expect(exchanged, `bytes between two up-to-date nodes ${parts}, links up ${linkUps}`).to.be.below(
      500 + 500 * greetings,
    );
    expect(difference(after, before, 'framesOut').records ?? 0, 'record frames sent').to.equal(0);
  });

  it('a reload in the middle of a sync loses nothing, and the sync completes after it', async () => {
    const [meshA, meshB] = await createMeshNodes(2);
    if (meshA === undefined || meshB === undefined) throw new Error('no nodes');
    const a = await openGraphOn(meshA);
    await writeRecords(a.graph, 3_000, 'before');
    let b = await openGraphOn(meshB);
    nodes = [a, b];
    const reported = new Set<string>();
    b.graph.on('record-changed', ({ record }) => reported.add(record.key));

    void b.mesh.connect([a.nodeId]);
    await waitFor(
      () => reported.size >= 300,
      'some records to arrive',
      60_000,
      () => describeGraphs(nodes),
    );
    b = await reloadGraphNode(b, 4);
    nodes = [a, b];
    expect(reported.size, 'the reload came before the end').to.be.below(3_000);
    const kept = new Set((await b.store.loadAll(b.graph.graphId)).map(({ key }) => key));
    const lost = [...reported].filter((key) => !kept.has(key));
    expect(lost, 'reported records missing after the reload').to.deep.equal([]);

    void b.mesh.connect([a.nodeId]);
    await synchronizedWith(b, 3_000, nodes);
  });
});
