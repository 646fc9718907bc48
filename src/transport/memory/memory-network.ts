import type { Random } from '../../lib/random.ts';
import { BrokerError, DialError } from '../errors.ts';
import { MemoryLink, type LinkCarrier } from './memory-link.ts';
import { MemoryTransport, type TransportFabric } from './memory-transport.ts';
import { VirtualClock, type RunOptions } from './virtual-clock.ts';

/** One-way delay of every frame, connect and close, drawn uniformly from [min, max]. */
export interface LatencyRange {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * How `lossRate` acts. `break-link` (the default) models a reliable data channel: it never
 * drops a message silently, so a lost frame breaks the whole link (both ends get `close`,
 * reason `connection lost`) and the frames after it never arrive. `drop-message` drops single
 * frames silently and keeps the link up, for protocols meant to run over unreliable channels.
 */
export type LossMode = 'break-link' | 'drop-message';

/** Settings of a `MemoryNetwork`. */
export interface MemoryNetworkInit {
  /** Every latency and loss draw comes from forks of this, so a seed replays a whole run. */
  readonly random: Random;
  /** Pass one to share virtual time with other simulated parts; a new one otherwise. */
  readonly clock?: VirtualClock;
  /** Default 5–50 ms. */
  readonly latencyMs?: LatencyRange;
  /** Probability that a given frame is lost, in [0, 1]; default 0. */
  readonly lossRate?: number;
  readonly lossMode?: LossMode;
  /** How long a dial across a partition waits before failing, as the PeerJS one; default 15 s. */
  readonly dialTimeoutMs?: number;
}

/** Counts over the whole network since it was made. */
export interface NetworkStats {
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly framesDelivered: number;
  readonly bytesDelivered: number;
  /** Frames lost to `lossRate`, or sent to an end that had closed by the time they arrived. */
  readonly framesDropped: number;
  readonly dials: number;
  readonly dialsFailed: number;
  readonly linksOpened: number;
  /** Links broken by loss or a partition (not closed by either end). */
  readonly linksBroken: number;
}

/** The two ends of a link and, per direction, the earliest time its next frame may arrive. */
interface Wire {
  readonly ends: readonly [MemoryLink, MemoryLink];
  readonly readyAtMs: [number, number];
}

/** Two groups of node ids that cannot reach each other. */
interface Partition {
  readonly a: ReadonlySet<string>;
  readonly b: ReadonlySet<string>;
}

type Counters = { -readonly [K in keyof NetworkStats]: number };

function checkLatency(latency: LatencyRange): LatencyRange {
  const { minMs, maxMs } = latency;
  if (!(minMs >= 0 && maxMs >= minMs && Number.isFinite(maxMs))) {
    throw new RangeError(`Latency needs 0 <= min <= max, not ${minMs}..${maxMs} ms.`);
  }
  return { minMs, maxMs };
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`A loss rate is in [0, 1], not ${rate}.`);
  return rate;
}

/**
 * An in-memory network for seeded simulations of many nodes in one page. It plays the broker
 * (who is online) and the wires (latency, loss, partitions), and every event happens as a
 * task of its `VirtualClock`: nothing moves until the clock runs, and the same seed and the
 * same script give the same run, event for event.
 */
export class MemoryNetwork implements TransportFabric, LinkCarrier {
  /** Virtual time; run the simulation with `runUntilIdle`, `advance` or `step`. */
  readonly clock: VirtualClock;
  private readonly latencyRandom: Random;
  private readonly lossRandom: Random;
  private latency: LatencyRange;
  private lossRate: number;
  private readonly lossMode: LossMode;
  private readonly dialTimeoutMs: number;
  private readonly online = new Map<string, MemoryTransport>();
  private readonly wires = new Map<MemoryLink, Wire>();
  private partitions: Partition[] = [];
  private readonly counters: Counters = {
    framesSent: 0,
    bytesSent: 0,
    framesDelivered: 0,
    bytesDelivered: 0,
    framesDropped: 0,
    dials: 0,
    dialsFailed: 0,
    linksOpened: 0,
    linksBroken: 0,
  };

