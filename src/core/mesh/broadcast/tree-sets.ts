/**
 * Which neighbours are lazy in each root's tree. A tree per root (the node a payload started
 * from), as riak_core's Plumtree keeps (`eager_sets` and `lazy_sets` per root): with a single
 * tree shared by every sender, payloads from different roots in flight at once meet at
 * different links of a cycle and prune more than one of them, so the shared tree keeps
 * falling apart into pieces that grafts glue back (seen in simulation). Each root's tree
 * settles after that root's first payload and is then left alone by the others.
 *
 * Only the lazy set is stored: every neighbour is eager unless pruned, which is the paper's
 * starting state for a new neighbour and, here, for a new root. At most `maxRoots` roots are
 * remembered, the least recently used forgotten first; a forgotten root starts over with every
 * link eager, costing one flood and its prunes.
 */
export class TreeSets {
  private readonly maxRoots: number;
  private readonly neighbors = new Set<string>();
  // A Map iterates in insertion order; a root is re-inserted on use, so the first is the stalest.
  private readonly lazyByRoot = new Map<string, Set<string>>();

  /** No neighbours and no roots yet. */
  constructor(maxRoots: number) {
    this.maxRoots = maxRoots;
  }

  /** Roots remembered. */
  get rootCount(): number {
    return this.lazyByRoot.size;
  }

  /** Whether `nodeId` is a neighbour. */
  hasNeighbor(nodeId: string): boolean {
    return this.neighbors.has(nodeId);
  }

  /** Every neighbour, in the order they were added. */
  neighborIds(): string[] {
    return [...this.neighbors];
  }

  /** Adds a neighbour: eager in every tree. False if it already was one. */
  addNeighbor(nodeId: string): boolean {
    if (this.neighbors.has(nodeId)) return false;
    this.neighbors.add(nodeId);
    return true;
  }

  /** Removes a neighbour from every tree. False if it was none. */
  removeNeighbor(nodeId: string): boolean {
    if (!this.neighbors.delete(nodeId)) return false;
    for (const lazy of this.lazyByRoot.values()) lazy.delete(nodeId);
    return true;
  }

  /** Whether payloads of `root` were spread here and the root is still remembered. */
  knowsRoot(root: string): boolean {
    return this.lazyByRoot.has(root);
  }

  /** Remembers `root` (a payload of it is being spread), marking it most recently used. */
  touch(root: string): void {
    const lazy = this.lazyByRoot.get(root) ?? new Set<string>();
    this.lazyByRoot.delete(root);
    this.lazyByRoot.set(root, lazy);
    if (this.lazyByRoot.size <= this.maxRoots) return;
    const stalest = this.lazyByRoot.keys().next();
    if (stalest.done !== true) this.lazyByRoot.delete(stalest.value);
  }

  /** Whether neighbour `nodeId` is eager in `root`'s tree. */
  isEager(root: string, nodeId: string): boolean {
    return this.neighbors.has(nodeId) && this.lazyByRoot.get(root)?.has(nodeId) !== true;
  }

  /** The neighbours eager in `root`'s tree. */
  eagerPeers(root: string): string[] {
    return [...this.neighbors].filter((id) => this.isEager(root, id));
  }

  /** The neighbours lazy in `root`'s tree. */
  lazyPeers(root: string): string[] {
    return [...this.neighbors].filter((id) => !this.isEager(root, id));
  }

  /** Puts the link to `nodeId` in `root`'s tree. */
  makeEager(root: string, nodeId: string): void {
    this.lazyByRoot.get(root)?.delete(nodeId);
  }

  /** Takes the link to `nodeId` out of `root`'s tree; only for a remembered root. */
  makeLazy(root: string, nodeId: string): void {
    if (this.neighbors.has(nodeId)) this.lazyByRoot.get(root)?.add(nodeId);
  }

  /** Forgets every neighbour and root. */
  clear(): void {
    this.neighbors.clear();
    this.lazyByRoot.clear();
  }
}
