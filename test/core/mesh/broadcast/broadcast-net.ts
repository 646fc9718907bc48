import { Plumtree } from '../../../../src/core/mesh/broadcast/plumtree.ts';
import type { PlumtreeConfig } from '../../../../src/core/mesh/broadcast/plumtree-config.ts';
import {
  payloadIdBytes,
  plumtreeBody,
  type PlumtreeMessage,
  type PlumtreeMessageType,
} from '../../../../src/core/mesh/broadcast/plumtree-messages.ts';
import type { DeliverOutcome } from '../../../../src/core/mesh/broadcast/plumtree-types.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../../src/core/wire/cbor.ts';
import { toBase64Url } from '../../../../src/lib/bytes.ts';
import { createRandom, type Random } from '../../../../src/lib/random.ts';
import { VirtualClock } from '../../../../src/transport/memory/virtual-clock.ts';

/** Settings of a simulated broadcast network. */
export interface BroadcastNetOptions {
  readonly seed: number;
  readonly nodeCount: number;
  /** Mean degree of the random overlay (about the mesh's active view). */
  readonly meanDegree?: number;
  /** Every node gets at least this many links, as the mesh's `minActiveViewSize` ensures. */
  readonly minDegree?: number;
  readonly maxDegree?: number;
  /** Each link's one-way latency is drawn once from [minLatencyMs, maxLatencyMs]. */
  readonly minLatencyMs?: number;
  readonly maxLatencyMs?: number;
  /** Each frame adds up to this much on top of its link's latency. */
  readonly jitterMs?: number;
  /** Virtual time each `deliver` takes, as signature checks and commits would. */
  readonly deliverDelayMs?: number;
  readonly config?: Partial<PlumtreeConfig>;
}

/**
 * Decides what `deliver` answers for a payload; undefined means the harness accepts it (it
 * does not deduplicate, so a second delivery of one id shows up as a second acceptance).
 */
export type DeliverPolicy = (
  nodeId: string,
  id: Uint8Array,
  payload: Uint8Array,
  from: string,
) => DeliverOutcome | undefined;

/** One simulated node. */
export interface NetNode {
  readonly id: string;
  readonly plumtree: Plumtree;
  /** Payloads it holds, by id key: its own and those it accepted. */
  readonly store: Map<string, Uint8Array>;
  /** Acceptances per id key: 1 for its own broadcasts and for each accepted delivery. */
  readonly accepted: Map<string, number>;
  /** Every `deliver` call, in order. */
  readonly deliverCalls: { readonly key: string; readonly from: string; readonly outcome: string }[];
  /** Frames it sent, by message type, counted on the wire rather than by the protocol. */
  readonly sent: Record<PlumtreeMessageType, number>;
  /** Reasons its `receive` returned. */
  readonly refused: Map<string, number>;
}

interface DirectedLink {
  readonly latencyMs: number;
  dropRate: number;
  /** Arrival time of the last frame sent, so frames arrive in order like a data channel's. */
  lastArrivalMs: number;
}

/** The key the harness files an id under. */
export function keyOf(id: Uint8Array): string {
  return toBase64Url(id);
}

function emptyCounts(): Record<PlumtreeMessageType, number> {
  return { gossip: 0, ihave: 0, graft: 0, prune: 0 };
}

/**
 * N Plumtree instances in one page over a static random overlay, on a `VirtualClock`: frames
 * are encoded to CBOR, delayed by their link's latency plus a little jitter (in order per
 * link, as on a data channel), dropped at a per-link rate, decoded and handed to the receiver.
 * Everything random comes from the seed.
 */
export class BroadcastNet {
  readonly seed: number;
  readonly clock = new VirtualClock();
  readonly nodes = new Map<string, NetNode>();
  /** What `deliver` answers; by default every payload is accepted. */
  policy: DeliverPolicy = () => undefined;
  /** Rewrites what `from` sends to `to`, to play a hostile node; by default it sends as is. */
  tamper: (from: string, to: string, message: PlumtreeMessage) => PlumtreeMessage = (_from, _to, message) =>
    message;
  /** Every payload broadcast, by id key, as its origin sent it. */
  readonly originals = new Map<string, Uint8Array>();
  private readonly options: BroadcastNetOptions;
  private readonly random: Random;
  private readonly latency: Random;
  private readonly loss: Random;
  private readonly payloads: Random;
  private readonly links = new Map<string, DirectedLink>();

