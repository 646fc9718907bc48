import { sha256 } from '@noble/hashes/sha2.js';
import { Dht } from '../../src/core/names/dht.ts';
import type {
  DhtCarrier,
  DhtConfig,
  DhtValuePolicy,
  DhtValueVerdict,
} from '../../src/core/names/dht-types.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../src/core/wire/cbor.ts';
import { maxControlFrameBytes } from '../../src/core/wire/frame.ts';
import { bytes, integer, object, parse, text, type Infer } from '../../src/core/wire/schema.ts';
import { equalBytes, toBase32, utf8 } from '../../src/lib/bytes.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';
import type { MemoryLink } from '../../src/transport/memory/memory-link.ts';
import { MemoryNetwork } from '../../src/transport/memory/memory-network.ts';
import type { MemoryTransport } from '../../src/transport/memory/memory-transport.ts';

/**
 * A `DhtCarrier` on the memory network: links are dialled the first time a node is sent
 * something and kept until idle, bodies travel as CBOR like on the mesh. `neighbors()` is
 * the node the simulated node joined through.
 */
export class MemoryCarrier implements DhtCarrier {
  readonly nodeId: string;
  private readonly transport: MemoryTransport;
  private readonly contacts: readonly string[];
  private readonly links = new Map<string, MemoryLink>();
  private readonly lastUsedMs = new Map<MemoryLink, number>();
  private readonly dials = new Map<string, Promise<MemoryLink>>();
  private readonly nowMs: () => number;
  private receiver: ((from: string, body: WireValue) => Promise<string | undefined>) | undefined;
  private unsubscribe: () => void = () => undefined;

  constructor(transport: MemoryTransport, nowMs: () => number, contacts: readonly string[]) {
    this.transport = transport;
    this.nodeId = transport.nodeId;
    this.nowMs = nowMs;
    this.contacts = contacts;
  }

  /** Hands every frame to `dht`, from now on. */
  bind(dht: Pick<Dht, 'receive'>): void {
    this.receiver = (from, body) => dht.receive(from, body);
    this.unsubscribe = this.transport.on('link', (link) => this.adopt(link));
  }

  neighbors(): readonly string[] {
    return this.contacts;
  }

  async send(nodeId: string, body: WireValue): Promise<void> {
    const frame = encodeCbor(body, { maxBytes: maxControlFrameBytes });
    const link = await this.linkTo(nodeId);
    this.lastUsedMs.set(link, this.nowMs());
    await link.send(frame);
  }

  /** Closes links unused for `idleMs`, as a browser would let go of idle connections. */
  closeIdle(idleMs: number): void {
    const nowMs = this.nowMs();
    for (const link of [...this.links.values()]) {
      if (nowMs - (this.lastUsedMs.get(link) ?? 0) >= idleMs) link.close('idle');
    }
  }

  stop(): void {
    this.unsubscribe();
    this.receiver = undefined;
  }

  private linkTo(nodeId: string): Promise<MemoryLink> {
    const open = this.links.get(nodeId);
    if (open?.open === true) return Promise.resolve(open);
    const pending = this.dials.get(nodeId);
    if (pending !== undefined) return pending;
    const dial = this.transport
      .dial(nodeId)
      .then((link) => this.adopt(link))
      .finally(() => this.dials.delete(nodeId));
    this.dials.set(nodeId, dial);
    return dial;
  }

  private adopt(link: MemoryLink): MemoryLink {
    const remote = link.remoteNodeId;
    // When both ends dial at once there are two links; either carries frames both ways.
    this.links.set(remote, link);
    this.lastUsedMs.set(link, this.nowMs());
    link.on('message', (frame) => {
      this.lastUsedMs.set(link, this.nowMs());
      // Simulated nodes are honest: a frame that does not decode is a bug, and throws.
      void this.receiver?.(remote, decodeCbor(frame, { maxBytes: maxControlFrameBytes }));
    });
    link.on('close', () => {
      this.lastUsedMs.delete(link);
      if (this.links.get(remote) === link) this.links.delete(remote);
    });
    return link;
  }
}

