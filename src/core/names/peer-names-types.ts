import type { Timers } from '../mesh/timers.ts';
import type { LocalChannel } from './local-cloud.ts';
import type { NameRecord } from './name-policy.ts';
import type { RegistrationSigner } from './registration.ts';

/** Where a name lives: every reachable node (`global`, the DHT) or this browser's tabs (`local`). */
export type Cloud = 'global' | 'local';

/** The outcome of `resolve`. */
export interface Resolution {
  readonly name: string;
  readonly cloud: Cloud;
  /** Current registrations, one per registrant, sorted by identity id; empty if none. */
  readonly records: readonly NameRecord[];
  /** DHT hops to the first value (0 for the local cloud or the cache). */
  readonly hops: number;
  readonly fromCache: boolean;
}

/** A name this node registered, as it stands. */
export interface OwnName {
  readonly name: string;
  readonly cloud: Cloud;
  readonly secured: boolean;
  /** The listed node ids, or `self`: this node's id in the mesh, whatever it currently is. */
  readonly endpoints: readonly string[] | 'self';
  readonly payload: Uint8Array;
  /** When the last signed registration expires (refreshed well before, while attached). */
  readonly expiresAtMs: number;
  /** Whether the last registration reached at least one DHT node (global) or the tabs (local). */
  readonly published: boolean;
  /** Why the last publication failed, for people. */
  readonly error?: string;
}

/** Events of `PeerNames`. */
export interface PeerNamesEvents {
  /** This node's own names changed: registered, updated, refreshed, published or unregistered. */
  changed: { readonly names: readonly OwnName[] };
}

/** Settings of `PeerNames`. */
export interface PeerNamesConfig {
  /** Lifetime of each signed registration: an owner gone offline is forgotten this soon. */
  readonly lifetimeMs: number;
  /** Part of the lifetime after which a name is signed and published again. */
  readonly refreshFraction: number;
  /** How long a local resolve gathers answers from other tabs. */
  readonly localAnswerWindowMs: number;
}

/**
 * The defaults: 10-minute registrations refreshed at half-life, so one lost refresh does not
 * let a name lapse, as PNRP refreshes its cache entries; a 300 ms window for the local cloud.
 */
export const defaultPeerNamesConfig: PeerNamesConfig = {
  lifetimeMs: 10 * 60_000,
  refreshFraction: 0.5,
  localAnswerWindowMs: 300,
};

/** What `update` may change about an own name. */
export interface RegistrationChanges {
  readonly payload?: Uint8Array;
  readonly endpoints?: readonly string[];
}

/** What `PeerNames` needs: the identity that signs, timers, and optionally the tabs' channel. */
export interface PeerNamesComponents {
  readonly identity: RegistrationSigner & { readonly identityId: string };
  readonly timers: Timers;
  readonly local?: LocalChannel;
}
