import { messageOf } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Timers } from '../mesh/timers.ts';
import { LocalCloud, LocalCloudUnavailableError } from './local-cloud.ts';
import { NameCache } from './name-cache.ts';
import { NameAlreadyOwnedError, NameNotOwnedError } from './name-errors.ts';
import { NamesOfflineError, type NameDht } from './name-dht.ts';
import { currentRecords, verifyValues, type NameRecord } from './name-policy.ts';
import {
  defaultPeerNamesConfig,
  type Cloud,
  type OwnName,
  type PeerNamesComponents,
  type PeerNamesConfig,
  type PeerNamesEvents,
  type RegistrationChanges,
  type Resolution,
} from './peer-names-types.ts';
import { nameKey, parsePeerName, unsecuredAuthority, type PeerName } from './peer-name.ts';
import { maxLifetimeMs, signRegistration, signTombstone, type VerifiedRegistration } from './registration.ts';

export { LocalCloudUnavailableError } from './local-cloud.ts';
export { NameAlreadyOwnedError, NameNotOwnedError } from './name-errors.ts';
export { NamesOfflineError } from './name-dht.ts';
export type { NameRecord } from './name-policy.ts';
export * from './peer-names-types.ts';

interface OwnEntry {
  readonly peerName: PeerName;
  readonly key: Uint8Array;
  readonly cloud: Cloud;
  endpoints: readonly string[] | 'self';
  payload: Uint8Array;
  versionMs: number;
  expiresAtMs: number;
  published: boolean;
  error: string | undefined;
  cancelRefresh: () => void;
  /** Publications in a row that reached fewer than `wantedReplicas` nodes. */
  thinPublications: number;
}

/**
 * Nodes that should hold a global name (this one included) before it counts as spread: a node
 * that registers while it knows nobody (it has just come online) stores the name only on itself.
 */
const wantedReplicas = 2;
/** The first early republication of a name held too thinly; doubling up to the refresh. */
const thinRetryMs = 5_000;

/**
 * Peer names as in PNRP: registers this identity's names (secured `<identity id>.classifier` or
 * unsecured `0.classifier`) with signed registrations in the DHT of the current mesh or in the
 * local cloud, refreshes them at `refreshFraction` of their lifetime, and resolves names by
 * verifying every value found, keeping the newest per registrant and dropping tombstones.
 * Resolutions are cached for the life of their records.
 */
export class PeerNames extends TypedEventTarget<PeerNamesEvents> {
  readonly config: PeerNamesConfig;
  private readonly identity: PeerNamesComponents['identity'];
  private readonly timers: Timers;
  private readonly localCloud: LocalCloud | undefined;
  private readonly own = new Map<string, OwnEntry>();
  private readonly cache = new NameCache<NameRecord>();
  private readonly rejectionCounts = new Map<string, number>();
  private dht: NameDht | undefined;
  private nodeId: string | undefined;
  private stopped = false;

  /** Names of `components.identity`; throws `RangeError` on settings that cannot work. */
  constructor(components: PeerNamesComponents, config: Partial<PeerNamesConfig> = {}) {
    super();
    this.config = { ...defaultPeerNamesConfig, ...config };
    const { lifetimeMs, refreshFraction } = this.config;
    const lifetimeOk = Number.isSafeInteger(lifetimeMs) && lifetimeMs >= 1 && lifetimeMs <= maxLifetimeMs;
    if (!lifetimeOk || !(refreshFraction > 0 && refreshFraction < 1)) {
      throw new RangeError(
        `PeerNames needs lifetimeMs in 1..${maxLifetimeMs} and refreshFraction in (0, 1).`,
      );
    }
    const { identity, timers, local } = components;
    this.identity = identity;
    this.timers = timers;
    const answerWindowMs = this.config.localAnswerWindowMs;
    if (local !== undefined) {
      this.localCloud = new LocalCloud({ channel: local, timers }, { answerWindowMs });
      // Another tab changed a name: what this tab cached for it may be stale.
      this.localCloud.on('announced', ({ registration }) => this.cache.delete(`local:${registration.name}`));
    }
  }

  /**
   * The DHT of the current mesh and this node's id there (both undefined when offline). Own
   * names are published again on attach, with endpoints `self` meaning `[nodeId]`.
   */
  attach(dht: NameDht | undefined, nodeId: string | undefined): void {
    const nodeChanged = nodeId !== this.nodeId;
    if (dht === this.dht && !nodeChanged) return;
    this.dht = dht;
    this.nodeId = nodeId;
    for (const entry of this.own.values()) {
      if (entry.cloud === 'global' || (nodeChanged && entry.endpoints === 'self')) {
        void this.republish(entry);
      }
    }
  }

