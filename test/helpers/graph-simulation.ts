import { sha256 } from '@noble/hashes/sha2.js';
import { Graph } from '../../src/core/graph/graph.ts';
import { GraphHub } from '../../src/core/graph/graph-hub.ts';
import type { GraphConfig } from '../../src/core/graph/graph.ts';
import { signableBytes } from '../../src/core/graph/record-codec.ts';
import type { GraphPeer, SecurityProvider, UnsignedRecord } from '../../src/core/graph/security.ts';
import type { AuthenticatedLink, LinkAuthResult } from '../../src/core/mesh/authenticate-link.ts';
import { Mesh, type MeshConfig } from '../../src/core/mesh/mesh.ts';
import type { GraphRecord, Link, RecordStore, Transport } from '../../src/core/ports.ts';
import { concatBytes, equalBytes, toBase32, utf8 } from '../../src/lib/bytes.ts';
import { TypedEventTarget } from '../../src/lib/events.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';
import { generateSigningKeyPair } from '../../src/core/crypto/ed25519.ts';
import type { MemoryNetwork } from '../../src/transport/memory/memory-network.ts';
import type { MemoryTransport } from '../../src/transport/memory/memory-transport.ts';
import { MemoryRecordStore } from '../../src/storage/memory/record-store.ts';
import { seededNetwork } from './simulation.ts';

/**
 * A simulated identity: its "signature" is a hash keyed by a secret the simulation's
 * registry knows. Web Crypto resolves on real time, which would make a seeded run depend on
 * the host; forgeries are tested against the real Ed25519 provider in the browser tests.
 */
export interface SimIdentity {
  readonly identityId: string;
  readonly publicKey: Uint8Array;
  readonly secret: Uint8Array;
}

/** Every simulated identity by id: the simulation's stand-in for public keys. */
export class SimRegistry {
  private readonly identities = new Map<string, SimIdentity>();

  create(label: string): SimIdentity {
    const publicKey = sha256(utf8(`public:${label}`));
    const identity = {
      identityId: toBase32(sha256(publicKey)),
      publicKey,
      secret: sha256(utf8(`secret:${label}`)),
    };
    this.identities.set(identity.identityId, identity);
    return identity;
  }

  tag(identity: SimIdentity, record: UnsignedRecord): Uint8Array {
    const digest = sha256(concatBytes(identity.secret, signableBytes(record)));
    return concatBytes(digest, digest);
  }

  /** The `SecurityProvider` of a node signing as `identity`: only a record's creator may change it. */
  provider(identity: SimIdentity): SecurityProvider {
    return {
      secureRecord: (record) => Promise.resolve({ ...record, signature: this.tag(identity, record) }),
      validateRecord: (record: GraphRecord) => {
        const signer = this.identities.get(record.modifiedBy);
        if (signer === undefined || !equalBytes(signer.publicKey, record.signerKey)) {
          return Promise.resolve('signer-mismatch');
        }
        const { signature, ...unsigned } = record;
        if (!equalBytes(signature, this.tag(signer, unsigned))) return Promise.resolve('bad-signature');
        return Promise.resolve(record.modifiedBy === record.creator ? undefined : 'not-creator');
      },
      authorizeLink: (_peer: GraphPeer) => Promise.resolve(true),
    };
  }
}

/** The mesh transport of a simulated node: dials straight over the memory network. */
class DirectDialTransport extends TypedEventTarget<Record<string, never>> implements Transport {
  readonly nodeId: string;
  readonly status = { state: 'online' } as const;
  private readonly inner: MemoryTransport;

