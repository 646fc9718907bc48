import type { RecordCursor, RecordPage, RecordQuery, StoredRecord } from '../ports.ts';
import type { Timers } from '../mesh/timers.ts';
import type { GraphEvents, GraphNodeInfo } from './graph-types.ts';
import { recordKey } from './record-codec.ts';
import type { RecordChanges, RecordDraft } from './record-writer.ts';

// Presence, as Windows Peer Graphing's node list: every node of a graph keeps one short-lived
// record of type `mycel/presence`, named by its node id, and extends its expiry while it runs.
// A node that goes away stops extending it, so it turns offline by itself when the record
// expires: nobody has to notice the departure, and a crash looks the same as a goodbye.

/** The record type of presence records. */
export const presenceRecordType = 'mycel/presence';

/** What presence needs of its graph. */
export interface PresenceGraph {
  add(draft: RecordDraft): Promise<StoredRecord>;
  update(key: string, changes: RecordChanges): Promise<StoredRecord>;
  get(key: string): Promise<StoredRecord | undefined>;
  query(query: RecordQuery): Promise<RecordPage>;
  on(type: 'record-changed', listener: (detail: GraphEvents['record-changed']) => void): () => void;
}

/** What a `Presence` is built from. */
export interface PresenceComponents {
  readonly graph: PresenceGraph;
  /** This node's id: the id of its presence record. */
  readonly nodeId: string;
  /** The identity running this node: the creator of its presence record. */
  readonly identityId: string;
  readonly timers: Timers;
  /** Told of every change of a node's presence, this node's own included. */
  readonly onNodeChanged: (node: GraphNodeInfo) => void;
}

/** Settings of a `Presence`. */
export interface PresenceConfig {
  /** How often the presence record's expiry is pushed on. Default 60 s. */
  readonly refreshIntervalMs: number;
  /**
   * How long a presence lasts after its last refresh. Default 180 s: three refreshes, so a
   * node stays online through two lost or late ones, and is offline three minutes after it left.
   */
  readonly lifetimeMs: number;
}

/** The defaults: a refresh a minute, three minutes of life. */
export const defaultPresenceConfig: PresenceConfig = { refreshIntervalMs: 60_000, lifetimeMs: 180_000 };

/** Presence records per query page: the most a store serves at once. */
const pageSize = 1000;

/**
 * The longest wait `setTimeout` keeps (2^31 - 1 ms, about 24 days): a longer one fires at
 * once. A record that expires later than that is looked at again when the wait is over.
 */
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * What a presence record says of its node, or undefined if it is not a presence record or
 * claims another node than the one it names. A tombstone carries no attributes (a deletion
 * keeps nothing of the record), so it stands for its id: a node that withdrew, offline.
 */
export function nodeInfoOf(stored: StoredRecord, nowMs: number): GraphNodeInfo | undefined {
  const { record } = stored;
  if (record.type !== presenceRecordType) return undefined;
  if (!record.deleted && record.attributes['node'] !== record.id) return undefined;
  return {
    nodeId: record.id,
    identityId: record.creator,
    lastSeenMs: record.modifiedAtMs,
    away: record.attributes['away'] === 1,
    online: !record.deleted && record.expiresAtMs > nowMs,
  };
}

function checkConfig(init: Partial<PresenceConfig>): PresenceConfig {
  const config = { ...defaultPresenceConfig, ...init };
  const { refreshIntervalMs, lifetimeMs } = config;
  if (!Number.isSafeInteger(refreshIntervalMs) || refreshIntervalMs < 1) {
    throw new RangeError(`Presence refreshIntervalMs must be a positive integer, not ${refreshIntervalMs}.`);
  }
  // A lifetime no longer than the interval would let the record lapse between two refreshes.
  if (!Number.isSafeInteger(lifetimeMs) || lifetimeMs <= refreshIntervalMs) {
    throw new RangeError(
      `Presence lifetimeMs must be an integer above refreshIntervalMs (${refreshIntervalMs}), not ${lifetimeMs}.`,
    );
  }
  return config;
}

/** What `Presence` last told of one node, and the timer that will tell it went offline. */
interface WatchedNode {
  readonly online: boolean;
  readonly cancelExpiry: (() => void) | undefined;
}

/**
 * This node's presence in one graph, and the graph's list of nodes. `start` publishes the
 * presence record (updating the one kept from before a reload, if any) and refreshes it every
 * `refreshIntervalMs`; `stop` lets it expire. While started, every change of a node's
 * presence goes to `onNodeChanged`: records that arrive, and records that expire, at their
 * expiry rather than when the graph purges them.
 */
export class Presence {
  private away = false;
  private readonly components: PresenceComponents;
  private readonly config: PresenceConfig;
  /** Key of this node's presence record. */
  private readonly key: string;
  private readonly watched = new Map<string, WatchedNode>();
  private running = false;
  private publishing: Promise<void> | undefined;
  private cancelRefresh: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private failure: unknown;

  /** Throws `RangeError` on settings that cannot work (see `PresenceConfig`). */
  constructor(components: PresenceComponents, config: Partial<PresenceConfig> = {}) {
    this.components = components;
    this.config = checkConfig(config);
    this.key = recordKey({ creator: components.identityId, id: components.nodeId });
  }

