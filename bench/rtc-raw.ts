import type { Page } from 'playwright-core';
import type {
  LatencyOptions,
  LatencyReport,
  RtcRawModule,
  ThroughputOptions,
  ThroughputReport,
} from './scenarios/rtc-raw.ts';
import { median, round, summarize } from './stats.ts';
import type { Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/rtc-raw.ts';

const latencyOptions: LatencyOptions = {
  warmupMessages: 50,
  samples: 500,
  messageBytes: 1024,
  timeoutMs: 5_000,
};

const throughputOptions: ThroughputOptions = {
  totalBytes: 64 * 1024 * 1024,
  messageBytes: 64 * 1024,
  highWaterBytes: 256 * 1024,
  lowWaterBytes: 128 * 1024,
  timeoutMs: 60_000,
};
/** Throughput runs, each over a fresh connection; the median is reported. */
const throughputRuns = 3;

/** 1 MB = 1e6 bytes. */
const bytesPerMegabyte = 1e6;

function latencyIn(page: Page): Promise<LatencyReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runLatency(options),
    { url: moduleUrl, options: latencyOptions },
  );
}

function throughputIn(page: Page): Promise<ThroughputReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runThroughput(options),
    { url: moduleUrl, options: throughputOptions },
  );
}

export const rtcRawScenario: Scenario = {
  name: 'rtc-raw',
  ids: ['rtc.raw.latency_ms', 'rtc.raw.throughput_mbs'],
  async run(context) {
    const url = await context.devServerUrl();
    const browser = await context.browser();
    const browserContext = await browser.newContext();
    try {
      const page = await browserContext.newPage();
      await page.goto(`${url}bench/page.html`);
      const latency = await latencyIn(page);
      const megabytesPerSecond: number[] = [];
      for (let run = 0; run < throughputRuns; run += 1) {
        const report = await throughputIn(page);
        megabytesPerSecond.push(report.bytes / bytesPerMegabyte / (report.elapsedMs / 1000));
      }
      return [
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
    } finally {
      await browserContext.close();
    }
  },
};
