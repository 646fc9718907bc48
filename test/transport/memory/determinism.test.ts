import { expect } from 'chai';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { messageOf } from '../../../src/lib/errors.ts';
import { createRandom } from '../../../src/lib/random.ts';
import type { MemoryLink } from '../../../src/transport/memory/memory-link.ts';
import { MemoryNetwork, type NetworkStats } from '../../../src/transport/memory/memory-network.ts';
import type { MemoryTransport } from '../../../src/transport/memory/memory-transport.ts';

interface ScenarioRun {
  readonly log: readonly string[];
  readonly stats: NetworkStats;
}

/**
 * 100 nodes, 2000 scripted random steps: dials, sends, closes, partitions and heals, nodes
 * leaving and coming back, with latency and loss. Every event lands in the log with its
 * virtual time.
 */
async function runScenario(seed: number): Promise<ScenarioRun> {
  const random = createRandom(seed);
  const script = random.fork('script');
  const network = new MemoryNetwork({
    random: random.fork('network'),
    latencyMs: { minMs: 1, maxMs: 40 },
    lossRate: 0.01,
    dialTimeoutMs: 500,
  });
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(`${network.clock.nowMs().toFixed(4)} ${line}`);
  };
  const nodeIds = Array.from({ length: 100 }, (_, i) => `n${i}`);
  const nodes = new Map<string, MemoryTransport>();
  const offline: string[] = [];
  const openLinks = new Set<MemoryLink>();

  const track = (owner: string, link: MemoryLink): void => {
    openLinks.add(link);
    link.on('message', (message) => note(`${owner} <- ${link.remoteNodeId}: ${fromUtf8(message)}`));
    link.on('close', ({ reason }) => {
      openLinks.delete(link);
      note(`${owner} x ${link.remoteNodeId}: ${reason}`);
    });
  };
  const bringOnline = async (nodeId: string): Promise<void> => {
    const transport = network.createTransport(nodeId);
    transport.on('link', (link) => {
      note(`${nodeId} accepts ${link.remoteNodeId}`);
      track(nodeId, link);
    });
    await transport.start();
    nodes.set(nodeId, transport);
  };
  for (const nodeId of nodeIds) await bringOnline(nodeId);

  for (let step = 0; step < 2000; step++) {
    const roll = script.next();
    const links = [...openLinks];
    if (roll < 0.3) {
      const from = nodes.get(script.pick(nodeIds));
      const to = script.pick(nodeIds);
      if (from !== undefined && from.nodeId !== to) {
        from.dial(to).then(
          (link) => {
            note(`${from.nodeId} dialled ${to}`);
            track(from.nodeId, link);
          },
          (error: unknown) => note(`${from.nodeId} cannot dial ${to}: ${messageOf(error)}`),
        );
      }
    } else if (roll < 0.88 && links.length > 0) {
      const link = script.pick(links);
      link.send(utf8(`m${step}`)).catch((error: unknown) => note(`send m${step}: ${messageOf(error)}`));
    } else if (roll < 0.91 && links.length > 0) {
      script.pick(links).close('script closes');
    } else if (roll < 0.92) {
      const shuffled = script.shuffle(nodeIds);
      network.partition(shuffled.slice(0, 30), shuffled.slice(30));
      note('partition');
    } else if (roll < 0.96) {
      network.heal();
      note('heal');
    } else if (roll < 0.98) {
      const nodeId = script.pick(nodeIds);
      nodes.get(nodeId)?.stop();
      if (nodes.delete(nodeId)) offline.push(nodeId);
      note(`${nodeId} stops`);
    } else if (offline.length > 0) {
      const nodeId = offline.splice(script.int(offline.length), 1)[0] ?? '';
      await bringOnline(nodeId);
      note(`${nodeId} is back`);
    }
    await network.advance(script.int(25));
  }
  await network.runUntilIdle();
  return { log, stats: network.stats() };
}

/** Index of the first line where two logs differ, or -1. */
function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('seeded simulation on the in-memory network', () => {
  it('replays 100 nodes and 2000 random steps event for event from the seed', async () => {
    const seed = 20_240_611;
    const first = await runScenario(seed);
    const second = await runScenario(seed);
    const at = firstDifference(first.log, second.log);
    expect(at, `seed ${seed}: logs differ at line ${at}: ${first.log[at]} | ${second.log[at]}`).to.equal(-1);
    expect(second.stats, `seed ${seed}`).to.deep.equal(first.stats);

    // The scenario must exercise what it claims to, or the comparison proves little.
    const text = first.log.join('\n');
    for (const event of [
      'accepts',
      ' <- ',
      'network partition',
      'connection lost',
      'is not online',
      'did not answer in time',
      'closed by the other side',
    ]) {
      expect(
        text,
        `seed ${seed}: the run should include "${event}"; ${JSON.stringify(first.stats)}`,
      ).to.contain(event);
    }
    expect(first.stats.framesDelivered, `seed ${seed}`).to.be.greaterThan(500);
  });

  it('gives another run for another seed', async () => {
    const seed = 20_240_611;
    const other = seed + 1;
    const first = await runScenario(seed);
    const second = await runScenario(other);
    expect(firstDifference(first.log, second.log), `seeds ${seed} and ${other}`).to.not.equal(-1);
  });
});
