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
}
