import { toBase64Url } from '../../lib/bytes.ts';
import type { RecordStore, StoredRecord } from '../ports.ts';
import { ItemSet } from './reconcile/item-set.ts';
import { encodeRecord } from './record-codec.ts';

/** What the index keeps of each record: enough to order versions and to reconcile. */
export interface IndexEntry {
  readonly key: string;
  readonly hash: Uint8Array;
  readonly version: number;
  readonly modifiedAtMs: number;
  readonly expiresAtMs: number;
}

/**
 * A graph's records in memory, by key and by version hash, with the reconciliation item set
 * (`modifiedAtMs`, hash) of the current versions. Records themselves stay in the store: the
 * index holds about 100 bytes per record, so a graph of 100,000 records costs some 10 MB.
 */
export class RecordIndex {
  private itemSet = new ItemSet();
  private readonly store: RecordStore;
  private readonly graphId: string;
  private readonly byKey = new Map<string, IndexEntry>();
  private readonly keyByHash = new Map<string, string>();

  constructor(store: RecordStore, graphId: string) {
    this.store = store;
    this.graphId = graphId;
  }

  /** Fills the index from the store: the cold load at open. Returns every stored record. */
  async load(): Promise<StoredRecord[]> {
    const all = await this.store.loadAll(this.graphId);
    for (const stored of all) this.remember(stored);
    // One sort of everything, rather than one insertion into a sorted array per record.
    this.itemSet = ItemSet.from(all.map(({ record, hash }) => ({ timeMs: record.modifiedAtMs, id: hash })));
    return all;
  }

  /** The current version of every record, as reconciliation items. */
  get items(): ItemSet {
    return this.itemSet;
  }

  get size(): number {
    return this.byKey.size;
  }

  hasHash(hash: Uint8Array): boolean {
    return this.keyByHash.has(toBase64Url(hash));
  }

  /** The key whose current version has `hash`, if any. */
  keyOfHash(hash: Uint8Array): string | undefined {
    return this.keyByHash.get(toBase64Url(hash));
  }

  entry(key: string): IndexEntry | undefined {
    return this.byKey.get(key);
  }

  /** The stored current version of `key`, read from the store when the index knows of one. */
  async current(key: string): Promise<StoredRecord | undefined> {
    return this.byKey.has(key) ? this.store.get(this.graphId, key) : undefined;
  }

  /** Makes `stored` the current version of its key (after it was committed). */
  /** The encodings of the records of `keys` that exist, read from the store together. */
  async encoded(keys: readonly string[]): Promise<Uint8Array[]> {
    const found = await this.store.getMany(this.graphId, keys);
    return found.map((stored) => encodeRecord(stored.record));
  }

  /** The encoding of the version named `hash`, if it is held. */
  async encodedByHash(hash: Uint8Array): Promise<Uint8Array | undefined> {
    const key = this.keyOfHash(hash);
    return key === undefined ? undefined : (await this.encoded([key]))[0];
  }

  set(stored: StoredRecord): void {
    this.remove(stored.key);
    const entry = this.remember(stored);
    this.itemSet.add({ timeMs: entry.modifiedAtMs, id: entry.hash });
  }

  private remember(stored: StoredRecord): IndexEntry {
    const { record } = stored;
    const entry: IndexEntry = {
      key: stored.key,
      hash: stored.hash,
      version: record.version,
      modifiedAtMs: record.modifiedAtMs,
      expiresAtMs: record.expiresAtMs,
    };
    this.byKey.set(stored.key, entry);
    this.keyByHash.set(toBase64Url(stored.hash), stored.key);
    return entry;
  }

  /**
   * Removes up to `limit` records that expired by `nowMs` from the store, then from the index,
   * and returns them. A record that expired is gone everywhere soon, so it is not spread.
   */
  async purgeExpired(nowMs: number, limit: number): Promise<StoredRecord[]> {
    const keys = await this.store.expired(this.graphId, nowMs, limit);
    if (keys.length === 0) return [];
    const found = await this.store.getMany(this.graphId, keys);
    await this.store.commit(this.graphId, { put: [], remove: keys });
    for (const key of keys) this.remove(key);
    return found;
  }

  /** Forgets `key` (after it was purged from the store). */
  remove(key: string): void {
    const entry = this.byKey.get(key);
    if (entry === undefined) return;
    this.byKey.delete(key);
    this.keyByHash.delete(toBase64Url(entry.hash));
    this.itemSet.remove({ timeMs: entry.modifiedAtMs, id: entry.hash });
  }
}
