/**
 * Chat figures, measured in one page each. A chat room: N members in one group over real
 * WebRTC, each on its own IndexedDB profile; messages sent one at a time from random members,
 * each timed from `group.send` at its sender to the `chat` event at every other member (one
 * page, one clock); then fresh nodes join through the group's link and are timed until they
 * hold the whole history. A cold open: one node reopens a group of 10,000 messages from
 * IndexedDB and shows its chat in `<mycel-chat-message-list>`.
 * Imported by the harness (bench/chat.ts) from the bench dev server; its shape is
 * `ChatModule` (chat-reports.ts).
 */
import '../../src/components/chat-message-list.ts';
import { messageViews } from '../../src/controllers/group-controller.ts';
import { createGroup, joinGroup } from '../../src/core/groups/group-actions.ts';
import { Group } from '../../src/core/groups/group.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';
import { sleep } from './bench-nodes.ts';
import {
  ChatBenchError,
  deleteChatDatabases,
  messageText,
  describeGroups,
  formGroup,
  formMesh,
  rejectionsOf,
  signedFrom,
  startChatNode,
  stopChatNode,
  type ChatNode,
} from './chat-nodes.ts';
import type {
  ChatRoomOptions,
  ChatRoomReport,
  JoinSample,
  LatencyRound,
  OpenOptions,
  OpenReport,
  OpenRun,
} from './chat-reports.ts';
import { uniqueRunName, waitUntil } from './graph-nodes.ts';
import { withTimeout } from './timeout.ts';

/** A message's arrival at one member. */
interface Arrival {
  readonly key: string;
  readonly member: number;
  readonly atMs: number;
}

/** Who sent a message and when its `group.send` started. */
interface Sending {
  readonly origin: number;
  readonly atMs: number;
}

function groupAt(groups: readonly Group[], index: number): Group {
  const group = groups[index];
  if (group === undefined) throw new RangeError(`no group ${index}`);
  return group;
}

/**
 * Sends one message from each of `origins` in turn, one every `intervalMs`, and times each
 * to its `chat` event at every other member.
 */
async function sendRound(
  groups: readonly Group[],
  origins: readonly number[],
  random: Random,
  options: ChatRoomOptions,
): Promise<{ latenciesMs: number[]; lastDeliveryMs: number[]; roundMs: number }> {
  const arrivals: Arrival[] = [];
  const expected = origins.length * (groups.length - 1);
  const offs: (() => void)[] = [];
  const all = new Promise<void>((resolve) => {
    for (const [member, group] of groups.entries()) {
      offs.push(
        group.on('chat', ({ added }) => {
          const atMs = performance.now();
          for (const message of added) arrivals.push({ key: message.key, member, atMs });
          if (arrivals.length >= expected) resolve();
        }),
      );
    }
  });
  try {
    const sendings = new Map<string, Sending>();
    const firstAt = performance.now();
    for (const [index, origin] of origins.entries()) {
      const waitMs = firstAt + index * options.intervalMs - performance.now();
      if (waitMs > 0) await sleep(waitMs);
      const text = messageText(random, index);
      const atMs = performance.now();
      const message = await groupAt(groups, origin).send(text);
      sendings.set(message.key, { origin, atMs });
    }
    const what = `delivering ${origins.length} messages to ${groups.length} members`;
    await withTimeout(all, options.timeoutMs, `${what}:\n${describeGroups(groups)}`);
    const roundMs = performance.now() - firstAt;
    return { ...latencies(arrivals, sendings), roundMs };
  } finally {
    for (const off of offs.splice(0)) off();
  }
}

/** Every delivery's latency, and each message's latency to its last member. */
function latencies(
  arrivals: readonly Arrival[],
  sendings: ReadonlyMap<string, Sending>,
): { latenciesMs: number[]; lastDeliveryMs: number[] } {
  const latenciesMs: number[] = [];
  const last = new Map<string, number>();
  for (const { key, member, atMs } of arrivals) {
    const sending = sendings.get(key);
    if (sending === undefined) throw new RangeError(`message ${key} arrived but was not sent in this round`);
    if (member === sending.origin) throw new RangeError(`message ${key} came back to its sender`);
    const latencyMs = atMs - sending.atMs;
    latenciesMs.push(latencyMs);
    last.set(key, Math.max(last.get(key) ?? 0, latencyMs));
  }
  return { latenciesMs, lastDeliveryMs: [...last.values()] };
}

