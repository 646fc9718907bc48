import type { Random } from '../../lib/random.ts';
import type { RecordStore } from '../ports.ts';
import type { PlumtreeConfig } from '../mesh/broadcast/plumtree-config.ts';
import type { PresenceConfig } from './presence.ts';
import type { Timers } from '../mesh/timers.ts';
import type { FrameKind } from '../wire/frame.ts';
import type { GraphPart } from './graph-messages.ts';
import { defaultMaxClockSkewMs } from './record-rules.ts';
import type { GraphAuthor } from './record-writer.ts';
import type { GraphPeer, SecurityProvider } from './security.ts';

/** How a graph reaches its neighbours: the hub that shares the node's links among graphs. */
export interface GraphLinks {
  /** Sends one part of this graph to a neighbour; rejects if the link is gone. */
  send(nodeId: string, part: GraphPart, kind: FrameKind): Promise<void>;
  /** The proven identity of a mesh neighbour, if it is one. */
  peer(nodeId: string): GraphPeer | undefined;
  /** The mesh's neighbours now. */
  neighbors(): readonly string[];
  /** Whether the node's mesh is started. */
  listening(): boolean;
  /** Opens (or keeps) a direct session to a node; rejects if none can be made. */
  openDirect(nodeId: string): Promise<void>;
  closeDirect(nodeId: string): void;
  /** Holds a refused frame against the link it came on, after the fact (see `Mesh.blame`). */
  blame(nodeId: string, reason: string): void;
}

/** What a `Graph` is built from. */
export interface GraphComponents {
  readonly graphId: string;
  readonly nodeId: string;
  readonly author: GraphAuthor;
  readonly provider: SecurityProvider;
  readonly store: RecordStore;
  readonly links: GraphLinks;
  readonly timers: Timers;
  readonly random: Random;
}

/** Settings of a graph; every field has a default. */
export interface GraphConfig {
  /** Lifetime of a record whose writer gave none. Default a year. */
  readonly defaultLifetimeMs: number;
  readonly maxClockSkewMs: number;
  /** How often each neighbour is reconciled with again, to heal what broadcast missed. Default 60 s. */
  readonly resyncIntervalMs: number;
  /** Wait after records came by reconciliation before reconciling with the other neighbours. Default 1 s. */
  readonly passOnDelayMs: number;
  /** How long synchronisation with a neighbour may go unanswered before it is given up. Default 30 s. */
  readonly stallTimeoutMs: number;
  /** How often expired records are purged. Default 60 s. */
  readonly purgeIntervalMs: number;
  readonly broadcast: Partial<PlumtreeConfig>;
  readonly presence: Partial<PresenceConfig>;
}

/** The defaults of `GraphConfig`. */
export const defaultGraphConfig: GraphConfig = {
  defaultLifetimeMs: 365 * 24 * 3_600_000,
  maxClockSkewMs: defaultMaxClockSkewMs,
  resyncIntervalMs: 60_000,
  passOnDelayMs: 1_000,
  stallTimeoutMs: 30_000,
  purgeIntervalMs: 60_000,
  broadcast: {},
  presence: {},
};
