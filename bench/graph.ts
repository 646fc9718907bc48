import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import { bytesPerMegabyte, throughputOptions, throughputRuns } from './rtc-raw.ts';
import type {
  CommitOptions,
  CommitReport,
  Counts,
  GraphModule,
  PropagationOptions,
  PropagationReport,
  PublishingRound,
  SyncOptions,
  SyncReport,
  TrafficReport,
} from './scenarios/graph-reports.ts';
import type { LatencyOptions, LatencyReport, RtcRawModule, ThroughputOptions } from './scenarios/rtc-raw.ts';
import { median, quantile, round, summarize } from './stats.ts';
import type { BenchContext, BrokerAddress, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/graph.ts';
const rawModuleUrl = '/bench/scenarios/rtc-raw.ts';

/** Mesh sizes, each in a fresh page (a page holds at most 500 peer connections). */
const meshSizes = [16, 32] as const;
/** Fixed, so every run joins the same nodes to the same contacts and picks the same origins. */
const seed = 7;

/**
 * 10 records/s: the rate the broadcast's IHAVE batching is tuned for (plumtree-config.ts), a
 * busy chat room rather than a bulk import, which would batch announcements better.
 */
const publishIntervalMs = 100;
const publishedRecords = 200;
/** Application bytes per published record; its encoding is about 360 bytes. */
const publishedDataBytes = 100;
/** Four times the mean IHAVE flush delay, so announcements of the last records are counted. */
const publishSettleMs = 2_000;
const propagationTimeoutMs = 120_000;
/**
 * How long the mesh should go without a neighbour change before publishing starts, and how
 * long to wait for that before publishing anyway (`extra.meshQuiet` says which happened).
 */
const quietMeshMs = 3_000;
const quietLimitMs = 30_000;

/** The options of `rtc.raw.latency_ms`, measured in each propagation page before its mesh. */
const latencyOptions: LatencyOptions = {
  warmupMessages: 50,
  samples: 500,
  messageBytes: 1024,
  timeoutMs: 5_000,
};

const syncRecords = 10_000;
const recordBytes = 500;
const missingRecords = 100;
/** Records written at once by `graph.add`: their signatures run together, their commits group. */
const writeBatch = 128;
const syncTimeoutMs = 120_000;

/** The target for a late joiner's sync: at least half the raw channel's throughput. */
const syncThroughputTarget = 0.5;

/** The budget for a link between two up-to-date nodes ("a few hundred bytes"). */
const upToDateBudgetBytes = 500;

const commitOptions: CommitOptions = {
  records: 10_000,
  recordBytes,
  // What one `want` asks for (graph-messages.ts, maxWantIds): the records a sync pulls at once.
  batchRecords: 128,
  runs: 3,
  timeoutMs: 120_000,
};

/** The design's target for frames sent per record per node (DESIGN.md, Dissemination). */
const framesPerRecordTarget = 1.5;

function sum(counts: Counts): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

function perRecordPerNode(counts: Counts, divisor: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, round(count / divisor, 3)]));
}

function latencyIn(page: Page): Promise<LatencyReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runLatency(options),
    { url: rawModuleUrl, options: latencyOptions },
  );
}

/** Raw throughput runs sending `bytes` (rounded up to whole messages), the rest as `rtc.raw.throughput_mbs`. */
async function rawThroughputFor(page: Page, bytes: number): Promise<{ runs: number[]; totalBytes: number }> {
  const { messageBytes } = throughputOptions;
  const options: ThroughputOptions = {
    ...throughputOptions,
    totalBytes: Math.ceil(bytes / messageBytes) * messageBytes,
  };
  const runs: number[] = [];
  for (let run = 0; run < throughputRuns; run += 1) {
    const report = await page.evaluate(
      async ({ url, options }) => ((await import(url)) as RtcRawModule).runThroughput(options),
      { url: rawModuleUrl, options },
    );
    runs.push(report.bytes / bytesPerMegabyte / (report.elapsedMs / 1000));
  }
  return { runs, totalBytes: options.totalBytes };
}

function propagationIn(page: Page, options: PropagationOptions): Promise<PropagationReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as GraphModule).runPropagation(options),
    { url: moduleUrl, options },
  );
}

function syncIn(page: Page, options: SyncOptions): Promise<SyncReport> {
  return page.evaluate(async ({ url, options }) => ((await import(url)) as GraphModule).runSync(options), {
    url: moduleUrl,
    options,
  });
}

function commitIn(page: Page, options: CommitOptions): Promise<CommitReport> {
  return page.evaluate(async ({ url, options }) => ((await import(url)) as GraphModule).runCommit(options), {
    url: moduleUrl,
    options,
  });
}