/** A warm-up of one message from every member in turn (building each sender's tree), then the timed round. */
async function latencyRound(
  groups: readonly Group[],
  random: Random,
  options: ChatRoomOptions,
): Promise<LatencyRound> {
  const warmup = await sendRound(groups, random.shuffle(groups.map((_, i) => i)), random, options);
  const origins = Array.from({ length: options.latencyMessages }, () => random.int(groups.length));
  const measured = await sendRound(groups, origins, random, options);
  const sent = groups.map(() => 0);
  for (const origin of origins) sent[origin] = (sent[origin] ?? 0) + 1;
  return {
    latenciesMs: measured.latenciesMs,
    lastDeliveryMs: measured.lastDeliveryMs,
    warmupLatenciesMs: warmup.latenciesMs,
    sent,
    roundMs: measured.roundMs,
  };
}

/** Sends from random members, `fillBatch` at once, until the group holds `historyMessages`; waits for all to hold them. */
async function fillHistory(
  groups: readonly Group[],
  random: Random,
  options: ChatRoomOptions,
): Promise<number> {
  const startedAt = performance.now();
  const held = groupAt(groups, 0).chat.size;
  for (let index = held; index < options.historyMessages; index += options.fillBatch) {
    const batch = Math.min(options.fillBatch, options.historyMessages - index);
    await Promise.all(
      Array.from({ length: batch }, (_, i) =>
        groupAt(groups, random.int(groups.length)).send(messageText(random, index + i)),
      ),
    );
  }
  await waitUntil(
    () => groups.every((group) => group.chat.size === options.historyMessages),
    options.timeoutMs,
    `every member to hold ${options.historyMessages} messages`,
    () => describeGroups(groups),
  );
  return performance.now() - startedAt;
}

/** Resolves with `performance.now()` at the first `chat` event (or at once) after which `holds()`. */
function whenChat(group: Group, holds: () => boolean, timeoutMs: number, what: string): Promise<number> {
  if (holds()) return Promise.resolve(performance.now());
  let off: (() => void) | undefined;
  const reached = new Promise<number>((resolve) => {
    off = group.on('chat', () => {
      if (holds()) resolve(performance.now());
    });
  });
  return withTimeout(reached, timeoutMs, `${what} (${describeGroups([group])})`).finally(() => off?.());
}

/**
 * A fresh node joins the group through the link, then the mesh through a random member: timed
 * from `joinGroup` until its chat holds the whole history. It leaves and stops afterwards, so
 * every joiner finds the same members.
 */
async function joinOnce(
  members: readonly ChatNode[],
  groups: readonly Group[],
  joiner: ChatNode,
  link: string,
  random: Random,
  options: ChatRoomOptions,
): Promise<JoinSample> {
  const contact = members[random.int(members.length)];
  if (contact === undefined) throw new RangeError('no member to join through');
  const readAt = performance.now();
  const signed = await signedFrom(link);
  const readLinkMs = performance.now() - readAt;
  // As the app joins: the group first, then a link to one of the nodes the invitation names.
  const startedAt = performance.now();
  const group = await joinGroup(joiner.components, joiner.me, signed);
  const joinCallMs = performance.now() - startedAt;
  const connectAt = performance.now();
  if (!(await joiner.mesh.connect([contact.nodeId])))
    throw new ChatBenchError('the joiner could not join the mesh');
  const meshConnectMs = performance.now() - connectAt;
  try {
    const doneAt = await whenChat(
      group,
      () => group.chat.size >= options.historyMessages,
      options.timeoutMs,
      `a new member to receive ${options.historyMessages} messages`,
    );
    const neighborsAtEnd = group.neighbors().length;
    await group.leave();
    await waitUntil(
      () => groups.every((other) => other.state.members().length === members.length),
      options.timeoutMs,
      'the joiner leaving',
      () => describeGroups(groups),
    );
    return { elapsedMs: doneAt - startedAt, readLinkMs, joinCallMs, meshConnectMs, neighborsAtEnd };
  } finally {
    group.close();
  }
}

