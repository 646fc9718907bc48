import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredIdentity } from '../../core/ports.ts';
import { mapStorageErrors } from './errors.ts';

/** Keys of the `meta` store, each with the type of its value. */
export interface ProfileMeta {
  /** Id of the identity in use. */
  currentIdentity: string;
  /** The profile's non-extractable AES-GCM key that seals private keys for export. */
  deviceKey: CryptoKey;
}

/** The typed schema of one profile's database (one database per browser profile). */
export interface ProfileSchema extends DBSchema {
  /** Identities by id, CryptoKeys and byte arrays kept by structured clone. */
  identities: { key: string; value: StoredIdentity };
  /** Profile-wide values by out-of-line key, see `ProfileMeta`. */
  meta: { key: keyof ProfileMeta; value: ProfileMeta[keyof ProfileMeta] };
  /** Small structured-clonable settings by name. */
  preferences: { key: string; value: unknown };
}

/** An open profile database. */
export type ProfileDatabase = IDBPDatabase<ProfileSchema>;

/** The schema version this code creates and reads. */
export const profileDatabaseVersion = 1;

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
