import type { StoredRecord } from '../ports.ts';
import type { Timers } from '../mesh/timers.ts';
import { RecordNotFoundError, RecordNotYoursError, RecordRefusedError } from './graph-types.ts';
import { encodeRecord } from './record-codec.ts';
import type { RecordIndex } from './record-index.ts';
import type { IntakeVerdict } from './record-intake.ts';
import type { SecurityProvider, UnsignedRecord } from './security.ts';
import { newRecordId } from './signed-records.ts';

/** A new record, as the application writes it. */
export interface RecordDraft {
  readonly type: string;
  /** Default: 16 random bytes in base64url. */
  readonly id?: string;
  readonly data?: Uint8Array;
  readonly attributes?: Readonly<Record<string, string | number>>;
  readonly expiresAtMs?: number;
}

/** Changes to a record; what is left out stays as it was. */
export interface RecordChanges {
  readonly data?: Uint8Array;
  readonly attributes?: Readonly<Record<string, string | number>>;
  /** May be extended, never shortened. */
  readonly expiresAtMs?: number;
}

/** Who writes this node's records: the identity the security provider signs for. */
export interface GraphAuthor {
  readonly identityId: string;
  readonly publicKey: Uint8Array;
}

/** What a `RecordWriter` needs of its graph. */
export interface RecordWriterComponents {
  readonly graphId: string;
  readonly author: GraphAuthor;
  readonly provider: SecurityProvider;
  readonly index: RecordIndex;
  readonly timers: Timers;
  readonly defaultLifetimeMs: number;
  /** The graph's receive path, which this node's own records go through too. */
  readonly offer: (encoded: Uint8Array) => Promise<IntakeVerdict>;
  /** Spreads a committed record to the graph's neighbours. */
  readonly spread: (stored: StoredRecord, encoded: Uint8Array) => void;
}

/**
 * This node's writes: builds each version, has the security provider sign it, sends it
 * through the receive path like any record (so it is committed before anyone hears of it),
 * then spreads it. Writes to one key run one after another, so two quick edits make two
 * versions rather than two rival ones with the same number.
 */
export class RecordWriter {
  private readonly components: RecordWriterComponents;
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(components: RecordWriterComponents) {
    this.components = components;
  }

  add(draft: RecordDraft): Promise<StoredRecord> {
    const nowMs = this.nowMs();
    const { graphId, author, defaultLifetimeMs } = this.components;
    return this.publish({
      graphId,
      type: draft.type,
      id: draft.id ?? newRecordId(),
      version: 1,
      creator: author.identityId,
      modifiedBy: author.identityId,
      signerKey: author.publicKey,
      createdAtMs: nowMs,
      modifiedAtMs: nowMs,
      expiresAtMs: draft.expiresAtMs ?? nowMs + defaultLifetimeMs,
      deleted: false,
      attributes: draft.attributes ?? {},
      data: draft.data ?? new Uint8Array(0),
    });
  }

  update(key: string, changes: RecordChanges): Promise<StoredRecord> {
    return this.inTurn(key, async () => {
      const { record } = await this.ownRecord(key);
      return this.publish({
        ...this.successorOf(record),
        attributes: changes.attributes ?? record.attributes,
        data: changes.data ?? record.data,
        expiresAtMs: Math.max(record.expiresAtMs, changes.expiresAtMs ?? record.expiresAtMs),
      });
    });
  }

  delete(key: string): Promise<StoredRecord> {
    return this.inTurn(key, async () => {
      const { record } = await this.ownRecord(key);
      return this.publish({
        ...this.successorOf(record),
        deleted: true,
        attributes: {},
        data: new Uint8Array(0),
      });
    });
  }

  /** Runs `write` once every earlier write to `key` has finished, whatever its outcome. */
  private async inTurn<T>(key: string, write: () => Promise<T>): Promise<T> {
    const before = this.writing.get(key) ?? Promise.resolve();
    const run = before.then(write, write);
    this.writing.set(key, run);
    try {
      return await run;
    } finally {
      if (this.writing.get(key) === run) this.writing.delete(key);
    }
  }

  private async publish(unsigned: UnsignedRecord): Promise<StoredRecord> {
    const record = await this.components.provider.secureRecord(unsigned);
    const encoded = encodeRecord(record);
    const verdict = await this.components.offer(encoded);
    if (verdict.outcome === 'failed') throw verdict.error;
    if (verdict.outcome !== 'accepted') {
      throw new RecordRefusedError(verdict.outcome === 'refused' ? verdict.reason : verdict.outcome);
    }
    this.components.spread(verdict.stored, encoded);
    return verdict.stored;
  }

  private async ownRecord(key: string): Promise<StoredRecord> {
    const stored = await this.components.index.current(key);
    if (stored === undefined || stored.record.deleted) throw new RecordNotFoundError(key);
    if (stored.record.creator !== this.components.author.identityId) throw new RecordNotYoursError(key);
    return stored;
  }

  private successorOf(record: StoredRecord['record']): UnsignedRecord {
    const { identityId, publicKey } = this.components.author;
    const { signature, ...rest } = record;
    return {
      ...rest,
      version: record.version + 1,
      modifiedBy: identityId,
      signerKey: publicKey,
      // Never earlier than the version it replaces, even if this clock is behind the writer's.
      modifiedAtMs: Math.max(this.nowMs(), record.modifiedAtMs),
    };
  }

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }
}
