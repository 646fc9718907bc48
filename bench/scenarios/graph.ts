/**
 * Graph figures, measured in one page each: record propagation across a mesh, late-joiner
 * synchronisation and catch-up between two nodes, and the IndexedDB commit rate of accepted
 * records. Imported by the harness (bench/graph.ts) from the bench dev server; its shape is
 * `GraphModule` (graph-reports.ts).
 */
export { runCommit } from './graph-commit.ts';
export { runPropagation } from './graph-propagation.ts';
export { runSync } from './graph-sync.ts';
