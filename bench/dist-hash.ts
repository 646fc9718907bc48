import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import { bytesPerMegabyte } from './rtc-raw.ts';
import type { DistHashModule, DistHashOptions, DistHashReport } from './scenarios/dist-hash.ts';
import { median, round } from './stats.ts';
import type { Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/dist-hash.ts';

/** Half the 100 MiB cap: a large shared file, built in the page from a fixed seed. */
const options: DistHashOptions = { totalBytes: 50_000_000, runs: 3, seed: 64 };

function hashIn(page: Page): Promise<DistHashReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as DistHashModule).runDistHash(options),
    { url: moduleUrl, options },
  );
}

function megabytesPerSecond(bytes: number, samplesMs: readonly number[]): number[] {
  return samplesMs.map((ms) => bytes / bytesPerMegabyte / (ms / 1000));
}

export const distHashScenario: Scenario = {
  name: 'dist-hash',
  ids: ['dist.hash'],
  async run(context) {
    return inBenchPage(context, async (page) => {
      const report = await hashIn(page);
      const hashing = megabytesPerSecond(report.bytes, report.hashFileMs);
      const digesting = megabytesPerSecond(report.bytes, report.digestMs);
      return [
        {
          id: 'dist.hash',
          value: round(median(hashing), 1),
          unit: 'MB/s',
          baseline: { id: 'crypto.digest_64k_mbs', value: round(median(digesting), 1), unit: 'MB/s' },
          extra: {
            statistic: `median of ${options.runs} runs each, alternating`,
            runs: hashing.map((value) => round(value, 1)),
            baselineRuns: digesting.map((value) => round(value, 1)),
            oneByteFileMs: round(median(report.oneByteFileMs), 1),
            totalBytes: report.bytes,
            measured:
              'hashFile(blob, { onBlocks: nothing }) in its worker, from the call to the result (worker start included)',
            baseline:
              'crypto.subtle.digest over the same bytes in memory, 64 KiB blocks one after another in the page',
          },
        },
      ];
    });
  },
};
