import { TypedEventTarget } from '../lib/events.ts';
import { createRandom } from '../lib/random.ts';
import { utf8 } from '../lib/bytes.ts';
import type { PreferenceStore, StoredIdentity } from '../core/ports.ts';
import type { Mesh } from '../core/mesh/mesh.ts';
import type { WireValue } from '../core/wire/cbor.ts';
import { realTimeTimers, type Timers } from '../core/mesh/timers.ts';
import { startMeshDht, type MeshDht } from '../core/names/mesh-dht.ts';
import { PeerNames } from '../core/names/peer-names.ts';
import { broadcastLocalChannel, localCloudChannelName } from '../core/names/local-cloud.ts';
import { Collab } from '../core/collab/collab.ts';
import { contactPeerName, readCardLink } from '../core/collab/contact-card.ts';
import { collabProtocol, isSenderFault } from '../core/collab/collab-messages.ts';
import { isPresenceStatus } from '../core/collab/presence-status.ts';
import type {
  CardPreview,
  CollabApi,
  CollabState,
  ContactView,
  NameCloud,
  NameResultView,
  PresenceStatus,
} from './collab-types.ts';
import { collabStateOf, colourOf, nameResultOf } from './collab-state.ts';

/** What the app gives the collaboration service. */
export interface CollabServiceComponents {
  readonly preferences: PreferenceStore;
  readonly origin: URL;
  /** Makes a one-use join link into one of this identity's groups: its link and the group's name. */
  readonly invitationFor: (groupId: string) => Promise<{ readonly link: string; readonly groupName: string }>;
  /** Joins a group through a join link; resolves its id. */
  readonly joinGroup: (link: string) => Promise<string>;
  /** Dials node ids through the broker to get into the mesh (a new contact's node, say). */
  readonly connectTo: (nodeIds: readonly string[]) => Promise<boolean>;
  readonly timers?: Timers;
}

/** Where the presence the user chose is kept, per identity. */
function presenceKey(identityId: string): string {
  return `presence/${identityId}`;
}

interface Session {
  readonly identity: StoredIdentity;
  readonly nodeId: string;
  readonly names: PeerNames;
  readonly collab: Collab;
  readonly offs: (() => void)[];
}

interface MeshParts {
  readonly meshDht: MeshDht;
  readonly off: () => void;
}

/**
 * Peer names, contacts, presence, direct invitations and people nearby for the identity in use:
 * builds the core services, moves them onto each new mesh (a DHT and a pool of direct links
 * per mesh), registers this identity's secured name so contacts can find it, and turns their
 * events into one `CollabState` for the views.
 */
export class CollabService extends TypedEventTarget<{ changed: CollabState }> implements CollabApi {
  private readonly components: CollabServiceComponents;
  private readonly timers: Timers;
  private session: Session | undefined;
  private mesh: Mesh | undefined;
  private parts: MeshParts | undefined;
  private snapshot: CollabState;
  private displayName = '';

  constructor(components: CollabServiceComponents) {
    super();
    this.components = components;
    this.timers = components.timers ?? realTimeTimers();
    this.snapshot = collabStateOf(undefined, false);
  }

  get state(): CollabState {
    return this.snapshot;
  }

