/** Identities, identity ids, node ids and identity files. */
export * from './errors.ts';
export * from './ids.ts';
export * from './display-name.ts';
export * from './identity-file.ts';
export * from './identities.ts';
