import { toBase64Url } from '../../lib/bytes.ts';
import { compareDistance } from './dht-id.ts';
import type { FoundMessage } from './dht-messages.ts';

/** A node a lookup knows of, and how many hops away from the asker it was learned. */
export interface LookupContact {
  readonly nodeId: string;
  readonly id: Uint8Array;
  /** 1 for the asker's own contacts; 1 + the depth of whoever named it otherwise. */
  readonly depth: number;
}

/** What a lookup needs from the DHT around it. */
export interface LookupPort {
  /** This node's id: never a candidate, whoever names it. */
  readonly selfNodeId: string;
  /** The DHT id of a node id. */
  idOf(nodeId: string): Uint8Array;
  /** Asks `nodeId` one find; rejects when it does not answer (the DHT drops it then). */
  find(nodeId: string, target: Uint8Array, wantValues: boolean, signal?: AbortSignal): Promise<FoundMessage>;
}

/** Settings of one lookup. */
export interface LookupOptions {
  readonly target: Uint8Array;
  /** Ask for values along the way (a get), not only for contacts. */
  readonly wantValues: boolean;
  /** k: the lookup ends once the k closest nodes it knows have all answered. */
  readonly closestCount: number;
  /** α: finds in flight at once. */
  readonly parallelism: number;
  /** Finds sent in all, at most. */
  readonly maxRequests: number;
  /** A get ends early once this many nodes returned values. */
  readonly enoughHolders?: number;
  readonly signal?: AbortSignal;
}

/** What a lookup found. */
export interface LookupOutcome {
  /** The nodes that answered, closest first, at most k. */
  readonly closest: readonly LookupContact[];
  /** Values returned, de-duplicated by bytes, in the order they came. */
  readonly values: readonly Uint8Array[];
  /** Nodes that returned at least one value. */
  readonly holders: number;
  /** Depth of the first node that returned a value. */
  readonly firstValueDepth: number | undefined;
  /** Nodes that answered. */
  readonly answered: number;
  /** Finds sent. */
  readonly requests: number;
}

/** Values one get collects at most: a key has 32 slots, and 8 replicas may disagree a little. */
const maxValuesPerLookup = 256;

/** Candidates kept per lookup beyond k: enough to replace failures, bounded against floods. */
const spareCandidates = 24;

interface Candidate extends LookupContact {
  depth: number;
  state: 'new' | 'asked' | 'answered' | 'failed';
}

/**
 * One iterative Kademlia lookup (Maymounkov and Mazières 2002, §2.3): ask the α closest
 * unasked candidates, merge the contacts they name, and stop once the k closest known nodes
 * have answered. Each contact carries its depth, so the caller can report hops.
 */
export function runLookup(
  port: LookupPort,
  initial: readonly LookupContact[],
  options: LookupOptions,
): Promise<LookupOutcome> {
  return new Promise((resolve) => new Lookup(port, initial, options, resolve).pump());
}

class Lookup {
  private readonly candidates: Candidate[] = [];
  private readonly known = new Map<string, Candidate>();
  private readonly values = new Map<string, Uint8Array>();
  private inFlight = 0;
  private requests = 0;
  private answered = 0;
  private holders = 0;
  private firstValueDepth: number | undefined;
  private done = false;

  constructor(
    private readonly port: LookupPort,
    initial: readonly LookupContact[],
    private readonly options: LookupOptions,
    private readonly resolve: (outcome: LookupOutcome) => void,
  ) {
    for (const contact of initial) this.offer(contact.nodeId, contact.id, contact.depth);
    this.sort();
  }

  /** Sends finds while there is room and reason to; ends the lookup when there is neither. */
  pump(): void {
    if (this.done) return;
    const { closestCount, parallelism, maxRequests, enoughHolders, signal } = this.options;
    if (signal?.aborted === true) return this.finish();
    if (enoughHolders !== undefined && this.holders >= enoughHolders) return this.finish();
    let considered = 0;
    let waiting = false;
    for (const candidate of this.candidates) {
      if (candidate.state === 'failed') continue;
      if (++considered > closestCount) break;
      if (candidate.state === 'asked') waiting = true;
      if (candidate.state !== 'new') continue;
      waiting = true;
      if (this.inFlight < parallelism && this.requests < maxRequests) this.ask(candidate);
    }
    // Done when the k closest all answered, or nothing is in flight and nothing more may be sent.
    if (!waiting || this.inFlight === 0) this.finish();
  }

  private ask(candidate: Candidate): void {
    candidate.state = 'asked';
    this.inFlight++;
    this.requests++;
    const { target, wantValues, signal } = this.options;
    this.port.find(candidate.nodeId, target, wantValues, signal).then(
      (found) => {
        candidate.state = 'answered';
        this.answered++;
        this.merge(found, candidate.depth);
        this.settled();
      },
      () => {
        candidate.state = 'failed';
        this.settled();
      },
    );
  }

  private settled(): void {
    this.inFlight--;
    this.pump();
  }

  private merge(found: FoundMessage, depth: number): void {
    if (this.done) return;
    for (const nodeId of found.c) this.offer(nodeId, undefined, depth + 1);
    this.sort();
    this.trim();
    const values = found.vs ?? [];
    if (values.length === 0) return;
    this.holders++;
    this.firstValueDepth ??= depth;
    for (const value of values) {
      if (this.values.size >= maxValuesPerLookup) break;
      const id = toBase64Url(value);
      if (!this.values.has(id)) this.values.set(id, value);
    }
  }

  private offer(nodeId: string, id: Uint8Array | undefined, depth: number): void {
    if (nodeId === this.port.selfNodeId) return;
    const known = this.known.get(nodeId);
    if (known !== undefined) {
      known.depth = Math.min(known.depth, depth);
      return;
    }
    const candidate: Candidate = { nodeId, id: id ?? this.port.idOf(nodeId), depth, state: 'new' };
    this.known.set(nodeId, candidate);
    this.candidates.push(candidate);
  }

  private sort(): void {
    const { target } = this.options;
    this.candidates.sort((a, b) => compareDistance(a.id, b.id, target));
  }

  /** Drops the farthest unasked candidates past k plus spares: they would never be asked. */
  private trim(): void {
    const cap = this.options.closestCount + spareCandidates;
    for (let i = this.candidates.length - 1; i >= 0 && this.candidates.length > cap; i--) {
      const candidate = this.candidates[i];
      if (candidate?.state !== 'new') continue;
      this.candidates.splice(i, 1);
      this.known.delete(candidate.nodeId);
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const closest = this.candidates
      .filter((candidate) => candidate.state === 'answered')
      .slice(0, this.options.closestCount)
      .map(({ nodeId, id, depth }) => ({ nodeId, id, depth }));
    this.resolve({
      closest,
      values: [...this.values.values()],
      holders: this.holders,
      firstValueDepth: this.firstValueDepth,
      answered: this.answered,
      requests: this.requests,
    });
  }
}
