import type { Timers } from '../timers.ts';

/** What `MissingPayloads` needs around it. */
export interface MissingPayloadsInit {
  readonly timers: Timers;
  readonly graftTimeoutMs: number;
  readonly secondGraftTimeoutMs: number;
  readonly maxGraftAttempts: number;
  readonly maxMissingIds: number;
  readonly maxAnnouncersPerId: number;
  readonly maxIdsPerGraft: number;
  /** Whether a copy of `key` is being delivered right now: a GRAFT would be premature. */
  readonly isInProgress: (key: string) => boolean;
  /** Sends `nodeId` a GRAFT for `ids` (1 to `maxIdsPerGraft` of them). */
  readonly graft: (nodeId: string, ids: readonly Uint8Array[]) => void;
}

interface MissingEntry {
  readonly id: Uint8Array;
  /** Neighbours that announced the id, first announcer first. */
  readonly announcers: string[];
  attempts: number;
  lastAsked: string | undefined;
  cancelTimer: () => void;
}

/**
 * Ids announced by IHAVE and not yet received, with who announced them (the paper's
 * `missing` set and its timers, Algorithm 1). The first GRAFT goes out `graftTimeoutMs` after the
 * first announcement, to the first announcer; each further one `secondGraftTimeoutMs` later
 * to the next, cycling, so a lost GRAFT or answer is retried. The paper sends each announcer
 * at most one GRAFT, which suffices over reliable links; retrying also covers lossy ones.
 * After `maxGraftAttempts` the id is given up: reconciliation brings it on the next link.
 * Ids whose timers fire at the same instant, typically announced in one IHAVE, are asked for
 * in one GRAFT per announcer.
 */
export class MissingPayloads {
  private readonly init: MissingPayloadsInit;
  private readonly entries = new Map<string, MissingEntry>();
  /** Keys to ask each announcer for, gathered while timers due at one instant fire. */
  private readonly dueGrafts = new Map<string, string[]>();
  private cancelGraftFlush: (() => void) | undefined;
  private abandonedCount = 0;

  /** No id missing yet. */
  constructor(init: MissingPayloadsInit) {
    this.init = init;
  }

  /** Ids being waited for. */
  get size(): number {
    return this.entries.size;
  }

  /** Ids given up after every GRAFT went unanswered. */
  get abandoned(): number {
    return this.abandonedCount;
  }

  /** Whether `key` is being waited for. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Records that `nodeId` announced `id`, starting its timer if it is new. False when the id
   * was not recorded because too many ids are missing already.
   */
  announce(key: string, id: Uint8Array, nodeId: string): boolean {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= this.init.maxMissingIds) return false;
      const created: MissingEntry = {
        id,
        announcers: [],
        attempts: 0,
        lastAsked: undefined,
        cancelTimer: () => undefined,
      };
      this.entries.set(key, created);
      this.arm(key, created, this.init.graftTimeoutMs);
      entry = created;
    }
    if (!entry.announcers.includes(nodeId) && entry.announcers.length < this.init.maxAnnouncersPerId) {
      entry.announcers.push(nodeId);
    }
    return true;
  }

  /** The payload of `key` arrived: stop waiting for it. Returns who announced it, if anyone. */
  resolve(key: string): readonly string[] {
    const entry = this.entries.get(key);
    if (entry === undefined) return [];
    entry.cancelTimer();
    this.entries.delete(key);
    return entry.announcers;
  }

  /**
   * `nodeId` is no longer a neighbour: it leaves every announcer list. An id it alone
   * announced is dropped; an id it was last asked for is asked of the next announcer now.
   */
  dropAnnouncer(nodeId: string): void {
    this.dueGrafts.delete(nodeId);
    for (const [key, entry] of this.entries) {
      const index = entry.announcers.indexOf(nodeId);
      if (index < 0) continue;
      entry.announcers.splice(index, 1);
      if (entry.announcers.length === 0) {
        this.resolve(key);
      } else if (entry.lastAsked === nodeId) {
        entry.lastAsked = undefined;
        this.arm(key, entry, 0);
      }
    }
  }

  /** Stops every timer and forgets every id. */
  clear(): void {
    for (const entry of this.entries.values()) entry.cancelTimer();
    this.entries.clear();
    this.cancelGraftFlush?.();
    this.cancelGraftFlush = undefined;
    this.dueGrafts.clear();
  }

  private arm(key: string, entry: MissingEntry, delayMs: number): void {
    entry.cancelTimer();
    entry.cancelTimer = this.init.timers.schedule(delayMs, () => this.expire(key, entry));
  }

  private expire(key: string, entry: MissingEntry): void {
    if (this.entries.get(key) !== entry) return;
    if (this.init.isInProgress(key)) {
      // A copy is being validated: wait for its outcome rather than ask for another.
      this.arm(key, entry, this.init.secondGraftTimeoutMs);
      return;
    }
    if (entry.attempts >= this.init.maxGraftAttempts) {
      this.entries.delete(key);
      this.abandonedCount++;
      return;
    }
    const target = entry.announcers[entry.attempts % entry.announcers.length];
    if (target === undefined) {
      this.entries.delete(key);
      return;
    }
    entry.attempts++;
    entry.lastAsked = target;
    this.arm(key, entry, this.init.secondGraftTimeoutMs);
    const due = this.dueGrafts.get(target);
    if (due === undefined) this.dueGrafts.set(target, [key]);
    else due.push(key);
    // Timers due at this same instant run first, then the flush: they share one frame.
    this.cancelGraftFlush ??= this.init.timers.schedule(0, () => this.flushGrafts());
  }

  private flushGrafts(): void {
    this.cancelGraftFlush = undefined;
    for (const [nodeId, keys] of this.dueGrafts) {
      // An id that arrived since its timer fired needs no GRAFT.
      const ids = keys.flatMap((key) => this.entries.get(key)?.id ?? []);
      for (let start = 0; start < ids.length; start += this.init.maxIdsPerGraft) {
        this.init.graft(nodeId, ids.slice(start, start + this.init.maxIdsPerGraft));
      }
    }
    this.dueGrafts.clear();
  }
}
