import type { Random } from '../../lib/random.ts';
import type { Timers } from '../mesh/timers.ts';
import { randomIdWithPrefix } from './dht-id.ts';
import type { DhtStore, HeldValue } from './dht-store.ts';
import type { DhtConfig } from './dht-types.ts';
import type { RoutingTable } from './routing-table.ts';

/** What the periodic work needs from the DHT around it. */
export interface MaintenancePort {
  readonly selfId: Uint8Array;
  readonly timers: Timers;
  readonly random: Random;
  readonly config: DhtConfig;
  readonly table: RoutingTable;
  readonly store: DhtStore;
  /** Runs a lookup of `target` (no values) and resolves with the closest answering nodes. */
  closestTo(target: Uint8Array): Promise<readonly { readonly nodeId: string }[]>;
  /** Offers `value` for `key` to `nodeId`; resolves whether it was accepted. */
  storeAt(nodeId: string, key: Uint8Array, value: Uint8Array): Promise<boolean>;
}

/** Counters of the maintenance work. */
export interface MaintenanceStats {
  readonly refreshes: number;
  readonly republished: number;
}

/**
 * The DHT's background work (Kademlia §2.3 and §2.5): join by looking up the node's own id,
 * refresh buckets no lookup went through for `refreshIntervalMs`, republish held values
 * every `republishIntervalMs` to whoever is closest to their key now (so replicas lost to
 * churn are replaced), and sweep expired values. Timers are jittered by ±10 %, so nodes that
 * started together do not all republish at once.
 */
export class DhtMaintenance {
  private readonly port: MaintenancePort;
  private cancels: (() => void)[] = [];
  private running = false;
  private counters = { refreshes: 0, republished: 0 };

  /** Idle until `start`. */
  constructor(port: MaintenancePort) {
    this.port = port;
  }

  /** Joins now, then keeps refreshing, republishing and sweeping until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { config } = this.port;
    this.cancels.push(this.port.timers.schedule(0, () => void this.join()));
    this.every(config.refreshIntervalMs, () => this.refresh());
    this.every(config.republishIntervalMs, () => this.republish());
    this.every(config.sweepIntervalMs, () => {
      this.port.store.sweep(this.port.timers.nowMs());
      return Promise.resolve();
    });
  }

  /** Cancels every timer; work in progress ends after its current lookups. */
  stop(): void {
    this.running = false;
    for (const cancel of this.cancels.splice(0)) cancel();
  }

  /** Refreshes and republished values so far. */
  stats(): MaintenanceStats {
    return { ...this.counters };
  }

  /**
   * Looks up the node's own id, which introduces it to the nodes closest to it and fills its
   * deepest buckets (Kademlia §2.3). The other buckets fill from traffic: every node that
   * asks this one something becomes a contact, and `refresh` catches what traffic missed.
   * Refreshing every bucket at once on joining, as the paper does, would cost about 30
   * lookups per joining node at 500 nodes, each opening links to strangers.
   */
  async join(): Promise<void> {
    if (!this.running) return;
    await this.port.closestTo(this.port.selfId);
  }

  /**
   * Looks up the node's own id again, then a random id in every bucket above its
   * neighbourhood that neither a lookup nor a live contact touched for a refresh interval.
   */
  async refresh(): Promise<void> {
    const { table, timers, config, random } = this.port;
    await this.port.closestTo(this.port.selfId);
    const stale = table.staleBuckets(timers.nowMs() - config.refreshIntervalMs);
    await this.runLimited(
      stale.map(({ level, digit }) => async () => {
        this.counters.refreshes++;
        await this.port.closestTo(randomIdWithPrefix(table.selfId, level, digit, table.bitsPerDigit, random));
      }),
    );
  }

  /**
   * Stores each held value again on the `replication` nodes now closest to its key. A value
   * that arrived within the last interval is skipped: whoever sent it republished it this
   * round (Kademlia §2.5), so one replica, not all of them, does the work.
   */
  async republish(): Promise<void> {
    const { store, timers, config } = this.port;
    const nowMs = timers.nowMs();
    const due = store
      .keys(nowMs)
      .map(({ key, values }) => ({
        key,
        values: values.filter((held) => nowMs - held.receivedAtMs >= config.republishIntervalMs),
      }))
      .filter((entry) => entry.values.length > 0);
    await this.runLimited(
      due.map(
        ({ key, values }) =>
          () =>
            this.republishKey(key, values),
      ),
    );
  }

  private async republishKey(key: Uint8Array, values: readonly HeldValue[]): Promise<void> {
    const closest = await this.port.closestTo(key);
    const targets = closest.slice(0, this.port.config.replication);
    const nowMs = this.port.timers.nowMs();
    for (const held of values) {
      if (held.expiresAtMs <= nowMs) continue;
      this.counters.republished++;
      // One value at a time per key: a replica rate-limits the stores of each sender.
      await Promise.all(targets.map((target) => this.port.storeAt(target.nodeId, key, held.value)));
    }
  }

  /** Runs `tasks` with at most `maintenanceConcurrency` at once, stopping early on `stop`. */
  private async runLimited(tasks: readonly (() => Promise<void>)[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (this.running && next < tasks.length) {
        const task = tasks[next++];
        if (task !== undefined) await task();
      }
    };
    const workers = Math.min(this.port.config.maintenanceConcurrency, tasks.length);
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** Runs `task` every `intervalMs` ± 10 %, never twice at once. */
  private every(intervalMs: number, task: () => Promise<void>): void {
    let cancel: () => void = () => undefined;
    const arm = (): void => {
      const delayMs = intervalMs * (0.9 + 0.2 * this.port.random.next());
      cancel = this.port.timers.schedule(delayMs, () => {
        if (!this.running) return;
        void task().finally(() => {
          if (this.running) arm();
        });
      });
    };
    arm();
    this.cancels.push(() => cancel());
  }
}
