import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import type {
  NamesMeshOptions,
  NamesMeshReport,
  NamesModule,
  NamesSimulationOptions,
  NamesSimulationReport,
} from './scenarios/names-reports.ts';
import { median, quantile, round, summarize } from './stats.ts';
import type { Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/names.ts';

const simulation: NamesSimulationOptions = { seed: 500, nodes: 500, lookups: 400 };
const meshOptions: Omit<NamesMeshOptions, 'broker'> = {
  nodes: 16,
  seed: 16,
  rounds: 3,
  presenceChanges: 20,
  timeoutMs: 120_000,
};

function simulateIn(page: Page): Promise<NamesSimulationReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as NamesModule).runNamesSimulation(options),
    { url: moduleUrl, options: simulation },
  );
}

function meshIn(page: Page, options: NamesMeshOptions): Promise<NamesMeshReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as NamesModule).runNamesMesh(options),
    { url: moduleUrl, options },
  );
}

function hopsMeasurements(report: NamesSimulationReport): Measurement[] {
  const log2n = round(Math.log2(simulation.nodes), 2);
  const extra = {
    lookups: report.hops.length,
    hops: summarize(report.hops, 2),
    found: report.found,
    missed: report.missed,
    expiredGone: report.expiredGone,
    liveNodes: report.liveNodes,
    meanContacts: round(report.meanContacts, 1),
    virtualMinutes: round(report.virtualMs / 60_000, 1),
    wallMs: round(report.wallMs, 0),
    seed: simulation.seed,
    measured:
      'seeded simulation over the memory transport: 500 nodes join, values are put, 20 % crash and 10 % join over virtual minutes, then random gets; hops = depth of the first contact that returned the value',
    baseline: 'log2(n): the hops plain Kademlia (1 bit per level) needs',
  };
  return [
    {
      id: 'names.hops_p50_500',
      value: median(report.hops),
      unit: 'hops',
      baseline: { id: 'log2_n', value: log2n, unit: 'hops' },
      extra,
    },
    {
      id: 'names.hops_p95_500',
      value: quantile(report.hops, 0.95),
      unit: 'hops',
      baseline: { id: 'log2_n', value: log2n, unit: 'hops' },
      extra: { statistic: '95th percentile (nearest rank)', seed: simulation.seed },
    },
  ];
}

function meshMeasurements(report: NamesMeshReport): Measurement[] {
  const rtt = round(median(report.linkRttMs), 2);
  const baseline = { id: 'mesh.echo_rtt_ms', value: rtt, unit: 'ms' };
  return [
    {
      id: 'names.lookup_p50_16_ms',
      value: round(median(report.lookupMs), 2),
      unit: 'ms',
      baseline,
      extra: {
        lookupMs: summarize(report.lookupMs, 2),
        p95Ms: round(quantile(report.lookupMs, 0.95), 2),
        hops: summarize(report.lookupHops, 2),
        log2n: 4,
        linkRttMs: summarize(report.linkRttMs, 2),
        meshReadyMs: round(report.meshReadyMs, 0),
        rejections: report.rejections,
        measured: `resolve(name, {fresh: true}) at each of 15 nodes, ${meshOptions.rounds} rounds: call → verified records (direct links opened on demand count)`,
        baseline:
          'median round trip of a small frame between two of the nodes and back, through the same link pools, after the lookups',
        nodes: 'every node in one page (one renderer thread)',
      },
    },
    {
      id: 'collab.presence_ms',
      value: round(median(report.presenceMs), 2),
      unit: 'ms',
      baseline,
      extra: {
        presenceMs: summarize(report.presenceMs, 2),
        changes: report.presenceMs.length,
        measured:
          'a contact calls setPresence → the watcher (another node, its contact, found by its secured name) emits the new presence',
        baseline: 'median round trip of a small frame between two of the nodes (one exchange, both ways)',
      },
    },
  ];
}

export const namesScenario: Scenario = {
  name: 'names',
  ids: ['names.hops_p50_500', 'names.hops_p95_500', 'names.lookup_p50_16_ms', 'collab.presence_ms'],
  async run(context) {
    const broker = await context.broker();
    context.log('names: 500 simulated nodes');
    const simulated = await inBenchPage(context, simulateIn);
    context.log('names: 16 real nodes');
    const real = await inBenchPage(context, (page) => meshIn(page, { ...meshOptions, broker }));
    return [...hopsMeasurements(simulated), ...meshMeasurements(real)];
  },
};
