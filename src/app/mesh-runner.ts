import { TypedEventTarget } from '../lib/events.ts';
import { MycelError } from '../lib/errors.ts';
import { createRandom } from '../lib/random.ts';
import type { PreferenceStore, Signaller, Transport } from '../core/ports.ts';
import { nodeIdOf } from '../core/identity/ids.ts';
import { Mesh } from '../core/mesh/mesh.ts';
import type { MeshSnapshot } from '../core/mesh/mesh-types.ts';
import { isNodeId } from '../core/mesh/membership/messages.ts';
import { realTimeTimers } from '../core/mesh/timers.ts';
import type { StartedTransport } from './connection.ts';

/** What the mesh transport (WebRTC in the app) is built from. */
export interface MeshTransportInit {
  readonly nodeId: string;
  readonly signaller: Signaller;
  readonly iceServers: readonly RTCIceServer[];
}

/** Builds mesh transports; loaded lazily, like peerjs, so the shell renders without it. */
export type MeshTransportFactory = (init: MeshTransportInit) => Transport;

/** Node ids kept across reloads to get back into the mesh without a join link. */
const rememberedKey = 'mesh.remembered';
const rememberedCap = 16;
/** How often the snapshot refreshes while the node runs, for live link stats. */
const refreshMs = 1000;

/**
 * Runs this node's `Mesh` on top of the current bootstrap transport: starts one when the
 * connection has a transport, stops it when the transport goes, keeps a fresh snapshot for
 * the Network page, and remembers neighbours across reloads so a returning node can dial
 * them through the broker.
 */
export class MeshRunner extends TypedEventTarget<{
  changed: { readonly snapshot: MeshSnapshot | undefined };
  /** A mesh started (after its first links were tried) or, with `mesh` undefined, stopped. */
  mesh: { readonly mesh: Mesh | undefined };
}> {
  private readonly loadTransport: () => Promise<MeshTransportFactory>;
  private readonly preferences: PreferenceStore;
  private mesh: Mesh | undefined;
  private generation = 0;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;

  constructor(loadTransport: () => Promise<MeshTransportFactory>, preferences: PreferenceStore) {
    super();
    this.loadTransport = loadTransport;
    this.preferences = preferences;
  }

  get snapshot(): MeshSnapshot | undefined {
    return this.mesh?.snapshot();
  }

  /** Starts a mesh for `identity` over `bootstrap`, or stops the current one when undefined. */
  async run(bootstrap: StartedTransport | undefined, iceServers: readonly RTCIceServer[]): Promise<void> {
    const generation = ++this.generation;
    this.stop();
    if (bootstrap === undefined) return;
    const { transport, identity } = bootstrap;
    const [createTransport, nodeId, remembered] = await Promise.all([
      this.loadTransport(),
      nodeIdOf(identity.publicKey, identity.nodeSalt),
      this.remembered(),
    ]);
    if (generation !== this.generation) return;
    const seed = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
    const mesh = new Mesh({
      self: {
        nodeId,
        publicKey: identity.publicKey,
        nodeSalt: identity.nodeSalt,
        signingKey: identity.signingKey,
      },
      bootstrap: transport,
      createMeshTransport: (signaller) => createTransport({ nodeId, signaller, iceServers }),
      timers: realTimeTimers(),
      random: createRandom(seed),
    });
    this.mesh = mesh;
    const changed = (): void => this.emit('changed', { snapshot: mesh.snapshot() });
    mesh.on('status', changed);
    mesh.on('neighbor-down', changed);
    mesh.on('neighbor-up', () => {
      changed();
      void this.rememberNeighbors(mesh);
    });
    this.refreshTimer = setInterval(changed, refreshMs);
    await mesh.start();
    if (this.mesh !== mesh) return;
    changed();
    this.emit('mesh', { mesh });
    if (remembered.length > 0) void mesh.connect(remembered.filter((id) => id !== nodeId));
  }

  /** Joins the mesh through `nodeId`; rejects with advice if the id is wrong or unreachable. */
  async connectTo(nodeId: string): Promise<void> {
    const mesh = this.mesh;
    if (!isNodeId(nodeId)) {
      throw new MycelError('That is not a node id.', {
        hint: 'A node id is the code on the other person’s Network page, like m3x…; paste it whole.',
      });
    }
    if (mesh === undefined) {
      throw new MycelError('This node is not online yet.', { hint: 'Wait until the header says Online.' });
    }
    if (nodeId === mesh.nodeId) throw new MycelError('That is this node’s own id.');
    if (!(await mesh.connect([nodeId]))) {
      throw new MycelError(`Could not reach ${nodeId}.`, {
        hint: 'Check that it is online and uses the same broker. Mycel keeps trying in the background.',
      });
    }
  }

  stop(): void {
    clearInterval(this.refreshTimer);
    if (this.mesh === undefined) return;
    this.mesh.stop();
    this.mesh = undefined;
    this.emit('changed', { snapshot: undefined });
    this.emit('mesh', { mesh: undefined });
  }

  private async remembered(): Promise<string[]> {
    const stored = await this.preferences.get(rememberedKey);
    if (!Array.isArray(stored)) return [];
    return stored
      .filter((id): id is string => typeof id === 'string' && isNodeId(id))
      .slice(0, rememberedCap);
  }

  private async rememberNeighbors(mesh: Mesh): Promise<void> {
    const previous = await this.remembered();
    const ids = [...new Set([...mesh.neighbors(), ...previous])].slice(0, rememberedCap);
    await this.preferences.set(rememberedKey, ids);
  }
}
