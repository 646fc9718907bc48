import { expect } from 'chai';
import type { PlumtreeStats } from '../../../../src/core/mesh/broadcast/plumtree-types.ts';
import { equalBytes } from '../../../../src/lib/bytes.ts';
import { createRandom } from '../../../../src/lib/random.ts';
import { BroadcastNet, keyOf } from './broadcast-net.ts';

const nodeCount = 32;
/** Long enough for every graft timer and retry of a payload to have run its course. */
const settleMs = 20_000;

/** Payloads scheduled by `scheduleBroadcasts`: ids fill in as the broadcasts happen. */
interface Scheduled {
  readonly ids: Uint8Array[];
  readonly origins: Set<string>;
}

/**
 * Broadcasts `count` payloads at random times within `spanMs`, from random nodes or, if
 * `origins` is given, from those in turn.
 */
function scheduleBroadcasts(
  net: BroadcastNet,
  count: number,
  spanMs: number,
  label: string,
  origins?: readonly string[],
): Scheduled {
  const script = createRandom(net.seed).fork(label);
  const scheduled: Scheduled = { ids: [], origins: new Set() };
  const nodeIds = [...net.nodes.keys()];
  for (let i = 0; i < count; i++) {
    const origin = origins?.[i % origins.length] ?? script.pick(nodeIds);
    scheduled.origins.add(origin);
    net.clock.schedule(script.int(spanMs), () => scheduled.ids.push(net.broadcast(origin)));
  }
  return scheduled;
}

/** Plain flooding sends each payload once over every link but the one it came in on. */
function floodingFramesPerPayloadPerNode(net: BroadcastNet): number {
  return (2 * net.edges().length - net.nodes.size + 1) / net.nodes.size;
}

function sumStats(net: BroadcastNet): PlumtreeStats {
  const total: { -readonly [K in keyof PlumtreeStats]: number } = {
    eagerSent: 0,
    lazySent: 0,
    ihaveIds: 0,
    grafts: 0,
    prunes: 0,
    duplicates: 0,
    delivered: 0,
    rejected: 0,
    abandoned: 0,
  };
  for (const node of net.nodes.values()) {
    const stats = node.plumtree.stats();
    for (const key of Object.keys(total) as (keyof PlumtreeStats)[]) total[key] += stats[key];
  }
  return total;
}

/**
 * Problems with `root`'s tree: its eager links (as both ends see them) should be N − 1
 * symmetric links that reach every node from the root.
 */
function treeProblems(net: BroadcastNet, root: string): string[] {
  const problems: string[] = [];
  let links = 0;
  for (const node of net.nodes.values()) {
    for (const peer of node.plumtree.eagerPeers(root)) {
      links++;
      if (!net.node(peer).plumtree.eagerPeers(root).includes(node.id)) {
        problems.push(`${root}: ${node.id}→${peer} one-way`);
      }
    }
  }
  if (links / 2 !== net.nodes.size - 1)
    problems.push(`${root}: ${links / 2} eager links, not ${net.nodes.size - 1}`);
  const reached = new Set([root]);
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const peer of net.node(next).plumtree.eagerPeers(root)) {
      if (reached.has(peer)) continue;
      reached.add(peer);
      queue.push(peer);
    }
  }
  if (reached.size !== net.nodes.size) problems.push(`${root}: tree reaches ${reached.size} nodes`);
  return problems;
}

/** Whether the overlay stays connected without the link `a`–`b`. */
function connectedWithout(net: BroadcastNet, a: string, b: string): boolean {
  const reached = new Set([a]);
  const queue = [a];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const peer of net.neighbors(next)) {
      if ((next === a && peer === b) || (next === b && peer === a) || reached.has(peer)) continue;
      reached.add(peer);
      queue.push(peer);
    }
  }
  return reached.size === net.nodes.size;
}

/** Warms every root's tree up with two payloads from each node; returns their ids. */
async function warmUp(net: BroadcastNet): Promise<Uint8Array[]> {
  const nodeIds = [...net.nodes.keys()];
  const scheduled = scheduleBroadcasts(net, 2 * nodeIds.length, 4_000, 'warm-up', nodeIds);
  await net.clock.advance(4_000 + settleMs);
  return scheduled.ids;
}