  constructor(options: BroadcastNetOptions) {
    this.options = options;
    this.seed = options.seed;
    this.random = createRandom(options.seed);
    this.latency = this.random.fork('latency');
    this.loss = this.random.fork('loss');
    this.payloads = this.random.fork('payloads');
    for (let i = 0; i < options.nodeCount; i++) this.addNode(`n${i}`);
    this.buildOverlay(this.random.fork('overlay'));
  }

  /** The node `id`; throws if there is none. */
  node(id: string): NetNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Undirected links, each once, as `[a, b]` with a before b in creation order. */
  edges(): [string, string][] {
    const out: [string, string][] = [];
    for (const key of this.links.keys()) {
      const [a, b] = key.split('>') as [string, string];
      if (Number(a.slice(1)) < Number(b.slice(1))) out.push([a, b]);
    }
    return out;
  }

  /** The neighbours of `id` in the overlay. */
  neighbors(id: string): string[] {
    const out: string[] = [];
    for (const key of this.links.keys()) {
      const [a, b] = key.split('>') as [string, string];
      if (a === id) out.push(b);
    }
    return out;
  }

  /** Links `a` and `b` and makes each the other's neighbour. */
  connect(a: string, b: string): void {
    if (a === b || this.links.has(`${a}>${b}`)) return;
    const { minLatencyMs = 5, maxLatencyMs = 50 } = this.options;
    const latencyMs = minLatencyMs + this.latency.int(maxLatencyMs - minLatencyMs + 1);
    this.links.set(`${a}>${b}`, { latencyMs, dropRate: 0, lastArrivalMs: 0 });
    this.links.set(`${b}>${a}`, { latencyMs, dropRate: 0, lastArrivalMs: 0 });
    this.node(a).plumtree.addNeighbor(b);
    this.node(b).plumtree.addNeighbor(a);
  }

  /** Cuts the link: frames in flight are lost and both ends forget each other. */
  disconnect(a: string, b: string): void {
    this.links.delete(`${a}>${b}`);
    this.links.delete(`${b}>${a}`);
    this.node(a).plumtree.removeNeighbor(b);
    this.node(b).plumtree.removeNeighbor(a);
  }

  /** Drops each frame between `a` and `b`, both ways, with probability `rate`. */
  setDropRate(a: string, b: string, rate: number): void {
    for (const key of [`${a}>${b}`, `${b}>${a}`]) {
      const link = this.links.get(key);
      if (link !== undefined) link.dropRate = rate;
    }
  }

  /** `nodeId` commits and broadcasts a fresh random payload; returns its id. */
  broadcast(nodeId: string): Uint8Array {
    const id = new Uint8Array(payloadIdBytes);
    for (let i = 0; i < id.length; i++) id[i] = this.payloads.int(256);
    const payload = new Uint8Array(64 + this.payloads.int(192));
    for (let i = 0; i < payload.length; i++) payload[i] = this.payloads.int(256);
    const node = this.node(nodeId);
    const key = keyOf(id);
    this.originals.set(key, payload);
    node.store.set(key, payload);
    node.accepted.set(key, (node.accepted.get(key) ?? 0) + 1);
    node.plumtree.broadcast(id, payload);
    return id;
  }

  /** Hands `value` to `to` as if `from` had sent it; returns `receive`'s answer. */
  inject(to: string, from: string, value: WireValue): string | undefined {
    return this.node(to).plumtree.receive(from, value);
  }

  /** Frames sent by every node, by type. */
  framesByType(): Record<PlumtreeMessageType, number> {
    const total = emptyCounts();
    for (const node of this.nodes.values()) {
      for (const type of Object.keys(total) as PlumtreeMessageType[]) total[type] += node.sent[type];
    }
    return total;
  }

  /** Frames sent by every node, all types together. */
  totalFrames(): number {
    const byType = this.framesByType();
    return byType.gossip + byType.ihave + byType.graft + byType.prune;
  }

