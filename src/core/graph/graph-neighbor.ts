import { toBase64Url } from '../../lib/bytes.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { Timers } from '../mesh/timers.ts';
import type { FrameKind } from '../wire/frame.ts';
import {
  maxRecordsPerFrame,
  maxWantIds,
  maxOfferIds,
  type GraphMessage,
  type GraphPart,
} from './graph-messages.ts';
import type { RecordIndex } from './record-index.ts';
import { isSendersFault, type IntakeVerdict } from './record-intake.ts';

/** One step of set reconciliation, as `GraphNeighbor` drives it (see `reconcile/`). */
export interface ReconcileStep {
  /** The next message to send, or undefined when this side has nothing left to ask. */
  readonly reply: WireValue | undefined;
  /** Hashes the peer holds and this node lacks. */
  readonly need: readonly Uint8Array[];
  /** Hashes this node holds and the peer lacks. */
  readonly have: readonly Uint8Array[];
}

/** What a `GraphNeighbor` uses of its graph. */
export interface NeighborContext {
  readonly index: RecordIndex;
  /** Sends one part to the neighbour; resolves when queued, rejects if the link is gone. */
  send(part: GraphPart, kind?: FrameKind): Promise<void>;
  /** The first reconciliation message for the current item set. */
  reconcileStart(): WireValue;
  /** Answers a reconciliation message; a string is why it was refused. */
  reconcileStep(message: WireValue): ReconcileStep | string;
  /** The encodings of the current versions of `keys` that are still here. */
  loadEncoded(keys: readonly string[]): Promise<Uint8Array[]>;
  /** Judges and commits one record that came by synchronisation. */
  offer(encoded: Uint8Array): Promise<IntakeVerdict>;
  /** The neighbour has been reconciled with (every wanted record arrived). */
  settled(): void;
  readonly timers: Timers;
  /** How long synchronisation may go without a word from the neighbour before it is given up. */
  readonly stallTimeoutMs: number;
}

/** Rounds under way with one neighbour at once, both sides' together. */
const maxOpenRounds = 4;

/** Want messages awaiting their last `records` frame at once: how far the pull runs ahead. */
const maxOutstandingWants = 8;

/** Bytes of encoded records per `records` frame, under the 65 KiB bulk cap with its envelope. */
const recordsFrameBytes = 60 * 1024;

/**
 * Synchronisation with one neighbour of one graph: reconciliation rounds (each side may start
 * one; they are independent, since every message carries its ranges in full), then a pull of
 * what is missing, at most `maxOutstandingWants` requests at once. Pulling rather than
 * pushing keeps the receiver in charge of its own memory: it asks for more only once what it
 * asked for is committed.
 */
export class GraphNeighbor {
  readonly nodeId: string;
  private readonly context: NeighborContext;
  private readonly wanted: Uint8Array[] = [];
  private readonly wantedIds = new Set<string>();
  /** Ids of each want still awaiting its last frame, by sequence number. */
  private readonly outstanding = new Map<number, readonly Uint8Array[]>();
  private nextSeq = 0;
  private nextRound = 0;
  /** Rounds under way, as `m<round>` (started here) or `p<round>` (started by the peer). */
  private readonly openRounds = new Set<string>();
  /** The peer starts the rounds of this link, and none has ended yet. */
  private awaitingPeerRound: boolean;
  private closed = false;
  private wasSettled = false;
  private cancelWatch: (() => void) | undefined;
  /** Synchronisations given up because the neighbour stopped answering. */
  stalls = 0;
  /** Records this neighbour sent that were refused, by reason. */
  readonly refused = new Map<string, number>();

  /**
   * `initiator`: this side starts the rounds of the link. One round tells both sides what
   * each lacks (each learns its own needs from the ranges, the other's from offers), so a
   * round from each side would only send everything twice.
   */
  constructor(
    nodeId: string,
    context: NeighborContext,
    readonly initiator: boolean,
  ) {
    this.nodeId = nodeId;
    this.context = context;
    this.awaitingPeerRound = !initiator;
    this.watch();
  }

  /** Whether every round has ended and every wanted record arrived. */
  get isSettled(): boolean {
    return (
      !this.awaitingPeerRound &&
      this.openRounds.size === 0 &&
      this.wanted.length === 0 &&
      this.outstanding.size === 0
    );
  }

  /** Where synchronisation with this neighbour stands, for the Network page and failure reports. */
  progress(): {
    readonly stalls: number;
    readonly roundsOpen: number;
    readonly wanted: number;
    readonly outstanding: number;
  } {
    return {
      stalls: this.stalls,
      roundsOpen: this.openRounds.size,
      wanted: this.wanted.length,
      outstanding: this.outstanding.size,
    };
  }

  /** Starts a reconciliation round from this side. */
  reconcile(): void {
    if (this.closed) return;
    const round = this.nextRound++;
    this.openRounds.add(`m${round}`);
    this.wasSettled = false;
    this.post({ t: 'sync', round, own: true, m: this.context.reconcileStart() });
    this.watch();
  }

  /** Handles a synchronisation part from the neighbour; returns a rejection reason, if any. */
  receive(message: GraphMessage): string | undefined | Promise<string | undefined> {
    if (this.closed) return undefined;
    this.watch();
    switch (message.t) {
      case 'sync':
        return this.step(message.round, !message.own, message.m);
      case 'synced':
        // The neighbour has nothing more to ask in this round.
        this.endRound(message.round, !message.own);
        return undefined;
      case 'offer':
        this.want(message.ids);
        return undefined;
      case 'want':
        return this.serve(message.seq, message.ids);
      case 'records':
        return this.take(message.seq, message.records, message.last);
      default:
        return 'unexpected-part';
    }
  }

