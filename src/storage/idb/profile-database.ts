import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredFile, StoredIdentity, StoredRecord } from '../../core/ports.ts';
import { mapStorageErrors } from './errors.ts';

/** Keys of the `meta` store, each with the type of its value. */
export interface ProfileMeta {
  /** Id of the identity in use. */
  currentIdentity: string;
  /** The profile's non-extractable AES-GCM key that seals private keys for export. */
  deviceKey: CryptoKey;
}

/**
 * Key of a records index that walks records in creation order: the index's prefix (graph id,
 * then type or creator when the index has one) followed by `createdAtMs`.
 */
export type RecordTimeIndexKey = (string | number)[];

/**
 * One row of the `records` store: a stored record plus the fields its indexes read, copied out
 * of the record because an index key path cannot reach into a nested map or test a filter.
 */
export interface RecordRow {
  readonly graphId: string;
  /** `StoredRecord.key` (`creator/id`). With `graphId`, the row's primary key. */
  readonly key: string;
  readonly createdAtMs: number;
  /**
   * Not indexed yet: copied out now so a later schema version can index it (reconciliation
   * walks by modification time) without rewriting every row of every graph.
   */
  readonly modifiedAtMs: number;
  readonly expiresAtMs: number;
  readonly type: string;
  readonly creator: string;
  /**
   * 1 for a tombstone, 0 otherwise. Not indexed yet either; a number because booleans are not
   * valid IndexedDB keys, so a later index can include it.
   */
  readonly deleted: 0 | 1;
  /**
   * One `[token, createdAtMs]` entry per attribute, where the token is
   * `${graphId}\u0000${name}\u0000${typeof value}\u0000${value}` (so the number 1 and the
   * string '1' differ). Entries are arrays rather than bare tokens so the multi-entry index
   * walks one attribute's records in creation order, as every query pages.
   */
  readonly attributeKeys: [token: string, createdAtMs: number][];
  readonly stored: StoredRecord;
}

/** The typed schema of one profile's database (one database per browser profile). */
export interface ProfileSchema extends DBSchema {
  /** Identities by id, CryptoKeys and byte arrays kept by structured clone. */
  identities: { key: string; value: StoredIdentity };
  /** Profile-wide values by out-of-line key, see `ProfileMeta`. */
  meta: { key: keyof ProfileMeta; value: ProfileMeta[keyof ProfileMeta] };
  /** Small structured-clonable settings by name. */
  preferences: { key: string; value: unknown };
  /** Graph records of every graph, by `[graphId, key]`; see `RecordRow`. */
  records: {
    key: [graphId: string, key: string];
    value: RecordRow;
    indexes: {
      /** `[graphId, createdAtMs]`: queries with no type, creator or attribute. */
      'by-created': RecordTimeIndexKey;
      /** `[graphId, type, createdAtMs]`. */
      'by-type': RecordTimeIndexKey;
      /** `[graphId, creator, createdAtMs]`. */
      'by-creator': RecordTimeIndexKey;
      /** `[token, createdAtMs]` for every attribute of the row (multi-entry). */
      'by-attribute': RecordTimeIndexKey;
      /** `[graphId, expiresAtMs]`: the purge of expired records. */
      'by-expiry': [graphId: string, expiresAtMs: number];
    };
  };
  /**
   * Blocks of shared files by out-of-line key `[contentId, index]`, the value the block's
   * bytes alone: the index is in the key so the blocks held of a content are a keys-only range
   * read, and numbers compare as numbers there, so they come back in block order.
   */
  blocks: { key: BlockKey; value: Uint8Array<ArrayBuffer> };
  /** The local state of each file this browser holds or fetches, by `contentId`. */
  files: { key: string; value: StoredFile };
}

/** Key of one row of the `blocks` store. */
export type BlockKey = [contentId: string, index: number];

/** An open profile database. */
export type ProfileDatabase = IDBPDatabase<ProfileSchema>;

/** The schema version this code creates and reads. */
export const profileDatabaseVersion = 3;

/** The database name of the default profile. */
export const defaultProfileDatabaseName = 'mycel';

/**
 * Opens (creating or upgrading) a profile's database. Each profile, and each test, uses its
 * own `name`. Every schema change bumps `profileDatabaseVersion` and adds a step below that
 * runs only for databases older than it, so any old version upgrades in order.
 */
export async function openProfileDatabase(
  name: string = defaultProfileDatabaseName,
): Promise<ProfileDatabase> {
  return mapStorageErrors(() =>
    openDB<ProfileSchema>(name, profileDatabaseVersion, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('identities', { keyPath: 'id' });
          database.createObjectStore('meta');
          database.createObjectStore('preferences');
        }
        if (oldVersion < 2) {
          const records = database.createObjectStore('records', { keyPath: ['graphId', 'key'] });
          records.createIndex('by-created', ['graphId', 'createdAtMs']);
          records.createIndex('by-type', ['graphId', 'type', 'createdAtMs']);
          records.createIndex('by-creator', ['graphId', 'creator', 'createdAtMs']);
          records.createIndex('by-attribute', 'attributeKeys', { multiEntry: true });
          records.createIndex('by-expiry', ['graphId', 'expiresAtMs']);
        }
        if (oldVersion < 3) {
          database.createObjectStore('blocks');
          database.createObjectStore('files', { keyPath: 'contentId' });
        }
      },
    }),
  );
}

/**
 * Deletes a profile's database and everything in it. Close every connection to it first
 * (`database.close()`), or deletion waits until they close.
 */
export async function deleteProfileDatabase(name: string): Promise<void> {
  await deleteDB(name);
}
