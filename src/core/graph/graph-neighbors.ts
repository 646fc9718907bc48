import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { FrameKind } from '../wire/frame.ts';
import type { GraphPart } from './graph-messages.ts';
import { GraphNeighbor } from './graph-neighbor.ts';
import { reconcileStart, reconcileStep } from './reconcile-adapter.ts';
import type { RecordIndex } from './record-index.ts';
import { isSendersFault, type IntakeVerdict } from './record-intake.ts';
import type { GraphPeer, SecurityProvider } from './security.ts';

/** What a graph's neighbour set uses of the graph around it. */
export interface GraphNeighborsComponents {
  readonly nodeId: string;
  readonly provider: SecurityProvider;
  readonly index: RecordIndex;
  readonly timers: Timers;
  /** Wait after records came by reconciliation before reconciling with the others. */
  readonly passOnDelayMs: number;
  /** How long synchronisation with a neighbour may hang before it is given up. */
  readonly stallTimeoutMs: number;
  /** Whether `nodeId` is a neighbour of the node's mesh now. */
  isMeshNeighbor(nodeId: string): boolean;
  send(nodeId: string, part: GraphPart, kind: FrameKind): Promise<void>;
  offer(encoded: Uint8Array): Promise<IntakeVerdict>;
  loadEncoded(keys: readonly string[]): Promise<Uint8Array[]>;
  /** A neighbour joined or left the graph. */
  changed(nodeId: string, change: 'connected' | 'disconnected'): void;
  /** Some neighbour became settled, or the set changed: the graph recomputes its status. */
  recheck(): void;
}

/** Refused peers remembered for another try: a mesh has a handful of neighbours. */
const maxRefusedPeers = 64;

/**
 * Which mesh neighbours take part in a graph, and the synchronisation with each. Two nodes
 * take part together once each has the graph open and has said so (a hello, answered once)
 * and the security provider authorizes the peer.
 */
export class GraphNeighbors {
  private readonly components: GraphNeighborsComponents;
  private readonly neighbors = new Map<string, GraphNeighbor>();
  /** Neighbours that brought records by reconciliation since the last pass-on round. */
  private readonly passOnSources = new Set<string>();
  private cancelPassOn: (() => void) | undefined;
  /** Peers the provider refused, with the credential they showed, to ask about again. */
  private readonly refused = new Map<string, { from: GraphPeer; credential?: Uint8Array }>();
  /** Peers that refused this node. */
  private readonly refusers = new Set<string>();
  private closed = false;

  constructor(components: GraphNeighborsComponents) {
    this.components = components;
  }

  get size(): number {
    return this.neighbors.size;
  }

  ids(): string[] {
    return [...this.neighbors.keys()];
  }

  get(nodeId: string): GraphNeighbor | undefined {
    return this.neighbors.get(nodeId);
  }

  /** Whether every neighbour has been reconciled with (and there is one). */
  synchronized(): boolean {
    const all = [...this.neighbors.values()];
    return all.length > 0 && all.every((neighbor) => neighbor.isSettled);
  }

  progress(): Record<string, ReturnType<GraphNeighbor['progress']>> {
    return Object.fromEntries([...this.neighbors].map(([nodeId, neighbor]) => [nodeId, neighbor.progress()]));
  }

  /** The mesh gained a neighbour: tell it this graph is open here. */
  greet(nodeId: string): void {
    if (!this.closed) void this.sayHello(nodeId, false);
  }

  /**
   * A hello from `from`: takes its credential through the receive path, answers a first hello,
   * and takes the peer into the graph if authorized.
   */
  async hello(from: GraphPeer, isReply: boolean, credential?: Uint8Array): Promise<string | undefined> {
    let refusal = 'not-authorized';
    if (credential !== undefined) {
      const verdict = await this.components.offer(credential);
      if (verdict.outcome === 'refused' && isSendersFault(verdict.reason))
        return `credential:${verdict.reason}`;
      if (verdict.outcome === 'refused') refusal = verdict.reason;
    }
    if (!(await this.components.provider.authorizeLink(from))) {
      // The peer learns why (a revoked invitation, say), and stops taking this node for a
      // neighbour if it already did; it never answers a refusal, so nothing loops.
      if (!this.closed) this.post(from.nodeId, { t: 'refused', reason: refusal });
      this.keepRefused(from, credential);
      return 'link-not-authorized';
    }
    this.refused.delete(from.nodeId);
    if (!this.canTalkTo(from.nodeId)) return undefined;
    if (!isReply) {
      // The answer goes out before anything `join` sends, or the peer would take this node's
      // first round for a stranger's.
      const answer = await this.helloPart(true);
      if (!this.canTalkTo(from.nodeId)) return undefined;
      this.post(from.nodeId, answer);
      // A first hello from a peer already in the graph: it opened the graph again, or came
      // back on a new link that replaced the old one. Whatever was under way with it is gone.
      this.leave(from.nodeId);
    }
    if (!this.neighbors.has(from.nodeId)) this.join(from.nodeId);
    return undefined;
  }

  /**
   * Asks the provider again about peers it refused: it may know more now (a newcomer's inviter
   * arrived after the newcomer's hello). A peer let in is greeted as after a first hello.
   */
  retryRefused(): void {
    const refused = [...this.refused.values()];
    this.refused.clear();
    for (const { from, credential } of refused) {
      if (this.components.isMeshNeighbor(from.nodeId)) void this.hello(from, false, credential);
    }
  }