const simValueSchema = object({
  slot: text({ minLength: 1, maxLength: 64 }),
  version: integer({ min: 0 }),
  expiresAtMs: integer({ min: 0 }),
  blob: bytes({ maxLength: 256 }),
});

/** A value of the simulation's policy: whose it is, its version, its expiry and some bytes. */
export type SimValue = Infer<typeof simValueSchema>;

/** The bytes of a simulated value. */
export function encodeSimValue(value: SimValue): Uint8Array {
  return encodeCbor({ ...value });
}

/**
 * The simulation's value policy: a value is CBOR `{slot, version, expiresAtMs, blob}`, refused
 * when malformed (`malformed`) or expired (`expired`). It answers at once, so runs stay seeded.
 */
export const simPolicy: DhtValuePolicy = {
  check: (_key, value, nowMs) => Promise.resolve(simVerdict(value, nowMs)),
};

function simVerdict(value: Uint8Array, nowMs: number): DhtValueVerdict {
  let decoded: WireValue;
  try {
    decoded = decodeCbor(value);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = parse(simValueSchema, decoded);
  if (!parsed.ok) return { ok: false, reason: 'malformed' };
  const { slot, version, expiresAtMs } = parsed.value;
  return expiresAtMs <= nowMs ? { ok: false, reason: 'expired' } : { ok: true, slot, version, expiresAtMs };
}

/** A well-formed node id (`m` + 32 base32 characters) derived from `label`. */
export function simNodeId(label: string): string {
  return 'm' + toBase32(sha256(utf8(`sim-node/${label}`))).slice(0, 32);
}

/** A 32-byte DHT key derived from `label`. */
export function simKey(label: string): Uint8Array {
  return sha256(utf8(`sim-key/${label}`));
}

/** One simulated DHT node. */
export interface SimDhtNode {
  readonly nodeId: string;
  readonly transport: MemoryTransport;
  readonly carrier: MemoryCarrier;
  readonly dht: Dht;
}

/** Options of `simulateNames`. */
export interface NamesSimulationOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Crash 20 % of the nodes and add 10 % new ones, over virtual minutes, after the puts. */
  readonly churn?: boolean;
  /** Random gets after the churn (default 200). */
  readonly lookups?: number;
  /** Keys put (default 100); one in four expires before the gets, one in five has 3 owners. */
  readonly keys?: number;
  readonly dht?: Partial<DhtConfig>;
}

/** What `simulateNames` measured. */
export interface NamesSimulationResult {
  readonly seed: number;
  /** Hops of every get of a key with live values. */
  readonly hops: number[];
  readonly medianHops: number;
  readonly p95Hops: number;
  /** Live values the gets were expected to return, and did. */
  readonly found: number;
  /** Live values a get did not return. */
  readonly missed: number;
  /** No store holds an expired value after the sweeps, and no get returned one. */
  readonly expiredGone: boolean;
  /** Replicas that acknowledged each put. */
  readonly putAcks: number[];
  /** Values whose lifetime ended before the gets. */
  readonly expiredValues: number;
  /** Frames sent in each phase: join, settle, put, churn (or wait), get. */
  readonly framesByPhase: Readonly<Record<string, number>>;
  readonly liveNodes: number;
  readonly meanContacts: number;
  readonly virtualMs: number;
  /** What failed, one line per miss (empty when everything was found). */
  readonly problems: string[];
}

interface Registered {
  readonly label: string;
  readonly key: Uint8Array;
  readonly values: { readonly bytes: Uint8Array; readonly expiresAtMs: number }[];
}

/** The `q`-quantile of `values` (nearest rank), 0 when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Simulation settings: a shorter republish, so churn is repaired within the run. */
const simDhtConfig: Partial<DhtConfig> = { republishIntervalMs: 60_000, refreshIntervalMs: 10 * 60_000 };

class NamesSimulation {
  readonly network: MemoryNetwork;
  readonly nodes = new Map<string, SimDhtNode>();
  readonly script: Random;
  private readonly random: Random;
  private readonly config: Partial<DhtConfig>;
  private created = 0;

