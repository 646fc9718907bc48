import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import type { RecordStore } from '../ports.ts';
import type { AuthenticatedPeer } from '../mesh/link-handshake.ts';
import type { MeshEvents, MeshStatus } from '../mesh/mesh-types.ts';
import type { MeshFrameHandler } from '../mesh/mesh.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { FrameKind } from '../wire/frame.ts';
import { parse } from '../wire/schema.ts';
import { Graph, type GraphConfig, type GraphLinks } from './graph.ts';
import type { GraphAuthor } from './record-writer.ts';
import { graphIdOf, graphMessage, graphProtocol, type GraphPart } from './graph-messages.ts';
import { GraphAlreadyOpenError } from './graph-types.ts';
import type { SecurityProvider } from './security.ts';

/** What a `GraphHub` needs of the node's mesh (a `Mesh` has all of it). */
export interface GraphMesh {
  readonly nodeId: string;
  readonly status: MeshStatus;
  handle(protocol: string, handler: MeshFrameHandler): () => void;
  sendTo(nodeId: string, protocol: string, body: WireValue, kind?: FrameKind): Promise<void>;
  neighborPeer(nodeId: string): AuthenticatedPeer | undefined;
  neighbors(): string[];
  openDirect(nodeId: string, signal?: AbortSignal): Promise<void>;
  closeDirect(nodeId: string): void;
  blame(nodeId: string, reason: string): void;
  on<K extends keyof MeshEvents>(type: K, listener: (detail: MeshEvents[K]) => void): () => void;
}

/**
 * A mesh that is not running, for a hub whose node is offline (no broker, no links yet):
 * graphs open, read and write locally, and sync once `GraphHub.attach` hands them a real one.
 */
export function offlineMesh(nodeId: string): GraphMesh {
  const offline = (): Promise<never> => Promise.reject(new Error('This node is offline.'));
  return {
    nodeId,
    status: 'stopped',
    handle: () => () => undefined,
    sendTo: offline,
    neighborPeer: () => undefined,
    neighbors: () => [],
    openDirect: offline,
    closeDirect: () => undefined,
    blame: () => undefined,
    on: () => () => undefined,
  };
}

/** What a `GraphHub` is built from. */
export interface GraphHubComponents {
  /** The node's mesh; `attach` replaces it (an `offlineMesh` while there is none). */
  readonly mesh: GraphMesh;
  readonly store: RecordStore;
  readonly author: GraphAuthor;
  readonly timers: Timers;
  readonly random: Random;
}

/** Events of a `GraphHub`. */
export interface GraphHubEvents {
  /** A graph was opened or closed on this node. */
  graphs: { readonly open: readonly string[] };
}

/**
 * The graphs of one node, sharing its mesh links: one protocol, `mycel/graph/1`, whose every
 * message names its graph. The hub checks each message against the schema, hands it to its
 * graph, and counts what no graph here can take.
 */
export class GraphHub extends TypedEventTarget<GraphHubEvents> {
  private readonly components: GraphHubComponents;
  private readonly graphs = new Map<string, Graph>();
  private readonly counts = new Map<string, number>();
  private mesh: GraphMesh;
  private unsubscribe: (() => void)[] = [];

  constructor(components: GraphHubComponents) {
    super();
    this.components = components;
    this.mesh = components.mesh;
    this.listen();
  }

  /**
   * Moves every open graph onto another mesh of the same node (the app starts a new one when
   * the broker comes back): they part with the old mesh's neighbours and greet the new ones.
   */
  attach(mesh: GraphMesh): void {
    if (mesh.nodeId !== this.mesh.nodeId) throw new RangeError('A hub stays with one node id.');
    const before = this.mesh.neighbors();
    for (const off of this.unsubscribe.splice(0)) off();
    this.mesh = mesh;
    this.each((graph) => {
      for (const nodeId of before) graph.neighborDown(nodeId);
      graph.meshChanged();
      for (const nodeId of mesh.neighbors()) graph.neighborUp(nodeId);
    });
    this.listen();
  }

