import { expect } from 'chai';
import type { Graph } from '../../../src/core/graph/graph.ts';
import type { GraphNodeInfo } from '../../../src/core/graph/graph-types.ts';
import { Presence, presenceRecordType, type PresenceGraph } from '../../../src/core/graph/presence.ts';
import { GraphSimulation, type SimNode } from '../../helpers/graph-simulation.ts';

const quickMesh = {
  membership: { shuffleIntervalMs: 5_000, dialTimeoutMs: 3_000, neighborReplyTimeoutMs: 2_000 },
};

const refreshIntervalMs = 60_000;
const lifetimeMs = 180_000;

/** A simulated node's presence, and every node change it reported. */
interface PresenceNode {
  readonly node: SimNode;
  readonly graph: Graph;
  readonly presence: Presence;
  readonly changes: GraphNodeInfo[];
  /** Key of the node's own presence record. */
  readonly key: string;
}

function graphOf(node: SimNode): Graph {
  if (node.graph === undefined) throw new Error(`${node.nodeId} is not started`);
  return node.graph;
}

function presenceOn(sim: GraphSimulation, node: SimNode, graph: PresenceGraph = graphOf(node)): PresenceNode {
  const changes: GraphNodeInfo[] = [];
  const presence = new Presence(
    {
      graph,
      nodeId: node.nodeId,
      identityId: node.identity.identityId,
      timers: sim.network.clock,
      onNodeChanged: (info) => changes.push(info),
    },
    { refreshIntervalMs, lifetimeMs },
  );
  return { node, graph: graphOf(node), presence, changes, key: `${node.identity.identityId}/${node.nodeId}` };
}

/** `count` started nodes of one graph in one mesh. */
async function simulatedGraph(
  seed: number,
  count: number,
): Promise<{ sim: GraphSimulation; nodes: SimNode[] }> {
  const sim = await GraphSimulation.create({ seed, mesh: quickMesh });
  const nodes = Array.from({ length: count }, () => sim.addNode());
  for (const [i, node] of nodes.entries()) {
    await sim.start(node, i === 0 ? undefined : nodes[0]?.nodeId);
    await sim.network.advance(500);
  }
  await sim.network.advance(5_000);
  return { sim, nodes };
}

/** Moves virtual time to exactly `atMs`. */
async function advanceTo(sim: GraphSimulation, atMs: number): Promise<void> {
  await sim.network.advance(atMs - sim.network.clock.nowMs());
}

async function ownRecord(entry: PresenceNode): Promise<NonNullable<Awaited<ReturnType<Graph['get']>>>> {
  const stored = await entry.graph.get(entry.key);
  if (stored === undefined) throw new Error(`${entry.node.nodeId} has no presence record`);
  return stored;
}

