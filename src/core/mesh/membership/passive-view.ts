import type { Random } from '../../../lib/random.ts';

/**
 * HyParView's passive view: node ids a node has heard of and may promote when an active
 * neighbour fails. Pure state, no I/O: the driver decides what goes in and out.
 */
export class PassiveView {
  private readonly selfId: string;
  private readonly capacity: number;
  private readonly random: Random;
  private readonly members: string[] = [];

  /** An empty view of at most `capacity` ids, never holding `selfId`; `random` picks evictions. */
  constructor(selfId: string, capacity: number, random: Random) {
    this.selfId = selfId;
    this.capacity = capacity;
    this.random = random;
  }

  /** Candidates in the view. */
  get size(): number {
    return this.members.length;
  }

  /** Whether `id` is a candidate. */
  has(id: string): boolean {
    return this.members.includes(id);
  }

  /** The ids, oldest first. */
  ids(): string[] {
    return [...this.members];
  }

  /** Forgets `id` (promoted, or found unreachable). */
  remove(id: string): void {
    const index = this.members.indexOf(id);
    if (index >= 0) this.members.splice(index, 1);
  }

  /**
   * Adds `id` unless it is this node, already known, or `excluded` (an active neighbour).
   * When full, evicts one of `preferEvict` if any is present (ids this node just sent away in
   * a shuffle, §4.4), else a random member.
   */
  add(id: string, excluded: (id: string) => boolean, preferEvict: readonly string[] = []): void {
    if (id === this.selfId || this.has(id) || excluded(id)) return;
    if (this.members.length >= this.capacity) {
      const evictable = preferEvict.filter((candidate) => this.has(candidate));
      const victim = evictable.length > 0 ? this.random.pick(evictable) : this.random.pick(this.members);
      this.remove(victim);
    }
    this.members.push(id);
  }

  /** Adds every id of a shuffle sample; see `add`. */
  integrate(
    sample: readonly string[],
    excluded: (id: string) => boolean,
    preferEvict: readonly string[],
  ): void {
    for (const id of sample) this.add(id, excluded, preferEvict);
  }

  /** Up to `count` distinct random members. */
  sample(count: number): string[] {
    return this.random.shuffle(this.members).slice(0, count);
  }
}
