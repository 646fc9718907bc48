import { equalBytes, toBase64Url } from '../../lib/bytes.ts';

/** One value a node holds, with what the value policy said about it. */
export interface HeldValue {
  readonly key: Uint8Array;
  /** Whose value it is: one value per key and slot. */
  readonly slot: string;
  /** Orders the values of one slot; a higher version replaces a lower one. */
  readonly version: number;
  /** When the value is dropped; it is never returned after that. */
  readonly expiresAtMs: number;
  readonly value: Uint8Array;
  /** When this value last arrived (first store or an identical republish). */
  readonly receivedAtMs: number;
}

/** What the policy decided about a value, as the store needs it. */
export interface HeldValueMeta {
  readonly slot: string;
  readonly version: number;
  readonly expiresAtMs: number;
}

/**
 * The outcome of `DhtStore.put`: `stored` (a new slot) and `replaced` (a newer version of a
 * slot) changed the store; everything else left it as it was.
 */
export type StoreOutcome =
  'stored' | 'replaced' | 'stale' | 'expired' | 'value-too-large' | 'too-many-slots' | 'store-full';

/** Caps of a `DhtStore`. */
export interface DhtStoreLimits {
  readonly maxSlotsPerKey: number;
  readonly maxValueBytes: number;
  readonly maxValues: number;
}

interface KeyEntry {
  readonly key: Uint8Array;
  readonly slots: Map<string, HeldValue>;
}

/**
 * The values a node holds for others, by key and slot. Pure state: the DHT checks each value
 * with the value policy before it offers it here, and drives the sweep with its timers.
 * Every dimension is capped, since any node may ask this one to store anything.
 */
export class DhtStore {
  private readonly limits: DhtStoreLimits;
  private readonly byKey = new Map<string, KeyEntry>();
  private count = 0;

  /** An empty store with the given caps. */
  constructor(limits: DhtStoreLimits) {
    this.limits = limits;
  }

  /** Values held, expired ones included until the next `sweep`. */
  get size(): number {
    return this.count;
  }

  /**
   * Holds `value` for `key` in slot `meta.slot`, unless the slot already has the same or a
   * higher version (`stale`), the value is expired or too large, or a cap is reached.
   */
  put(key: Uint8Array, value: Uint8Array, meta: HeldValueMeta, nowMs: number): StoreOutcome {
    if (value.length > this.limits.maxValueBytes) return 'value-too-large';
    if (meta.expiresAtMs <= nowMs) return 'expired';
    const id = toBase64Url(key);
    const entry = this.byKey.get(id);
    if (entry !== undefined) this.dropExpired(id, entry, nowMs);
    const current = entry?.slots.get(meta.slot);
    if (current !== undefined && current.version >= meta.version) return 'stale';
    if (current === undefined) {
      if ((entry?.slots.size ?? 0) >= this.limits.maxSlotsPerKey) return 'too-many-slots';
      if (this.count >= this.limits.maxValues && this.sweep(nowMs) === 0) return 'store-full';
    }
    const held: HeldValue = { key, value, ...meta, receivedAtMs: nowMs };
    const target = this.byKey.get(id) ?? { key, slots: new Map<string, HeldValue>() };
    target.slots.set(meta.slot, held);
    this.byKey.set(id, target);
    if (current !== undefined) return 'replaced';
    this.count++;
    return 'stored';
  }

  /**
   * Whether exactly `value` is held, unexpired, for `key`. When it is, it counts as received
   * again now: a republish of a value this node has needs no new check, and tells it that
   * someone else republished it this round.
   */
  renew(key: Uint8Array, value: Uint8Array, nowMs: number): boolean {
    const entry = this.byKey.get(toBase64Url(key));
    if (entry === undefined) return false;
    for (const [slot, held] of entry.slots) {
      if (held.expiresAtMs > nowMs && equalBytes(held.value, value)) {
        entry.slots.set(slot, { ...held, receivedAtMs: nowMs });
        return true;
      }
    }
    return false;
  }

  /** The unexpired values held for `key`. */
  get(key: Uint8Array, nowMs: number): HeldValue[] {
    const entry = this.byKey.get(toBase64Url(key));
    if (entry === undefined) return [];
    return [...entry.slots.values()].filter((held) => held.expiresAtMs > nowMs);
  }

  /** The keys that have unexpired values, each with those values. */
  keys(nowMs: number): { readonly key: Uint8Array; readonly values: HeldValue[] }[] {
    const out: { readonly key: Uint8Array; readonly values: HeldValue[] }[] = [];
    for (const entry of this.byKey.values()) {
      const values = [...entry.slots.values()].filter((held) => held.expiresAtMs > nowMs);
      if (values.length > 0) out.push({ key: entry.key, values });
    }
    return out;
  }

  /** Drops every expired value; returns how many went. */
  sweep(nowMs: number): number {
    let dropped = 0;
    for (const [id, entry] of this.byKey) dropped += this.dropExpired(id, entry, nowMs);
    return dropped;
  }

  private dropExpired(id: string, entry: KeyEntry, nowMs: number): number {
    let dropped = 0;
    for (const [slot, held] of entry.slots) {
      if (held.expiresAtMs > nowMs) continue;
      entry.slots.delete(slot);
      dropped++;
    }
    if (entry.slots.size === 0) this.byKey.delete(id);
    this.count -= dropped;
    return dropped;
  }
}