  private listen(): void {
    const { mesh } = this;
    this.unsubscribe = [
      mesh.handle(graphProtocol, (from, body) => this.receive(from, body)),
      mesh.on('neighbor-up', ({ nodeId }) => this.each((graph) => graph.neighborUp(nodeId))),
      mesh.on('neighbor-down', ({ nodeId }) => this.each((graph) => graph.neighborDown(nodeId))),
      // A direct link (a group's link to a member) is no neighbour: its end comes this way.
      mesh.on('link-closed', ({ nodeId }) => this.each((graph) => graph.neighborDown(nodeId))),
      mesh.on('status', () => this.each((graph) => graph.meshChanged())),
    ];
  }

  /**
   * Opens a graph on this node (`PeerGraphOpen`): loads its records from the store and takes
   * part in it with every neighbour that has it open too and that `provider` authorizes.
   * Rejects with `GraphAlreadyOpenError` if it is open already.
   */
  async openGraph(
    graphId: string,
    provider: SecurityProvider,
    config: Partial<GraphConfig> = {},
  ): Promise<Graph> {
    if (this.graphs.has(graphId)) throw new GraphAlreadyOpenError(graphId);
    const { store, author, timers, random } = this.components;
    const graph = await Graph.open(
      {
        graphId,
        nodeId: this.mesh.nodeId,
        author,
        provider,
        store,
        timers,
        random: random.fork(graphId),
        links: this.linksFor(graphId),
      },
      config,
    );
    if (this.graphs.has(graphId)) {
      graph.close();
      throw new GraphAlreadyOpenError(graphId);
    }
    this.graphs.set(graphId, graph);
    this.emit('graphs', { open: [...this.graphs.keys()] });
    return graph;
  }

  /** Closes a graph on this node; its records stay in the store. */
  closeGraph(graphId: string): void {
    const graph = this.graphs.get(graphId);
    if (graph === undefined) return;
    graph.close();
    this.graphs.delete(graphId);
    this.emit('graphs', { open: [...this.graphs.keys()] });
  }

  /** An open graph by id. */
  graph(graphId: string): Graph | undefined {
    return this.graphs.get(graphId);
  }

  /** Messages no open graph could take, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Closes every graph and stops listening. */
  stop(): void {
    for (const graphId of [...this.graphs.keys()]) this.closeGraph(graphId);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private receive(
    from: AuthenticatedPeer,
    body: WireValue,
  ): string | undefined | Promise<string | undefined> {
    const graphId = graphIdOf(body);
    const graph = graphId === undefined ? undefined : this.graphs.get(graphId);
    const parsed = parse(graphMessage, body);
    if (!parsed.ok) return this.count('bad-message');
    if (graph === undefined) {
      // A hello for a graph not open here is how two nodes find they share none: not an offence.
      if (parsed.value.t === 'hello' || parsed.value.t === 'bye' || parsed.value.t === 'refused') {
        this.counts.set('graph:not-open', (this.counts.get('graph:not-open') ?? 0) + 1);
        return undefined;
      }
      return this.count('unknown-graph');
    }
    const outcome = graph.receive(from, parsed.value);
    if (typeof outcome === 'string') return `graph:${outcome}`;
    return outcome?.then((reason) => (reason === undefined ? undefined : `graph:${reason}`));
  }

  private count(reason: string): string {
    const name = `graph:${reason}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    return name;
  }

  private each(task: (graph: Graph) => void): void {
    for (const graph of this.graphs.values()) task(graph);
  }

  /** Links that always use the hub's current mesh. */
  private linksFor(graphId: string): GraphLinks {
    return {
      send: (nodeId: string, part: GraphPart, kind: FrameKind) =>
        this.mesh.sendTo(nodeId, graphProtocol, { g: graphId, ...part }, kind),
      peer: (nodeId) => this.mesh.neighborPeer(nodeId),
      neighbors: () => this.mesh.neighbors(),
      listening: () => this.mesh.status !== 'stopped',
      openDirect: (nodeId) => this.mesh.openDirect(nodeId),
      closeDirect: (nodeId) => this.mesh.closeDirect(nodeId),
      blame: (nodeId, reason) => this.mesh.blame(nodeId, `graph:${reason}`),
    };
  }
}