  /**
   * Registers `classifier` under this identity (`secured`) or under `0`, in `cloud` (default
   * global), with `payload` (default empty) and `endpoints` (default `self`). Throws
   * `InvalidPeerNameError` or `InvalidRegistrationError` for bad input, and
   * `NameAlreadyOwnedError`; a failed publication shows in the returned name's `error`, and the
   * name is published again on the next refresh or attach.
   */
  async register(
    classifier: string,
    options: { secured: boolean; cloud?: Cloud; payload?: Uint8Array; endpoints?: readonly string[] },
  ): Promise<OwnName> {
    const authority = options.secured ? this.identity.identityId : unsecuredAuthority;
    // The authority has no dot, so the name splits right before the classifier, dots and all.
    const peerName = parsePeerName(`${authority}.${classifier}`);
    const cloud = options.cloud ?? 'global';
    if (cloud === 'local' && this.localCloud === undefined) throw new LocalCloudUnavailableError();
    if (this.own.has(peerName.text)) throw new NameAlreadyOwnedError(peerName.text);
    const entry: OwnEntry = {
      peerName,
      key: await nameKey(peerName),
      cloud,
      endpoints: options.endpoints ?? 'self',
      payload: options.payload ?? new Uint8Array(0),
      versionMs: 0,
      expiresAtMs: 0,
      published: false,
      error: undefined,
      cancelRefresh: () => undefined,
      thinPublications: 0,
    };
    const signed = await this.signNext(entry, {});
    if (this.own.has(peerName.text)) throw new NameAlreadyOwnedError(peerName.text);
    this.own.set(peerName.text, entry);
    this.scheduleRefresh(entry);
    await this.deliver(entry, signed);
    return this.snapshot(entry);
  }

  /** Signs and publishes `name` again with `changes`. Throws `NameNotOwnedError` or bad-input errors. */
  async update(name: string, changes: RegistrationChanges): Promise<OwnName> {
    const entry = this.ownEntry(name);
    const signed = await this.signNext(entry, changes);
    this.scheduleRefresh(entry);
    await this.deliver(entry, signed);
    return this.snapshot(entry);
  }

  /**
   * Forgets `name` and publishes a signed tombstone with a higher version, so a stale copy
   * still held somewhere cannot bring it back. Offline, the copies simply expire.
   * Rejects if the DHT refuses the tombstone; the name is forgotten either way.
   */
  async unregister(name: string): Promise<void> {
    const entry = this.ownEntry(name);
    entry.cancelRefresh();
    this.own.delete(entry.peerName.text);
    this.cache.delete(`${entry.cloud}:${entry.peerName.text}`);
    this.emitChanged();
    const versionMs = Math.max(Math.floor(this.timers.nowMs()), entry.versionMs + 1);
    const tombstone = await signTombstone(this.identity, entry.peerName.text, versionMs);
    if (entry.cloud === 'local') this.localCloud?.withdraw(entry.key, tombstone);
    else await this.dht?.put(entry.key, tombstone);
  }

