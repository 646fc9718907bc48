import { equalBytes } from '../../lib/bytes.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import { repeatEvery, type Timers } from '../mesh/timers.ts';
import type { CollabMessage, CollabMessageOf } from './collab-messages.ts';
import type { CollabCarrier, CollabPeer, ResolveContact } from './collab-types.ts';
import type { VerifiedCard } from './contact-card.ts';
import { contactEndpoints, type Contacts } from './contacts.ts';
import {
  isPresenceStatus,
  normalizePresenceText,
  offlinePresence,
  type Presence,
  type PresenceStatus,
} from './presence-status.ts';
import { presenceLeaseMs, watchRenewIntervalMs, WatcherLeases } from './watcher-leases.ts';

// Presence between contacts, as in Windows Peer Collaboration: a node watches each contact it
// chose to watch wherever that contact is now (its secured name, resolved fresh), and hears
// every change of its presence for as long as it renews its lease. Presence is taken from the
// contact's own key only, and what is not heard within a lease shows as offline.

/** Events of a `PresenceHub`. */
export interface PresenceHubEvents {
  /** A watched contact's presence changed; `undefined` once it is no longer watched. */
  presence: { readonly identityId: string; readonly presence: Presence | undefined };
  /** This node's own presence changed (set by the user, or away by inactivity). */
  own: Presence;
}

/** What a `PresenceHub` is built from. */
export interface PresenceHubComponents {
  readonly contacts: Contacts;
  readonly carrier: CollabCarrier;
  readonly resolveContact: ResolveContact;
  readonly timers: Timers;
  /** Counts a send or look-up that failed. */
  readonly countFailure: (what: string) => void;
}

/** The presence messages a hub takes. */
export type PresenceMessage = CollabMessageOf<'watch' | 'unwatch' | 'presence' | 'refused'>;

/** One contact this node watches. */
interface Watched {
  card: VerifiedCard;
  /** The contact's nodes as last looked up. */
  endpoints: readonly string[];
  /** The node that last sent live presence: where the lease is renewed. */
  source: string | undefined;
  /** The presence heard within the lease; undefined once it lapsed (or never came). */
  heard: Presence | undefined;
  /** When the contact was last seen to go offline (for `atMs` of its offline presence). */
  offlineSinceMs: number;
  cancelLapse: (() => void) | undefined;
  lookup: Promise<void> | undefined;
}

/**
 * This node's presence and its contacts': sets and pushes its own to the contacts that watch
 * it (see `WatcherLeases`), and watches the contacts marked `watched`. `start` after the
 * contacts are loaded; `stop` tells watchers `offline` first.
 */
export class PresenceHub extends TypedEventTarget<PresenceHubEvents> {
  private readonly components: PresenceHubComponents;
  private readonly leases: WatcherLeases;
  private readonly watched = new Map<string, Watched>();
  private chosen: Presence;
  private idle = false;
  private published: Presence;
  private running = false;
  private cancelRenew: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(components: PresenceHubComponents) {
    super();
    this.components = components;
    this.leases = new WatcherLeases({
      carrier: components.carrier,
      timers: components.timers,
      mayWatch: (identityId) => components.contacts.mayWatch(identityId),
      current: () => this.published,
      countFailure: components.countFailure,
    });
    this.chosen = { status: 'online', text: '', atMs: this.nowMs() };
    this.published = this.chosen;
  }

  /** This node's presence as its watchers see it (`away` while idle, if it was `online`). */
  current(): Presence {
    return this.published;
  }

  /** How many nodes watch this node's presence now. */
  get watcherCount(): number {
    return this.leases.size;
  }

  /** A watched contact's presence (`offline` when nothing was heard within a lease), else undefined. */
  presenceOf(identityId: string): Presence | undefined {
    const entry = this.watched.get(identityId);
    if (entry === undefined) return undefined;
    return entry.heard ?? offlinePresence(entry.offlineSinceMs);
  }

  /**
   * Sets this node's status and text and tells every watcher. Throws `PresenceTextError` for
   * a text over 255 characters or with control characters, `RangeError` for an unknown status.
   */
  async setPresence(status: PresenceStatus, text: string): Promise<void> {
    if (!isPresenceStatus(status)) throw new RangeError(`Not a presence status: ${String(status)}.`);
    this.chosen = { status, text: normalizePresenceText(text), atMs: this.nowMs() };
    await this.publish();
  }

  /** Marks the user idle (after inactivity) or back: an `online` status shows `away` while idle. */
  async setIdle(idle: boolean): Promise<void> {
    if (idle === this.idle) return;
    this.idle = idle;
    await this.publish();
  }

  /** Starts watching the watched contacts and renewing their leases. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.components.contacts.on('changed', () => void this.contactsChanged());
    this.cancelRenew = repeatEvery(this.components.timers, watchRenewIntervalMs, () => this.renew());
    this.syncWatched();
  }

  /** Tells watchers `offline` and watched contacts `unwatch`, then stops. Never rejects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelRenew?.();
    this.unsubscribe?.();
    const goodbyes = [...this.watched.values()].map((entry) => this.unwatch(entry));
    for (const entry of this.watched.values()) entry.cancelLapse?.();
    this.watched.clear();
    await Promise.all([this.leases.endAll(offlinePresence(this.nowMs())), ...goodbyes]);
  }

  /** Handles one presence message from `from` (identity `identityId`); a rejection reason or undefined. */
  async receive(from: CollabPeer, identityId: string, message: PresenceMessage): Promise<string | undefined> {
    switch (message.t) {
      case 'watch':
        return this.leases.watch(from, identityId, this.published);
      case 'unwatch':
        return this.leases.unwatch(from);
      case 'presence':
        return this.heard(from, identityId, { status: message.s, text: message.x, atMs: message.a });
      case 'refused':
        return this.refusedBy(from, identityId);
    }
  }

