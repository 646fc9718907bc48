/** HyParView partial-view membership: messages, the pure passive view, and the `MembershipNode` driver. */
export * from './config.ts';
export * from './messages.ts';
export * from './active-view.ts';
export * from './passive-view.ts';
export * from './membership-types.ts';
export * from './membership-links.ts';
export * from './membership-node.ts';
