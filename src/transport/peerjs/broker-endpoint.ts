/** Where a PeerJS broker listens: the client connects to `ws(s)://host:port{path}/peerjs`. */
export interface BrokerEndpoint {
  readonly host: string;
  readonly port: number;
  /** Mount path of the broker, e.g. `/peerjs` (`/` for the public PeerJS cloud). */
  readonly path: string;
  readonly secure: boolean;
  /** PeerJS API key; `peerjs` unless the broker was set up with another. */
  readonly key?: string;
}