  constructor(inner: MemoryTransport) {
    super();
    this.inner = inner;
    this.nodeId = inner.nodeId;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  dial(nodeId: string, signal?: AbortSignal): Promise<Link> {
    return this.inner.dial(nodeId, signal);
  }

  stop(): void {
    return undefined;
  }
}

/** One simulated node: a mesh, a graph hub and the graph, over one memory store that outlives restarts. */
export interface SimNode {
  readonly nodeId: string;
  readonly identity: SimIdentity;
  readonly store: RecordStore;
  transport: MemoryTransport | undefined;
  mesh: Mesh | undefined;
  hub: GraphHub | undefined;
  graph: Graph | undefined;
}

/** Settings of a graph simulation. */
export interface GraphSimulationInit {
  readonly seed: number;
  readonly graphId?: string;
  readonly mesh?: MeshConfig;
  readonly graph?: Partial<GraphConfig>;
}

/** A seeded simulation of many nodes of one graph on a memory network. */
export class GraphSimulation {
  readonly network: MemoryNetwork;
  readonly random: Random;
  readonly registry = new SimRegistry();
  readonly nodes: SimNode[] = [];
  readonly graphId: string;
  private readonly init: GraphSimulationInit;
  /** The mesh needs a signing key for its own handshake, which the simulation replaces. */
  private readonly unusedKey: CryptoKey;

  private constructor(init: GraphSimulationInit, unusedKey: CryptoKey) {
    this.init = init;
    this.unusedKey = unusedKey;
    this.graphId = init.graphId ?? 'sim-graph';
    this.random = createRandom(init.seed);
    this.network = seededNetwork(init.seed, { latencyMs: { minMs: 5, maxMs: 40 } });
  }

  static async create(init: GraphSimulationInit): Promise<GraphSimulation> {
    const { privateKey } = await generateSigningKeyPair();
    return new GraphSimulation(init, privateKey);
  }

  /** Adds a node (not started), on a memory store unless `store` is given. */
  addNode(store: RecordStore = new MemoryRecordStore()): SimNode {
    const index = this.nodes.length;
    const node: SimNode = {
      nodeId: `n${index}`,
      identity: this.registry.create(`node-${index}`),
      store,
      transport: undefined,
      mesh: undefined,
      hub: undefined,
      graph: undefined,
    };
    this.nodes.push(node);
    return node;
  }

  /** Starts `node`'s transport, mesh and graph, and joins it through `via` (if given). */
  async start(node: SimNode, via?: string): Promise<void> {
    const transport = this.network.createTransport(node.nodeId);
    await transport.start();
    const timers = this.network.clock;
    const random = this.random.fork(`${node.nodeId}:${this.network.clock.nowMs()}`);
    const mesh = new Mesh(
      {
        self: {
          nodeId: node.nodeId,
          publicKey: node.identity.publicKey,
          nodeSalt: new Uint8Array(16),
          signingKey: this.unusedKey,
        },
        bootstrap: transport,
        createMeshTransport: () => new DirectDialTransport(transport),
        timers,
        random: random.fork('mesh'),
        authenticate: (link) => Promise.resolve(this.trust(link)),
      },
      this.init.mesh,
    );
    await mesh.start();
    const hub = new GraphHub({
      mesh,
      store: node.store,
      author: node.identity,
      timers,
      random: random.fork('graphs'),
    });
    node.transport = transport;
    node.mesh = mesh;
    node.hub = hub;
    node.graph = await hub.openGraph(this.graphId, this.registry.provider(node.identity), this.init.graph);
    if (via !== undefined) void mesh.connect([via]);
  }

  /** Crashes `node`: links drop, nothing is said; its store stays. */
  crash(node: SimNode): void {
    node.hub?.stop();
    node.mesh?.stop();
    node.transport?.stop();
    node.transport = undefined;
    node.mesh = undefined;
    node.hub = undefined;
    node.graph = undefined;
  }

  online(): SimNode[] {
    return this.nodes.filter((node) => node.graph !== undefined);
  }

  private trust(link: Link): LinkAuthResult {
    const remote = this.nodes.find((node) => node.nodeId === link.remoteNodeId);
    if (remote === undefined) return { ok: false, reason: 'wrong-node' };
    const value: AuthenticatedLink = {
      link,
      peer: { nodeId: remote.nodeId, publicKey: remote.identity.publicKey, nodeSalt: new Uint8Array(16) },
      pending: [],
    };
    return { ok: true, value };
  }
}

/** Each node's records as `key@version#hash`, sorted: equal strings mean equal replicas. */
export async function replicaDigest(node: SimNode, graphId: string): Promise<string> {
  const all = await node.store.loadAll(graphId);
  return all
    .map(({ key, record, hash }) => `${key}@${record.version}#${toBase32(hash)}`)
    .sort()
    .join('\n');
}
