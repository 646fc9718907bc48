import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, Transport } from '../ports.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { FrameKind } from '../wire/frame.ts';
import { authenticateLink, type LinkAuthResult } from './authenticate-link.ts';
import type { AuthenticatedPeer } from './link-handshake.ts';
import { LinkSession, ProtocolTakenError, SessionClosedError } from './link-session.ts';
import { MembershipNode } from './membership/index.ts';
import { membershipProtocol } from './membership/messages.ts';
import type {
  LinkRoute,
  MeshComponents,
  MeshConfig,
  MeshEvents,
  MeshFrameHandler,
  MeshLinkInfo,
  MeshSnapshot,
  MeshStatus,
} from './mesh-types.ts';
import { DirectSessions } from './direct-sessions.ts';
import { Rejoin } from './rejoin.ts';
import { SessionChannel } from './session-channel.ts';
import { SessionTransport } from './session-transport.ts';
import { SignalRelay } from './signal-relay.ts';

export type { MeshComponents, MeshConfig, MeshFrameHandler } from './mesh-types.ts';

/** A link was opened but its other end failed the handshake. */
export class LinkRefusedError extends MycelError {
  override name = 'LinkRefusedError';
}

interface SessionEntry {
  readonly session: LinkSession;
  readonly route: LinkRoute;
  /** Protocols of `Mesh.handle` routed on this session. */
  readonly protocols: Set<string>;
}

/**
 * One node's place in the mesh. Links of either transport pass the handshake and run in a
 * `LinkSession`; HyParView membership keeps a few of them as neighbours; signalling for new
 * links is relayed over the sessions, so the broker is only dialled while the node has no
 * session at all: to bootstrap, and to get back in after losing every neighbour.
 */
export class Mesh extends TypedEventTarget<MeshEvents> {
  readonly nodeId: string;
  private readonly components: MeshComponents;
  private readonly config: MeshConfig;
  private readonly relay: SignalRelay;
  private readonly meshTransport: Transport;
  private readonly sessionTransport: SessionTransport;
  private readonly membership: MembershipNode;
  private readonly channels = new Map<Link, SessionEntry>();
  private readonly protocols = new Map<string, MeshFrameHandler>();
  private readonly direct = new DirectSessions((session) => this.isNeighborSession(session));
  private readonly counts = new Map<string, number>();
  private readonly rejoin: Rejoin;
  private currentStatus: MeshStatus = 'stopped';
  private pendingHandshakes = 0;
  private unsubscribe: (() => void)[] = [];

  constructor(components: MeshComponents, config: MeshConfig = {}) {
    super();
    this.components = components;
    this.config = config;
    this.nodeId = components.self.nodeId;
    this.relay = new SignalRelay({
      nodeId: this.nodeId,
      timers: components.timers,
      random: components.random.fork('relay'),
      ...(config.relayHops === undefined ? {} : { hops: config.relayHops }),
    });
    this.meshTransport = components.createMeshTransport(this.relay);
    this.sessionTransport = new SessionTransport(this.nodeId, (nodeId, signal) => this.open(nodeId, signal));
    this.rejoin = new Rejoin(
      {
        timers: components.timers,
        running: () => this.currentStatus !== 'stopped',
        connected: () => this.membership.status === 'has-connections',
        join: (nodeId) => this.membership.join(nodeId),
        known: () => this.membership.passiveView(),
      },
      config.rejoinDelayMs ?? 1000,
      config.maxRejoinDelayMs ?? 30_000,
    );
    this.membership = new MembershipNode(
      {
        transport: this.sessionTransport,
        clock: components.timers,
        random: components.random.fork('membership'),
        authenticate: (link) => Promise.resolve(this.startSession(link)),
      },
      config.membership,
    );
    this.membership.on('status', (status) => this.onMembershipStatus(status));
    this.membership.on('neighbor-up', ({ nodeId }) =>
      this.emit('neighbor-up', { nodeId, route: this.routeOf(nodeId) }),
    );
    this.membership.on('neighbor-down', (event) => {
      this.rejoin.remember(event.nodeId);
      this.emit('neighbor-down', event);
    });
  }

  get status(): MeshStatus {
    return this.currentStatus;
  }

  /** Listens on both transports; the bootstrap transport may still be connecting. */
  async start(): Promise<void> {
    if (this.currentStatus !== 'stopped') return;
    this.setStatus('listening');
    await this.meshTransport.start();
    const { bootstrap } = this.components;
    this.unsubscribe.push(
      bootstrap.on('link', (link) => void this.accept(link, 'broker')),
      this.meshTransport.on('link', (link) => void this.accept(link, 'mesh')),
    );
    this.membership.start();
  }

  /**
   * Joins the mesh through the first of `nodeIds` that answers, dialled through the broker
   * (or over the mesh, if the node already has links). The ids are remembered for rejoining;
   * if none answers, the node keeps trying with backoff. Resolves whether it joined now.
   */
  async connect(nodeIds: readonly string[]): Promise<boolean> {
    if (this.currentStatus === 'stopped') return false;
    const fresh = nodeIds.filter((id) => id !== this.nodeId);
    for (const id of [...fresh].reverse()) this.rejoin.remember(id);
    const joined = await this.rejoin.tryJoin(fresh);
    if (!joined) this.rejoin.schedule();
    return joined;
  }