  constructor(seed: number, config: Partial<DhtConfig>) {
    this.random = createRandom(seed);
    this.script = this.random.fork('script');
    this.network = new MemoryNetwork({ random: this.random.fork('network'), dialTimeoutMs: 2_000 });
    this.config = config;
  }

  async addNode(): Promise<SimDhtNode> {
    const nodeId = simNodeId(`${this.random.seed}/${this.created++}`);
    const live = [...this.nodes.keys()];
    const via = live.length === 0 ? [] : [this.script.pick(live)];
    const transport = this.network.createTransport(nodeId);
    await transport.start();
    const clock = this.network.clock;
    const carrier = new MemoryCarrier(transport, () => clock.nowMs(), via);
    const dht = new Dht(
      { carrier, timers: clock, random: this.random.fork(`dht/${nodeId}`), policy: simPolicy },
      this.config,
    );
    carrier.bind(dht);
    dht.start();
    const node = { nodeId, transport, carrier, dht };
    this.nodes.set(nodeId, node);
    return node;
  }

  crash(nodeId: string): void {
    const node = this.nodes.get(nodeId);
    node?.dht.stop();
    node?.carrier.stop();
    node?.transport.stop();
    this.nodes.delete(nodeId);
  }

  /** Runs virtual time for `durationMs`, letting idle links go every 10 s as it goes. */
  async advance(durationMs: number): Promise<void> {
    for (let elapsedMs = 0; elapsedMs < durationMs; elapsedMs += 10_000) {
      await this.network.advance(Math.min(10_000, durationMs - elapsedMs));
      for (const node of this.nodes.values()) node.carrier.closeIdle(30_000);
    }
  }

  /** Runs the clock until every promise of `work` settled (or `limitMs` passed: a hang). */
  async settle<T>(work: readonly Promise<T>[], limitMs = 60_000): Promise<T[]> {
    let pending = work.length;
    const settled = (): number => pending--;
    for (const promise of work) promise.then(settled, settled);
    for (let elapsedMs = 0; pending > 0 && elapsedMs < limitMs; elapsedMs += 1_000) {
      await this.network.advance(1_000);
    }
    if (pending > 0) throw new Error(`${pending} DHT operations did not finish in ${limitMs} ms.`);
    return Promise.all(work);
  }

  randomNode(): SimDhtNode {
    return this.script.pick([...this.nodes.values()]);
  }
}

/**
 * A seeded run of the names DHT on `nodes` simulated nodes: they join one by one through a
 * random earlier node, settle, put values from random nodes, optionally live through churn,
 * and then answer random gets. Every value unexpired at the end must be found; every expired
 * one must be gone from every store and from every answer.
 */
export async function simulateNames(options: NamesSimulationOptions): Promise<NamesSimulationResult> {
  const { seed, nodes, churn = false, lookups = 200, keys = 100 } = options;
  const sim = new NamesSimulation(seed, { ...simDhtConfig, ...options.dht });
  for (let i = 0; i < nodes; i++) {
    await sim.addNode();
    await sim.network.advance(500);
  }
  const framesByPhase: Record<string, number> = {};
  const mark = (phase: string): void => {
    const earlier = Object.values(framesByPhase).reduce((sum, frames) => sum + frames, 0);
    framesByPhase[phase] = sim.network.stats().framesSent - earlier;
  };
  mark('join');
  await sim.advance(120_000);
  mark('settle');
  const registered = await putValues(sim, keys);
  mark('put');
  // With churn, 20 % of the nodes crash and 10 % join, in ten rounds 30 s apart.
  for (let round = 0; round < 10; round++) {
    if (churn) {
      const victims = sim.script.shuffle([...sim.nodes.keys()]).slice(0, Math.round(nodes * 0.02));
      for (const nodeId of victims) sim.crash(nodeId);
      for (let j = 0; j < Math.round(nodes * 0.01); j++) await sim.addNode();
    }
    await sim.advance(30_000);
  }
  // Past the short lifetimes and at least one sweep of every node.
  await sim.advance(120_000);
  mark(churn ? 'churn' : 'wait');
  const gets = await runGets(sim, registered.entries, lookups);
  mark('get');
  return { seed, ...gets, putAcks: registered.acks, framesByPhase };
}

