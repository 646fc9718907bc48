import type { IDBPCursorWithValue } from 'idb';
import {
  recordPageLimit,
  type GraphRecord,
  type RecordBatch,
  type RecordCursor,
  type RecordPage,
  type RecordQuery,
  type RecordStore,
  type StoredRecord,
} from '../../core/ports.ts';
import { mapStorageErrors } from './errors.ts';
import type { ProfileDatabase, ProfileSchema, RecordRow, RecordTimeIndexKey } from './profile-database.ts';

/** The largest count `getAllKeys` accepts (WebIDL `unsigned long`). */
const maxRequestCount = 2 ** 32 - 1;

/** The indexes a query can walk: each orders one kind of prefix by `createdAtMs`. */
type QueryIndexName = 'by-created' | 'by-type' | 'by-creator' | 'by-attribute';

type QueryCursor = IDBPCursorWithValue<ProfileSchema, ['records'], 'records', QueryIndexName>;

/** The index a query walks and the key prefix that selects its records there. */
interface IndexPlan {
  readonly index: QueryIndexName;
  readonly prefix: readonly string[];
}

/** The `createdAtMs` interval one page walks: `[lowerMs, upperMs)`, or `[lowerMs, upperMs]`. */
interface TimeBounds {
  readonly lowerMs: number;
  readonly upperMs: number;
  readonly upperOpen: boolean;
}

/**
 * The attribute index's token for one attribute of a record. `typeof value` is part of it so
 * the number 1 and the string '1' are different values, as they are on the wire. A name that
 * contains NUL could make two tokens equal; that only costs reading a row that the filter,
 * checked again on every row, then leaves out.
 */
function attributeToken(graphId: string, name: string, value: string | number): string {
  return `${graphId}\u0000${name}\u0000${typeof value}\u0000${value}`;
}

/** The row that stores `stored` in graph `graphId`, with the fields its indexes read. */
function recordRow(graphId: string, stored: StoredRecord): RecordRow {
  const { record } = stored;
  return {
    graphId,
    key: stored.key,
    createdAtMs: record.createdAtMs,
    modifiedAtMs: record.modifiedAtMs,
    expiresAtMs: record.expiresAtMs,
    type: record.type,
    creator: record.creator,
    deleted: record.deleted ? 1 : 0,
    attributeKeys: Object.entries(record.attributes).map(([name, value]) => [
      attributeToken(graphId, name, value),
      record.createdAtMs,
    ]),
    stored,
  };
}

/** Every primary key of one graph: arrays sort after strings, so `[graphId, []]` ends the graph. */
function graphRange(graphId: string): IDBKeyRange {
  return IDBKeyRange.bound([graphId, ''], [graphId, []]);
}

/**
 * The index to walk: type, creator and attribute each narrow the walk to their own records;
 * whichever filters the index does not serve are checked on each row.
 */
function planQuery(graphId: string, query: RecordQuery): IndexPlan {
  if (query.type !== undefined) return { index: 'by-type', prefix: [graphId, query.type] };
  if (query.creator !== undefined) return { index: 'by-creator', prefix: [graphId, query.creator] };
  if (query.attribute !== undefined) {
    const { name, value } = query.attribute;
    return { index: 'by-attribute', prefix: [attributeToken(graphId, name, value)] };
  }
  return { index: 'by-created', prefix: [graphId] };
}

/**
 * The creation times a page walks: the query's `[fromMs, toMs)`, narrowed to start at the
 * cursor's time (its ties are skipped by key afterwards). Undefined when nothing can match.
 */
function timeBounds(query: RecordQuery, ascending: boolean): TimeBounds | undefined {
  let lowerMs = query.fromMs ?? -Infinity;
  let upperMs = query.toMs ?? Infinity;
  let upperOpen = true;
  const { after } = query;
  if (after !== undefined) {
    if (ascending) lowerMs = Math.max(lowerMs, after.createdAtMs);
    else if (after.createdAtMs < upperMs) {
      upperMs = after.createdAtMs;
      upperOpen = false;
    }
  }
  if (lowerMs > upperMs || (lowerMs === upperMs && upperOpen)) return undefined;
  return { lowerMs, upperMs, upperOpen };
}

/** Whether `record` passes the query's filters other than time, which the key range applies. */
function matchesFilters(record: GraphRecord, query: RecordQuery): boolean {
  if (record.deleted && query.includeDeleted !== true) return false;
  if (query.type !== undefined && record.type !== query.type) return false;
  if (query.creator !== undefined && record.creator !== query.creator) return false;
  if (query.attribute !== undefined) {
    const { name, value } = query.attribute;
    // An inherited name such as `constructor` finds a function, which the type check refuses.
    const actual = record.attributes[name];
    // Compared as the index compares them, so both ways of answering agree.
    if (typeof actual !== typeof value || String(actual) !== String(value)) return false;
  }
  return true;
}

/**
 * Moves a cursor that starts at `after`'s creation time past `after` and the records tied with
 * it on the wrong side of its key. `continuePrimaryKey` jumps over a long run of ties at once.
 */
