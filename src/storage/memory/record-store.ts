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

/** Compares two strings by UTF-16 code units, as IndexedDB orders keys. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The order every query pages in: `createdAtMs`, then key. */
function comparePositions(a: RecordCursor, b: RecordCursor): number {
  return a.createdAtMs - b.createdAtMs || compareText(a.key, b.key);
}

function positionOf(stored: StoredRecord): RecordCursor {
  return { createdAtMs: stored.record.createdAtMs, key: stored.key };
}

/** Whether `record` passes every filter of the query except `after`. */
function matchesQuery(record: GraphRecord, query: RecordQuery): boolean {
  if (record.deleted && query.includeDeleted !== true) return false;
  if (query.type !== undefined && record.type !== query.type) return false;
  if (query.creator !== undefined && record.creator !== query.creator) return false;
  if (query.fromMs !== undefined && !(record.createdAtMs >= query.fromMs)) return false;
  if (query.toMs !== undefined && !(record.createdAtMs < query.toMs)) return false;
  if (query.attribute !== undefined) {
    const { name, value } = query.attribute;
    // An inherited name such as `constructor` finds a function, which the type check refuses.
    const actual = record.attributes[name];
    // Type and text, as the IndexedDB store's attribute index compares them: 1 is not '1'.
    if (typeof actual !== typeof value || String(actual) !== String(value)) return false;
  }
  return true;
}

/**
 * `RecordStore` in a map, for seeded simulations and tests: the same answers as the IndexedDB
 * store, and every call settles at once (no timers, no real waits), so a simulation replays
 * exactly from its seed. It keeps the objects it is given rather than copies: records are
 * immutable by convention. Queries filter and sort the whole graph, which is fine at
 * simulation sizes.
 */
export class MemoryRecordStore implements RecordStore {
  /** Records by graph id, then by key. */
  readonly #graphs = new Map<string, Map<string, StoredRecord>>();

  /** Every record of the graph in key order, as the IndexedDB store returns them. */
  loadAll(graphId: string): Promise<StoredRecord[]> {
    const records = [...(this.#graphs.get(graphId)?.values() ?? [])];
    return Promise.resolve(records.sort((a, b) => compareText(a.key, b.key)));
  }

  get(graphId: string, key: string): Promise<StoredRecord | undefined> {
    return Promise.resolve(this.#graphs.get(graphId)?.get(key));
  }

  getMany(graphId: string, keys: readonly string[]): Promise<StoredRecord[]> {
    const records = this.#graphs.get(graphId);
    return Promise.resolve(keys.flatMap((key) => records?.get(key) ?? []));
  }

  /**
   * Applies the puts, then the removes, so a key in both ends up removed. Rejects, writing
   * nothing, if a record belongs to another graph.
   */
  commit(graphId: string, batch: RecordBatch): Promise<void> {
    const stranger = batch.put.find((stored) => stored.record.graphId !== graphId);
    if (stranger !== undefined) {
      return Promise.reject(
        new RangeError(
          `Record ${stranger.key} of graph ${stranger.record.graphId} is not of graph ${graphId}.`,
        ),
      );
    }
    let graph = this.#graphs.get(graphId);
    if (graph === undefined) {
      graph = new Map();
      this.#graphs.set(graphId, graph);
    }
    for (const stored of batch.put) graph.set(stored.key, stored);
    for (const key of batch.remove) graph.delete(key);
    if (graph.size === 0) this.#graphs.delete(graphId);
    return Promise.resolve();
  }

  /** One page of the query; `next` is set only when at least one more matching record follows. */
  query(graphId: string, query: RecordQuery): Promise<RecordPage> {
    const direction = query.order === 'descending' ? -1 : 1;
    const { after } = query;
    const matching = [...(this.#graphs.get(graphId)?.values() ?? [])].filter(
      (stored) =>
        matchesQuery(stored.record, query) &&
        (after === undefined || direction * comparePositions(positionOf(stored), after) > 0),
    );
    matching.sort((a, b) => direction * comparePositions(positionOf(a), positionOf(b)));
    const records = matching.slice(0, recordPageLimit(query.limit));
    const last = records.at(-1);
    return Promise.resolve(
      matching.length > records.length && last !== undefined
        ? { records, next: positionOf(last) }
        : { records },
    );
  }

  /** Keys of up to `limit` records expired at `nowMs`, soonest first, ties in key order. */
  expired(graphId: string, nowMs: number, limit: number): Promise<string[]> {
    if (!(limit >= 1)) return Promise.resolve([]);
    const expired = [...(this.#graphs.get(graphId)?.values() ?? [])].filter(
      (stored) => stored.record.expiresAtMs <= nowMs,
    );
    expired.sort((a, b) => a.record.expiresAtMs - b.record.expiresAtMs || compareText(a.key, b.key));
    return Promise.resolve(expired.slice(0, Math.floor(limit)).map((stored) => stored.key));
  }

  deleteGraph(graphId: string): Promise<void> {
    this.#graphs.delete(graphId);
    return Promise.resolve();
  }
}