  /** Starts the services of `identity` (or stops them when undefined), on node `nodeId`. */
  async useIdentity(identity: StoredIdentity | undefined, nodeId: string | undefined): Promise<void> {
    this.stopSession();
    if (identity === undefined || nodeId === undefined) return this.refresh();
    const random = createRandom(Date.now());
    const timers = this.timers;
    const names = new PeerNames({
      identity: { identityId: identity.id, publicKey: identity.publicKey, signingKey: identity.signingKey },
      timers,
      ...(typeof BroadcastChannel === 'undefined'
        ? {}
        : { local: broadcastLocalChannel(localCloudChannelName) }),
    });
    this.displayName = identity.displayName;
    const currentName = (): string => this.displayName;
    const collab = new Collab({
      identity: {
        identityId: identity.id,
        publicKey: identity.publicKey,
        signingKey: identity.signingKey,
        // Read at each card: a renamed identity's card is signed again with its new name.
        get displayName() {
          return currentName();
        },
      },
      colour: colourOf(identity.id),
      preferences: this.components.preferences,
      carrier: { send: (to, body) => this.sendCollab(to, body) },
      resolveContact: async (identityId) => {
        const found = await names.resolve(contactPeerName(identityId), { fresh: true });
        return found.records.flatMap((record) => record.endpoints);
      },
      names,
      timers,
      random,
      nodeId: () => nodeId,
    });
    const session: Session = { identity, nodeId, names, collab, offs: [] };
    this.session = session;
    session.offs.push(
      collab.on('changed', () => this.refresh()),
      names.on('changed', () => this.refresh()),
    );
    await collab.start();
    await this.restorePresence(session);
    this.attachParts();
    this.refresh();
  }

  /** The identity in use was renamed: its card is signed again with the new name. */
  renameIdentity(displayName: string): void {
    if (displayName === this.displayName) return;
    this.displayName = displayName;
    this.refresh();
  }

  /** Moves the services onto `mesh` (undefined: offline). */
  attach(mesh: Mesh | undefined): void {
    if (mesh === this.mesh) return;
    this.mesh = mesh;
    this.attachParts();
    this.refresh();
  }

  /** The user went idle or came back: an `online` status shows as away meanwhile. */
  setIdle(idle: boolean): void {
    void this.session?.collab.presence.setIdle(idle);
  }

  stop(): void {
    this.stopSession();
    this.detachParts();
  }

  /** Sets this identity's presence and keeps it for the next start. */
  async setPresence(status: PresenceStatus, text: string): Promise<void> {
    const { collab, identity } = this.require();
    await collab.presence.setPresence(status, text);
    await this.components.preferences.set(presenceKey(identity.id), { status, text });
  }

  async previewCard(link: string): Promise<CardPreview> {
    const { collab, identity } = this.require();
    const card = await readCardLink(link);
    return {
      identityId: card.identityId,
      displayName: card.displayName,
      colour: card.colour,
      known: collab.contacts.get(card.identityId) !== undefined,
      own: card.identityId === identity.id,
    };
  }

  async addContact(link: string): Promise<ContactView> {
    const { collab } = this.require();
    const card = await readCardLink(link);
    await collab.contacts.add(card);
    if (card.nodeHint !== undefined && this.mesh?.status !== 'has-connections') {
      void this.components.connectTo([card.nodeHint]);
    }
    const view = this.state.contacts.find((contact) => contact.identityId === card.identityId);
    this.refresh();
    return (
      view ?? (this.state.contacts.find((contact) => contact.identityId === card.identityId) as ContactView)
    );
  }

  renameContact(identityId: string, nickname: string): Promise<void> {
    return this.require().collab.contacts.rename(identityId, nickname);
  }

  deleteContact(identityId: string): Promise<void> {
    return this.require().collab.contacts.remove(identityId);
  }

  setBlocked(identityId: string, blocked: boolean): Promise<void> {
    return this.require().collab.contacts.setBlocked(identityId, blocked);
  }

  setWatched(identityId: string, watched: boolean): Promise<void> {
    return this.require().collab.contacts.setWatched(identityId, watched);
  }

  exportContacts(): Promise<{ readonly name: string; readonly bytes: Uint8Array<ArrayBuffer> }> {
    return Promise.resolve(this.require().collab.contacts.exportFile());
  }

  async inviteToGroup(identityId: string, groupId: string): Promise<void> {
    const { collab } = this.require();
    const { link, groupName } = await this.components.invitationFor(groupId);
    await collab.invitations.invite(identityId, { groupName, link });
  }

