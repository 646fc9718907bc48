import type { Random } from '../../../lib/random.ts';

/** What `ActiveView.add` did besides adding. */
export interface ActiveViewChange<L> {
  /** The peer was already active over this other link, which the caller should close. */
  readonly replaced?: L;
  /** The view was full: this neighbour was taken out to make room (§4.2, dropRandomElement). */
  readonly evicted?: { readonly id: string; readonly link: L };
}

/**
 * HyParView's active view: at most `capacity` neighbours, each with the one link (of type `L`)
 * the node talks to it over. Pure state, no I/O: the driver sends DISCONNECT and closes links.
 */
export class ActiveView<L> {
  private readonly capacity: number;
  private readonly random: Random;
  private readonly links = new Map<string, L>();

  /** A view of at most `capacity` neighbours; `random` picks whom to evict. */
  constructor(capacity: number, random: Random) {
    this.capacity = capacity;
    this.random = random;
  }

  /** Neighbours in the view. */
  get size(): number {
    return this.links.size;
  }

  /** Whether adding a new neighbour would evict one. */
  get isFull(): boolean {
    return this.links.size >= this.capacity;
  }

  /** Whether `id` is an active neighbour. */
  has(id: string): boolean {
    return this.links.has(id);
  }

  /** The link to `id`, if it is active. */
  get(id: string): L | undefined {
    return this.links.get(id);
  }

  /** The ids, in the order they entered the view. */
  ids(): string[] {
    return [...this.links.keys()];
  }

  /** Id and link of every neighbour. */
  entries(): [string, L][] {
    return [...this.links];
  }

  /** Makes `link` the link to `id`, evicting a random other neighbour if the view is full. */
  add(id: string, link: L): ActiveViewChange<L> {
    const current = this.links.get(id);
    if (current !== undefined) {
      this.links.set(id, link);
      return current === link ? {} : { replaced: current };
    }
    let evicted: { id: string; link: L } | undefined;
    if (this.isFull) {
      const victim = this.randomId([id]);
      const victimLink = victim === undefined ? undefined : this.links.get(victim);
      if (victim !== undefined && victimLink !== undefined) {
        this.links.delete(victim);
        evicted = { id: victim, link: victimLink };
      }
    }
    this.links.set(id, link);
    return evicted === undefined ? {} : { evicted };
  }

  /** Takes `id` out; false if it was not there. */
  remove(id: string): boolean {
    return this.links.delete(id);
  }

  /** Empties the view (the caller closes the links). */
  clear(): void {
    this.links.clear();
  }

  /** A random neighbour other than those in `exclude`. */
  randomId(exclude: readonly string[]): string | undefined {
    const ids = this.ids().filter((id) => !exclude.includes(id));
    return ids.length > 0 ? this.random.pick(ids) : undefined;
  }

  /** The link of a random neighbour other than those in `exclude`. */
  randomLink(exclude: readonly string[]): L | undefined {
    const id = this.randomId(exclude);
    return id === undefined ? undefined : this.get(id);
  }
}