  /**
   * Why the last write of the presence record failed, or undefined if it succeeded. A failed
   * write is tried again at the next refresh; the record stays valid until its expiry meanwhile.
   */
  get lastError(): unknown {
    return this.failure;
  }

  /**
   * Marks this node away (idle) or back. A running presence republishes at once, even when
   * nothing changed: a write refused earlier (before the node could write) is made good.
   */
  async setAway(away: boolean): Promise<void> {
    this.away = away;
    if (!this.running) return;
    // A publish under way may carry the old value: this one goes after it.
    await this.publishing;
    await this.refresh();
  }

  /**
   * Publishes this node's presence and keeps it fresh until `stop`. Resolves once the first
   * write and the look at the nodes already known are done; never rejects (see `lastError`).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.components.graph.on('record-changed', (detail) => this.changed(detail));
    this.scheduleRefresh();
    await Promise.all([this.refresh(), this.watchKnown()]);
  }

  /** Stops refreshing and reporting; the presence record then expires by itself. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.cancelRefresh?.();
    this.cancelRefresh = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const node of this.watched.values()) node.cancelExpiry?.();
    this.watched.clear();
  }

  /**
   * The graph's nodes as their presence records say, online or not (a node stays listed until
   * its expired record is purged). Records claiming another node than the one they name are
   * left out.
   */
  async nodes(): Promise<GraphNodeInfo[]> {
    const nowMs = this.nowMs();
    const records = await this.presenceRecords();
    return records.flatMap((stored) => nodeInfoOf(stored, nowMs) ?? []);
  }

  private scheduleRefresh(): void {
    this.cancelRefresh = this.components.timers.schedule(this.config.refreshIntervalMs, () => {
      if (!this.running) return;
      void this.refresh();
      this.scheduleRefresh();
    });
  }

  /** Writes the presence record once, unless a write is still under way. Never rejects. */
  private refresh(): Promise<void> {
    this.publishing ??= this.publish()
      .then(
        () => {
          this.failure = undefined;
        },
        (error: unknown) => {
          this.failure = error;
        },
      )
      .finally(() => {
        this.publishing = undefined;
      });
    return this.publishing;
  }

  /**
   * Adds the presence record, or updates the one there: after a reload, or after a write
   * whose outcome was lost, the key already holds a version, and a second version 1 would lose.
   */
  private async publish(): Promise<void> {
    const { graph, nodeId } = this.components;
    const expiresAtMs = this.nowMs() + this.config.lifetimeMs;
    const attributes = this.away ? { node: nodeId, away: 1 } : { node: nodeId };
    const existing = await graph.get(this.key);
    if (existing === undefined) {
      await graph.add({ type: presenceRecordType, id: nodeId, attributes, expiresAtMs });
    } else {
      // A tombstone makes this throw RecordNotFoundError: a deletion is final, so the node
      // shows offline until the tombstone expires and a new record may take the key.
      await graph.update(this.key, { attributes, expiresAtMs });
    }
  }

  /** Learns the presence records already held, so that their expiry is reported too. */
  private async watchKnown(): Promise<void> {
    let records: StoredRecord[];
    try {
      records = await this.presenceRecords();
    } catch (error) {
      this.failure = error;
      return;
    }
    const nowMs = this.nowMs();
    for (const stored of records) {
      const info = nodeInfoOf(stored, nowMs);
      // A change that arrived during the query is newer than what the query read.
      if (info === undefined || this.watched.has(stored.key) || !this.running) continue;
      this.watch(stored, info);
    }
  }

  private changed({ change, record: stored }: GraphEvents['record-changed']): void {
    if (!this.running || stored.record.type !== presenceRecordType) return;
    const previous = this.watched.get(stored.key);
    previous?.cancelExpiry?.();
    this.watched.delete(stored.key);
    const info = nodeInfoOf(stored, this.nowMs());
    if (info === undefined) return;
    if (change === 'purged') {
      // Usually already reported offline at its expiry; a record never seen here was not.
      if (previous?.online !== false) this.components.onNodeChanged({ ...info, online: false });
      return;
    }
    this.watch(stored, info);
    this.components.onNodeChanged(info);
  }

  /** Remembers what was reported of a node, and sets a timer to report it offline at expiry. */
  private watch(stored: StoredRecord, info: GraphNodeInfo): void {
    if (!info.online) {
      this.watched.set(stored.key, { online: false, cancelExpiry: undefined });
      return;
    }
    const delayMs = Math.min(stored.record.expiresAtMs - this.nowMs(), maxTimerDelayMs);
    const cancelExpiry = this.components.timers.schedule(delayMs, () => {
      const now = nodeInfoOf(stored, this.nowMs());
      if (now === undefined) return;
      this.watch(stored, now);
      if (!now.online) this.components.onNodeChanged(now);
    });
    this.watched.set(stored.key, { online: true, cancelExpiry });
  }

  /** Every presence record of the graph, tombstones included, page by page. */
  private async presenceRecords(): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    const base: RecordQuery = { type: presenceRecordType, includeDeleted: true, limit: pageSize };
    let after: RecordCursor | undefined;
    do {
      const page = await this.components.graph.query(after === undefined ? base : { ...base, after });
      records.push(...page.records);
      after = page.next;
    } while (after !== undefined);
    return records;
  }

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }
}
