import type { Timers } from '../mesh/timers.ts';

/** What `GroupLinks` needs of the group's graph. */
export interface LinkableGraph {
  graphNeighbors(): string[];
  link(nodeId: string): Promise<void>;
}

/** Settings of `GroupLinks`. */
export interface GroupLinksConfig {
  /** Graph neighbours a group wants; below it, members' nodes are dialled. */
  readonly targetLinks: number;
  /** How often the count is checked. */
  readonly checkIntervalMs: number;
  /** The first wait before a node that could not be reached is tried again; it doubles. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

export const defaultGroupLinksConfig: GroupLinksConfig = {
  targetLinks: 2,
  checkIntervalMs: 5_000,
  retryMs: 5_000,
  maxRetryMs: 120_000,
};

/**
 * Keeps a group's graph linked. The mesh picks neighbours for the whole node, whatever groups
 * they are in, so a group's members may have no mesh link between them; while the group has
 * fewer graph neighbours than it wants, this dials members' nodes (online ones first) and
 * links to them directly. A node that cannot be reached waits longer each time.
 */
export class GroupLinks {
  private readonly config: GroupLinksConfig;
  private readonly failures = new Map<string, { count: number; retryAtMs: number }>();
  private readonly dialling = new Set<string>();
  private cancel: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly graph: LinkableGraph,
    private readonly candidates: () => readonly string[],
    private readonly timers: Timers,
    config: Partial<GroupLinksConfig> = {},
  ) {
    this.config = { ...defaultGroupLinksConfig, ...config };
  }

  start(): void {
    this.schedule(0);
  }

  /** Checks now, e.g. when new members' nodes became known. */
  poke(): void {
    if (!this.stopped) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  private schedule(delayMs: number): void {
    this.cancel?.();
    this.cancel = this.timers.schedule(delayMs, () => {
      this.check();
      if (!this.stopped) this.schedule(this.config.checkIntervalMs);
    });
  }

  private check(): void {
    const linked = new Set(this.graph.graphNeighbors());
    const wanted = this.config.targetLinks - linked.size - this.dialling.size;
    if (wanted <= 0) return;
    const nowMs = this.timers.nowMs();
    const choices = this.candidates().filter(
      (nodeId) =>
        !linked.has(nodeId) &&
        !this.dialling.has(nodeId) &&
        (this.failures.get(nodeId)?.retryAtMs ?? 0) <= nowMs,
    );
    for (const nodeId of choices.slice(0, wanted)) void this.dial(nodeId);
  }

  private async dial(nodeId: string): Promise<void> {
    this.dialling.add(nodeId);
    try {
      await this.graph.link(nodeId);
      this.failures.delete(nodeId);
    } catch {
      const count = (this.failures.get(nodeId)?.count ?? 0) + 1;
      const waitMs = Math.min(this.config.retryMs * 2 ** (count - 1), this.config.maxRetryMs);
      this.failures.set(nodeId, { count, retryAtMs: this.timers.nowMs() + waitMs });
    } finally {
      this.dialling.delete(nodeId);
    }
  }
}
