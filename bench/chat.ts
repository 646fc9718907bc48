import type { Page } from 'playwright-core';
import { inBenchPage } from './bench-page.ts';
import { asBaseline, rawSetupIn } from './rtc-raw.ts';
import type {
  ChatModule,
  ChatRoomOptions,
  ChatRoomReport,
  OpenOptions,
  OpenReport,
} from './scenarios/chat-reports.ts';
import type { LatencyOptions, LatencyReport, RtcRawModule } from './scenarios/rtc-raw.ts';
import { median, quantile, round, summarize } from './stats.ts';
import type { BenchContext, BrokerAddress, Measurement, Scenario } from './types.ts';

const moduleUrl = '/bench/scenarios/chat.ts';
const rawModuleUrl = '/bench/scenarios/rtc-raw.ts';

/** Group sizes, each in a fresh page. */
const roomSizes = [3, 16] as const;
/** Fixed, so every run joins the same nodes to the same contacts and picks the same senders. */
const seed = 11;

/** The options of `rtc.raw.latency_ms`, measured in each room's page before its mesh. */
const latencyOptions: LatencyOptions = {
  warmupMessages: 50,
  samples: 500,
  messageBytes: 1024,
  timeoutMs: 5_000,
};

/** The room settings besides its size: 10 messages/s, a busy chat room (as graph.propagation). */
const roomOptions = {
  seed,
  latencyMessages: 100,
  intervalMs: 100,
  historyMessages: 200,
  fillBatch: 20,
  joins: 3,
  timeoutMs: 120_000,
} as const;

const openOptions = {
  seed,
  messages: 10_000,
  // A hundred sends in flight: their signatures run together and their commits group.
  writeBatch: 100,
  runs: 3,
  // About a phone screen's list height.
  listHeightPx: 640,
  timeoutMs: 180_000,
} as const;

function latencyIn(page: Page): Promise<LatencyReport> {
  return page.evaluate(
    async ({ url, options }) => ((await import(url)) as RtcRawModule).runLatency(options),
    { url: rawModuleUrl, options: latencyOptions },
  );
}

function roomIn(page: Page, options: ChatRoomOptions): Promise<ChatRoomReport> {
  return page.evaluate(async ({ url, options }) => ((await import(url)) as ChatModule).runChatRoom(options), {
    url: moduleUrl,
    options,
  });
}

function openIn(page: Page, options: OpenOptions): Promise<OpenReport> {
  return page.evaluate(async ({ url, options }) => ((await import(url)) as ChatModule).runOpen(options), {
    url: moduleUrl,
    options,
  });
}

function roomMeasurements(
  members: number,
  report: ChatRoomReport,
  setup: Measurement,
  latency: LatencyReport,
): Measurement[] {
  const { latenciesMs } = report.latency;
  const joinsMs = report.joins.map((join) => join.elapsedMs);
  const setting = {
    members,
    degrees: report.degrees,
    meshReadyMs: round(report.meshReadyMs, 1),
    groupReadyMs: round(report.groupReadyMs, 1),
    rejections: report.rejections,
    seed,
  };
  const latencyBaseline = {
    id: 'rtc.raw.latency_ms',
    value: round(median(latency.samplesMs), 3),
    unit: 'ms',
  };
  const latencyExtra = {
    p50: round(median(latenciesMs), 2),
    p95: round(quantile(latenciesMs, 0.95), 2),
    p99: round(quantile(latenciesMs, 0.99), 2),
    max: round(Math.max(...latenciesMs), 2),
    deliveries: latenciesMs.length,
    messages: roomOptions.latencyMessages,
    messagesPerSecond: 1000 / roomOptions.intervalMs,
    sent: report.latency.sent,
    toLastMemberMs: summarize(report.latency.lastDeliveryMs, 2),
    warmupP99: round(quantile(report.latency.warmupLatenciesMs, 0.99), 2),
    roundMs: round(report.latency.roundMs, 1),
    rawLatencyMs: summarize(latency.samplesMs, 3),
    measured: 'group.send start at the sender → chat event naming the message at each other member',
    ...setting,
  };
  const suffix = members === 3 ? '' : `_${members}`;
  return [
    {
      id: `chat.join_to_history${suffix}_ms`,
      value: round(median(joinsMs), 1),
      unit: 'ms',
      baseline: asBaseline(setup),
      extra: {
        statistic: `median of ${joinsMs.length} joins, each a fresh node that leaves and stops before the next`,
        joinsMs: joinsMs.map((value) => round(value, 1)),
        joinCallMs: report.joins.map((join) => round(join.joinCallMs, 1)),
        readLinkMs: report.joins.map((join) => round(join.readLinkMs, 1)),
        meshConnectMs: report.joins.map((join) => round(join.meshConnectMs, 1)),
        neighborsAtEnd: report.joins.map((join) => join.neighborsAtEnd),
        historyMessages: report.historyMessages,
        fillMs: round(report.fillMs, 1),
        clock:
          'joinGroup called (link already read), then mesh.connect to one member as the app dials the link nodes → group.chat.size holds the whole history',
        history: `${members} warm-up + ${roomOptions.latencyMessages} timed messages of the latency round, then filler`,
        ...setting,
      },
    },
    {
      id: `chat.latency_p50_${members}`,
      value: round(median(latenciesMs), 2),
      unit: 'ms',
      baseline: latencyBaseline,
      extra: latencyExtra,
    },
    {
      id: `chat.latency_p99_${members}`,
      value: round(quantile(latenciesMs, 0.99), 2),
      unit: 'ms',
      baseline: latencyBaseline,
      extra: latencyExtra,
    },
  ];
}

