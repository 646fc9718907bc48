import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRunner } from '@web/test-runner';
import { ensureChromium } from './chromium.ts';
import { testRunnerConfig } from '../test/web-test-runner.config.ts';

/**
 * `npm test`: typecheck, lint, unit and browser tests in headless Chromium, then end-to-end
 * tests against the built app. `npm test -- unit` (or browser, e2e, static) runs one stage.
 */
type Stage = 'static' | 'unit' | 'browser' | 'e2e';
const allStages: readonly Stage[] = ['static', 'unit', 'browser', 'e2e'];

function run(command: string, args: readonly string[]): boolean {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit' }).status === 0;
}

async function runBrowserGroup(chromePath: string, group: string): Promise<boolean> {
  console.log(`\n$ web-test-runner (${group})`);
  const runner = await startTestRunner({
    config: testRunnerConfig(chromePath, [group]),
    readCliArgs: false,
    readFileConfig: false,
    autoExitProcess: false,
  });
  if (runner === undefined) return false;
  return new Promise((resolve) =>
    runner.on('finished', (passed) => void runner.stop().then(() => resolve(passed))),
  );
}

function e2eFiles(): string[] {
  const dir = 'test/e2e';
  return readdirSync(dir)
    .filter((name) => name.endsWith('.e2e.ts'))
    .sort()
    .map((name) => join(dir, name));
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2) as Stage[];
  const unknown = requested.filter((stage) => !allStages.includes(stage));
  if (unknown.length > 0) {
    console.error(`Unknown test stage ${unknown.join(', ')}; pick from ${allStages.join(', ')}.`);
    process.exit(2);
  }
  const stages = requested.length > 0 ? requested : allStages;
  const chromePath = stages.some((stage) => stage !== 'static') ? ensureChromium() : '';
  const failed: string[] = [];
  const check = (name: string, ok: boolean): void => {
    if (!ok) failed.push(name);
  };
  if (stages.includes('static')) {
    check('typecheck', run('npm', ['run', '--silent', 'typecheck']));
    check('lint', run('npm', ['run', '--silent', 'lint']));
  }
  if (stages.includes('unit')) check('unit', await runBrowserGroup(chromePath, 'unit'));
  if (stages.includes('browser')) check('browser', await runBrowserGroup(chromePath, 'browser'));
  if (stages.includes('e2e')) {
    check('build', run('npm', ['run', '--silent', 'build']));
    if (!failed.includes('build')) {
      check(
        'e2e',
        run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...e2eFiles()]),
      );
    }
  }
  if (failed.length > 0) {
    console.error(`\nFailed: ${failed.join(', ')}`);
    process.exit(1);
  }
  console.log(`\nAll stages passed: ${stages.join(', ')}`);
}

await main();
// The harness broker runs in this process, and peer keeps housekeeping timers it cannot stop.
process.exit(0);
