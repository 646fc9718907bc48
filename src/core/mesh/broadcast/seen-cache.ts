/**
 * The ids a node has delivered, forgetting the oldest past `capacity`: a duplicate is spotted
 * without a store read while its copies are still in flight, and memory stays bounded. An id
 * forgotten and seen again goes to `deliver`, which knows it from the store.
 */
export class SeenCache {
  private readonly capacity: number;
  // A Set iterates in insertion order, so its first element is the oldest.
  private readonly keys = new Set<string>();

  /** A cache of at most `capacity` ids. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Ids remembered. */
  get size(): number {
    return this.keys.size;
  }

  /** Whether `key` was added and not yet forgotten. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers `key`, forgetting the oldest id if the cache is full. */
  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (this.keys.size <= this.capacity) return;
    const oldest = this.keys.values().next();
    if (oldest.done !== true) this.keys.delete(oldest.value);
  }

  /** Forgets every id. */
  clear(): void {
    this.keys.clear();
  }
}