async function roomPage(
  context: BenchContext,
  broker: BrokerAddress,
  members: number,
): Promise<Measurement[]> {
  return inBenchPage(context, async (page) => {
    const setup = await rawSetupIn(page);
    const latency = await latencyIn(page);
    const report = await roomIn(page, { broker, members, ...roomOptions });
    return roomMeasurements(members, report, setup, latency);
  });
}

function openMeasurement(report: OpenReport): Measurement {
  const { runs } = report;
  const pick = (
    field: 'totalMs' | 'groupOpenMs' | 'viewsMs' | 'firstScreenMs' | 'scrollTopMs' | 'getAllMs',
  ) => runs.map((run) => run[field]);
  const rounded = (values: readonly number[]): number[] => values.map((value) => round(value, 1));
  return {
    id: 'chat.open10k_ms',
    value: round(median(pick('totalMs')), 1),
    unit: 'ms',
    baseline: { id: 'idb.getall_10k_ms', value: round(median(pick('getAllMs')), 1), unit: 'ms' },
    extra: {
      statistic: `median of ${runs.length} runs, each just after a plain getAll of the group's rows`,
      scrollTopMs: round(median(pick('scrollTopMs')), 1),
      runsMs: rounded(pick('totalMs')),
      groupOpenMs: rounded(pick('groupOpenMs')),
      viewsMs: rounded(pick('viewsMs')),
      firstScreenMs: rounded(pick('firstScreenMs')),
      scrollTopRunsMs: rounded(pick('scrollTopMs')),
      getAllRunsMs: rounded(pick('getAllMs')),
      getAllRows: runs[0]?.rows ?? 0,
      messages: openOptions.messages,
      renderedRows: report.renderedRows,
      listHeightPx: openOptions.listHeightPx,
      writeSeconds: round(report.writeMs / 1000, 2),
      writeBatch: openOptions.writeBatch,
      measured:
        'Group.open (records from IndexedDB) + ChatMessageViews built + <mycel-chat-message-list> mounted, updateComplete and one animation frame',
      baseline:
        'getAll on the profile database records store over the group key range (its 10,000 messages plus member, info, invitation and receipt rows)',
    },
  };
}

export const chatScenario: Scenario = {
  name: 'chat',
  ids: [
    'chat.join_to_history_ms',
    'chat.latency_p50_3',
    'chat.latency_p99_3',
    'chat.join_to_history_16_ms',
    'chat.latency_p50_16',
    'chat.latency_p99_16',
    'chat.open10k_ms',
  ],
  async run(context) {
    const broker = await context.broker();
    const measurements: Measurement[] = [];
    for (const members of roomSizes) {
      context.log(`chat: latency and joining a group of ${members} members`);
      measurements.push(...(await roomPage(context, broker, members)));
    }
    context.log('chat: opening a group of 10,000 messages');
    measurements.push(
      await inBenchPage(context, async (page) =>
        openMeasurement(await openIn(page, { broker, ...openOptions })),
      ),
    );
    return measurements;
  },
};
