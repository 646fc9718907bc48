/** The profile's IndexedDB storage; the only importer of `idb`. */
export * from './errors.ts';
export * from './profile-database.ts';
export * from './identity-store.ts';
export * from './preference-store.ts';
export * from './record-store.ts';
export * from './block-store.ts';
