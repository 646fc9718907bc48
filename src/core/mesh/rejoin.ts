import { Backoff } from '../../lib/backoff.ts';
import type { Timers } from './timers.ts';

/** Former neighbours and bootstrap ids remembered for rejoining. */
const rememberedCap = 16;

/** Candidates tried per attempt. */
const candidatesPerAttempt = 8;

/** What a `Rejoin` needs of its mesh. */
export interface RejoinComponents {
  readonly timers: Timers;
  /** Whether the mesh still runs: a stopped one gives up. */
  readonly running: () => boolean;
  /** Whether the node has a neighbour. */
  readonly connected: () => boolean;
  /** Asks `nodeId` to take this node in; resolves whether it did. */
  readonly join: (nodeId: string) => Promise<boolean>;
  /** Nodes known from the passive view, tried after the remembered ones. */
  readonly known: () => readonly string[];
}

/**
 * Getting back in: the node ids worth trying (former neighbours, ids given to `connect`), and
 * attempts with backoff while the node is isolated.
 */
export class Rejoin {
  private readonly components: RejoinComponents;
  private readonly backoff: Backoff;
  private remembered: string[] = [];
  private cancelAttempt: (() => void) | undefined;

  constructor(components: RejoinComponents, firstDelayMs: number, maxDelayMs: number) {
    this.components = components;
    this.backoff = new Backoff(firstDelayMs, maxDelayMs);
  }

  /** Keeps `nodeId` first among the ids to rejoin through. */
  remember(nodeId: string): void {
    this.remembered = [nodeId, ...this.remembered.filter((id) => id !== nodeId)].slice(0, rememberedCap);
  }

  /** Tries `nodeIds` in turn until one takes the node in; resolves whether it is connected. */
  async tryJoin(nodeIds: readonly string[]): Promise<boolean> {
    const { running, connected, join } = this.components;
    for (const id of nodeIds) {
      if (!running()) return false;
      if (connected()) return true;
      if (await join(id)) return true;
    }
    return connected();
  }

  /** Plans the next attempt, after the current backoff, unless one is planned. */
  schedule(): void {
    if (this.cancelAttempt !== undefined || !this.components.running()) return;
    this.cancelAttempt = this.components.timers.schedule(this.backoff.next(), () => {
      this.cancelAttempt = undefined;
      void this.attempt();
    });
  }

  /** The node is connected again: no more attempts, and the backoff starts over. */
  connectedAgain(): void {
    this.cancel();
    this.backoff.reset();
  }

  cancel(): void {
    this.cancelAttempt?.();
    this.cancelAttempt = undefined;
  }

  /** Tries remembered ids and the passive view; on failure, tries again later. */
  private async attempt(): Promise<void> {
    if (!this.components.running() || this.components.connected()) return;
    const candidates = [...new Set([...this.remembered, ...this.components.known()])];
    if (!(await this.tryJoin(candidates.slice(0, candidatesPerAttempt)))) this.schedule();
  }
}
