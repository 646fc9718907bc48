/** Plumtree epidemic broadcast trees: messages, settings, and the pure `Plumtree` protocol. */
export * from './plumtree-messages.ts';
export * from './plumtree-config.ts';
export * from './plumtree-types.ts';
export * from './seen-cache.ts';
export * from './payload-cache.ts';
export * from './announcement-queues.ts';
export * from './missing-payloads.ts';
export * from './tree-sets.ts';
export * from './plumtree.ts';
