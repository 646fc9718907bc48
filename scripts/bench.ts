import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchResources } from '../bench/context.ts';
import { scenarios } from '../bench/registry.ts';
import { describeMachine, formatTable, saveToHistory, toResult, writeReport } from '../bench/report.ts';
import type { BenchResult, Scenario } from '../bench/types.ts';

/**
 * `npm run bench`: runs every scenario in bench/registry.ts, prints a table and writes
 * bench/results/latest.json. `--save` also copies it to bench/results/history/ for
 * committing; `--only <id prefix>` (repeatable) runs the scenarios producing matching ids.
 */
const usage = 'Usage: npm run bench -- [--save] [--only <id prefix>]...';

const root = join(import.meta.dirname, '..');
const latestPath = join(root, 'bench', 'results', 'latest.json');

/** The message of a failure; the stack too for programming errors, where it says where to look. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const isBug = error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError;
  return isBug ? (error.stack ?? error.message) : error.message;
}

function selectScenarios(prefixes: readonly string[]): Scenario[] {
  if (prefixes.length === 0) return [...scenarios];
  const selected = scenarios.filter((scenario) =>
    scenario.ids.some((id) => prefixes.some((prefix) => id.startsWith(prefix))),
  );
  if (selected.length === 0) {
    const known = scenarios.flatMap((scenario) => scenario.ids).join(', ');
    throw new Error(`--only ${prefixes.join(', ')} matches no result id; known ids: ${known}`);
  }
  return selected;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      save: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const selected = selectScenarios(values.only);
  const resources = new BenchResources(root);
  const results: BenchResult[] = [];
  const failures: string[] = [];
  const onSignal = (): void => {
    void resources.close().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const when = new Date().toISOString();
  try {
    for (const scenario of selected) {
      console.log(`\n▶ ${scenario.name} (${scenario.ids.join(', ')})`);
      const startedAt = performance.now();
      try {
        const measured = await scenario.run(resources);
        const missing = scenario.ids.filter((id) => !measured.some((measurement) => measurement.id === id));
        if (missing.length > 0) throw new Error(`produced no result for ${missing.join(', ')}`);
        results.push(...measured.map(toResult));
        console.log(`  done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
      } catch (error) {
        failures.push(scenario.name);
        console.error(`  ✗ ${scenario.name} failed: ${describeError(error)}`);
      }
    }
  } finally {
    const chromium = await resources.launchedChromiumVersion();
    await resources.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const report = { when, machine: describeMachine(chromium), results };
    console.log(`\n${formatTable(results)}\n`);
    if (failures.length === 0) {
      writeReport(latestPath, report);
      console.log(`Wrote ${latestPath}`);
      if (values.save) console.log(`Saved ${saveToHistory(root, latestPath, when)}`);
    }
  }
  if (failures.length > 0) {
    console.error(`Failed: ${failures.join(', ')}. bench/results/latest.json was left as it was.`);
    return 1;
  }
  return 0;
}

let exitCode: number;
try {
  exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  exitCode = 1;
}
// Exit explicitly: the PeerJS broker mounted on the preview server keeps cleanup timers
// running after its HTTP server closes, which would keep Node alive.
process.exit(exitCode);
