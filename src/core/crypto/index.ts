/** Signing, hashing and sealing by Web Crypto. Imports nothing from `src` but `src/lib`. */
export * from './namespaces.ts';
export * from './hash.ts';
export * from './ed25519.ts';
export * from './aead.ts';
