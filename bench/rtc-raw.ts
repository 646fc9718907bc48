import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import type {
  LatencyOptions,
  LatencyReport,
  RtcRawModule,
  SetupOptions,
  ThroughputOptions,
  ThroughputReport,
} from './scenarios/rtc-raw.ts';
import { median, round, summarize } from './stats.ts';
import type { Baseline, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/rtc-raw.ts';

/** Pairs connected one after another for `rtc.raw.setup_ms`. */
const setupOptions: SetupOptions = { samples: 20 };

const latencyOptions: LatencyOptions = {
  warmupMessages: 50,
  samples: 500,
  messageBytes: 1024,
  timeoutMs: 5_000,
};

export const throughputOptions: ThroughputOptions = {
  totalBytes: 64 * 1024 * 1024,
  messageBytes: 64 * 1024,
  highWaterBytes: 256 * 1024,
  lowWaterBytes: 128 * 1024,
  timeoutMs: 60_000,
};
/** Throughput runs, each over a fresh connection; the median is reported. */
export const throughputRuns = 3;

/** 1 MB = 1e6 bytes. */
export const bytesPerMegabyte = 1e6;

/** `rtc.raw.setup_ms` measured in `page`: median of fresh pairs, p95 and the rest in `extra`. */
export async function rawSetupIn(page: Page): Promise<Measurement> {
  const report = await page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runSetup(options),
    { url: moduleUrl, options: setupOptions },
  );
  return {
    id: 'rtc.raw.setup_ms',
    value: round(median(report.samplesMs), 3),
    unit: 'ms',
    extra: summarize(report.samplesMs, 3),
  };
}

/** The same figure as a baseline for a scenario that measured it in its own page. */
export function asBaseline(measurement: Measurement): Baseline {
  return { id: measurement.id, value: measurement.value, unit: measurement.unit };
}

function latencyIn(page: Page): Promise<LatencyReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runLatency(options),
    { url: moduleUrl, options: latencyOptions },
  );
}

/** One raw throughput run in `page`, in MB/s. */
export async function rawThroughputIn(page: Page): Promise<number> {
  const report = await throughputIn(page);
  return report.bytes / bytesPerMegabyte / (report.elapsedMs / 1000);
}

function throughputIn(page: Page): Promise<ThroughputReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runThroughput(options),
    { url: moduleUrl, options: throughputOptions },
  );
}

export const rtcRawScenario: Scenario = {
  name: 'rtc-raw',
  ids: ['rtc.raw.setup_ms', 'rtc.raw.latency_ms', 'rtc.raw.throughput_mbs'],
  async run(context) {
    return inBenchPage(context, async (page) => {
      const setup = await rawSetupIn(page);
      const latency = await latencyIn(page);
      const megabytesPerSecond: number[] = [];
      for (let run = 0; run < throughputRuns; run += 1) megabytesPerSecond.push(await rawThroughputIn(page));
      return [
        setup,
        {
          id: 'rtc.raw.latency_ms',
          value: round(median(latency.samplesMs), 3),
          unit: 'ms',
          extra: {
            ...summarize(latency.samplesMs, 3),
            messageBytes: latencyOptions.messageBytes,
            crossOriginIsolated: latency.crossOriginIsolated,
          },
        },
        {
          id: 'rtc.raw.throughput_mbs',
          value: round(median(megabytesPerSecond), 2),
          unit: 'MB/s',
          extra: {
            statistic: `median of ${throughputRuns} runs`,
            runs: megabytesPerSecond.map((value) => round(value, 2)),
            totalBytes: throughputOptions.totalBytes,
            messageBytes: throughputOptions.messageBytes,
            highWaterBytes: throughputOptions.highWaterBytes,
            lowWaterBytes: throughputOptions.lowWaterBytes,
          },
        },
      ];
    });
  },
};
