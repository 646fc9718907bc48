import { asBaseline, rawSetupIn } from './rtc-raw.ts';
import { inBenchPage } from './bench-page.ts';
import type { FormationOptions, FormationReport, MeshModule } from './scenarios/mesh-reports.ts';
import { round, summarize } from './stats.ts';
import type { Baseline, BenchContext, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/mesh.ts';

/** Mesh sizes formed, each in a fresh page; `mesh.degree_max32` reads the last. */
const meshSizes = [16, 32] as const;
/** Fixed, so every run joins the same nodes to the same contacts. */
const seed = 42;
const formationTimeoutMs = 120_000;

interface Formation {
  readonly report: FormationReport;
  readonly setupBaseline: Baseline;
}

/** Forms one mesh of `nodeCount` in a fresh page, after measuring raw setup in that page. */
async function formIn(context: BenchContext, nodeCount: number): Promise<Formation> {
  const broker = await context.broker();
  return inBenchPage(context, async (page) => {
    const setupBaseline = asBaseline(await rawSetupIn(page));
    const options: FormationOptions = { broker, nodeCount, seed, timeoutMs: formationTimeoutMs };
    const report = await page.evaluate(
      async ({ url, options }) => ((await import(url)) as MeshModule).runFormation(options),
      { url: moduleUrl, options },
    );
    return { report, setupBaseline };
  });
}

function formationMeasurement(nodeCount: number, { report, setupBaseline }: Formation): Measurement {
  const { degrees } = report;
  return {
    id: `mesh.form${nodeCount}_ms`,
    value: round(report.formedMs, 1),
    unit: 'ms',
    baseline: setupBaseline,
    extra: {
      nodes: nodeCount,
      meanDegree: round(degrees.reduce((sum, degree) => sum + degree, 0) / degrees.length, 2),
      maxDegree: Math.max(...degrees),
      minDegree: Math.min(...degrees),
      diameter: report.diameter,
      linksByRoute: report.linksByRoute,
      lastJoinedMs: round(report.joinedMs, 1),
      joinMs: summarize(report.joinMs, 1),
      nodeSetupMs: round(report.nodeSetupMs, 1),
      rejections: report.rejections,
      failedJoins: report.failedJoins,
      peerConnections: report.peerConnections,
      seed,
    },
  };
}

export const meshScenario: Scenario = {
  name: 'mesh',
  ids: ['mesh.form16_ms', 'mesh.form32_ms', 'mesh.degree_max32'],
  async run(context) {
    const measurements: Measurement[] = [];
    let largest: Formation | undefined;
    for (const nodeCount of meshSizes) {
      largest = await formIn(context, nodeCount);
      measurements.push(formationMeasurement(nodeCount, largest));
    }
    if (largest === undefined) throw new RangeError('no mesh size to form');
    const { degrees, activeViewSize } = largest.report;
    measurements.push({
      id: 'mesh.degree_max32',
      value: Math.max(...degrees),
      unit: 'neighbours',
      // The configured active view size is the budget: no node should keep more neighbours.
      baseline: { id: 'mesh.active_view_size', value: activeViewSize, unit: 'neighbours' },
      extra: { degrees },
    });
    return measurements;
  },
};
