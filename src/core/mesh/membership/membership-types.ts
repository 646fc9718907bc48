import type { Random } from '../../../lib/random.ts';
import type { Link, Transport } from '../../ports.ts';
import type { MembershipDecodeRejection } from './messages.ts';
import type { Timers } from '../timers.ts';

/** Why a received frame was refused, counted in `rejections()`. */
export type MembershipRejection =
  | MembershipDecodeRejection
  /** FORWARD_JOIN, SHUFFLE or DISCONNECT on a link that is not the sender's active link. */
  | 'not-neighbor'
  /** A NEIGHBOR_REPLY with no request waiting on that link. */
  | 'unexpected-reply'
  /** A SHUFFLE_REPLY while no shuffle of this node is waiting. */
  | 'unexpected-shuffle-reply'
  /** A NEIGHBOR or JOIN on the link that already is the sender's active link. */
  | 'redundant-neighbor'
  /** A peer that claims to be this node. */
  | 'self-reference'
  /** The `authenticate` hook refused the link. */
  | 'unauthenticated'
  /** A handler failed on input it should have refused: a bug, counted rather than thrown. */
  | 'internal-error';

/** `isolated`: no active neighbour; `has-connections`: at least one. */
export type MembershipStatus = 'isolated' | 'has-connections';

/** Events of a `MembershipNode`. */
export interface MembershipEvents {
  /** `nodeId` entered the active view. */
  'neighbor-up': { readonly nodeId: string };
  /** `nodeId` left the active view: dropped, disconnected, or its link closed. */
  'neighbor-down': { readonly nodeId: string; readonly reason: string };
  /** The node became isolated or regained a neighbour. */
  status: MembershipStatus;
}

/** What a `MembershipNode` needs from the node around it. */
export interface MembershipComponents {
  /** Started by the caller; the node dials through it and adopts its incoming links. */
  readonly transport: Transport;
  /** Time and timers; a `VirtualClock` in simulations, `realTimeTimers()` in the app. */
  readonly clock: Timers;
  /** This node's own stream, for view sampling and walk choices. */
  readonly random: Random;
  /** Opens a link to `nodeId`; defaults to `transport.dial`. */
  readonly openLink?: (nodeId: string, signal: AbortSignal) => Promise<Link>;
  /**
   * Decides whether a link (dialled or accepted) may carry membership frames, e.g. after the
   * link handshake; frames wait until it settles. Defaults to accepting every link.
   */
  readonly authenticate?: (link: Link) => Promise<boolean>;
}

/** Counters of the node's own failures (not the peers'). */
export interface MembershipStats {
  readonly dialFailures: number;
  readonly sendFailures: number;
}