function byNodeId(nodes: GraphNodeInfo[]): GraphNodeInfo[] {
  return [...nodes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
}

function shutDown(sim: GraphSimulation, entries: readonly PresenceNode[]): void {
  for (const { presence, node } of entries) {
    presence.stop();
    sim.crash(node);
  }
}

describe('graph presence on a simulated mesh', () => {
  it('every node lists all three nodes online, with the time each last refreshed', async () => {
    const seed = 41;
    const { sim, nodes } = await simulatedGraph(seed, 3);
    const entries = nodes.map((node) => presenceOn(sim, node));
    for (const entry of entries) {
      await entry.presence.start();
      await sim.network.advance(1_000);
    }
    await sim.network.advance(5_000);
    const expected = await Promise.all(
      entries.map(async (entry) => ({
        nodeId: entry.node.nodeId,
        identityId: entry.node.identity.identityId,
        lastSeenMs: (await ownRecord(entry)).record.modifiedAtMs,
        online: true,
        away: false,
      })),
    );
    expect(new Set(expected.map(({ lastSeenMs }) => lastSeenMs)).size, 'distinct start times').to.equal(3);
    for (const entry of entries) {
      expect(
        byNodeId(await entry.presence.nodes()),
        `nodes seen by ${entry.node.nodeId} (seed ${seed})`,
      ).to.deep.equal(expected);
      // Nodes that came online after this one started are news to it; the others it lists.
      for (const other of expected.slice(entries.indexOf(entry))) {
        expect(entry.changes, `${entry.node.nodeId} was told of ${other.nodeId}`).to.deep.include(other);
      }
    }
    shutDown(sim, entries);
  });

  it('a node that stops refreshing turns offline when its lifetime ends, and the others are told once', async () => {
    const seed = 42;
    const { sim, nodes } = await simulatedGraph(seed, 3);
    const entries = nodes.map((node) => presenceOn(sim, node));
    for (const entry of entries) await entry.presence.start();
    await sim.network.advance(90_000);
    const [watcher, , leaver] = entries;
    if (watcher === undefined || leaver === undefined) throw new Error('three nodes');
    leaver.presence.stop();
    const last = (await ownRecord(leaver)).record;
    const offline = { nodeId: leaver.node.nodeId, lastSeenMs: last.modifiedAtMs, online: false, away: false };
    const leaverChanges = (): GraphNodeInfo[] =>
      watcher.changes.filter((info) => info.nodeId === leaver.node.nodeId);

    await advanceTo(sim, last.expiresAtMs - 1);
    expect(
      leaverChanges().some((info) => !info.online),
      'offline before expiry',
    ).to.equal(false);
    const before = (await watcher.presence.nodes()).find((info) => info.nodeId === leaver.node.nodeId);
    expect(before?.online, 'online just before expiry').to.equal(true);

    await sim.network.advance(2);
    expect(leaverChanges().at(-1), 'told at expiry').to.deep.include(offline);
    const after = byNodeId(await watcher.presence.nodes());
    expect(
      after.map(({ nodeId, online }) => `${nodeId}:${online}`),
      `seed ${seed}`,
    ).to.deep.equal(['n0:true', 'n1:true', 'n2:false']);

    // The graph purges the expired record later: no second report of the same departure.
    await sim.network.advance(2 * refreshIntervalMs);
    expect(await watcher.graph.get(leaver.key), 'purged').to.equal(undefined);
    expect(leaverChanges().filter((info) => !info.online).length, 'offline reports').to.equal(1);
    expect((await watcher.presence.nodes()).map(({ nodeId }) => nodeId).sort()).to.deep.equal(['n0', 'n1']);
    shutDown(sim, entries);
  });

  it('a restarted node updates the presence record it kept instead of adding a second one', async () => {
    const seed = 43;
    const { sim, nodes } = await simulatedGraph(seed, 2);
    const [first, second] = nodes;
    if (first === undefined || second === undefined) throw new Error('two nodes');
    const before = presenceOn(sim, second);
    await before.presence.start();
    await sim.network.advance(2 * refreshIntervalMs + 1_000);
    const kept = (await ownRecord(before)).record;
    expect(kept.version, 'two refreshes').to.equal(3);

    before.presence.stop();
    sim.crash(second);
    await sim.network.advance(10_000);
    await sim.start(second, first.nodeId);
    await sim.network.advance(5_000);
    const after = presenceOn(sim, second);
    await after.presence.start();
    expect(after.presence.lastError).to.equal(undefined);
    const restarted = (await ownRecord(after)).record;
    expect(restarted.version).to.equal(kept.version + 1);
    expect(restarted.createdAtMs, 'same record').to.equal(kept.createdAtMs);
    const own = await after.graph.query({
      type: presenceRecordType,
      creator: second.identity.identityId,
      includeDeleted: true,
    });
    expect(own.records.map(({ key }) => key)).to.deep.equal([after.key]);

    await sim.network.advance(5_000);
    const seenByFirst = await first.store.get(sim.graphId, after.key);
    expect(seenByFirst?.record.version, `seed ${seed}`).to.equal(restarted.version);
    after.presence.stop();
    sim.crash(first);
    sim.crash(second);
  });

  it('each refresh writes the next version and moves the expiry on by the interval', async () => {
    const seed = 44;
    const { sim, nodes } = await simulatedGraph(seed, 2);
    const [writer, reader] = nodes.map((node) => presenceOn(sim, node));
    if (writer === undefined || reader === undefined) throw new Error('two nodes');
    await writer.presence.start();
    const versions: { version: number; expiresAtMs: number; lastSeenMs: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const { record } = await ownRecord(writer);
      versions.push({
        version: record.version,
        expiresAtMs: record.expiresAtMs,
        lastSeenMs: record.modifiedAtMs,
      });
      await sim.network.advance(refreshIntervalMs);
    }
    const [firstVersion] = versions;
    if (firstVersion === undefined) throw new Error('no versions');
    expect(firstVersion.expiresAtMs - firstVersion.lastSeenMs).to.equal(lifetimeMs);
    expect(versions, `seed ${seed}`).to.deep.equal(
      versions.map((_, i) => ({
        version: i + 1,
        expiresAtMs: firstVersion.expiresAtMs + i * refreshIntervalMs,
        lastSeenMs: firstVersion.lastSeenMs + i * refreshIntervalMs,
      })),
    );
    await sim.network.advance(5_000);
    const onReader = await reader.graph.get(writer.key);
    expect(onReader?.record.version, 'the other node follows').to.equal(
      (await ownRecord(writer)).record.version,
    );
    expect(onReader?.record.version).to.equal(5);
    shutDown(sim, [writer, reader]);
  });

  it('a failed write is tried again at the next refresh, without an unhandled rejection', async () => {
    const { sim, nodes } = await simulatedGraph(45, 1);
    const [node] = nodes;
    if (node === undefined) throw new Error('one node');
    const graph = graphOf(node);
    let failures = 1;
    const flaky: PresenceGraph = {
      add: (draft) => (failures-- > 0 ? Promise.reject(new Error('disk unplugged')) : graph.add(draft)),
      update: (key, changes) => graph.update(key, changes),
      get: (key) => graph.get(key),
      query: (query) => graph.query(query),
      on: (type, listener) => graph.on(type, listener),
    };
    const entry = presenceOn(sim, node, flaky);
    await entry.presence.start();
    expect((entry.presence.lastError as Error).message).to.equal('disk unplugged');
    expect(await graph.get(entry.key)).to.equal(undefined);
    await sim.network.advance(refreshIntervalMs);
    expect(entry.presence.lastError).to.equal(undefined);
    expect((await ownRecord(entry)).record.version).to.equal(1);
    expect(await entry.presence.nodes()).to.have.length(1);
    shutDown(sim, [entry]);
  });

  it('a presence record claiming another node than its id is left out', async () => {
    const { sim, nodes } = await simulatedGraph(46, 2);
    const [liar, honest] = nodes.map((node) => presenceOn(sim, node));
    if (liar === undefined || honest === undefined) throw new Error('two nodes');
    await honest.presence.start();
    await liar.graph.add({ type: presenceRecordType, id: 'n9', attributes: { node: honest.node.nodeId } });
    await sim.network.advance(5_000);
    expect(await honest.graph.get(`${liar.node.identity.identityId}/n9`), 'replicated').to.not.equal(
      undefined,
    );
    expect((await honest.presence.nodes()).map(({ nodeId }) => nodeId)).to.deep.equal([honest.node.nodeId]);
    expect(honest.changes.map(({ nodeId }) => nodeId)).to.deep.equal([honest.node.nodeId]);
    shutDown(sim, [liar, honest]);
  });
});