  /**
   * A peer refused this node: whatever this node started with it is dropped (it would only
   * stall), and it is greeted again when this node's credential changes.
   */
  wasRefused(nodeId: string): void {
    this.leave(nodeId);
    if (this.refusers.size < maxRefusedPeers) this.refusers.add(nodeId);
  }

  /** Greets the mesh neighbours, and linked peers that refused this node, not in the graph yet. */
  greetOutsiders(meshNeighbors: readonly string[]): void {
    const linkedRefusers = [...this.refusers].filter((nodeId) => this.components.isMeshNeighbor(nodeId));
    for (const nodeId of new Set([...meshNeighbors, ...linkedRefusers])) {
      if (!this.neighbors.has(nodeId)) this.greet(nodeId);
    }
  }

  /** Reconciles now with every neighbour, whoever usually starts the rounds with it. */
  resyncAll(): void {
    for (const neighbor of this.neighbors.values()) {
      if (neighbor.isSettled) neighbor.reconcile();
    }
  }

  /** Reconciles again with each neighbour whose rounds this node starts. */
  resync(): void {
    for (const neighbor of this.neighbors.values()) {
      if (neighbor.initiator && neighbor.isSettled) neighbor.reconcile();
    }
  }

  leave(nodeId: string): void {
    const neighbor = this.neighbors.get(nodeId);
    if (neighbor === undefined) return;
    neighbor.close();
    this.neighbors.delete(nodeId);
    this.components.changed(nodeId, 'disconnected');
    this.components.recheck();
  }

  /** Says goodbye to one neighbour, which is out of the graph until a hello is authorized. */
  dismiss(nodeId: string): void {
    if (!this.neighbors.has(nodeId)) return;
    this.post(nodeId, { t: 'bye' });
    this.leave(nodeId);
  }

  /** Says goodbye to every neighbour and stops. */
  close(): void {
    this.closed = true;
    this.cancelPassOn?.();
    for (const nodeId of [...this.neighbors.keys()]) {
      this.post(nodeId, { t: 'bye' });
      this.leave(nodeId);
    }
  }

  private join(nodeId: string): void {
    const { index } = this.components;
    const neighbor = new GraphNeighbor(
      nodeId,
      {
        index,
        send: (part, kind) => this.components.send(nodeId, part, kind ?? 'control'),
        reconcileStart: () => reconcileStart(index.items),
        reconcileStep: (message: WireValue) => reconcileStep(index.items, message),
        loadEncoded: (keys) => this.components.loadEncoded(keys),
        offer: async (encoded) => {
          const verdict = await this.components.offer(encoded);
          if (verdict.outcome === 'accepted') this.passOn(nodeId);
          return verdict;
        },
        settled: () => this.components.recheck(),
        timers: this.components.timers,
        stallTimeoutMs: this.components.stallTimeoutMs,
      },
      this.components.nodeId < nodeId,
    );
    this.neighbors.set(nodeId, neighbor);
    this.refusers.delete(nodeId);
    this.components.changed(nodeId, 'connected');
    if (neighbor.initiator) neighbor.reconcile();
    this.components.recheck();
  }

  /**
   * Records that came by reconciliation are news to the other neighbours too, but not to the
   * one that sent them, and broadcasting them would send each whole record to neighbours
   * that mostly have it already. A reconciliation round with the others, soon after, sends
   * them only what they lack.
   */
  private passOn(source: string): void {
    this.passOnSources.add(source);
    if (this.cancelPassOn !== undefined || this.closed) return;
    this.cancelPassOn = this.components.timers.schedule(this.components.passOnDelayMs, () => {
      this.cancelPassOn = undefined;
      const sources = new Set(this.passOnSources);
      this.passOnSources.clear();
      for (const [nodeId, neighbor] of this.neighbors) {
        if (!sources.has(nodeId) && neighbor.isSettled) neighbor.reconcile();
      }
    });
  }

  /** Remembers a refused peer for `retryRefused`; the oldest is forgotten past the cap. */
  private keepRefused(from: GraphPeer, credential: Uint8Array | undefined): void {
    this.refused.delete(from.nodeId);
    if (this.refused.size >= maxRefusedPeers) {
      const oldest = this.refused.keys().next();
      if (oldest.done !== true) this.refused.delete(oldest.value);
    }
    this.refused.set(from.nodeId, credential === undefined ? { from } : { from, credential });
  }

  /** Whether this graph is open and `nodeId` still linked (either may change across an await). */
  private canTalkTo(nodeId: string): boolean {
    return !this.closed && this.components.isMeshNeighbor(nodeId);
  }

  private async sayHello(nodeId: string, reply: boolean): Promise<void> {
    const part = await this.helloPart(reply);
    if (!this.closed) this.post(nodeId, part);
  }

  /** A hello with the graph's credential, if it has one; without, if getting it failed. */
  private async helloPart(reply: boolean): Promise<GraphPart> {
    const credential = await this.components.provider.credential?.().catch(() => undefined);
    return credential === undefined ? { t: 'hello', reply } : { t: 'hello', reply, cred: credential };
  }

  private post(nodeId: string, part: GraphPart): void {
    this.components.send(nodeId, part, 'control').catch(() => undefined);
  }
}