  /**
   * Problems with the delivery of `ids`: a node that never accepted one or accepted it more
   * than once. Empty when every node holds every id exactly once.
   */
  deliveryProblems(ids: readonly Uint8Array[]): string[] {
    const problems: string[] = [];
    for (const node of this.nodes.values()) {
      for (const id of ids) {
        const count = node.accepted.get(keyOf(id)) ?? 0;
        if (count !== 1) problems.push(`${node.id} accepted ${keyOf(id)} ${count} times`);
      }
    }
    return problems;
  }

  private addNode(id: string): void {
    const sent = emptyCounts();
    const store = new Map<string, Uint8Array>();
    const accepted = new Map<string, number>();
    const deliverCalls: NetNode['deliverCalls'] = [];
    const plumtree = new Plumtree(
      {
        nodeId: id,
        timers: this.clock,
        random: this.random.fork(`plumtree/${id}`),
        send: (to, message) => {
          sent[message.type]++;
          this.transmit(id, to, message);
        },
        deliver: async (payloadId, payload, from) => {
          const delayMs = this.options.deliverDelayMs ?? 0;
          if (delayMs > 0) await this.clock.sleep(delayMs);
          const key = keyOf(payloadId);
          const outcome = this.policy(id, payloadId, payload, from) ?? 'accepted';
          deliverCalls.push({ key, from, outcome });
          if (outcome === 'accepted') {
            store.set(key, payload);
            accepted.set(key, (accepted.get(key) ?? 0) + 1);
          }
          return outcome;
        },
        lookup: (payloadId) => Promise.resolve(store.get(keyOf(payloadId))),
      },
      this.options.config ?? {},
    );
    this.nodes.set(id, { id, plumtree, store, accepted, deliverCalls, sent, refused: new Map() });
  }

  /**
   * A spanning tree first (so the overlay is connected), then links from nodes below the
   * minimum degree, then random links up to the mean degree.
   */
  private buildOverlay(random: Random): void {
    const ids = [...this.nodes.keys()];
    const { meanDegree = 5, minDegree = 3, maxDegree = 8 } = this.options;
    const degree = (id: string): number => this.neighbors(id).length;
    const open = (exclude: string): string[] =>
      ids.filter((id) => id !== exclude && degree(id) < maxDegree && !this.links.has(`${exclude}>${id}`));
    for (let i = 1; i < ids.length; i++) {
      const candidates = ids.slice(0, i).filter((id) => degree(id) < maxDegree);
      this.connect(ids[i] as string, random.pick(candidates));
    }
    for (const id of ids) {
      for (
        let candidates = open(id);
        degree(id) < minDegree && candidates.length > 0;
        candidates = open(id)
      ) {
        this.connect(id, random.pick(candidates));
      }
    }
    const targetLinks = Math.round((ids.length * meanDegree) / 2);
    for (let attempt = 0; this.links.size / 2 < targetLinks && attempt < 100 * targetLinks; attempt++) {
      const a = random.pick(ids);
      const b = random.pick(ids);
      if (a !== b && degree(a) < maxDegree && degree(b) < maxDegree) this.connect(a, b);
    }
  }

  private transmit(from: string, to: string, message: PlumtreeMessage): void {
    const link = this.links.get(`${from}>${to}`);
    if (link === undefined) return;
    const bytes = encodeCbor(plumtreeBody(this.tamper(from, to, message)));
    // Loss is drawn for every frame, even on lossless links, so one link's rate does not
    // shift the random stream of the others.
    if (this.loss.next() < link.dropRate) return;
    const delayMs = link.latencyMs + this.latency.int((this.options.jitterMs ?? 2) + 1);
    const arrivalMs = Math.max(this.clock.nowMs() + delayMs, link.lastArrivalMs);
    link.lastArrivalMs = arrivalMs;
    this.clock.scheduleAt(arrivalMs, () => {
      if (this.links.get(`${from}>${to}`) !== link) return;
      const receiver = this.node(to);
      const reason = receiver.plumtree.receive(from, decodeCbor(bytes));
      if (reason !== undefined) receiver.refused.set(reason, (receiver.refused.get(reason) ?? 0) + 1);
    });
  }
}
