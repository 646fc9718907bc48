import type { PreferenceStore } from '../../core/ports.ts';
import { mapStorageErrors } from './errors.ts';
import type { ProfileDatabase } from './profile-database.ts';

/** `PreferenceStore` on a profile's IndexedDB database: structured-clonable values by name. */
export class IdbPreferenceStore implements PreferenceStore {
  readonly #db: ProfileDatabase;

  constructor(db: ProfileDatabase) {
    this.#db = db;
  }

  /** The stored value, or `undefined` if the key was never set. */
  async get(key: string): Promise<unknown> {
    return this.#db.get('preferences', key);
  }

  /** Stores a structured-clonable value; `undefined` removes the key. */
  async set(key: string, value: unknown): Promise<void> {
    await mapStorageErrors(async () => {
      if (value === undefined) await this.#db.delete('preferences', key);
      else await this.#db.put('preferences', value, key);
    });
  }
}