  /** Closes every link and stops; the bootstrap transport is left to its owner. */
  stop(): void {
    if (this.currentStatus === 'stopped') return;
    this.setStatus('stopped');
    this.rejoin.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
    this.membership.stop();
    for (const { session } of this.channels.values()) session.close('stopped');
    this.channels.clear();
    this.direct.clear();
    this.meshTransport.stop();
  }

  /**
   * Routes frames of `protocol` on every session, open now or later, to `handler`; returns a
   * function that removes it. A protocol has one handler per mesh.
   */
  handle(protocol: string, handler: MeshFrameHandler): () => void {
    if (this.protocols.has(protocol)) throw new ProtocolTakenError(protocol);
    this.protocols.set(protocol, handler);
    for (const entry of this.channels.values()) this.attachProtocol(entry, protocol);
    return () => {
      if (this.protocols.get(protocol) === handler) this.protocols.delete(protocol);
    };
  }

  /**
   * Sends one frame of `protocol` to a neighbour. Resolves once queued within the link's
   * high-water mark; rejects with `SessionClosedError` when there is no open session to it.
   */
  sendTo(nodeId: string, protocol: string, body: WireValue, kind: FrameKind = 'control'): Promise<void> {
    const session = this.sessionOf(nodeId);
    if (session === undefined) return Promise.reject(new SessionClosedError(nodeId));
    return session.send(protocol, body, kind);
  }

  /**
   * Opens a direct connection to `nodeId` (a private, authenticated link, whether or not it is a
   * neighbour): its session is then used by `sendTo` and kept open until `closeDirect`.
   * Rejects with `LinkRefusedError` or the transport's error if no link can be made.
   */
  async openDirect(nodeId: string, signal?: AbortSignal): Promise<void> {
    const existing = this.sessionOf(nodeId);
    if (existing !== undefined) {
      this.direct.hold(existing);
      return;
    }
    const route: LinkRoute = this.channels.size > 0 ? 'mesh' : 'broker';
    const transport = route === 'mesh' ? this.meshTransport : this.components.bootstrap;
    const raw = await transport.dial(nodeId, signal);
    const channel = await this.establish(raw, route);
    const entry = channel === undefined ? undefined : this.channels.get(channel);
    if (entry === undefined) throw new LinkRefusedError(`${nodeId} failed the link handshake.`);
    this.direct.hold(entry.session);
    entry.session.start();
  }

  /**
   * Lets go of one `openDirect` of `nodeId`: the link closes once every user on both ends has
   * let go, unless it is a neighbour's.
   */
  closeDirect(nodeId: string): void {
    this.direct.letGo(nodeId);
  }

  /**
   * Counts a refusal against the session to `nodeId` as if its handler had returned it, for
   * protocols that learn only later that a frame was bad (a forged record whose signature was
   * checked after the frame was taken). Too many close the link, as for any refusal.
   */
  blame(nodeId: string, reason: string): void {
    this.sessionOf(nodeId)?.blame(reason);
  }

  /** The proven identity of a neighbour, while its session is open. */
  neighborPeer(nodeId: string): AuthenticatedPeer | undefined {
    return this.sessionOf(nodeId)?.peer;
  }

  /** The active view: neighbours with an open link. */
  neighbors(): string[] {
    return this.membership.activeView();
  }

  /** Refused handshakes, frames and signals since start, by reason. */
  rejections(): Record<string, number> {
    const all = new Map(this.counts);
    const add = (prefix: string, counts: Readonly<Record<string, number | undefined>>): void => {
      for (const [reason, count] of Object.entries(counts)) {
        all.set(`${prefix}${reason}`, (all.get(`${prefix}${reason}`) ?? 0) + (count ?? 0));
      }
    };
    add('membership:', this.membership.rejections());
    add('signal:', this.meshTransport.rejections?.() ?? {});
    return Object.fromEntries(all);
  }

  snapshot(): MeshSnapshot {
    const neighbors: MeshLinkInfo[] = [];
    for (const nodeId of this.membership.activeView()) {
      const link = this.membership.neighborLink(nodeId);
      const entry = link === undefined ? undefined : this.channels.get(link);
      if (entry === undefined) continue;
      const { rttMs, bytesIn, bytesOut, openedAtMs } = entry.session.stats();
      neighbors.push({ nodeId, route: entry.route, rttMs, bytesIn, bytesOut, openedAtMs });
    }
    return {
      nodeId: this.nodeId,
      status: this.currentStatus,
      brokerOnline: this.components.bootstrap.status.state === 'online',
      neighbors,
      known: this.membership.passiveView(),
      rejections: this.rejections(),
      takenAtMs: this.components.timers.nowMs(),
    };
  }

