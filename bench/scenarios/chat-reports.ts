/**
 * What the chat page scenarios (chat.ts) take and return. Import-free, so the harness
 * (bench/chat.ts) can use these types without typechecking src/ for Node.
 */
import type { BenchBroker } from './mesh-reports.ts';

/** Counts by name: refusals by reason. */
export type Counts = Readonly<Record<string, number>>;

export interface ChatRoomOptions {
  readonly broker: BenchBroker;
  /** Members of the group before anyone joins through the measured link. */
  readonly members: number;
  /** Seeds who joins the mesh through whom, who sends each message, and every node's randomness. */
  readonly seed: number;
  /** Messages timed for latency, one every `intervalMs`, after a warm-up of one per member. */
  readonly latencyMessages: number;
  readonly intervalMs: number;
  /** Messages the group holds when a new node joins: the warm-up, the timed ones and filler. */
  readonly historyMessages: number;
  /** Filler messages sent at once, from random members. */
  readonly fillBatch: number;
  /** Nodes that join in turn, each a fresh node; each leaves and stops before the next. */
  readonly joins: number;
  /** Limit for forming the mesh and the group, for each round's deliveries and for each join. */
  readonly timeoutMs: number;
}

/** The timed round of messages. */
export interface LatencyRound {
  /** `group.send` start at the sender → the `chat` event naming it at one other member, every such pair. */
  readonly latenciesMs: number[];
  /** Per message: `group.send` start → the `chat` event at the last member to get it. */
  readonly lastDeliveryMs: number[];
  /** The warm-up round's latencies (one message from every member in turn). */
  readonly warmupLatenciesMs: number[];
  /** Messages each member sent in the timed round. */
  readonly sent: number[];
  /** First `group.send` → last delivery. */
  readonly roundMs: number;
}

/** One fresh node joining the group that holds the history. */
export interface JoinSample {
  /** `joinGroup` called → `group.chat.size` holds every message of the history. */
  readonly elapsedMs: number;
  /** `readJoinLink` on the link (signature check), before the clock. */
  readonly readLinkMs: number;
  /** `joinGroup` itself (opening the group, writing the member record), inside the clock. */
  readonly joinCallMs: number;
  /** `mesh.connect` through one member, after `joinGroup`, inside the clock (as the app dials the link's nodes). */
  readonly meshConnectMs: number;
  /** Group neighbours of the joiner when its history was complete. */
  readonly neighborsAtEnd: number;
}

export interface ChatRoomReport {
  readonly latency: LatencyRound;
  readonly joins: JoinSample[];
  /** Chat messages the group held when the joins started. */
  readonly historyMessages: number;
  /** Every node's mesh degree when the timed round started. */
  readonly degrees: number[];
  /** First mesh join → every node with its neighbours, in one connected mesh. */
  readonly meshReadyMs: number;
  /** Group created → every node joined (before the mesh) + mesh formed → every member sees every member, less the mesh time. */
  readonly groupReadyMs: number;
  /** Filler sent → every member holds the whole history. */
  readonly fillMs: number;
  /** Refusals summed over the meshes and groups, by reason. */
  readonly rejections: Counts;
}

export interface OpenOptions {
  readonly broker: BenchBroker;
  readonly seed: number;
  /** Chat messages the group holds. */
  readonly messages: number;
  /** `group.send`s in flight at once while writing. */
  readonly writeBatch: number;
  /** Open runs, each alternating with a plain `getAll` of the group's rows. */
  readonly runs: number;
  /** Height of the box the list is mounted in, in CSS pixels. */
  readonly listHeightPx: number;
  readonly timeoutMs: number;
}

/** One cold open of the group and first screen of its chat. */
export interface OpenRun {
  /** `Group.open` + views built + list mounted, updated and one animation frame. */
  readonly totalMs: number;
  readonly groupOpenMs: number;
  readonly viewsMs: number;
  /** Mounting the list until `updateComplete` and one animation frame. */
  readonly firstScreenMs: number;
  /** `await list.scrollToTop()` after that. */
  readonly scrollTopMs: number;
  /** Plain `getAll` of the group's rows of the `records` store, just before. */
  readonly getAllMs: number;
  /** Rows that `getAll` returned. */
  readonly rows: number;
  /** Messages the reopened group held. */
  readonly messages: number;
}

export interface OpenReport {
  readonly runs: OpenRun[];
  /** Writing the messages with `group.send`. */
  readonly writeMs: number;
  /** Message rows rendered in the list's DOM after the last run (the virtualizer's window). */
  readonly renderedRows: number;
}

export interface ChatModule {
  runChatRoom(options: ChatRoomOptions): Promise<ChatRoomReport>;
  runOpen(options: OpenOptions): Promise<OpenReport>;
}