  constructor(init: MemoryNetworkInit) {
    this.clock = init.clock ?? new VirtualClock();
    // Separate streams, so changing the loss rate does not move any latency draw.
    this.latencyRandom = init.random.fork('memory-network/latency');
    this.lossRandom = init.random.fork('memory-network/loss');
    this.latency = checkLatency(init.latencyMs ?? { minMs: 5, maxMs: 50 });
    this.lossRate = checkRate(init.lossRate ?? 0);
    this.lossMode = init.lossMode ?? 'break-link';
    this.dialTimeoutMs = init.dialTimeoutMs ?? 15_000;
  }

  /** A transport for `nodeId` on this network; it is reachable once started. */
  createTransport(nodeId: string): MemoryTransport {
    return new MemoryTransport(nodeId, this);
  }

  /** Node ids of the started transports, in the order they came online. */
  onlineNodeIds(): string[] {
    return [...this.online.keys()];
  }

  /**
   * Cuts `groupA` off from `groupB`: links between them break now (both ends get `close`,
   * reason `network partition`) and dials between them time out, until `heal`.
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    const cut: Partition = { a: new Set(groupA), b: new Set(groupB) };
    this.partitions.push(cut);
    for (const wire of new Set(this.wires.values())) {
      const [x, y] = wire.ends;
      if (this.separates(cut, x.localNodeId, y.localNodeId)) this.breakWire(wire, 'network partition');
    }
  }

  /** Lifts every partition. Broken links stay closed; new dials succeed again. */
  heal(): void {
    this.partitions = [];
  }

  /** Whether `nodeA` and `nodeB` are on opposite sides of a partition. */
  isPartitioned(nodeA: string, nodeB: string): boolean {
    return this.partitions.some((cut) => this.separates(cut, nodeA, nodeB));
  }

  /** Sets the probability that a frame sent from now on is lost (see `LossMode`). */
  setLoss(rate: number): void {
    this.lossRate = checkRate(rate);
  }

  /** Sets the one-way delay range for everything sent from now on. */
  setLatency(latency: LatencyRange): void {
    this.latency = checkLatency(latency);
  }

  /** A snapshot of the network-wide counters. */
  stats(): NetworkStats {
    return { ...this.counters };
  }

  /** Runs the clock until nothing is left to deliver; see `VirtualClock.runUntilIdle`. */
  runUntilIdle(options?: RunOptions): Promise<number> {
    return this.clock.runUntilIdle(options);
  }

  /** Runs everything due in the next `durationMs` of virtual time. */
  advance(durationMs: number): Promise<number> {
    return this.clock.advance(durationMs);
  }

  /** Runs the next task only. */
  step(): Promise<boolean> {
    return this.clock.step();
  }

  register(transport: MemoryTransport): void {
    if (this.online.has(transport.nodeId)) {
      throw new BrokerError('This identity is already online elsewhere with the same node id.');
    }
    this.online.set(transport.nodeId, transport);
  }

  unregister(transport: MemoryTransport): void {
    if (this.online.get(transport.nodeId) === transport) this.online.delete(transport.nodeId);
  }

  /**
   * The offer reaches the callee after one delay. If the callee is offline the refusal comes
   * back after another; across a partition nothing comes back and the dial times out. If it
   * is reachable the callee gets `link` at once and the caller gets its end one delay later,
   * before anything the callee sent on it.
   */
  dial(caller: MemoryTransport, nodeId: string, signal: AbortSignal | undefined): Promise<MemoryLink> {
    this.counters.dials++;
    return new Promise<MemoryLink>((resolve, reject) => {
      const startedAtMs = this.clock.nowMs();
      let cancelTimer: () => void = () => undefined;
      let callerEnd: MemoryLink | undefined;
      let settled = false;
      const settle = (): void => {
        settled = true;
        cancelTimer();
        forgetDial();
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: DialError): void => {
        if (settled) return;
        settle();
        this.counters.dialsFailed++;
        callerEnd?.close('dial cancelled');
        reject(error);
      };
      const onAbort = (): void => fail(new DialError(`Dialling ${nodeId} was cancelled.`));
      const forgetDial = caller.trackDial(fail);
      signal?.addEventListener('abort', onAbort);
      cancelTimer = this.clock.schedule(this.delay(), () => {
        const callee = this.online.get(nodeId);
        if (callee === undefined) {
          cancelTimer = this.clock.schedule(this.delay(), () =>
            fail(new DialError(`${nodeId} is not online.`)),
          );
        } else if (this.isPartitioned(caller.nodeId, nodeId)) {
          cancelTimer = this.clock.scheduleAt(startedAtMs + this.dialTimeoutMs, () =>
            fail(new DialError(`${nodeId} did not answer in time.`)),
          );
        } else {
          const answerAtMs = this.clock.nowMs() + this.delay();
          const [mine, theirs] = this.connect(caller, callee, answerAtMs);
          callerEnd = mine;
          callee.accept(theirs);
          cancelTimer = this.clock.scheduleAt(answerAtMs, () => {
            if (!mine.open) {
              fail(new DialError(`The link to ${nodeId} was lost while opening.`));
              return;
            }
            settle();
            resolve(mine);
          });
        }
      });
    });
  }

