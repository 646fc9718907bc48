import type { GraphRecord } from '../ports.ts';

/** A record before its signature: what `SecurityProvider.secureRecord` signs. */
export type UnsignedRecord = Omit<GraphRecord, 'signature'>;

/** A peer the link handshake proved, as a security provider sees it. */
export interface GraphPeer {
  readonly nodeId: string;
  /** Raw Ed25519 public key of the peer's identity. */
  readonly publicKey: Uint8Array;
}

/**
 * Who may write what in a graph, as Windows Peer Graphing's security provider
 * (`PEER_SECURITY_INTERFACE`). The graph calls it and trusts nothing else: a record that
 * fails `validateRecord` is never stored, reported or forwarded.
 */
export interface SecurityProvider {
  /** Signs a record this node is about to publish: the same record, with its signature. */
  secureRecord(record: UnsignedRecord): Promise<GraphRecord>;
  /**
   * Checks a record from a peer, a file or this node. `previous` is the version stored now,
   * if any; the graph has already checked versions and expiry against it. Resolves to
   * undefined when the record is valid, or to a short reason (`bad-signature`, ...).
   */
  validateRecord(record: GraphRecord, previous: GraphRecord | undefined): Promise<string | undefined>;
  /** Whether a proven peer may take part in the graph; a refused peer gets nothing of it. */
  authorizeLink(peer: GraphPeer): Promise<boolean>;
  /**
   * An encoded record this node shows in its hello, such as a group membership certificate:
   * the peer takes it through its receive path before it asks `authorizeLink`, so a newcomer
   * can prove itself to nodes that have never seen its records.
   */
  credential?(): Promise<Uint8Array | undefined>;
}
