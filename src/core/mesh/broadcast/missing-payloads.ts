import type { Timers } from '../timers.ts';

/** What `MissingPayloads` needs around it. */
export interface MissingPayloadsInit {
  readonly timers: Timers;
  readonly graftTimeoutMs: number;
  readonly secondGraftTimeoutMs: number;
  readonly maxGraftAttempts: number;
  readonly maxMissingIds: number;
  readonly maxAnnouncersPerId: number;
  /** Whether a copy of `key` is being delivered right now: a GRAFT would be premature. */
  readonly isInProgress: (key: string) => boolean;
  /** Asks `nodeId` for `id` (sends a GRAFT and makes the link eager). */
  readonly graft: (nodeId: string, id: Uint8Array) => void;
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
 */
export class MissingPayloads {
  private readonly init: MissingPayloadsInit;
  private readonly entries = new Map<string, MissingEntry>();
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
    this.init.graft(target, entry.id);
  }
}