/** Forms the mesh and the group, runs the latency round, fills the history, then times the joins. */
export async function runChatRoom(options: ChatRoomOptions): Promise<ChatRoomReport> {
  const runName = uniqueRunName(`bench-chat-${options.members}`);
  const nodes: ChatNode[] = [];
  const stopped: ChatNode[] = [];
  const groups: Group[] = [];
  try {
    for (let i = 0; i < options.members; i += 1) {
      nodes.push(
        await startChatNode(options.broker, `${runName}-${i}`, options.seed * 1000 + i, `Member ${i}`),
      );
    }
    const random = createRandom(options.seed);
    const room = await formGroup(nodes);
    groups.push(...room.groups);
    const meshReadyMs = await formMesh(nodes, random.fork('mesh'), options.timeoutMs);
    const groupAt0 = performance.now();
    await waitUntil(
      () => groups.every((group) => group.state.members().length === nodes.length),
      options.timeoutMs,
      `every node of ${nodes.length} to see every member`,
      () => describeGroups(groups),
    );
    const groupReadyMs = room.readyMs + performance.now() - groupAt0;
    const degrees = nodes.map((node) => node.mesh.neighbors().length);
    const latency = await latencyRound(groups, random.fork('latency'), options);
    const fillMs = await fillHistory(groups, random.fork('fill'), options);
    const joins: JoinSample[] = [];
    const joinRandom = random.fork('joins');
    for (let j = 0; j < options.joins; j += 1) {
      const seed = options.seed * 1000 + options.members + j;
      const joiner = await startChatNode(options.broker, `${runName}-joiner-${j}`, seed, `Joiner ${j}`);
      try {
        joins.push(await joinOnce(nodes, groups, joiner, room.link, joinRandom, options));
      } finally {
        stopChatNode(joiner);
        stopped.push(joiner);
      }
    }
    return {
      latency,
      joins,
      historyMessages: groupAt(groups, 0).chat.size,
      degrees,
      meshReadyMs,
      groupReadyMs,
      fillMs,
      rejections: rejectionsOf(nodes, groups),
    };
  } finally {
    for (const group of groups) group.close();
    for (const node of nodes) stopChatNode(node);
    await deleteChatDatabases([...nodes, ...stopped]);
  }
}

const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));

/** Writes `messages` with `group.send`, `writeBatch` in flight at once. */
async function writeMessages(group: Group, options: OpenOptions): Promise<void> {
  const random = createRandom(options.seed).fork('texts');
  for (let index = 0; index < options.messages; index += options.writeBatch) {
    const batch = Math.min(options.writeBatch, options.messages - index);
    await Promise.all(Array.from({ length: batch }, (_, i) => group.send(messageText(random, index + i))));
  }
}

/** One plain `getAll` of the group's rows, then one cold open shown in the list, then a jump to the top. */
async function openOnce(node: ChatNode, closed: Group, box: HTMLElement): Promise<OpenRun> {
  const readAt = performance.now();
  // Every primary key of the group: arrays sort after strings, so `[groupId, []]` ends it.
  const rows = await node.database.getAll('records', IDBKeyRange.bound([closed.id, ''], [closed.id, []]));
  const getAllMs = performance.now() - readAt;
  const startedAt = performance.now();
  const group = await Group.open(node.components, closed.id, closed.key);
  const openedAt = performance.now();
  try {
    const views = messageViews(group);
    const builtAt = performance.now();
    const list = document.createElement('mycel-chat-message-list');
    list.messages = views;
    list.memberCount = group.state.members().length;
    box.replaceChildren(list);
    await list.updateComplete;
    await nextFrame();
    const shownAt = performance.now();
    await list.scrollToTop();
    const scrollTopMs = performance.now() - shownAt;
    return {
      totalMs: shownAt - startedAt,
      groupOpenMs: openedAt - startedAt,
      viewsMs: builtAt - openedAt,
      firstScreenMs: shownAt - builtAt,
      scrollTopMs,
      getAllMs,
      rows: rows.length,
      messages: group.chat.size,
    };
  } finally {
    group.close();
  }
}

/**
 * One node, alone, writes a group of `messages` chat messages and closes it; then `runs`
 * times: a plain `getAll` of its rows, and a cold open shown in the message list.
 */
export async function runOpen(options: OpenOptions): Promise<OpenReport> {
  const runName = uniqueRunName('bench-chat-open');
  const node = await startChatNode(options.broker, `${runName}-0`, options.seed, 'Reader');
  const box = document.createElement('div');
  box.style.height = `${options.listHeightPx}px`;
  box.style.display = 'flex';
  box.style.flexDirection = 'column';
  document.body.append(box);
  try {
    const group = await createGroup(node.components, node.me, { n: 'Ten thousand', d: '', c: '#3366cc' });
    const writeAt = performance.now();
    try {
      await withTimeout(
        writeMessages(group, options),
        options.timeoutMs,
        `writing ${options.messages} messages`,
      );
    } finally {
      group.close();
    }
    const writeMs = performance.now() - writeAt;
    const runs: OpenRun[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const opened = await withTimeout(openOnce(node, group, box), options.timeoutMs, 'opening the group');
      if (opened.messages !== options.messages)
        throw new RangeError(`the reopened group held ${opened.messages} of ${options.messages} messages`);
      runs.push(opened);
    }
    const list = box.querySelector('mycel-chat-message-list');
    const renderedRows = list?.shadowRoot?.querySelectorAll('.message').length ?? 0;
    return { runs, writeMs, renderedRows };
  } finally {
    box.remove();
    stopChatNode(node);
    await deleteChatDatabases([node]);
  }
}