async function skipThrough(
  start: QueryCursor | null,
  graphId: string,
  plan: IndexPlan,
  after: RecordCursor,
  ascending: boolean,
): Promise<QueryCursor | null> {
  let cursor = start;
  while (cursor !== null && cursor.value.createdAtMs === after.createdAtMs) {
    const { key } = cursor.value;
    if (ascending ? key > after.key : key < after.key) break;
    const indexKey: RecordTimeIndexKey = [...plan.prefix, after.createdAtMs];
    cursor =
      key === after.key
        ? await cursor.continue()
        : await cursor.continuePrimaryKey(indexKey, [graphId, after.key]);
  }
  return cursor;
}

/**
 * `RecordStore` on a profile's IndexedDB database. Every call is one transaction; queries walk
 * the `records` store's indexes (see `RecordRow`), so a page costs about its own size.
 */
export class IdbRecordStore implements RecordStore {
  readonly #db: ProfileDatabase;

  constructor(db: ProfileDatabase) {
    this.#db = db;
  }

  /** Every record of the graph in key order, read with one `getAll`. */
  async loadAll(graphId: string): Promise<StoredRecord[]> {
    const rows = await this.#db.getAll('records', graphRange(graphId));
    return rows.map((row) => row.stored);
  }

  async get(graphId: string, key: string): Promise<StoredRecord | undefined> {
    return (await this.#db.get('records', [graphId, key]))?.stored;
  }

  /** Reads every key in one transaction: one round to the database, not one per record. */
  async getMany(graphId: string, keys: readonly string[]): Promise<StoredRecord[]> {
    const store = this.#db.transaction('records').store;
    const rows = await Promise.all(keys.map((key) => store.get([graphId, key])));
    return rows.flatMap((row) => (row === undefined ? [] : [row.stored]));
  }

  /**
   * Applies the puts, then the removes, in one readwrite transaction, so a key in both ends up
   * removed. Rejects, writing nothing, if a record belongs to another graph.
   */
  async commit(graphId: string, batch: RecordBatch): Promise<void> {
    const stranger = batch.put.find((stored) => stored.record.graphId !== graphId);
    if (stranger !== undefined) {
      throw new RangeError(
        `Record ${stranger.key} of graph ${stranger.record.graphId} is not of graph ${graphId}.`,
      );
    }
    const rows = batch.put.map((stored) => recordRow(graphId, stored));
    await mapStorageErrors(async () => {
      const tx = this.#db.transaction('records', 'readwrite');
      const requests: Promise<unknown>[] = [];
      try {
        for (const row of rows) requests.push(tx.store.put(row));
        for (const key of batch.remove) requests.push(tx.store.delete([graphId, key]));
      } catch (error) {
        // A request refused on the spot (a value that cannot be cloned) leaves the transaction
        // running: abort it so the requests already queued are undone too. Their AbortErrors
        // are observed here; the refusal itself is what the caller gets.
        tx.abort();
        void Promise.allSettled([...requests, tx.done]);
        throw error;
      }
      // Awaiting tx.done alongside the requests, so a failed request surfaces once, as itself.
      await Promise.all([...requests, tx.done]);
    });
  }

  /**
   * One page of the query, walking the index that serves its type, creator or attribute (in
   * that order of preference) between the time bounds. `next` is set only when at least one
   * more matching record follows the page.
   */
  async query(graphId: string, query: RecordQuery): Promise<RecordPage> {
    const ascending = query.order !== 'descending';
    const bounds = timeBounds(query, ascending);
    if (bounds === undefined) return { records: [] };
    const limit = recordPageLimit(query.limit);
    const plan = planQuery(graphId, query);
    const range = IDBKeyRange.bound(
      [...plan.prefix, bounds.lowerMs],
      [...plan.prefix, bounds.upperMs],
      false,
      bounds.upperOpen,
    );
    const index = this.#db.transaction('records').store.index(plan.index);
    let cursor = await index.openCursor(range, ascending ? 'next' : 'prev');
    if (query.after !== undefined) cursor = await skipThrough(cursor, graphId, plan, query.after, ascending);
    const records: StoredRecord[] = [];
    let last: RecordCursor | undefined;
    for (; cursor !== null; cursor = await cursor.continue()) {
      const row = cursor.value;
      if (!matchesFilters(row.stored.record, query)) continue;
      if (last !== undefined && records.length === limit) return { records, next: last };
      records.push(row.stored);
      last = { createdAtMs: row.createdAtMs, key: row.key };
    }
    return { records };
  }

  /** Keys of up to `limit` records expired at `nowMs`, soonest first, ties in key order. */
  async expired(graphId: string, nowMs: number, limit: number): Promise<string[]> {
    // getAllKeys reads a count of 0 as "no limit".
    if (!(limit >= 1)) return [];
    const keys = await this.#db.getAllKeysFromIndex(
      'records',
      'by-expiry',
      IDBKeyRange.bound([graphId, -Infinity], [graphId, nowMs]),
      Math.min(Math.floor(limit), maxRequestCount),
    );
    return keys.map(([, key]) => key);
  }

  async deleteGraph(graphId: string): Promise<void> {
    await mapStorageErrors(async () => {
      await this.#db.delete('records', graphRange(graphId));
    });
  }
}