  private async publish(): Promise<void> {
    const previous = this.published;
    const status = this.idle && this.chosen.status === 'online' ? 'away' : this.chosen.status;
    this.published = { status, text: this.chosen.text, atMs: Math.max(this.nowMs(), previous.atMs) };
    this.emit('own', this.published);
    if (this.running) await this.leases.push(this.published);
  }

  private heard(from: CollabPeer, identityId: string, presence: Presence): string | undefined {
    const entry = this.watchedFrom(from, identityId);
    if (entry === undefined) return 'wrong-sender';
    if (entry.heard !== undefined && presence.atMs < entry.heard.atMs) return 'stale';
    const changed = !samePresence(entry.heard, presence);
    entry.heard = presence;
    entry.source = from.nodeId;
    entry.cancelLapse?.();
    entry.cancelLapse = this.components.timers.schedule(presenceLeaseMs, () => this.lapsed(entry));
    if (changed) this.emit('presence', { identityId, presence });
    return undefined;
  }

  private refusedBy(from: CollabPeer, identityId: string): string | undefined {
    const entry = this.watchedFrom(from, identityId);
    if (entry === undefined) return 'wrong-sender';
    // Asked again at the next renewal: the contact may let this node watch later.
    this.goOffline(entry);
    return undefined;
  }

  /** The watched contact `from` is, if its key is that contact's key. */
  private watchedFrom(from: CollabPeer, identityId: string): Watched | undefined {
    const entry = this.watched.get(identityId);
    return entry !== undefined && equalBytes(entry.card.publicKey, from.publicKey) ? entry : undefined;
  }

  /** Nothing heard within a lease: the contact shows offline, and is looked up again. */
  private lapsed(entry: Watched): void {
    if (this.watched.get(entry.card.identityId) !== entry) return;
    entry.cancelLapse = undefined;
    this.goOffline(entry);
    void this.lookUpAndWatch(entry);
  }

  private goOffline(entry: Watched): void {
    entry.cancelLapse?.();
    entry.cancelLapse = undefined;
    entry.source = undefined;
    const wasHeard = entry.heard !== undefined;
    entry.heard = undefined;
    entry.offlineSinceMs = this.nowMs();
    if (wasHeard) {
      this.emit('presence', {
        identityId: entry.card.identityId,
        presence: offlinePresence(entry.offlineSinceMs),
      });
    }
  }

  private async contactsChanged(): Promise<void> {
    if (!this.running) return;
    this.syncWatched();
    await this.leases.recheck();
  }

  /** Watches the contacts marked watched, and stops watching the others. */
  private syncWatched(): void {
    const wanted = new Map(
      this.components.contacts
        .list()
        .filter((contact) => contact.watched)
        .map((contact) => [contact.identityId, contact.card]),
    );
    for (const [identityId, entry] of [...this.watched]) {
      const card = wanted.get(identityId);
      if (card !== undefined) {
        entry.card = card;
        continue;
      }
      entry.cancelLapse?.();
      this.watched.delete(identityId);
      void this.unwatch(entry);
      this.emit('presence', { identityId, presence: undefined });
    }
    for (const [identityId, card] of wanted) {
      if (this.watched.has(identityId)) continue;
      const entry: Watched = {
        card,
        endpoints: [],
        source: undefined,
        heard: undefined,
        offlineSinceMs: this.nowMs(),
        cancelLapse: undefined,
        lookup: undefined,
      };
      this.watched.set(identityId, entry);
      void this.lookUpAndWatch(entry);
    }
  }

  /** Every renewal interval: renew live leases at their source, look the others up again. */
  private renew(): void {
    for (const entry of this.watched.values()) {
      const source = entry.source;
      if (entry.heard === undefined || source === undefined) {
        void this.lookUpAndWatch(entry);
        continue;
      }
      void this.components.carrier.send(source, { t: 'watch' }).catch(() => {
        this.components.countFailure('send-failed');
        return this.lookUpAndWatch(entry);
      });
    }
  }

  /** Resolves the contact's nodes and sends `watch` to each; one look-up at a time. Never rejects. */
  private lookUpAndWatch(entry: Watched): Promise<void> {
    entry.lookup ??= this.lookUp(entry).finally(() => {
      entry.lookup = undefined;
    });
    return entry.lookup;
  }

  private async lookUp(entry: Watched): Promise<void> {
    try {
      entry.endpoints = await contactEndpoints(this.components.resolveContact, entry.card);
    } catch {
      // The names layer could not answer now; the next renewal asks again.
      this.components.countFailure('resolve-failed');
      return;
    }
    if (this.watched.get(entry.card.identityId) !== entry) return;
    await Promise.all(entry.endpoints.map((nodeId) => this.sendOrCount(nodeId, { t: 'watch' })));
  }

  private async unwatch(entry: Watched): Promise<void> {
    const nodes = entry.source === undefined ? entry.endpoints : [entry.source];
    await Promise.all(nodes.map((nodeId) => this.sendOrCount(nodeId, { t: 'unwatch' })));
  }

  private async sendOrCount(nodeId: string, message: CollabMessage): Promise<void> {
    try {
      await this.components.carrier.send(nodeId, message);
    } catch {
      // An endpoint that is gone: the others may answer, and the next renewal looks again.
      this.components.countFailure('send-failed');
    }
  }

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }
}

function samePresence(a: Presence | undefined, b: Presence): boolean {
  return a !== undefined && a.status === b.status && a.text === b.text && a.atMs === b.atMs;
}
