import { MycelError } from '../../lib/errors.ts';
import type { StoredRecord } from '../ports.ts';

/**
 * A graph's status flags, as Windows Peer Graphing's `PEER_GRAPH_STATUS_FLAGS`: `listening`
 * once the graph is open on a started mesh, `hasConnections` while at least one neighbour
 * takes part in the graph, `synchronized` once every such neighbour has been reconciled with.
 * `storageFull` says that the last commit failed for want of room: records are not lost (the
 * peers still have them, and local writes failed visibly) but none are accepted until there is.
 */
export interface GraphStatus {
  readonly listening: boolean;
  readonly hasConnections: boolean;
  readonly synchronized: boolean;
  readonly storageFull: boolean;
}

/** What happened to a record: a new key, a newer version, a tombstone, or purged after expiry. */
export type RecordChangeKind = 'added' | 'updated' | 'deleted' | 'purged';

/** A node of the graph, as its presence record says. */
export interface GraphNodeInfo {
  readonly nodeId: string;
  /** Identity id of whoever runs the node. */
  readonly identityId: string;
  /** When the node last refreshed its presence (epoch ms). */
  readonly lastSeenMs: number;
  /** Whether its presence is current (not expired, not withdrawn). */
  readonly online: boolean;
  /** Whether the node said its user is idle. */
  readonly away: boolean;
}

/** Events of a `Graph`. */
export interface GraphEvents {
  /** A record was committed (or purged); fires once per version, after the commit. */
  'record-changed': { readonly change: RecordChangeKind; readonly record: StoredRecord };
  /** A neighbour started or stopped taking part in this graph. */
  'neighbor-changed': { readonly nodeId: string; readonly change: 'connected' | 'disconnected' };
  /** A node's presence changed. */
  'node-changed': { readonly node: GraphNodeInfo };
  'status-changed': { readonly status: GraphStatus };
  /** Every neighbour of the graph has been reconciled with. */
  synchronized: { readonly neighbors: number };
  /** A node refused this one a place in the graph, saying why (from its security provider). */
  'link-refused': { readonly nodeId: string; readonly reason: string };
  /** Application data arrived on a direct channel (see `Graph.openDirect`). */
  'incoming-data': { readonly from: string; readonly data: Uint8Array };
}

/** An operation on a record that does not exist (or is no longer there). */
export class RecordNotFoundError extends MycelError {
  override name = 'RecordNotFoundError';

  constructor(key: string) {
    super(`The record ${key} is not in this graph.`, {
      hint: 'It may have been deleted or may have expired; reload the list and try again.',
    });
  }
}

/** An update or deletion of a record this identity may not change. */
export class RecordNotYoursError extends MycelError {
  override name = 'RecordNotYoursError';

  constructor(key: string) {
    super(`The record ${key} belongs to someone else.`, {
      hint: 'Only its author can change or delete it.',
    });
  }
}

/** A record this node wrote was refused by its own checks (size, fields or security provider). */
export class RecordRefusedError extends MycelError {
  override name = 'RecordRefusedError';

  constructor(reason: string) {
    super(`The record was refused (${reason}).`, {
      hint: 'Check its size (at most 64 KiB) and fields, then try again.',
    });
  }
}

/** A graph was used after it was closed. */
export class GraphClosedError extends MycelError {
  override name = 'GraphClosedError';

  constructor(graphId: string) {
    super(`The graph ${graphId} is closed.`, { hint: 'Open it again to use it.' });
  }
}

/** A second `openGraph` of a graph that is already open on this node. */
export class GraphAlreadyOpenError extends MycelError {
  override name = 'GraphAlreadyOpenError';

  constructor(graphId: string) {
    super(`The graph ${graphId} is already open.`, { hint: 'Use the graph that is open.' });
  }
}
