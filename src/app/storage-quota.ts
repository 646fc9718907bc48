import type { StorageQuota } from '../core/ports.ts';

/** The parts of `navigator.storage` the quota reads; any may be missing in an older browser. */
export type StorageLike = Partial<Pick<StorageManager, 'estimate' | 'persist' | 'persisted'>>;

/** The browser's storage quota for this origin, through `navigator.storage`. */
export function browserQuota(storage: StorageLike = globalThis.navigator.storage): StorageQuota {
  const { estimate, persist, persisted } = storage;
  return {
    async available() {
      if (estimate === undefined) return undefined;
      const figures = await Promise.resolve()
        .then(() => estimate.call(storage))
        .catch(() => undefined);
      if (figures?.quota === undefined || figures.usage === undefined) return undefined;
      return Math.max(0, figures.quota - figures.usage);
    },
    async persist() {
      if (persist === undefined) return false;
      if (persisted !== undefined && (await persisted.call(storage).catch(() => false))) return true;
      return persist.call(storage).catch(() => false);
    },
  };
}
