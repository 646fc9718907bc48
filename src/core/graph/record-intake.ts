import { equalBytes, toBase64Url } from '../../lib/bytes.ts';
import type { GraphRecord, StoredRecord } from '../ports.ts';
import type { Timers } from '../mesh/timers.ts';
import { CommitQueue } from './commit-queue.ts';
import { GraphClosedError } from './graph-types.ts';
import { compareVersions, decodeRecord, recordHash, recordKey } from './record-codec.ts';
import type { RecordIndex } from './record-index.ts';
import { checkFresh, checkSuccessor } from './record-rules.ts';
import type { SecurityProvider } from './security.ts';

/**
 * What became of an offered record. `accepted`: committed, reported and ready to forward.
 * `duplicate`: this version is here already. `superseded`: a newer version is here, or the
 * record expired: normal during reconciliation, and nothing to blame the sender for.
 * `refused`: the record breaks a rule; `reason` names it and the sender is to blame.
 * `failed`: it could not be committed (storage full); it was neither stored nor forwarded.
 */
export type IntakeVerdict =
  | {
      readonly outcome: 'accepted';
      readonly stored: StoredRecord;
      readonly previous: StoredRecord | undefined;
    }
  | { readonly outcome: 'duplicate' | 'superseded' }
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly error: unknown };

/**
 * Refusals the sender could have seen coming: the record's own encoding, signature or graph.
 * Others depend on what the receiver holds (an expiry shortened against a version the sender
 * never saw) or on its clock, so an honest relay may pass such a record on; they are counted,
 * not held against the link.
 */
const sendersFaults: ReadonlySet<string> = new Set([
  'oversize',
  'bad-encoding',
  'bad-schema',
  'created-after-modified',
  'modified-after-expiry',
  'tombstone-with-content',
  'bad-signature',
  'signer-mismatch',
  'wrong-graph',
  'wrong-id',
]);

/** Whether a refusal is one to hold against the peer that sent the record. */
export function isSendersFault(reason: string): boolean {
  return sendersFaults.has(reason);
}

/** What a `RecordIntake` needs. */
export interface RecordIntakeComponents {
  readonly graphId: string;
  readonly index: RecordIndex;
  readonly commits: CommitQueue;
  readonly provider: SecurityProvider;
  readonly timers: Timers;
  /** Clock difference tolerated on records' times. */
  readonly maxClockSkewMs: number;
  /** Runs after each commit, before the verdict is handed back: reporting comes before forwarding. */
  readonly committed: (stored: StoredRecord, previous: StoredRecord | undefined) => void;
  /** False once the graph closed: work still in flight then commits nothing. */
  readonly isOpen: () => boolean;
}

/**
 * The receive path of records, whoever sent them (a peer, an import, this node), in STYLE
 * order: size cap and decode, seen check, freshness and version rules, security provider,
 * commit, report. A record for a key waits for an earlier one of the same key still in
 * flight, so versions are judged against what is really stored.
 */
export class RecordIntake {
  private readonly components: RecordIntakeComponents;
  private readonly inFlight = new Map<string, Promise<IntakeVerdict>>();
  private readonly hashesInFlight = new Set<string>();
  private readonly refusals = new Map<string, number>();

  constructor(components: RecordIntakeComponents) {
    this.components = components;
  }

  /** Refused records and failed commits since the graph opened, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.refusals);
  }

  /**
   * Judges, and if accepted commits, one encoded record. `expectedHash` is the id it was sent
   * under, if any: one that is not its hash could have it taken for another record, which
   * every node would then drop as seen. Never rejects.
   */
  async offer(encoded: Uint8Array, expectedHash?: Uint8Array): Promise<IntakeVerdict> {
    const verdict = await this.take(encoded, expectedHash);
    const reason =
      verdict.outcome === 'refused'
        ? verdict.reason
        : verdict.outcome === 'failed'
          ? 'commit-failed'
          : undefined;
    if (reason !== undefined) this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
    return verdict;
  }

  private async take(encoded: Uint8Array, expectedHash: Uint8Array | undefined): Promise<IntakeVerdict> {
    const hash = recordHash(encoded);
    if (expectedHash !== undefined && !equalBytes(hash, expectedHash))
      return { outcome: 'refused', reason: 'wrong-id' };
    const hashId = toBase64Url(hash);
    if (this.components.index.hasHash(hash) || this.hashesInFlight.has(hashId))
      return { outcome: 'duplicate' };
    const decoded = decodeRecord(encoded);
    if (!decoded.ok) return { outcome: 'refused', reason: decoded.reason };
    const { record } = decoded;
    if (record.graphId !== this.components.graphId) return { outcome: 'refused', reason: 'wrong-graph' };
    const stored: StoredRecord = { key: recordKey(record), record, hash, bytes: encoded.length };
    this.hashesInFlight.add(hashId);
    try {
      return await this.serialized(stored);
    } finally {
      this.hashesInFlight.delete(hashId);
    }
  }

  /** Runs `judge` for `stored` once any earlier record of the same key has been judged. */
  private async serialized(stored: StoredRecord): Promise<IntakeVerdict> {
    const before = this.inFlight.get(stored.key);
    const run = (before ?? Promise.resolve()).then(() => this.judge(stored));
    this.inFlight.set(stored.key, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(stored.key) === run) this.inFlight.delete(stored.key);
    }
  }

  private async judge(stored: StoredRecord): Promise<IntakeVerdict> {
    const { index, provider, timers, maxClockSkewMs } = this.components;
    const { record } = stored;
    const stale = checkFresh(record, timers.nowMs(), maxClockSkewMs);
    if (stale === 'expired') return { outcome: 'superseded' };
    if (stale !== undefined) return { outcome: 'refused', reason: stale };
    const previous = await index.current(stored.key);
    const order = this.order(previous, stored);
    if (order !== undefined) return order;
    const invalid = await provider.validateRecord(record, previous?.record);
    if (invalid !== undefined) return { outcome: 'refused', reason: invalid };
    if (!this.components.isOpen()) return { outcome: 'failed', error: new GraphClosedError(record.graphId) };
    try {
      await this.components.commits.commit({ put: [stored], remove: [] });
    } catch (error) {
      return { outcome: 'failed', error };
    }
    if (!this.components.isOpen()) return { outcome: 'failed', error: new GraphClosedError(record.graphId) };
    index.set(stored);
    this.components.committed(stored, previous);
    return { outcome: 'accepted', stored, previous };
  }

  /** Undefined when `next` may replace `previous`; otherwise the verdict that it may not. */
  private order(previous: StoredRecord | undefined, next: StoredRecord): IntakeVerdict | undefined {
    if (previous === undefined) return undefined;
    const comparison = compareVersions(next, previous);
    if (comparison === 0) return { outcome: 'duplicate' };
    if (comparison < 0) return { outcome: 'superseded' };
    const broken = checkSuccessor(previous.record, next.record);
    // Two versions with one number (two tabs of one author editing at once) are settled by
    // hash alone: judging them by their times or expiries would depend on arrival order, and
    // replicas that saw them in different orders would never agree.
    if (broken === undefined || (broken === 'same-version' && sameLine(previous.record, next.record))) {
      return undefined;
    }
    return { outcome: 'refused', reason: broken };
  }
}

/** Whether two versions of a key agree on what may never change. */
function sameLine(a: GraphRecord, b: GraphRecord): boolean {
  return a.creator === b.creator && a.type === b.type && a.createdAtMs === b.createdAtMs;
}