  carry(from: MemoryLink, message: Uint8Array): void {
    const { wire, side } = this.wireOf(from);
    this.counters.framesSent++;
    this.counters.bytesSent += message.byteLength;
    const lost = this.lossRandom.chance(this.lossRate);
    if (lost && this.lossMode === 'drop-message') {
      this.counters.framesDropped++;
      return;
    }
    const to = wire.ends[1 - side] as MemoryLink;
    this.clock.scheduleAt(this.arrivalAt(wire, side), () => {
      if (lost) {
        this.counters.framesDropped++;
        this.breakWire(wire, 'connection lost');
      } else if (to.deliver(message)) {
        this.counters.framesDelivered++;
        this.counters.bytesDelivered += message.byteLength;
      } else {
        this.counters.framesDropped++;
      }
    });
  }

  carryClose(from: MemoryLink): void {
    const { wire, side } = this.wireOf(from);
    const to = wire.ends[1 - side] as MemoryLink;
    this.clock.scheduleAt(this.arrivalAt(wire, side), () => {
      to.sever('closed by the other side');
      this.forgetIfClosed(wire);
    });
  }

  /** Makes both ends of a new link; the callee's frames may not arrive before `answerAtMs`. */
  private connect(
    caller: MemoryTransport,
    callee: MemoryTransport,
    answerAtMs: number,
  ): [MemoryLink, MemoryLink] {
    const mine = this.linkEnd(caller, callee.nodeId);
    const theirs = this.linkEnd(callee, caller.nodeId);
    const wire: Wire = { ends: [mine, theirs], readyAtMs: [this.clock.nowMs(), answerAtMs] };
    this.wires.set(mine, wire);
    this.wires.set(theirs, wire);
    this.counters.linksOpened++;
    return [mine, theirs];
  }

  private linkEnd(owner: MemoryTransport, remoteNodeId: string): MemoryLink {
    const link = new MemoryLink(owner.nodeId, remoteNodeId, this, (closed) => owner.release(closed));
    owner.adopt(link);
    return link;
  }

  private wireOf(link: MemoryLink): { wire: Wire; side: 0 | 1 } {
    const wire = this.wires.get(link);
    if (wire === undefined) throw new Error(`No wire for a link to ${link.remoteNodeId}.`);
    return { wire, side: wire.ends[0] === link ? 0 : 1 };
  }

  /** When a frame sent now from `side` arrives: a fresh delay, but never before earlier frames. */
  private arrivalAt(wire: Wire, side: 0 | 1): number {
    const atMs = Math.max(this.clock.nowMs() + this.delay(), wire.readyAtMs[side]);
    wire.readyAtMs[side] = atMs;
    return atMs;
  }

  private delay(): number {
    const { minMs, maxMs } = this.latency;
    return minMs + this.latencyRandom.next() * (maxMs - minMs);
  }

  private breakWire(wire: Wire, reason: string): void {
    if (wire.ends.some((end) => end.open)) this.counters.linksBroken++;
    for (const end of wire.ends) end.sever(reason);
    this.forgetIfClosed(wire);
  }

  private forgetIfClosed(wire: Wire): void {
    if (wire.ends.some((end) => end.open)) return;
    for (const end of wire.ends) this.wires.delete(end);
  }

  private separates(cut: Partition, nodeA: string, nodeB: string): boolean {
    return (cut.a.has(nodeA) && cut.b.has(nodeB)) || (cut.b.has(nodeA) && cut.a.has(nodeB));
  }
}
