/**
 * What the names and presence page scenarios (names.ts) take and return. Import-free, so the
 * harness (bench/names.ts) can use these types without typechecking src/ for Node.
 */
import type { BenchBroker } from './mesh-reports.ts';

export interface NamesSimulationOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly lookups: number;
}

export interface NamesSimulationReport {
  readonly hops: number[];
  readonly found: number;
  readonly missed: number;
  readonly expiredGone: boolean;
  readonly liveNodes: number;
  readonly meanContacts: number;
  readonly virtualMs: number;
  readonly wallMs: number;
}

export interface NamesMeshOptions {
  readonly broker: BenchBroker;
  readonly nodes: number;
  readonly seed: number;
  /** Resolves per node (fresh, without the cache), after the name is registered. */
  readonly rounds: number;
  /** Presence changes timed from the contact's `setPresence` to the watcher's event. */
  readonly presenceChanges: number;
  readonly timeoutMs: number;
}

export interface NamesMeshReport {
  /** Each fresh resolve: call → resolved, and its hops. */
  readonly lookupMs: number[];
  readonly lookupHops: number[];
  /** Round trips of a small frame between two of the nodes, through their link pools. */
  readonly linkRttMs: number[];
  /** Each presence change: `setPresence` called → the watcher's presence event. */
  readonly presenceMs: number[];
  readonly meshReadyMs: number;
  readonly rejections: Record<string, number>;
}

export interface NamesModule {
  runNamesSimulation(options: NamesSimulationOptions): Promise<NamesSimulationReport>;
  runNamesMesh(options: NamesMeshOptions): Promise<NamesMeshReport>;
}