describe('Plumtree over 32 simulated nodes', function () {
  this.timeout(300_000);

  it("settles one root's payloads on a spanning tree after its first, then sends nothing redundant", async () => {
    const seed = 7;
    const net = new BroadcastNet({ seed, nodeCount });
    const root = 'n3';
    const ids = [net.broadcast(root)];
    await net.clock.advance(settleMs);
    // The first payload flooded; every link that brought a duplicate was pruned.
    expect(treeProblems(net, root), `seed ${seed}`).to.deep.equal([]);
    const afterFirst = sumStats(net);
    expect(afterFirst.prunes).to.equal(afterFirst.duplicates).and.to.be.above(0);
    for (let i = 0; i < 20; i++) {
      ids.push(net.broadcast(root));
      await net.clock.advance(2_000);
    }
    await net.clock.runUntilIdle();
    expect(net.deliveryProblems(ids), `seed ${seed}`).to.deep.equal([]);
    expect(treeProblems(net, root), `seed ${seed}`).to.deep.equal([]);
    const stats = sumStats(net);
    expect(stats.eagerSent - afterFirst.eagerSent, 'one push per node and payload').to.equal(
      20 * (nodeCount - 1),
    );
    expect([
      stats.grafts,
      stats.prunes - afterFirst.prunes,
      stats.duplicates - afterFirst.duplicates,
    ]).to.deep.equal([0, 0, 0]);
  });

  it('delivers 500 payloads from random nodes to every node exactly once, at under 1.5 frames per payload per node', async () => {
    const seed = 20_070_501;
    const net = new BroadcastNet({ seed, nodeCount });
    // Warm-up: each root's first payloads flood while duplicates prune its links to a tree.
    const warm = await warmUp(net);
    const warmUpFrames = net.framesByType();
    const warmUpTotal = net.totalFrames();
    // Then about 15 payloads a second, from random nodes at random times.
    const measured = scheduleBroadcasts(net, 500 - warm.length, 30_000, 'measured');
    await net.clock.advance(30_000 + settleMs);
    await net.clock.runUntilIdle();

    const ids = [...warm, ...measured.ids];
    expect(ids).to.have.length(500);
    expect(net.deliveryProblems(ids), `seed ${seed}`).to.deep.equal([]);

    const settled = (net.totalFrames() - warmUpTotal) / measured.ids.length / nodeCount;
    const overall = net.totalFrames() / ids.length / nodeCount;
    const flooding = floodingFramesPerPayloadPerNode(net);
    const stats = sumStats(net);
    console.log(
      `plumtree, ${nodeCount} nodes, mean degree ${((2 * net.edges().length) / nodeCount).toFixed(2)}: ` +
        `${settled.toFixed(3)} frames/payload/node once settled (${overall.toFixed(3)} overall, ` +
        `warm-up included) vs ${flooding.toFixed(3)} for plain flooding; ` +
        `frames ${JSON.stringify(net.framesByType())} (warm-up ${JSON.stringify(warmUpFrames)}), ` +
        `${stats.ihaveIds} ids announced in ${stats.lazySent} IHAVE frames`,
    );
    expect(settled, `seed ${seed}`).to.be.below(1.5);
    expect(settled).to.be.below(flooding / 2);

    // The protocol's own counters agree with the frames seen on the wire.
    const frames = net.framesByType();
    expect([stats.eagerSent, stats.lazySent, stats.grafts, stats.prunes]).to.deep.equal([
      frames.gossip,
      frames.ihave,
      frames.graft,
      frames.prune,
    ]);
    expect(stats.delivered).to.equal(ids.length * (nodeCount - 1));
    expect(stats.abandoned).to.equal(0);
  });

  it('with 20 % of frames lost on every link, still delivers every payload to everyone once, by graft', async () => {
    const seed = 31_337;
    const net = new BroadcastNet({ seed, nodeCount });
    for (const [a, b] of net.edges()) net.setDropRate(a, b, 0.2);
    const warm = await warmUp(net);
    const measured = scheduleBroadcasts(net, 300, 20_000, 'measured');
    await net.clock.advance(20_000 + settleMs);
    await net.clock.runUntilIdle();
    const ids = [...warm, ...measured.ids];
    expect(net.deliveryProblems(ids), `seed ${seed}`).to.deep.equal([]);
    const stats = sumStats(net);
    expect(stats.grafts, 'the losses were repaired by grafts').to.be.above(1_000);
    expect(stats.abandoned).to.equal(0);
  });

  it('delivers every payload to everyone once while links are cut mid-run', async () => {
    const seed = 99;
    const net = new BroadcastNet({ seed, nodeCount });
    const warm = await warmUp(net);
    const measured = scheduleBroadcasts(net, 300, 20_000, 'measured');
    const cuts = createRandom(seed).fork('cuts');
    let cut = 0;
    for (let step = 0; step < 20; step++) {
      await net.clock.advance(1_000);
      // One link a second, the overlay kept connected (a partition is reconciliation's job).
      const candidates = net
        .edges()
        .filter(([a, b]) => connectedWithout(net, a, b) && net.neighbors(a).length > 2);
      if (candidates.length === 0) continue;
      const [a, b] = cuts.pick(candidates);
      net.disconnect(a, b);
      cut++;
    }
    await net.clock.advance(settleMs);
    await net.clock.runUntilIdle();
    expect(cut).to.be.above(10);
    expect(net.deliveryProblems([...warm, ...measured.ids]), `seed ${seed}`).to.deep.equal([]);
    expect(sumStats(net).grafts, 'cut tree links were repaired by grafts').to.be.above(0);
  });

  it('delivers the honest copy of every payload although one node forwards forged copies', async () => {
    const seed = 5;
    const net = new BroadcastNet({ seed, nodeCount });
    const forger = 'n7';
    net.tamper = (from, _to, message) => {
      // It forges what it passes on, not its own payloads (those it may sign as it likes).
      if (from !== forger || message.type !== 'gossip' || message.root === forger) return message;
      const payload = message.payload.slice();
      payload[0] = (payload[0] ?? 0) ^ 0xff;
      return { ...message, payload };
    };
    net.policy = (_nodeId, id, payload) =>
      equalBytes(payload, net.originals.get(keyOf(id)) ?? new Uint8Array()) ? undefined : 'bad-signature';
    const warm = await warmUp(net);
    const measured = scheduleBroadcasts(net, 200, 20_000, 'measured');
    await net.clock.advance(20_000 + settleMs);
    await net.clock.runUntilIdle();
    expect(net.deliveryProblems([...warm, ...measured.ids]), `seed ${seed}`).to.deep.equal([]);
    const forgedDeliveries = [...net.nodes.values()].flatMap((node) =>
      node.deliverCalls.filter((call) => call.outcome === 'bad-signature' && call.from !== forger),
    );
    expect(forgedDeliveries, 'honest nodes never passed a forged copy on').to.deep.equal([]);
    expect(sumStats(net).rejected).to.be.above(0);
  });

  it('replays exactly from its seed', async () => {
    const run = async (seed: number): Promise<PlumtreeStats[]> => {
      const net = new BroadcastNet({ seed, nodeCount: 16 });
      for (const [a, b] of net.edges().slice(0, 6)) net.setDropRate(a, b, 0.2);
      const warm = await warmUp(net);
      const measured = scheduleBroadcasts(net, 100, 10_000, 'measured');
      await net.clock.advance(10_000 + settleMs);
      expect(net.deliveryProblems([...warm, ...measured.ids]), `seed ${seed}`).to.deep.equal([]);
      return [...net.nodes.values()].map((node) => node.plumtree.stats());
    };
    const first = await run(123);
    expect(await run(123)).to.deep.equal(first);
    expect(await run(124), 'another seed, another run').not.to.deep.equal(first);
  });
});
