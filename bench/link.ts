import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import {
  asBaseline,
  bytesPerMegabyte,
  rawSetupIn,
  rawThroughputIn,
  throughputOptions,
  throughputRuns,
} from './rtc-raw.ts';
import type {
  LinkModule,
  LinkSetupOptions,
  LinkSetupReport,
  LinkThroughputOptions,
} from './scenarios/mesh-reports.ts';
import { median, round, summarize } from './stats.ts';
import type { Baseline, BrokerAddress, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/link.ts';

/** Fresh links dialled one after another, per setup figure. */
const setupSamples = 20;
const setupTimeoutMs = 15_000;

/**
 * The session's default frame budget (src/core/mesh/link-session.ts), spelled out so the report
 * says what the figure was measured under: a bulk transfer must fit within it.
 */
const bulkFramesPerSecond = 1000;
const bulkBurstFrames = 2000;

function setupIn(page: Page, which: 'broker' | 'mesh', broker: BrokerAddress): Promise<LinkSetupReport> {
  const options: LinkSetupOptions = { broker, samples: setupSamples, timeoutMs: setupTimeoutMs };
  return page.evaluate(
    async ({ url, which, options }) => {
      const module = (await import(url)) as LinkModule;
      return which === 'broker' ? module.runBrokerSetup(options) : module.runMeshSetup(options);
    },
    { url: moduleUrl, which, options },
  );
}

function setupMeasurement(id: string, report: LinkSetupReport, baseline: Baseline): Measurement {
  return {
    id,
    value: round(median(report.samplesMs), 3),
    unit: 'ms',
    baseline,
    extra: {
      ...summarize(report.samplesMs, 3),
      ...(report.relayed === undefined ? {} : { relayedByMiddleNode: report.relayed }),
    },
  };
}

async function linkThroughputIn(page: Page, broker: BrokerAddress): Promise<Record<string, unknown>> {
  const options: LinkThroughputOptions = {
    broker,
    totalBytes: throughputOptions.totalBytes,
    maxFramesPerSecond: bulkFramesPerSecond,
    burstFrames: bulkBurstFrames,
    timeoutMs: throughputOptions.timeoutMs,
  };
  const report = await page.evaluate(
    async ({ url, options }) => ((await import(url)) as LinkModule).runThroughput(options),
    { url: moduleUrl, options },
  );
  return { ...report, megabytesPerSecond: report.bytes / bytesPerMegabyte / (report.elapsedMs / 1000) };
}

export const linkScenario: Scenario = {
  name: 'link',
  ids: ['link.setup.broker_ms', 'link.setup.mesh_ms', 'link.throughput'],
  async run(context) {
    const broker = await context.broker();
    return inBenchPage(context, async (page) => {
      const setupBaseline = asBaseline(await rawSetupIn(page));
      const brokerSetup = await setupIn(page, 'broker', broker);
      const meshSetup = await setupIn(page, 'mesh', broker);
      // Raw and session runs alternate, so drift in the machine's load hits both alike.
      const raw: number[] = [];
      const runs: Record<string, unknown>[] = [];
      for (let run = 0; run < throughputRuns; run += 1) {
        raw.push(await rawThroughputIn(page));
        runs.push(await linkThroughputIn(page, broker));
      }
      const linkMegabytesPerSecond = runs.map((run) => Number(run.megabytesPerSecond));
      const first = runs[0] ?? {};
      return [
        setupMeasurement('link.setup.broker_ms', brokerSetup, setupBaseline),
        setupMeasurement('link.setup.mesh_ms', meshSetup, setupBaseline),
        {
          id: 'link.throughput',
          value: round(median(linkMegabytesPerSecond), 2),
          unit: 'MB/s',
          baseline: { id: 'rtc.raw.throughput_mbs', value: round(median(raw), 2), unit: 'MB/s' },
          extra: {
            statistic: `median of ${throughputRuns} runs`,
            runs: linkMegabytesPerSecond.map((value) => round(value, 2)),
            rawRuns: raw.map((value) => round(value, 2)),
            totalBytes: throughputOptions.totalBytes,
            bodyBytes: first.bodyBytes,
            frameBytes: first.frameBytes,
            frames: first.frames,
            rejections: first.rejections,
            maxFramesPerSecond: bulkFramesPerSecond,
            burstFrames: bulkBurstFrames,
          },
        },
      ];
    });
  },
};