async function putValues(
  sim: NamesSimulation,
  count: number,
): Promise<{ entries: Registered[]; acks: number[] }> {
  const nowMs = sim.network.clock.nowMs();
  const entries: Registered[] = [];
  const puts: Promise<{ stored: number }>[] = [];
  for (let i = 0; i < count; i++) {
    const label = `key-${i}`;
    const key = simKey(label);
    const expiresAtMs = nowMs + (i % 4 === 0 ? 3 * 60_000 : 60 * 60_000);
    const owners = i % 5 === 0 ? 3 : 1;
    const entry: Registered = { label, key, values: [] };
    for (let owner = 0; owner < owners; owner++) {
      const bytes = encodeSimValue({ slot: `owner-${owner}`, version: 1, expiresAtMs, blob: utf8(label) });
      entry.values.push({ bytes, expiresAtMs });
      puts.push(sim.randomNode().dht.put(key, bytes));
    }
    entries.push(entry);
  }
  const results = await sim.settle(puts);
  return { entries, acks: results.map((result) => result.stored) };
}

async function runGets(
  sim: NamesSimulation,
  entries: readonly Registered[],
  lookups: number,
): Promise<Omit<NamesSimulationResult, 'seed' | 'putAcks' | 'framesByPhase'>> {
  const nowMs = sim.network.clock.nowMs();
  const hops: number[] = [];
  const problems: string[] = [];
  let found = 0;
  let expiredReturned = 0;
  const batch = 25;
  for (let start = 0; start < lookups; start += batch) {
    const asks = Array.from({ length: Math.min(batch, lookups - start) }, () => {
      const entry = sim.script.pick(entries);
      const node = sim.randomNode();
      return { entry, node, result: node.dht.get(entry.key) };
    });
    const results = await sim.settle(asks.map((ask) => ask.result));
    for (const [index, ask] of asks.entries()) {
      const values = results[index]?.values ?? [];
      const live = ask.entry.values.filter((value) => value.expiresAtMs > nowMs);
      if (live.length > 0) hops.push(results[index]?.hops ?? -1);
      for (const value of ask.entry.values) {
        const returned = values.some((bytes) => equalBytes(bytes, value.bytes));
        if (value.expiresAtMs <= nowMs && returned) expiredReturned++;
        if (value.expiresAtMs <= nowMs) continue;
        if (returned) found++;
        else problems.push(`${ask.node.nodeId} missed a value of ${ask.entry.label}`);
      }
    }
  }
  const live = [...sim.nodes.values()];
  // Held counts what the stores physically keep; held(key) only what is unexpired.
  const physically = live.reduce((sum, node) => sum + node.dht.stats().held, 0);
  const unexpired = live.reduce(
    (sum, node) => sum + entries.reduce((inner, entry) => inner + node.dht.held(entry.key).length, 0),
    0,
  );
  const missed = problems.length;
  if (physically !== unexpired) problems.push(`${physically - unexpired} expired values are still stored`);
  if (expiredReturned > 0) problems.push(`gets returned ${expiredReturned} expired values`);
  return {
    hops,
    medianHops: quantile(hops, 0.5),
    p95Hops: quantile(hops, 0.95),
    found,
    missed,
    expiredGone: physically === unexpired && expiredReturned === 0,
    expiredValues: entries.reduce(
      (sum, entry) => sum + entry.values.filter((value) => value.expiresAtMs <= nowMs).length,
      0,
    ),
    liveNodes: live.length,
    meanContacts: live.reduce((sum, node) => sum + node.dht.contactCount(), 0) / Math.max(1, live.length),
    virtualMs: sim.network.clock.nowMs(),
    problems,
  };
}
