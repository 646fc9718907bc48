import type { GraphStatus } from './graph-types.ts';

/** A graph's status flags, telling `changed` only when one of them really changed. */
export class GraphStatusFlags {
  private current: GraphStatus = {
    listening: false,
    hasConnections: false,
    synchronized: false,
    storageFull: false,
  };

  constructor(private readonly changed: (status: GraphStatus) => void) {}

  get value(): GraphStatus {
    return this.current;
  }

  set(changes: Partial<GraphStatus>): void {
    const next = { ...this.current, ...changes };
    const same = (Object.keys(next) as (keyof GraphStatus)[]).every((k) => next[k] === this.current[k]);
    if (same) return;
    this.current = next;
    this.changed(next);
  }
}
