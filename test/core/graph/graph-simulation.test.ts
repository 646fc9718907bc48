import { expect } from 'chai';
import { toBase64Url } from '../../../src/lib/bytes.ts';
import { GraphSimulation, replicaDigest, type SimNode } from '../../helpers/graph-simulation.ts';

const nodeCount = 200;
const stepsPerSeed = 3000;
const seeds = [1, 2];

/** Small views and short timers, so 200 nodes settle in a few virtual minutes. */
const simMesh = {
  membership: { shuffleIntervalMs: 5_000, dialTimeoutMs: 3_000, neighborReplyTimeoutMs: 2_000 },
  rejoinDelayMs: 500,
  maxRejoinDelayMs: 5_000,
};

interface Run {
  readonly sim: GraphSimulation;
  /** Per node, how often each `key@version#hash` was reported: more than once is a bug. */
  readonly reports: Map<string, Map<string, number>>;
  /** Keys each node wrote, for updates and deletions. */
  readonly written: Map<string, string[]>;
  readonly pending: Promise<unknown>[];
}

function watch(run: Run, node: SimNode): void {
  const reports = run.reports.get(node.nodeId) ?? new Map<string, number>();
  run.reports.set(node.nodeId, reports);
  node.graph?.on('record-changed', ({ change, record }) => {
    if (change === 'purged') return;
    const name = `${record.key}@${record.record.version}#${toBase64Url(record.hash)}`;
    reports.set(name, (reports.get(name) ?? 0) + 1);
  });
}

async function startNode(run: Run, node: SimNode, via: string | undefined): Promise<void> {
  await run.sim.start(node, via);
  watch(run, node);
}

/** One random step: a write, an update, a deletion, a crash, a restart, or time passing. */
async function step(run: Run): Promise<void> {
  const { sim } = run;
  const random = sim.random;
  const online = sim.online();
  const roll = random.next();
  const writer = random.pick(online);
  const graph = writer.graph;
  if (graph === undefined) return;
  const own = run.written.get(writer.nodeId) ?? [];
  run.written.set(writer.nodeId, own);
  if (roll < 0.5) {
    const adding = graph.add({ type: 'sim/note', data: new Uint8Array(random.int(400)) }).then((stored) => {
      own.push(stored.key);
    });
    run.pending.push(adding.catch(() => undefined));
  } else if (roll < 0.62 && own.length > 0) {
    run.pending.push(
      graph.update(random.pick(own), { attributes: { n: random.int(1000) } }).catch(() => undefined),
    );
  } else if (roll < 0.66 && own.length > 0) {
    run.pending.push(graph.delete(random.pick(own)).catch(() => undefined));
  } else if (roll < 0.7 && online.length > nodeCount / 2) {
    sim.crash(writer);
  } else if (roll < 0.74) {
    const down = sim.nodes.filter((node) => node.graph === undefined);
    if (down.length > 0) await startNode(run, random.pick(down), random.pick(online).nodeId);
  } else {
    await sim.network.advance(random.int(300));
  }
}

async function converge(run: Run, timeoutMs: number): Promise<string[]> {
  const { sim } = run;
  const deadline = sim.network.clock.nowMs() + timeoutMs;
  for (;;) {
    await Promise.all(run.pending.splice(0));
    const digests = await Promise.all(sim.nodes.map((node) => replicaDigest(node, sim.graphId)));
    const distinct = new Set(digests);
    if (distinct.size === 1) return [];
    if (sim.network.clock.nowMs() > deadline) {
      const counts = digests.map((digest) => digest.split('\n').length);
      return [`${distinct.size} different replicas; record counts ${counts.join(',')}`];
    }
    await sim.network.advance(10_000);
  }
}

describe('graph simulation: 200 nodes with loss, churn and a partition that heals', function () {
  this.timeout(20 * 60_000);

  for (const seed of seeds) {
    it(`every replica ends identical and every version is reported once (seed ${seed})`, async () => {
      const sim = await GraphSimulation.create({ seed, mesh: simMesh, graph: { resyncIntervalMs: 20_000 } });
      const run: Run = { sim, reports: new Map(), written: new Map(), pending: [] };
      try {
        for (let i = 0; i < nodeCount; i++) {
          const via = i === 0 ? undefined : sim.random.pick(sim.online()).nodeId;
          await startNode(run, sim.addNode(), via);
          await sim.network.advance(50);
        }
        await sim.network.advance(20_000);
        sim.network.setLoss(0.0005);
        const half = sim.nodes.map((node) => node.nodeId);
        for (let i = 0; i < stepsPerSeed; i++) {
          if (i === Math.floor(stepsPerSeed / 3)) sim.network.partition(half.slice(0, 100), half.slice(100));
          if (i === Math.floor((2 * stepsPerSeed) / 3)) sim.network.heal();
          await step(run);
        }
        sim.network.setLoss(0);
        for (const node of sim.nodes.filter((candidate) => candidate.graph === undefined)) {
          await startNode(run, node, sim.random.pick(sim.online()).nodeId);
        }
        const problems = await converge(run, 30 * 60_000);
        const repeated = [...run.reports].flatMap(([nodeId, reports]) =>
          [...reports].filter(([, count]) => count > 1).map(([name, count]) => `${nodeId} ${name} ×${count}`),
        );
        expect([...problems, ...repeated.slice(0, 10)], `seed ${seed}`).to.deep.equal([]);
        const written = [...run.written.values()].flat().length;
        expect(written, `seed ${seed}: records written`).to.be.greaterThan(stepsPerSeed / 4);
      } catch (error) {
        console.error(`graph simulation failed with seed ${seed}`);
        throw error;
      } finally {
        for (const node of sim.nodes) sim.crash(node);
      }
    });
  }
});
