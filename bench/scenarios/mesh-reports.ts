/**
 * What the link and mesh page scenarios (link.ts, mesh.ts) take and return. Import-free, so the
 * harness (bench/link.ts, bench/mesh.ts) can use these types without typechecking src/ for Node.
 */

/** Where the bench's PeerJS broker listens, as the page connects to it. */
export interface BenchBroker {
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

export interface LinkSetupOptions {
  readonly broker: BenchBroker;
  readonly samples: number;
  /** Limit for one sample, dial to both ends authenticated. */
  readonly timeoutMs: number;
}

export interface LinkSetupReport {
  /** Dial → both ends passed the link handshake, per sample. */
  readonly samplesMs: number[];
  /** Signals relayed by the middle node, for the mesh variant (proves the route). */
  readonly relayed?: { readonly forwarded: number; readonly flooded: number };
}

export interface LinkThroughputOptions {
  readonly broker: BenchBroker;
  /** Payload bytes sent, counted as bulk frame bodies. */
  readonly totalBytes: number;
  /** The receiving session's rate limit; the defaults (200/s, burst 400) starve bulk transfers. */
  readonly maxFramesPerSecond: number;
  readonly burstFrames: number;
  readonly timeoutMs: number;
}

export interface LinkThroughputReport {
  /** Payload bytes received. */
  readonly bytes: number;
  /** From the first send to the arrival of the last payload byte. */
  readonly elapsedMs: number;
  readonly frames: number;
  /** Payload bytes of a full frame, and that frame's encoded size. */
  readonly bodyBytes: number;
  readonly frameBytes: number;
  /** Frames the receiving session refused, by reason (should be empty). */
  readonly rejections: Readonly<Record<string, number>>;
}

export interface LinkModule {
  runBrokerSetup(options: LinkSetupOptions): Promise<LinkSetupReport>;
  runMeshSetup(options: LinkSetupOptions): Promise<LinkSetupReport>;
  runThroughput(options: LinkThroughputOptions): Promise<LinkThroughputReport>;
}

export interface FormationOptions {
  readonly broker: BenchBroker;
  readonly nodeCount: number;
  /** Seeds who joins whom and each node's mesh randomness. */
  readonly seed: number;
  readonly timeoutMs: number;
}

export interface FormationReport {
  /** First `connect` → every node has ≥ 3 neighbours in one connected neighbour graph. */
  readonly formedMs: number;
  /** When the last `connect` resolved, on the same clock. */
  readonly joinedMs: number;
  /** How long each node's `connect` took (node 1 onwards). */
  readonly joinMs: number[];
  /** Creating the nodes (identity, broker registration, mesh start), before the clock. */
  readonly nodeSetupMs: number;
  /** Each node's degree when the mesh formed. */
  readonly degrees: number[];
  /** Longest shortest path in the neighbour graph, in hops. */
  readonly diameter: number;
  /** Distinct links by how their signalling travelled. */
  readonly linksByRoute: { readonly broker: number; readonly mesh: number };
  /** The active view size the nodes were configured with: the degree budget. */
  readonly activeViewSize: number;
  /** Refusals summed over every node, by reason. */
  readonly rejections: Readonly<Record<string, number>>;
  /** Joins whose `connect` resolved false (the node then rejoined by itself). */
  readonly failedJoins: readonly FailedJoin[];
  /**
   * RTCPeerConnections created in the page from the first join until the mesh formed, and
   * those the browser refused (it allows 500 per page, closed ones included until collected).
   */
  readonly peerConnections: { readonly created: number; readonly refused: number };
}

/** A `connect` that failed, and what the two nodes had refused by then. */
export interface FailedJoin {
  readonly node: number;
  readonly contact: number;
  readonly afterMs: number;
  readonly status: string;
  readonly rejections: Readonly<Record<string, number>>;
  readonly contactRejections: Readonly<Record<string, number>>;
  readonly contactDegree: number;
}

export interface MeshModule {
  runFormation(options: FormationOptions): Promise<FormationReport>;
}
