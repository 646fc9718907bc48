import type { Random } from '../../lib/random.ts';
import type { Link, Signaller, Transport } from '../ports.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { Frame } from '../wire/frame.ts';
import type { LinkAuthResult } from './authenticate-link.ts';
import type { AuthenticatedPeer, LinkSelf } from './link-handshake.ts';
import type { LinkSessionOptions } from './link-session.ts';
import type { MembershipConfig } from './membership/index.ts';
import type { Timers } from './timers.ts';

/**
 * `stopped`: not started. `listening`: started, reachable for incoming links, no neighbour
 * yet. `has-connections`: at least one neighbour. `isolated`: lost every neighbour and is
 * trying to get back in (through the broker and the node ids it remembers).
 */
export type MeshStatus = 'stopped' | 'listening' | 'has-connections' | 'isolated';

/** How a link's signalling travelled: through the broker, or relayed over the mesh. */
export type LinkRoute = 'broker' | 'mesh';

/** One neighbour's link, as the Network page shows it. */
export interface MeshLinkInfo {
  readonly nodeId: string;
  readonly route: LinkRoute;
  /** Smoothed keepalive round trip; undefined until the first pong. */
  readonly rttMs: number | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Epoch milliseconds when the link was authenticated. */
  readonly openedAtMs: number;
}

/** A synchronous picture of one node's place in the mesh. */
export interface MeshSnapshot {
  readonly nodeId: string;
  readonly status: MeshStatus;
  /** Whether the broker is connected (the node is reachable for bootstrap links). */
  readonly brokerOnline: boolean;
  /** The active view, in the order neighbours joined it. */
  readonly neighbors: readonly MeshLinkInfo[];
  /** Known nodes without a link: the passive view. */
  readonly known: readonly string[];
  /** Refused frames, handshakes and signals since start, by reason. */
  readonly rejections: Readonly<Record<string, number>>;
  /** Epoch milliseconds the snapshot was taken at. */
  readonly takenAtMs: number;
}

/** Events of a `Mesh`. */
export interface MeshEvents {
  status: MeshStatus;
  'neighbor-up': { readonly nodeId: string; readonly route: LinkRoute };
  'neighbor-down': { readonly nodeId: string; readonly reason: string };
  /** The last session with a node closed, neighbour or direct: nothing reaches it now. */
  'link-closed': { readonly nodeId: string };
}

/** What a `Mesh` is built from. */
export interface MeshComponents {
  /** This node's identity, which the link handshake proves. */
  readonly self: LinkSelf;
  /** The broker transport, started and stopped by the caller; only bootstrap links use it. */
  readonly bootstrap: Transport;
  /** Builds the transport for links signalled over the mesh (WebRTC in the app). */
  readonly createMeshTransport: (signaller: Signaller) => Transport;
  readonly timers: Timers;
  readonly random: Random;
  /** The link handshake; `authenticateLink` with the link's DTLS fingerprints by default. */
  readonly authenticate?: (link: Link) => Promise<LinkAuthResult>;
}

/** Settings of a `Mesh`; every field has a default. */
export interface MeshConfig {
  readonly membership?: Partial<MembershipConfig>;
  readonly session?: Omit<LinkSessionOptions, 'timers'>;
  readonly handshakeTimeoutMs?: number;
  /** Handshakes of incoming links in progress at once; more are refused. Default 32. */
  readonly maxPendingHandshakes?: number;
  /** First wait before an isolated node tries to get back in; doubles up to the max. */
  readonly rejoinDelayMs?: number;
  readonly maxRejoinDelayMs?: number;
  /** Hops a relayed signal may take. */
  readonly relayHops?: number;
}

/**
 * Handles one frame of a protocol that runs over the mesh's sessions; `from` is the peer the
 * handshake proved. Returns a rejection reason, which the session counts, or nothing.
 */
export type MeshFrameHandler = (
  from: AuthenticatedPeer,
  body: WireValue,
  frame: Frame,
) => string | undefined | Promise<string | undefined>;
