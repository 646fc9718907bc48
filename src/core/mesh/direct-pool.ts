import { MycelError } from '../../lib/errors.ts';
import type { WireValue } from '../wire/cbor.ts';
import { SessionClosedError } from './link-session.ts';
import type { Mesh } from './mesh.ts';
import type { Timers } from './timers.ts';

/** A direct link could not be opened within the pool's `openTimeoutMs`. */
export class DirectOpenTimeoutError extends MycelError {
  override name = 'DirectOpenTimeoutError';
}

/** `send` on a pool that was stopped. */
export class DirectPoolStoppedError extends MycelError {
  override name = 'DirectPoolStoppedError';
}

/** Settings of a `DirectPool`. */
export interface DirectPoolConfig {
  /** Links the pool keeps open at once; past this the least recently used is let go. */
  readonly maxLinks: number;
  /** A link unused for this long is let go. */
  readonly idleMs: number;
  /** How long opening a link may take before `send` gives up. */
  readonly openTimeoutMs: number;
}

/**
 * Defaults: 8 links besides the mesh's ~5 neighbours keeps a browser well under its
 * connection budget; a minute of idleness outlasts a DHT lookup or a presence exchange, so a
 * link is reused within one task but not kept for nothing.
 */
export const defaultDirectPoolConfig: DirectPoolConfig = {
  maxLinks: 8,
  idleMs: 60_000,
  openTimeoutMs: 10_000,
};

/** What the pool needs from the mesh. */
export type DirectPoolMesh = Pick<Mesh, 'sendTo' | 'openDirect' | 'closeDirect' | 'neighbors'>;

/**
 * On-demand direct links for protocols that talk to nodes outside the active view (DHT
 * lookups, presence): a message to a neighbour goes over the neighbour's link; to anyone else,
 * over a direct link the pool opens the first time and lets go (`closeDirect`) once it has
 * been idle for `idleMs`, or when more than `maxLinks` are open (least recently used first).
 */
export class DirectPool {
  private readonly mesh: DirectPoolMesh;
  private readonly timers: Timers;
  private readonly config: DirectPoolConfig;
  /** Links this pool holds, least recently used first, with when each was last used. */
  private readonly held = new Map<string, number>();
  private readonly opening = new Map<string, Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private cancelSweep: (() => void) | undefined;
  private stopped = false;

  /** An empty pool on `mesh`; `config` overrides `defaultDirectPoolConfig`. */
  constructor(mesh: DirectPoolMesh, timers: Timers, config: Partial<DirectPoolConfig> = {}) {
    this.mesh = mesh;
    this.timers = timers;
    this.config = { ...defaultDirectPoolConfig, ...config };
    const { maxLinks, idleMs, openTimeoutMs } = this.config;
    if (!(Number.isSafeInteger(maxLinks) && maxLinks >= 1 && idleMs > 0 && openTimeoutMs > 0)) {
      throw new RangeError(`A direct pool needs maxLinks >= 1 and positive times, not ${maxLinks}.`);
    }
  }

  /** Links the pool holds open now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Sends over an existing session, or opens a direct link first (deduplicating concurrent
   * opens); rejects when unreachable.
   */
  async send(nodeId: string, protocol: string, body: WireValue): Promise<void> {
    if (this.stopped) throw new DirectPoolStoppedError('The direct link pool has stopped.');
    if (this.held.has(nodeId) || this.mesh.neighbors().includes(nodeId)) {
      this.touch(nodeId);
      try {
        await this.mesh.sendTo(nodeId, protocol, body);
        return;
      } catch (error) {
        if (!(error instanceof SessionClosedError)) throw error;
        // The link died under us (or the neighbour left): open a fresh one below.
        this.release(nodeId);
      }
    }
    await this.open(nodeId);
    this.touch(nodeId);
    await this.mesh.sendTo(nodeId, protocol, body);
  }

  /** Lets go of every link it opened. */
  stop(): void {
    this.stopped = true;
    this.cancelSweep?.();
    this.cancelSweep = undefined;
    for (const controller of this.aborts) controller.abort();
    this.aborts.clear();
    for (const nodeId of [...this.held.keys()]) this.release(nodeId);
  }

  private open(nodeId: string): Promise<void> {
    const pending = this.opening.get(nodeId);
    if (pending !== undefined) return pending;
    const controller = new AbortController();
    this.aborts.add(controller);
    // A link that opens after the caller gave up is still adopted: the idle sweep lets it go.
    const opened = this.mesh.openDirect(nodeId, controller.signal).then(() => this.adopt(nodeId));
    const opening = new Promise<void>((resolve, reject) => {
      const cancelTimer = this.timers.schedule(this.config.openTimeoutMs, () => {
        controller.abort();
        reject(new DirectOpenTimeoutError(`No direct link to ${nodeId} could be opened in time.`));
      });
      opened.then(
        () => {
          cancelTimer();
          resolve();
        },
        (error: unknown) => {
          cancelTimer();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }).finally(() => {
      this.opening.delete(nodeId);
      this.aborts.delete(controller);
    });
    this.opening.set(nodeId, opening);
    return opening;
  }

  /** Takes over the hold `openDirect` made, keeping one hold per node. */
  private adopt(nodeId: string): void {
    if (this.stopped || this.held.has(nodeId)) {
      this.mesh.closeDirect(nodeId);
      return;
    }
    this.held.set(nodeId, this.timers.nowMs());
    while (this.held.size > this.config.maxLinks) {
      const oldest = this.held.keys().next();
      if (oldest.done === true || oldest.value === nodeId) break;
      this.release(oldest.value);
    }
    this.armSweep();
  }

  private touch(nodeId: string): void {
    if (!this.held.has(nodeId)) return;
    // Re-inserting keeps the map in order of last use.
    this.held.delete(nodeId);
    this.held.set(nodeId, this.timers.nowMs());
  }

  private release(nodeId: string): void {
    if (!this.held.delete(nodeId)) return;
    this.mesh.closeDirect(nodeId);
  }

  /** Schedules the next idle check for when the least recently used link turns idle. */
  private armSweep(): void {
    if (this.cancelSweep !== undefined || this.stopped) return;
    const oldest = this.held.values().next();
    if (oldest.done === true) return;
    const dueInMs = Math.max(0, oldest.value + this.config.idleMs - this.timers.nowMs());
    this.cancelSweep = this.timers.schedule(dueInMs, () => {
      this.cancelSweep = undefined;
      const nowMs = this.timers.nowMs();
      for (const [nodeId, lastUsedMs] of [...this.held]) {
        if (nowMs - lastUsedMs >= this.config.idleMs) this.release(nodeId);
      }
      this.armSweep();
    });
  }
}