  async answerInvitation(id: string, accept: boolean): Promise<string | undefined> {
    const { collab } = this.require();
    if (!accept) {
      await collab.invitations.decline(id);
      return undefined;
    }
    const link = collab.invitations.incomingLink(id);
    const groupId = await this.components.joinGroup(link);
    await collab.invitations.accept(id);
    return groupId;
  }

  dismissOutgoing(id: string): void {
    this.session?.collab.invitations.dismiss(id);
  }

  signInNearby(): Promise<void> {
    return this.require().collab.nearby.signIn();
  }

  signOutNearby(): Promise<void> {
    return this.require().collab.nearby.signOut();
  }

  sendCardTo(identityId: string): Promise<void> {
    return this.require().collab.nearby.sendCard(identityId);
  }

  dismissCard(identityId: string): void {
    this.session?.collab.nearby.dismissCard(identityId);
  }

  async registerName(
    classifier: string,
    options: { secured: boolean; payloadText: string; cloud: NameCloud },
  ): Promise<void> {
    await this.require().names.register(classifier, {
      secured: options.secured,
      payload: utf8(options.payloadText),
      cloud: options.cloud,
    });
  }

  unregisterName(name: string): Promise<void> {
    return this.require().names.unregister(name);
  }

  async resolveName(name: string, cloud: NameCloud): Promise<NameResultView> {
    const started = performance.now();
    const resolution = await this.require().names.resolve(name.trim(), { cloud });
    return nameResultOf(resolution, performance.now() - started);
  }

  /** The presence the user last chose, if one was kept and still reads as one. */
  private async restorePresence(session: Session): Promise<void> {
    const saved = await this.components.preferences.get(presenceKey(session.identity.id));
    if (typeof saved !== 'object' || saved === null) return;
    const { status, text } = saved as { status?: unknown; text?: unknown };
    if (!isPresenceStatus(status) || typeof text !== 'string') return;
    await session.collab.presence.setPresence(status, text).catch(() => undefined);
  }

  private require(): Session {
    if (this.session === undefined) throw new Error('No identity yet.');
    return this.session;
  }

  private sendCollab(nodeId: string, body: WireValue): Promise<void> {
    if (this.parts === undefined)
      return Promise.reject(
        new Error('Not connected: contacts can be reached once this node is in the mesh.'),
      );
    return this.parts.meshDht.pool.send(nodeId, collabProtocol, body);
  }

  /** A DHT, carrier and link pool on the current mesh for the current identity. */
  private attachParts(): void {
    this.detachParts();
    const mesh = this.mesh;
    const session = this.session;
    if (mesh === undefined || session === undefined) return;
    const meshDht = startMeshDht(mesh, { timers: this.timers, random: createRandom(Date.now()) });
    const off = mesh.handle(collabProtocol, async (from, body) => {
      const reason = await session.collab.receive({ nodeId: from.nodeId, publicKey: from.publicKey }, body);
      return reason !== undefined && isSenderFault(reason) ? reason : undefined;
    });
    this.parts = { meshDht, off };
    session.names.attach(meshDht.dht, session.nodeId);
    if (!session.names.owned().some((own) => own.name === contactPeerName(session.identity.id))) {
      void session.names.register('contact', { secured: true }).catch(() => undefined);
    }
  }

  private detachParts(): void {
    const parts = this.parts;
    if (parts === undefined) return;
    this.parts = undefined;
    this.session?.names.attach(undefined, undefined);
    parts.off();
    parts.meshDht.stop();
  }

  private stopSession(): void {
    const session = this.session;
    if (session === undefined) return;
    this.detachParts();
    this.session = undefined;
    for (const off of session.offs.splice(0)) off();
    void session.collab.stop();
    session.names.stop();
  }

  private refresh(): void {
    const session = this.session;
    this.snapshot = collabStateOf(
      session === undefined
        ? undefined
        : { collab: session.collab, names: session.names, origin: this.components.origin },
      this.parts !== undefined && this.mesh?.status === 'has-connections',
    );
    this.emit('changed', this.snapshot);
  }
}