  /**
   * The current registrations of `name` in `cloud` (default global): every value found is
   * verified against the name (counted by reason in `rejections` when refused), the newest per
   * registrant kept, tombstones dropped. Served from the cache unless `fresh`. Throws
   * `InvalidPeerNameError`, `NamesOfflineError` when global and not attached, or
   * `LocalCloudUnavailableError`.
   */
  async resolve(
    name: string,
    options: { cloud?: Cloud; fresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<Resolution> {
    const peerName = parsePeerName(name);
    const cloud = options.cloud ?? 'global';
    const dht = this.dht;
    if (cloud === 'global' && dht === undefined) throw new NamesOfflineError();
    if (cloud === 'local' && this.localCloud === undefined) throw new LocalCloudUnavailableError();
    const cacheKey = `${cloud}:${peerName.text}`;
    const cached = options.fresh === true ? undefined : this.cache.get(cacheKey, this.timers.nowMs());
    if (cached !== undefined)
      return { name: peerName.text, cloud, records: cached, hops: 0, fromCache: true };
    const key = await nameKey(peerName);
    const signalOption = options.signal === undefined ? {} : { signal: options.signal };
    let verified: VerifiedRegistration[] = [];
    let hops = 0;
    if (dht !== undefined && cloud === 'global') {
      const found = await dht.get(key, signalOption);
      hops = found.hops;
      const checked = await verifyValues(key, found.values, this.timers.nowMs());
      for (const reason of checked.refused)
        this.rejectionCounts.set(reason, (this.rejectionCounts.get(reason) ?? 0) + 1);
      verified = checked.verified;
    } else if (this.localCloud !== undefined) {
      verified = await this.localCloud.resolve(key, signalOption);
    }
    const records = currentRecords(verified);
    this.cache.set(cacheKey, records, this.timers.nowMs());
    return { name: peerName.text, cloud, records, hops, fromCache: false };
  }

  /** This node's names, in the order they were registered. */
  owned(): readonly OwnName[] {
    return [...this.own.values()].map((entry) => this.snapshot(entry));
  }

  /** Verification failures of resolved values (and of other tabs' messages), by reason. */
  rejections(): Record<string, number> {
    const counts = Object.fromEntries(this.rejectionCounts);
    for (const [reason, count] of Object.entries(this.localCloud?.rejections() ?? {})) {
      counts[reason] = (counts[reason] ?? 0) + count;
    }
    return counts;
  }

  /** Stops refreshing and leaves the local cloud; registrations expire on their own. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.own.values()) entry.cancelRefresh();
    this.localCloud?.stop();
  }

  private ownEntry(name: string): OwnEntry {
    const text = parsePeerName(name).text;
    const entry = this.own.get(text);
    if (entry === undefined) throw new NameNotOwnedError(text);
    return entry;
  }

  private snapshot(entry: OwnEntry): OwnName {
    const { peerName, cloud, endpoints, payload, expiresAtMs, published, error } = entry;
    const name = { name: peerName.text, cloud, secured: peerName.secured, endpoints, payload, expiresAtMs };
    return error === undefined ? { ...name, published } : { ...name, published, error };
  }

  private emitChanged(): void {
    this.emit('changed', { names: this.owned() });
  }

  /**
   * Signs `entry` with `changes` under a version above every earlier one, then commits the
   * changes; throws (committing nothing) if the registration cannot be made.
   */
  private async signNext(
    entry: OwnEntry,
    changes: RegistrationChanges,
  ): Promise<{ value: Uint8Array; versionMs: number }> {
    const endpoints = changes.endpoints ?? entry.endpoints;
    const payload = changes.payload ?? entry.payload;
    // Versions are signing times, but strictly increasing even within one millisecond.
    const versionMs = Math.max(Math.floor(this.timers.nowMs()), entry.versionMs + 1);
    const expiresAtMs = versionMs + this.config.lifetimeMs;
    const resolvedEndpoints =
      endpoints !== 'self' ? endpoints : this.nodeId === undefined ? [] : [this.nodeId];
    const value = await signRegistration(this.identity, {
      name: entry.peerName.text,
      endpoints: resolvedEndpoints,
      payload,
      versionMs,
      expiresAtMs,
      deleted: false,
    });
    // A newer signing may have finished first; the newest version's fields stay.
    if (versionMs > entry.versionMs) Object.assign(entry, { endpoints, payload, versionMs, expiresAtMs });
    return { value, versionMs };
  }

  /** Publishes `signed` if it is still the newest of a name still owned; records the outcome. */
  private async deliver(entry: OwnEntry, signed: { value: Uint8Array; versionMs: number }): Promise<void> {
    const { value, versionMs } = signed;
    const current = (): boolean =>
      this.own.get(entry.peerName.text) === entry && entry.versionMs === versionMs;
    // An older version finishing its signing late would only be refused as stale.
    if (!current()) return;
    const dht = this.dht;
    if (entry.cloud === 'local') {
      this.localCloud?.publish(entry.key, value);
      Object.assign(entry, { published: true, error: undefined });
    } else if (dht === undefined) {
      Object.assign(entry, { published: false, error: undefined });
    } else {
      try {
        const { stored } = await dht.put(entry.key, value);
        if (!current()) return;
        entry.published = stored > 0;
        entry.error = stored > 0 ? undefined : 'No node has stored the name yet; it will be published again.';
        if (stored < wantedReplicas) this.publishSoon(entry);
        else entry.thinPublications = 0;
      } catch (error) {
        if (!current()) return;
        Object.assign(entry, { published: false, error: messageOf(error) });
      }
    }
    this.emitChanged();
  }

  private scheduleRefresh(entry: OwnEntry): void {
    entry.cancelRefresh();
    if (this.stopped) return;
    const delayMs = this.config.lifetimeMs * this.config.refreshFraction;
    entry.cancelRefresh = this.timers.schedule(delayMs, () => void this.republish(entry));
  }

  /** Publishes `entry` again before its refresh: it is held too thinly (backing off, up to the refresh). */
  private publishSoon(entry: OwnEntry): void {
    const refreshMs = this.config.lifetimeMs * this.config.refreshFraction;
    const delayMs = Math.min(refreshMs, thinRetryMs * 2 ** entry.thinPublications);
    entry.thinPublications += 1;
    entry.cancelRefresh();
    if (this.stopped) return;
    entry.cancelRefresh = this.timers.schedule(delayMs, () => void this.republish(entry));
  }

  /** Signs a new version of `entry` and publishes it; offline, a global name waits for `attach`. */
  private async republish(entry: OwnEntry): Promise<void> {
    if (this.own.get(entry.peerName.text) !== entry || this.stopped) return;
    this.scheduleRefresh(entry);
    if (entry.cloud === 'global' && this.dht === undefined) {
      entry.published = false;
      this.emitChanged();
      return;
    }
    try {
      await this.deliver(entry, await this.signNext(entry, {}));
    } catch (error) {
      // Only a bug makes a registration that signed before fail now; show it on the name.
      Object.assign(entry, { published: false, error: messageOf(error) });
      this.emitChanged();
    }
  }
}