  /** Routes `protocol` on one session to whichever handler the mesh has for it at the time. */
  private attachProtocol(entry: SessionEntry, protocol: string): void {
    if (entry.protocols.has(protocol)) return;
    entry.protocols.add(protocol);
    const { session } = entry;
    session.handle(protocol, (body, frame) => {
      const handler = this.protocols.get(protocol);
      return handler === undefined ? 'unknown-protocol' : handler(session.peer, body, frame);
    });
  }

  private sessionOf(nodeId: string): LinkSession | undefined {
    const link = this.membership.neighborLink(nodeId);
    const session = link === undefined ? undefined : this.channels.get(link)?.session;
    return session?.open === true ? session : this.direct.get(nodeId);
  }

  private isNeighborSession(session: LinkSession): boolean {
    const link = this.membership.neighborLink(session.peer.nodeId);
    return link !== undefined && this.channels.get(link)?.session === session;
  }

  /** Opens an authenticated link for membership: over the mesh once there is one, else the broker. */
  private async open(nodeId: string, signal: AbortSignal): Promise<Link> {
    const route: LinkRoute = this.channels.size > 0 ? 'mesh' : 'broker';
    const transport = route === 'mesh' ? this.meshTransport : this.components.bootstrap;
    const raw = await transport.dial(nodeId, signal);
    const channel = await this.establish(raw, route);
    if (channel === undefined) throw new LinkRefusedError(`${nodeId} failed the link handshake.`);
    if (signal.aborted) {
      channel.close('dial cancelled');
      throw new LinkRefusedError(`Dialling ${nodeId} was cancelled.`);
    }
    return channel;
  }

  private async accept(raw: Link, route: LinkRoute): Promise<void> {
    const max = this.config.maxPendingHandshakes ?? 32;
    if (this.pendingHandshakes >= max) {
      this.count('handshake:busy');
      raw.close('busy');
      return;
    }
    const channel = await this.establish(raw, route);
    if (channel !== undefined) this.sessionTransport.offer(channel);
  }

  /** Runs the handshake on `raw` and wraps it in a session; undefined if refused (counted). */
  private async establish(raw: Link, route: LinkRoute): Promise<SessionChannel | undefined> {
    this.pendingHandshakes++;
    let result: LinkAuthResult;
    try {
      result = await this.authenticate(raw);
    } finally {
      this.pendingHandshakes--;
    }
    if (!result.ok) {
      this.count(`handshake:${result.reason}`);
      return undefined;
    }
    if (this.currentStatus === 'stopped') {
      raw.close('stopped');
      return undefined;
    }
    const session = new LinkSession(result.value, { timers: this.components.timers, ...this.config.session });
    session.on('rejected', ({ reason }) => this.count(reason));
    this.relay.attach(session);
    this.direct.attach(session);
    const channel = new SessionChannel(session, membershipProtocol, () => this.direct.held(session));
    const entry: SessionEntry = { session, route, protocols: new Set() };
    for (const protocol of this.protocols.keys()) this.attachProtocol(entry, protocol);
    this.channels.set(channel, entry);
    session.on('closed', () => {
      this.channels.delete(channel);
      this.relinked(session.peer.nodeId, channel);
      if (this.sessionOf(session.peer.nodeId) === undefined)
        this.emit('link-closed', { nodeId: session.peer.nodeId });
    });
    return channel;
  }

  private authenticate(raw: Link): Promise<LinkAuthResult> {
    if (this.components.authenticate !== undefined) return this.components.authenticate(raw);
    return authenticateLink(raw, this.components.self, {
      timeoutMs: this.config.handshakeTimeoutMs ?? 10_000,
    });
  }

  /**
   * Membership's hook, called once it listens on `link`: the session starts then, so no frame
   * that came with the handshake arrives before anyone listens.
   */
  private startSession(link: Link): boolean {
    const entry = this.channels.get(link);
    if (entry === undefined) return false;
    queueMicrotask(() => entry.session.start());
    return true;
  }

  /**
   * Membership moves a neighbour to a new link without a word when the neighbour reconnects
   * before the old link is seen to die. Protocols above keep per-link state, so they hear it
   * as the neighbour leaving and coming back.
   */
  private relinked(nodeId: string, closed: Link): void {
    const current = this.membership.neighborLink(nodeId);
    if (current === undefined || current === closed || !current.open) return;
    this.emit('neighbor-down', { nodeId, reason: 'relinked' });
    this.emit('neighbor-up', { nodeId, route: this.routeOf(nodeId) });
  }

  private routeOf(nodeId: string): LinkRoute {
    const link = this.membership.neighborLink(nodeId);
    return (link === undefined ? undefined : this.channels.get(link)?.route) ?? 'mesh';
  }

  private onMembershipStatus(status: 'isolated' | 'has-connections'): void {
    if (this.currentStatus === 'stopped') return;
    if (status === 'has-connections') {
      this.rejoin.connectedAgain();
      this.setStatus('has-connections');
      return;
    }
    this.setStatus('isolated');
    this.rejoin.schedule();
  }

  private count(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  private setStatus(status: MeshStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }
}
