import type { IdentityStore, StoredIdentity } from '../../core/ports.ts';
import { mapStorageErrors } from './errors.ts';
import type { ProfileDatabase } from './profile-database.ts';

/** `IdentityStore` on a profile's IndexedDB database; each call is one transaction. */
export class IdbIdentityStore implements IdentityStore {
  readonly #db: ProfileDatabase;

  constructor(db: ProfileDatabase) {
    this.#db = db;
  }

  async list(): Promise<StoredIdentity[]> {
    return this.#db.getAll('identities');
  }

  async get(id: string): Promise<StoredIdentity | undefined> {
    return this.#db.get('identities', id);
  }

  async put(identity: StoredIdentity): Promise<void> {
    await mapStorageErrors(async () => {
      await this.#db.put('identities', identity);
    });
  }

  /** Deletes the identity and, in the same transaction, clears the current id if it was this one. */
  async delete(id: string): Promise<void> {
    await mapStorageErrors(async () => {
      const tx = this.#db.transaction(['identities', 'meta'], 'readwrite');
      const meta = tx.objectStore('meta');
      const clearCurrent = meta
        .get('currentIdentity')
        .then((current) => (current === id ? meta.delete('currentIdentity') : undefined));
      // Awaiting tx.done alongside the requests, so a failed request surfaces once, as itself.
      await Promise.all([tx.objectStore('identities').delete(id), clearCurrent, tx.done]);
    });
  }

  async currentId(): Promise<string | undefined> {
    const value = await this.#db.get('meta', 'currentIdentity');
    return typeof value === 'string' ? value : undefined;
  }

  async setCurrentId(id: string | undefined): Promise<void> {
    await mapStorageErrors(async () => {
      if (id === undefined) await this.#db.delete('meta', 'currentIdentity');
      else await this.#db.put('meta', id, 'currentIdentity');
    });
  }

  async deviceKey(): Promise<CryptoKey | undefined> {
    const value = await this.#db.get('meta', 'deviceKey');
    return value instanceof CryptoKey ? value : undefined;
  }

  async addAndUse(
    identity: StoredIdentity,
    newDeviceKey?: CryptoKey,
  ): Promise<'added' | 'device-key-exists'> {
    return mapStorageErrors(async () => {
      const tx = this.#db.transaction(['identities', 'meta'], 'readwrite');
      const meta = tx.objectStore('meta');
      const writes = async (): Promise<'added' | 'device-key-exists'> => {
        if (newDeviceKey !== undefined) {
          if ((await meta.get('deviceKey')) !== undefined) return 'device-key-exists';
          await meta.put(newDeviceKey, 'deviceKey');
        }
        await tx.objectStore('identities').put(identity);
        await meta.put(identity.id, 'currentIdentity');
        return 'added';
      };
      // Awaiting tx.done alongside the requests, so a failed request surfaces once, as itself;
      // on a device-key conflict nothing was written and the transaction simply completes.
      const [outcome] = await Promise.all([writes(), tx.done]);
      return outcome;
    });
  }
}
