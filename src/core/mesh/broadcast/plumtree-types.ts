import type { Random } from '../../../lib/random.ts';
import type { Timers } from '../timers.ts';
import type { PlumtreeMessage, PlumtreeParseRejection } from './plumtree-messages.ts';

/**
 * What `deliver` answers: `accepted` (new, committed and delivered: forward it), `duplicate`
 * (already held, say from reconciliation: not forwarded, and the link counts as redundant),
 * or any other string, a rejection reason (dropped, not forwarded, not remembered as seen).
 */
export type DeliverOutcome = 'accepted' | 'duplicate' | (string & Record<never, never>);

/** What a `Plumtree` needs from the node around it. */
export interface PlumtreeComponents {
  /** This node's id: the root of the tree its own broadcasts travel. */
  readonly nodeId: string;
  /** Time and timers: every timer of the protocol goes through it, so simulations replay. */
  readonly timers: Timers;
  /** This instance's own stream, for every random choice (IHAVE flush jitter). */
  readonly random: Random;
  /** Sends `message` to neighbour `nodeId`; the caller encodes it. Must not throw. */
  readonly send: (nodeId: string, message: PlumtreeMessage) => void;
  /**
   * Validates, commits and delivers a payload new to this instance, received from `from`.
   * Called at most once per id at a time. A rejected promise counts as a rejection.
   */
  readonly deliver: (id: Uint8Array, payload: Uint8Array, from: string) => Promise<DeliverOutcome>;
  /** A payload this node holds (from its store), to answer a GRAFT for an id no longer cached. */
  readonly lookup: (id: Uint8Array) => Promise<Uint8Array | undefined>;
}

/** Why `Plumtree.receive` refused a message; the caller counts these per peer. */
export type PlumtreeRejection =
  | PlumtreeParseRejection
  /** The sender is not a current neighbour of this instance. */
  | 'not-neighbor'
  /** Too many payloads are being delivered already; the id can still come by GRAFT. */
  | 'busy'
  /** Handling the message failed: a bug, reported rather than thrown. */
  | 'internal-error';

/** Counters of one instance, since it was created. */
export interface PlumtreeStats {
  /** GOSSIP frames sent: eager pushes and answers to GRAFTs. */
  readonly eagerSent: number;
  /** IHAVE frames sent. */
  readonly lazySent: number;
  /** Ids announced, in IHAVE frames or riding on GOSSIP frames, repeats included. */
  readonly ihaveIds: number;
  /** GRAFT frames sent. */
  readonly grafts: number;
  /** PRUNE frames sent. */
  readonly prunes: number;
  /** GOSSIPs received for ids already seen (or reported `duplicate` by `deliver`). */
  readonly duplicates: number;
  /** Payloads `deliver` accepted from peers (not counting this node's own broadcasts). */
  readonly delivered: number;
  /** Payloads `deliver` rejected (or failed on). */
  readonly rejected: number;
  /** Missing ids given up after every GRAFT went unanswered. */
  readonly abandoned: number;
}

/** How much an instance holds right now; each figure has a cap in `PlumtreeConfig`. */
export interface PlumtreeFootprint {
  readonly seenIds: number;
  readonly cachedPayloads: number;
  readonly cachedBytes: number;
  readonly missingIds: number;
  readonly queuedAnnouncements: number;
  readonly repeatedAnnouncements: number;
  readonly pendingDeliveries: number;
  readonly pendingLookups: number;
  readonly roots: number;
}