/** A round's tree frames per record per node, and its flooding equivalent. */
function framesPerRecord(publishing: PublishingRound, nodeCount: number): { tree: number; flooding: number } {
  const records = publishing.published.reduce((total, count) => total + count, 0);
  const divisor = records * nodeCount;
  return { tree: (publishing.framesOut.tree ?? 0) / divisor, flooding: publishing.floodingFrames / divisor };
}

function propagationMeasurements(
  nodeCount: number,
  report: PropagationReport,
  latency: LatencyReport,
): Measurement[] {
  const { measured, warmup } = report;
  const { latenciesMs } = measured;
  const divisor = publishedRecords * nodeCount;
  const frames = framesPerRecord(measured, nodeCount);
  const warmupFrames = framesPerRecord(warmup, nodeCount);
  const setting = {
    nodes: nodeCount,
    records: publishedRecords,
    recordsPerSecond: 1000 / publishIntervalMs,
    dataBytes: publishedDataBytes,
    degrees: measured.degrees,
    degreesAfter: report.degreesAfter,
    neighborChangesWhilePublishing: report.neighborChanges,
    meshQuiet: report.quiet,
    seed,
  };
  return [
    {
      id: `graph.propagation_p99_${nodeCount}`,
      value: round(quantile(latenciesMs, 0.99), 2),
      unit: 'ms',
      baseline: { id: 'rtc.raw.latency_ms', value: round(median(latency.samplesMs), 3), unit: 'ms' },
      extra: {
        p50: round(median(latenciesMs), 2),
        p95: round(quantile(latenciesMs, 0.95), 2),
        max: round(Math.max(...latenciesMs), 2),
        deliveries: latenciesMs.length,
        toLastNodeMs: summarize(measured.lastDeliveryMs, 2),
        warmupP99: round(quantile(warmup.latenciesMs, 0.99), 2),
        rawLatencyMs: summarize(latency.samplesMs, 3),
        ...setting,
        published: measured.published,
        readyMs: round(report.readyMs, 1),
        publishingMs: round(measured.publishingMs, 1),
        failedJoins: report.failedJoins,
        rejections: report.rejections,
        peerConnections: report.peerConnections,
      },
    },
    {
      id: `graph.frames_per_record_${nodeCount}`,
      value: round(frames.tree, 3),
      unit: 'frames',
      baseline: {
        id: `graph.flooding_frames_per_record_${nodeCount}`,
        value: round(frames.flooding, 3),
        unit: 'frames',
      },
      extra: {
        target: framesPerRecordTarget,
        counted:
          'tree frames (Plumtree GOSSIP, IHAVE, GRAFT, PRUNE) sent by every graph while publishing and for settleMs after, per record per node',
        flooding:
          'computed from the mesh degrees when the round started: sum(degree) - (N - 1) frames per record',
        warmup: {
          what: 'one record from every node in turn, before the measured round: the first record of each origin builds its tree',
          records: nodeCount,
          framesPerRecord: round(warmupFrames.tree, 3),
          floodingFramesPerRecord: round(warmupFrames.flooding, 3),
        },
        framesOutByPart: perRecordPerNode(measured.framesOut, divisor),
        broadcastPerRecordPerNode: perRecordPerNode(measured.broadcast, divisor),
        settleMs: publishSettleMs,
        ...setting,
      },
    },
  ];
}

async function propagationPage(
  context: BenchContext,
  broker: BrokerAddress,
  nodeCount: number,
): Promise<Measurement[]> {
  return inBenchPage(context, async (page) => {
    const latency = await latencyIn(page);
    const report = await propagationIn(page, {
      broker,
      nodeCount,
      seed,
      records: publishedRecords,
      intervalMs: publishIntervalMs,
      dataBytes: publishedDataBytes,
      quietMs: quietMeshMs,
      quietLimitMs,
      settleMs: publishSettleMs,
      timeoutMs: propagationTimeoutMs,
    });
    return propagationMeasurements(nodeCount, report, latency);
  });
}

function trafficExtra(traffic: TrafficReport): Record<string, unknown> {
  return {
    bytesIn: sum(traffic.bytesIn),
    bytesOut: sum(traffic.bytesOut),
    bytesInByPart: traffic.bytesIn,
    bytesOutByPart: traffic.bytesOut,
    framesInByPart: traffic.framesIn,
    framesOutByPart: traffic.framesOut,
  };
}

