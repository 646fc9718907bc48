import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import { bytesPerMegabyte, rawThroughputIn, throughputOptions, throughputRuns } from './rtc-raw.ts';
import type { DistDownloadOptions, DistDownloadReport, DistModule } from './scenarios/dist.ts';
import { median, round } from './stats.ts';
import type { BenchContext, BrokerAddress, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/dist.ts';

/** Half the 100 MiB cap: a large shared file, built in the page from a fixed seed. */
const fileBytes = 50_000_000;
/** Timed downloads per figure, each from nothing; the median is reported. */
const downloadRuns = 3;
/** Fixed, so every run joins the same nodes to the same contacts and shares the same bytes. */
const seed = 50;
/** Limit for forming the group, sharing, the seeders' fetches and each download. */
const timeoutMs = 180_000;

/** Seeders holding the whole file when the timed downloads start, per id. */
const figures = [
  { id: 'dist.download1', seeders: 1 },
  { id: 'dist.download3', seeders: 3 },
] as const;

function downloadIn(page: Page, options: DistDownloadOptions): Promise<DistDownloadReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as DistModule).runDistDownload(options),
    { url: moduleUrl, options },
  );
}

function downloadMeasurement(
  id: string,
  seeders: number,
  report: DistDownloadReport,
  raw: readonly number[],
): Measurement {
  const elapsedMs = report.runs.map((run) => run.elapsedMs);
  const megabytesPerSecond = elapsedMs.map((ms) => report.bytes / bytesPerMegabyte / (ms / 1000));
  const rounded = (values: readonly number[], digits = 1): number[] =>
    values.map((value) => round(value, digits));
  return {
    id,
    value: round(median(megabytesPerSecond), 2),
    unit: 'MB/s',
    baseline: { id: 'rtc.raw.throughput_mbs', value: round(median(raw), 2), unit: 'MB/s' },
    extra: {
      statistic: `median of ${report.runs.length} downloads, each from nothing by the same member`,
      runs: rounded(megabytesPerSecond, 2),
      runsMs: rounded(elapsedMs),
      rawRuns: rounded(raw, 2),
      downloadCallMs: rounded(report.runs.map((run) => run.downloadCallMs)),
      firstBlockMs: rounded(report.runs.map((run) => run.firstBlockMs)),
      sources: report.runs.map((run) => run.sources),
      shareMs: round(report.shareMs, 1),
      shareMegabytesPerSecond: round(report.bytes / bytesPerMegabyte / (report.shareMs / 1000), 1),
      recordSpreadMs: round(report.recordSpreadMs, 1),
      seedersFetchMs: round(report.seedersFetchMs, 1),
      groupReadyMs: round(report.groupReadyMs, 1),
      fileBytes: report.bytes,
      members: report.members,
      seeders,
      rejections: report.rejections,
      seed,
      nodes: 'every node in one page (one renderer thread), as the baseline',
      measured:
        'distribution.download called at the last member → its file state complete (every block verified and in IndexedDB); the file removed from it after each run',
      share:
        'group.shareFile at the publisher: hashing twice in its worker, storing every block, the file record, starting to serve',
      baseline: `rtc.raw.throughput_mbs: ${throughputRuns} runs of ${throughputOptions.totalBytes} bytes in ${throughputOptions.messageBytes}-byte messages, in the same page just before the group forms`,
    },
  };
}

async function downloadPage(
  context: BenchContext,
  broker: BrokerAddress,
  figure: (typeof figures)[number],
): Promise<Measurement> {
  return inBenchPage(context, async (page) => {
    const raw: number[] = [];
    for (let run = 0; run < throughputRuns; run += 1) raw.push(await rawThroughputIn(page));
    const report = await downloadIn(page, {
      broker,
      seeders: figure.seeders,
      fileBytes,
      runs: downloadRuns,
      seed,
      timeoutMs,
    });
    return downloadMeasurement(figure.id, figure.seeders, report, raw);
  });
}

export const distScenario: Scenario = {
  name: 'dist',
  ids: figures.map((figure) => figure.id),
  async run(context) {
    const broker = await context.broker();
    const measurements: Measurement[] = [];
    for (const figure of figures) {
      context.log(`dist: downloading ${fileBytes} bytes from ${figure.seeders} seeder(s)`);
      measurements.push(await downloadPage(context, broker, figure));
    }
    return measurements;
  },
};
