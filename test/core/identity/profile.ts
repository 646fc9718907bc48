import { Identities } from '../../../src/core/identity/identities.ts';
import type { StoredIdentity } from '../../../src/core/ports.ts';
import { toBase64Url } from '../../../src/lib/bytes.ts';
import {
  deleteProfileDatabase,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../../src/storage/idb/profile-database.ts';
import { IdbIdentityStore } from '../../../src/storage/idb/identity-store.ts';

/** PBKDF2 iterations for tests: the lowest a file may carry, so tests stay quick. */
export const testIterations = 1000;

/** A browser profile backed by its own real IndexedDB database. */
export interface TestProfile {
  readonly name: string;
  db: ProfileDatabase;
  identities: Identities;
  /** Closes the database and opens it again with a new `Identities`, as a reload would. */
  reload(): Promise<void>;
  /** Closes and deletes the database. */
  destroy(): Promise<void>;
}

/** Opens a fresh profile under a random database name. */
export async function openTestProfile(): Promise<TestProfile> {
  const name = `test-identities-${crypto.randomUUID()}`;
  const make = (db: ProfileDatabase): Identities =>
    new Identities({ store: new IdbIdentityStore(db), exportIterations: testIterations });
  const db = await openProfileDatabase(name);
  const profile: TestProfile = {
    name,
    db,
    identities: make(db),
    async reload() {
      profile.db.close();
      profile.db = await openProfileDatabase(name);
      profile.identities = make(profile.db);
    },
    async destroy() {
      profile.db.close();
      await deleteProfileDatabase(name);
    },
  };
  return profile;
}

/** What a person would notice of a profile's identities: which exist, their names, which is current. */
export async function snapshot(identities: Identities): Promise<unknown> {
  const describe = (identity: StoredIdentity): string[] => [
    identity.id,
    identity.displayName,
    toBase64Url(identity.nodeSalt),
    toBase64Url(identity.sealedPrivateKey.ciphertext),
  ];
  return {
    current: (await identities.current())?.id,
    list: (await identities.list()).map(describe),
  };
}

export { rejectionOf } from '../../helpers/rejections.ts';