function syncMeasurements(
  report: SyncReport,
  raw: { runs: number[]; totalBytes: number },
  commit: CommitReport,
): Measurement[] {
  const seconds = report.syncMs / 1000;
  const { catchUp, upToDate } = report;
  return [
    {
      id: 'graph.sync10k',
      value: round(report.recordBytes / bytesPerMegabyte / seconds, 3),
      unit: 'MB/s',
      baseline: { id: 'rtc.raw.throughput_sync_bytes_mbs', value: round(median(raw.runs), 2), unit: 'MB/s' },
      extra: {
        target: syncThroughputTarget,
        recordsPerSecond: round(report.records / seconds, 1),
        seconds: round(seconds, 3),
        records: report.records,
        recordBytes: report.recordBytes,
        meanRecordBytes: round(report.recordBytes / report.records, 1),
        writeSeconds: round(report.writeMs / 1000, 2),
        rawRuns: raw.runs.map((value) => round(value, 2)),
        rawStatistic: `median of ${throughputRuns} raw runs of ${raw.totalBytes} bytes, the records' bytes in ${throughputOptions.messageBytes}-byte messages`,
        ...trafficExtra(report.syncTraffic),
      },
    },
    {
      id: 'graph.catchup_bytes',
      value: sum(catchUp.traffic.bytesIn) + sum(catchUp.traffic.bytesOut),
      unit: 'bytes',
      baseline: { id: 'graph.catchup_missing_bytes', value: report.missingBytes, unit: 'bytes' },
      extra: {
        missingRecords: report.missingRecords,
        heldRecords: report.records,
        received: catchUp.received,
        catchUpMs: round(catchUp.elapsedMs, 1),
        reopenMs: round(catchUp.reopenMs, 1),
        ...trafficExtra(catchUp.traffic),
        atA: trafficExtra(catchUp.peerTraffic),
      },
    },
    {
      id: 'graph.uptodate_bytes',
      value: sum(upToDate.traffic.bytesIn) + sum(upToDate.traffic.bytesOut),
      unit: 'bytes',
      baseline: { id: 'graph.uptodate_budget', value: upToDateBudgetBytes, unit: 'bytes' },
      extra: {
        heldRecords: report.records + report.missingRecords,
        received: upToDate.received,
        reconnectMs: round(upToDate.elapsedMs, 1),
        reopenMs: round(upToDate.reopenMs, 1),
        rejections: report.rejections,
        ...trafficExtra(upToDate.traffic),
        atA: trafficExtra(upToDate.peerTraffic),
      },
    },
    {
      id: 'graph.idb_commit',
      value: round(median(commit.storeRecordsPerSecond), 0),
      unit: 'records/s',
      baseline: {
        id: 'idb.plain_put_records_per_s',
        value: round(median(commit.plainRecordsPerSecond), 0),
        unit: 'records/s',
      },
      extra: {
        statistic: `median of ${commitOptions.runs} runs each, alternating, each into a fresh database`,
        runs: commit.storeRecordsPerSecond.map((value) => round(value, 0)),
        plainRuns: commit.plainRecordsPerSecond.map((value) => round(value, 0)),
        records: commitOptions.records,
        batchRecords: commitOptions.batchRecords,
        meanRecordBytes: round(commit.meanRecordBytes, 1),
        baseline:
          'the same StoredRecords put with idb into an object store without indexes, one transaction per batch; the profile store also keeps five indexes',
        syncIntakeRecordsPerSecond: round(report.records / (report.syncMs / 1000), 1),
      },
    },
  ];
}

async function syncPage(context: BenchContext, broker: BrokerAddress): Promise<Measurement[]> {
  return inBenchPage(context, async (page) => {
    const report = await syncIn(page, {
      broker,
      seed,
      records: syncRecords,
      recordBytes,
      missingRecords,
      writeBatch,
      timeoutMs: syncTimeoutMs,
    });
    const raw = await rawThroughputFor(page, report.recordBytes);
    const commit = await commitIn(page, commitOptions);
    return syncMeasurements(report, raw, commit);
  });
}

export const graphScenario: Scenario = {
  name: 'graph',
  ids: [
    'graph.propagation_p99_16',
    'graph.frames_per_record_16',
    'graph.propagation_p99_32',
    'graph.frames_per_record_32',
    'graph.sync10k',
    'graph.catchup_bytes',
    'graph.uptodate_bytes',
    'graph.idb_commit',
  ],
  async run(context) {
    const broker = await context.broker();
    const measurements: Measurement[] = [];
    for (const nodeCount of meshSizes) {
      context.log(`graph: propagation across ${nodeCount} nodes`);
      measurements.push(...(await propagationPage(context, broker, nodeCount)));
    }
    context.log('graph: synchronisation of 10,000 records, catch-up, IndexedDB commits');
    measurements.push(...(await syncPage(context, broker)));
    return measurements;
  },
};