  close(): void {
    this.closed = true;
    this.cancelWatch?.();
  }

  /**
   * (Re)starts the watch on a synchronisation under way: a neighbour that stops answering (a
   * round or a want left hanging, by a fault or on purpose) must not leave the graph
   * unsynchronized or the pull window full for good. What was given up is found again by the
   * next round.
   */
  private watch(): void {
    this.cancelWatch?.();
    this.cancelWatch = undefined;
    if (this.closed || this.isSettled) return;
    this.cancelWatch = this.context.timers.schedule(this.context.stallTimeoutMs, () => {
      this.cancelWatch = undefined;
      if (this.closed || this.isSettled) return;
      this.stalls++;
      this.openRounds.clear();
      this.awaitingPeerRound = false;
      for (const ids of this.outstanding.values())
        for (const id of ids) this.wantedIds.delete(toBase64Url(id));
      this.outstanding.clear();
      this.pump();
    });
  }

  private endRound(round: number, mine: boolean): void {
    this.openRounds.delete(`${mine ? 'm' : 'p'}${round}`);
    if (!mine) this.awaitingPeerRound = false;
    this.checkSettled();
  }

  /** One message of a round; `mine` when this side started the round. */
  private step(round: number, mine: boolean, body: WireValue): string | undefined {
    const name = `${mine ? 'm' : 'p'}${round}`;
    const isNew = !this.openRounds.has(name);
    if (mine && isNew) return 'unknown-round';
    // Each round costs a pass over ranges of the record set: a peer gets a few at a time.
    if (isNew && this.openRounds.size >= maxOpenRounds) return 'too-many-rounds';
    const step = this.context.reconcileStep(body);
    if (typeof step === 'string') return step;
    if (isNew) {
      this.openRounds.add(name);
      this.wasSettled = false;
    }
    this.want(step.need);
    for (let start = 0; start < step.have.length; start += maxOfferIds) {
      this.post({ t: 'offer', ids: step.have.slice(start, start + maxOfferIds) });
    }
    if (step.reply !== undefined) {
      this.post({ t: 'sync', round, own: mine, m: step.reply });
      return undefined;
    }
    this.post({ t: 'synced', round, own: mine });
    this.endRound(round, mine);
    return undefined;
  }

  private want(ids: readonly Uint8Array[]): void {
    const { index } = this.context;
    for (const id of ids) {
      const name = toBase64Url(id);
      if (index.hasHash(id) || this.wantedIds.has(name)) continue;
      this.wantedIds.add(name);
      this.wanted.push(id);
    }
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.outstanding.size < maxOutstandingWants && this.wanted.length > 0) {
      const ids = this.wanted.splice(0, maxWantIds).filter((id) => !this.context.index.hasHash(id));
      if (ids.length === 0) continue;
      const seq = this.nextSeq++;
      this.outstanding.set(seq, ids);
      this.post({ t: 'want', seq, ids });
    }
    this.checkSettled();
  }

  private async serve(seq: number, ids: readonly Uint8Array[]): Promise<undefined> {
    const { index } = this.context;
    const keys = ids.flatMap((id) => index.keyOfHash(id) ?? []);
    // On a storage error the answer is empty, but it comes: the asker must not wait for it.
    const encoded = await this.context.loadEncoded(keys).catch(() => []);
    let frame: Uint8Array[] = [];
    let frameBytes = 0;
    for (const record of encoded) {
      if (
        frame.length > 0 &&
        (frameBytes + record.length > recordsFrameBytes || frame.length >= maxRecordsPerFrame)
      ) {
        await this.sendRecords(seq, frame, false);
        frame = [];
        frameBytes = 0;
      }
      frame.push(record);
      frameBytes += record.length;
    }
    await this.sendRecords(seq, frame, true);
    return undefined;
  }

  private async sendRecords(seq: number, records: Uint8Array[], last: boolean): Promise<void> {
    if (this.closed) return;
    await this.context.send({ t: 'records', seq, records, last }, 'bulk').catch(() => undefined);
  }

  private async take(
    seq: number,
    records: readonly Uint8Array[],
    last: boolean,
  ): Promise<string | undefined> {
    if (!this.outstanding.has(seq)) return 'unsolicited-records';
    const verdicts = await Promise.all(records.map((record) => this.context.offer(record)));
    let blame: string | undefined;
    for (const verdict of verdicts) {
      if (verdict.outcome !== 'refused') continue;
      if (isSendersFault(verdict.reason)) blame ??= verdict.reason;
      this.refused.set(verdict.reason, (this.refused.get(verdict.reason) ?? 0) + 1);
    }
    if (last) {
      for (const id of this.outstanding.get(seq) ?? []) this.wantedIds.delete(toBase64Url(id));
      this.outstanding.delete(seq);
      this.pump();
    }
    return blame;
  }

  /** Tells the graph each time the neighbour becomes settled. */
  private checkSettled(): void {
    const settled = this.isSettled;
    if (!settled && this.cancelWatch === undefined) this.watch();
    if (settled && !this.wasSettled) this.context.settled();
    this.wasSettled = settled;
  }

  private post(part: GraphPart): void {
    if (this.closed) return;
    this.context.send(part).catch(() => undefined);
  }
}
