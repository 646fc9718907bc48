import { toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import { nodeIdPattern } from '../identity/ids.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import { resolveDhtConfig } from './dht-config.ts';
import { DhtContacts } from './dht-contacts.ts';
import { compareDistance, dhtIdBytes } from './dht-id.ts';
import { runLookup, type LookupOutcome, type LookupPort } from './dht-lookup.ts';
import { DhtMaintenance } from './dht-maintenance.ts';
import {
  dhtBody,
  maxReasonLength,
  maxReplyValueBytes,
  parseDhtMessage,
  type DhtMessage,
  type FindMessage,
  type StoreMessage,
} from './dht-messages.ts';
import {
  DhtRequestCancelledError,
  PendingRequests,
  type DhtAnswerOf,
  type DhtRequestBody,
} from './dht-requests.ts';
import { SenderRateLimits } from '../mesh/rate-limit.ts';
import { DhtStore } from './dht-store.ts';
import type {
  DhtCarrier,
  DhtConfig,
  DhtEvents,
  DhtGetResult,
  DhtPutResult,
  DhtStats,
  DhtValuePolicy,
} from './dht-types.ts';

/** `put` or `get` on a DHT that was stopped. */
export class DhtStoppedError extends MycelError {
  override name = 'DhtStoppedError';
}

/** What a `Dht` is built from. */
export interface DhtComponents {
  readonly carrier: DhtCarrier;
  readonly timers: Timers;
  readonly random: Random;
  readonly policy: DhtValuePolicy;
}

/**
 * One node of the names DHT: Kademlia (Maymounkov and Mazières 2002) with b = 4 bit digits,
 * as PNRP and Pastry route, so a lookup fixes a digit per hop. Generic over opaque values:
 * the `policy` decides whether a value may be held, in which slot, at which version and until
 * when. Messages travel through the `carrier`; everything timed runs on `timers`, so a seeded
 * simulation on a virtual clock replays exactly.
 */
export class Dht extends TypedEventTarget<DhtEvents> {
  readonly nodeId: string;
  /** This node's DHT id. */
  readonly id: Uint8Array;
  readonly config: DhtConfig;
  private readonly carrier: DhtCarrier;
  private readonly timers: Timers;
  private readonly policy: DhtValuePolicy;
  private readonly contacts: DhtContacts;
  private readonly store: DhtStore;
  private readonly requests: PendingRequests;
  private readonly maintenance: DhtMaintenance;
  private readonly storeLimits: SenderRateLimits;
  private readonly lookupLimits: SenderRateLimits;
  private readonly lookupPort: LookupPort;
  private readonly counts = new Map<string, number>();
  private readonly counters = { lookups: 0, stores: 0, requests: 0, failedRequests: 0, lateResponses: 0 };
  private stopped = false;

  /** A node that answers at once and joins on `start`; throws `RangeError` on an unworkable config. */
  constructor(components: DhtComponents, config: Partial<DhtConfig> = {}) {
    super();
    this.config = resolveDhtConfig(config);
    this.carrier = components.carrier;
    this.timers = components.timers;
    this.policy = components.policy;
    this.nodeId = components.carrier.nodeId;
    const { bucketSize, bitsPerDigit, maxSlotsPerKey, maxValueBytes, maxStoredValues } = this.config;
    this.contacts = new DhtContacts(
      this.nodeId,
      { bucketSize, bitsPerDigit },
      {
        timers: this.timers,
        ping: (nodeId) => this.request(nodeId, { t: 'ping' }),
        running: () => !this.stopped,
      },
    );
    this.id = this.contacts.table.selfId;
    this.store = new DhtStore({ maxSlotsPerKey, maxValueBytes, maxValues: maxStoredValues });
    const random = components.random;
    this.requests = new PendingRequests(this.timers, random.fork('requests'), this.config.requestTimeoutMs);
    this.storeLimits = new SenderRateLimits({
      framesPerSecond: this.config.storesPerSecond,
      burstFrames: this.config.storeBurst,
    });
    this.lookupLimits = new SenderRateLimits({
      framesPerSecond: this.config.lookupsPerSecond,
      burstFrames: this.config.lookupBurst,
    });
    this.lookupPort = {
      selfNodeId: this.nodeId,
      idOf: (nodeId) => this.contacts.idOf(nodeId),
      find: (nodeId, target, wantValues, signal) =>
        this.request(nodeId, { t: 'find', k: target, v: wantValues }, signal),
    };
    this.maintenance = new DhtMaintenance({
      selfId: this.id,
      timers: this.timers,
      random: random.fork('maintenance'),
      config: this.config,
      table: this.contacts.table,
      store: this.store,
      closestTo: async (target) => (await this.lookup(target, false)).closest,
      storeAt: (nodeId, key, value) =>
        this.request(nodeId, { t: 'store', k: key, v: value }).then(
          (answer) => answer.ok,
          () => false,
        ),
    });
  }

  /**
   * Joins: looks up its own id through `carrier.neighbors()`, then refreshes buckets and
   * republishes held values periodically.
   */
  start(): void {
    this.stopped = false;
    for (const nodeId of this.carrier.neighbors()) this.neighborUp(nodeId);
    this.maintenance.start();
  }

  /** Stops the periodic work and fails the requests in flight; later messages are refused. */
  stop(): void {
    this.stopped = true;
    this.maintenance.stop();
    this.requests.cancelAll();
  }

  /** A message from `from` (the carrier calls this); returns a rejection reason, never throws. */
  async receive(from: string, body: WireValue): Promise<string | undefined> {
    if (this.stopped) return 'stopped';
    if (from === this.nodeId) return this.reject(from, 'from-self');
    if (!nodeIdPattern.test(from)) return this.reject(from, 'bad-sender');
    const parsed = parseDhtMessage(body);
    if (!parsed.ok) return this.reject(from, parsed.reason);
    try {
      return await this.dispatch(from, parsed.message);
    } catch {
      // A bug or a throwing policy must not take the carrier down; the count makes it visible.
      return this.reject(from, 'internal-error');
    }
  }

  /** A free contact appeared (a mesh neighbour): it is live, so it goes into the table. */
  neighborUp(nodeId: string): void {
    if (nodeId === this.nodeId || !nodeIdPattern.test(nodeId)) return;
    this.contacts.neighborUp(nodeId);
  }

  /**
   * A neighbour went away. It stays in the routing table: leaving the mesh's active view does
   * not make a node unreachable, and a contact that really is gone fails its next request.
   */
  neighborDown(nodeId: string): void {
    this.contacts.neighborDown(nodeId);
  }

  /** Stores `value` under `key` (32 bytes) on the `replication` nodes closest to the key. */
  async put(key: Uint8Array, value: Uint8Array, signal?: AbortSignal): Promise<DhtPutResult> {
    this.checkUsable(key);
    if (value.length === 0 || value.length > this.config.maxValueBytes) {
      throw new RangeError(`A DHT value has 1 to ${this.config.maxValueBytes} bytes, not ${value.length}.`);
    }
    const found = await this.lookup(key, false, signal);
    signal?.throwIfAborted();
    const { replication } = this.config;
    const nearest = found.closest.slice(0, replication);
    const farthest = nearest[nearest.length - 1];
    // This node is one of the replicas when it is closer to the key than the last one found.
    const selfIsReplica =
      farthest === undefined ||
      nearest.length < replication ||
      compareDistance(this.id, farthest.id, key) < 0;
    const remote = selfIsReplica ? nearest.slice(0, replication - 1) : nearest;
    const acks = remote.map((contact) =>
      this.request(contact.nodeId, { t: 'store', k: key, v: value }, signal).then(
        (answer) => answer.ok,
        () => false,
      ),
    );
    const local = selfIsReplica ? this.storeLocally(key, value) : Promise.resolve(false);
    const stored = [await local, ...(await Promise.all(acks))].filter(Boolean).length;
    return { stored, hops: found.closest[0]?.depth ?? 0 };
  }

  /**
   * The values held for `key` by its closest nodes: asks along the way and goes on until
   * `readQuorum` nodes holding values answered (this node counts if it holds some) or the
   * lookup converged; values several owners stored in different slots reach every replica.
   */
  async get(key: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<DhtGetResult> {
    this.checkUsable(key);
    const own = this.held(key);
    const enoughHolders = Math.max(1, this.config.readQuorum - (own.length > 0 ? 1 : 0));
    const found = await this.lookup(key, true, options.signal, enoughHolders);
    options.signal?.throwIfAborted();
    const values = new Map<string, Uint8Array>();
    for (const value of [...own, ...found.values]) values.set(toBase64Url(value), value);
    const hops = own.length > 0 ? 0 : (found.firstValueDepth ?? found.closest[0]?.depth ?? 0);
    return { values: [...values.values()], hops, contacted: found.answered };
  }

  /** The unexpired values this node holds for `key`. */
  held(key: Uint8Array): Uint8Array[] {
    return this.store.get(key, this.timers.nowMs()).map((held) => held.value);
  }

  /** Contacts in the routing table. */
  contactCount(): number {
    return this.contacts.table.size;
  }

  /** Refused messages since start, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Counters of this node's work; see `DhtStats`. */
  stats(): DhtStats {
    return { ...this.counters, held: this.store.size, ...this.maintenance.stats() };
  }

  private async dispatch(from: string, message: DhtMessage): Promise<string | undefined> {
    const nowMs = this.timers.nowMs();
    switch (message.t) {
      case 'find':
        if (!this.lookupLimits.allow(from, nowMs)) return this.reject(from, 'rate-limited');
        this.contacts.learn(from);
        this.reply(from, this.answerFind(from, message));
        return undefined;
      case 'ping':
        if (!this.lookupLimits.allow(from, nowMs)) return this.reject(from, 'rate-limited');
        this.contacts.learn(from);
        this.reply(from, { t: 'pong', r: message.r });
        return undefined;
      case 'store':
        return this.answerStore(from, message);
      case 'found':
      case 'stored':
      case 'pong': {
        const match = this.requests.answer(from, message);
        if (match === 'unasked') return this.reject(from, 'unasked-response');
        if (match === 'late') this.counters.lateResponses++;
        this.contacts.learn(from);
        return undefined;
      }
    }
  }

  private answerFind(from: string, message: FindMessage): DhtMessage {
    const contacts = this.contacts.table
      .closest(message.k, this.config.bucketSize, (nodeId) => nodeId === from)
      .map((contact) => contact.nodeId);
    if (!message.v) return { t: 'found', r: message.r, c: contacts };
    const values: Uint8Array[] = [];
    let bytes = 0;
    for (const value of this.held(message.k)) {
      if (bytes + value.length > maxReplyValueBytes) break;
      bytes += value.length;
      values.push(value);
    }
    return { t: 'found', r: message.r, c: contacts, vs: values };
  }

  private async answerStore(from: string, message: StoreMessage): Promise<string | undefined> {
    const nowMs = this.timers.nowMs();
    // A republish of a value held already costs no check, so it is not rate-limited either.
    if (this.store.renew(message.k, message.v, nowMs)) {
      this.contacts.learn(from);
      this.reply(from, { t: 'stored', r: message.r, ok: true });
      return undefined;
    }
    if (!this.storeLimits.allow(from, nowMs)) return this.reject(from, 'rate-limited');
    this.contacts.learn(from);
    const outcome = await this.keep(message.k, message.v, from);
    if (outcome === undefined) {
      this.reply(from, { t: 'stored', r: message.r, ok: true });
      return undefined;
    }
    this.reply(from, { t: 'stored', r: message.r, ok: false, why: outcome.slice(0, maxReasonLength) });
    return this.reject(from, outcome);
  }

  /** Checks `value` with the policy, then holds it; returns why not, or undefined once held. */
  private async keep(key: Uint8Array, value: Uint8Array, from: string): Promise<string | undefined> {
    const verdict = await this.policy.check(key, value, this.timers.nowMs());
    if (!verdict.ok) return verdict.reason.length > 0 ? verdict.reason : 'refused';
    const { slot, version, expiresAtMs } = verdict;
    const outcome = this.store.put(key, value, { slot, version, expiresAtMs }, this.timers.nowMs());
    if (outcome !== 'stored' && outcome !== 'replaced') return outcome;
    if (from !== this.nodeId) this.counters.stores++;
    this.emit('stored', { key, slot, version, from });
    return undefined;
  }

  private async storeLocally(key: Uint8Array, value: Uint8Array): Promise<boolean> {
    if (this.store.renew(key, value, this.timers.nowMs())) return true;
    return (await this.keep(key, value, this.nodeId)) === undefined;
  }

  private lookup(
    target: Uint8Array,
    wantValues: boolean,
    signal?: AbortSignal,
    enoughHolders?: number,
  ): Promise<LookupOutcome> {
    this.counters.lookups++;
    this.contacts.table.markLookup(target, this.timers.nowMs());
    const { bucketSize, parallelism, maxLookupRequests } = this.config;
    const initial = this.contacts.startingPoints(target, bucketSize, this.carrier.neighbors());
    return runLookup(this.lookupPort, initial, {
      target,
      wantValues,
      closestCount: bucketSize,
      parallelism,
      maxRequests: maxLookupRequests,
      ...(enoughHolders === undefined ? {} : { enoughHolders }),
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Sends one request; a node that fails to answer leaves the routing table. */
  private request<T extends DhtRequestBody['t']>(
    nodeId: string,
    body: Extract<DhtRequestBody, { t: T }>,
    signal?: AbortSignal,
  ): Promise<DhtAnswerOf[T]> {
    this.counters.requests++;
    const sent = this.requests.request(nodeId, body, (to, message) => this.transmit(to, message), signal);
    return sent.catch((error: unknown) => {
      this.counters.failedRequests++;
      if (!this.stopped && !(error instanceof DhtRequestCancelledError)) this.contacts.forget(nodeId);
      throw error;
    });
  }

  private transmit(nodeId: string, message: DhtMessage): Promise<void> {
    if (this.stopped) return Promise.reject(new DhtStoppedError('The DHT stopped.'));
    return this.carrier.send(nodeId, dhtBody(message));
  }

  /** Sends an answer; an asker that cannot be reached is dropped, as for a failed request. */
  private reply(to: string, message: DhtMessage): void {
    this.transmit(to, message).catch(() => this.contacts.forget(to));
  }

  private checkUsable(key: Uint8Array): void {
    if (this.stopped) throw new DhtStoppedError('The names DHT has stopped.');
    if (key.length !== dhtIdBytes)
      throw new RangeError(`A DHT key has ${dhtIdBytes} bytes, not ${key.length}.`);
  }

  private reject(from: string, reason: string): string {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.emit('rejected', { from, reason });
    return reason;
  }
}

/**
 * Refusals an honest node causes too: an older copy racing a newer one (`stale`, `expired`),
 * a burst over a rate (`rate-limited`, as `LinkSession` does not count its own drops either),
 * a full store, or a message arriving as the DHT stops. A carrier should not hold these
 * against the link that brought them.
 */
export function isBenignDhtRejection(reason: string): boolean {
  return ['stale', 'expired', 'rate-limited', 'store-full', 'too-many-slots', 'stopped'].includes(reason);
}
