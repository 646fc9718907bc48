import { TypedEventTarget } from '../lib/events.ts';
import type {
  BlockStore,
  IdentityStore,
  PreferenceStore,
  RecordStore,
  StorageQuota,
  StoredIdentity,
  Transport,
} from '../core/ports.ts';
import { Identities } from '../core/identity/identities.ts';
import { nodeIdOf, shortId } from '../core/identity/ids.ts';
import type { InvitationChoice } from '../core/groups/group-actions.ts';
import type { InfoData } from '../core/groups/group-records.ts';
import type { GroupService, GroupSummary, JoinPreview } from './group-service.ts';
import type { CollabService } from './collab-service.ts';
import type { CollabApi } from './collab-types.ts';
import type { Mesh } from '../core/mesh/mesh.ts';
import { Notifier } from './notifier.ts';
import { watchIdle } from './idle.ts';
import type { PeerJsTransportInit } from '../transport/peerjs/peerjs-transport.ts';
import { AppSettings } from './app-settings.ts';
import type { MeshSnapshot } from '../core/mesh/mesh-types.ts';
import { Connection, type ConnectionStatus } from './connection.ts';
import { MeshRunner, type MeshTransportFactory } from './mesh-runner.ts';
import type { ServiceWorkerUpdates } from './service-worker.ts';
import type { Settings } from './settings.ts';

/** Everything the UI shows, as one synchronous snapshot. */
export interface AppState {
  /** `other-tab`: another tab of this profile runs the node; this one waits. */
  readonly phase: 'loading' | 'other-tab' | 'ready';
  readonly identity: StoredIdentity | undefined;
  readonly identities: readonly StoredIdentity[];
  readonly settings: Settings;
  readonly connection: ConnectionStatus;
  /** This node's place in the mesh; undefined while no node runs. */
  readonly mesh: MeshSnapshot | undefined;
  readonly groups: readonly GroupSummary[];
  readonly updateAvailable: boolean;
}

export interface AppComponents {
  readonly identityStore: IdentityStore;
  readonly preferenceStore: PreferenceStore;
  readonly recordStore: RecordStore;
  /** Blocks of shared files and the quota they live under; without them files cannot be shared here. */
  readonly blockStore?: BlockStore;
  readonly quota?: StorageQuota;
  readonly createTransport: (init: PeerJsTransportInit) => Transport | Promise<Transport>;
  /** Loads the factory of mesh-signalled links (WebRTC); `src/main.ts` loads it lazily. */
  readonly loadMeshTransport: () => Promise<MeshTransportFactory>;
  readonly origin: URL;
  readonly updates?: ServiceWorkerUpdates;
  /** Fewer PBKDF2 rounds for identity files; only tests lower it. */
  readonly exportIterations?: number;
}

/** A file for the user to save. */
export interface SavedFile {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The app layer: identities, settings, the node's connection and updates, behind the methods
 * the views call. Emits `changed` with a new `AppState` after anything changes.
 */
export class App extends TypedEventTarget<{ changed: AppState }> {
  private readonly identities: Identities;
  private readonly settings: AppSettings;
  readonly connection: Connection;
  private readonly mesh: MeshRunner;
  private readonly recordStore: RecordStore;
  private readonly preferences: PreferenceStore;
  private readonly fileStorage: Pick<AppComponents, 'blockStore' | 'quota'>;
  private loadedGroups: GroupService | undefined;
  private groupsLoading: Promise<GroupService> | undefined;
  private loadedCollab: CollabService | undefined;
  private collabLoading: Promise<CollabService> | undefined;
  private latestMesh: Mesh | undefined;
  private readonly notifier = new Notifier();
  private readonly origin: URL;
  private readonly updates: ServiceWorkerUpdates | undefined;
  private snapshot: AppState;

  constructor(components: AppComponents) {
    super();
    this.identities = new Identities({
      store: components.identityStore,
      ...(components.exportIterations === undefined ? {} : { exportIterations: components.exportIterations }),
    });
    this.settings = new AppSettings(components.preferenceStore);
    this.connection = new Connection({
      origin: components.origin,
      createTransport: components.createTransport,
    });
    this.mesh = new MeshRunner(components.loadMeshTransport, components.preferenceStore);
    this.recordStore = components.recordStore;
    this.preferences = components.preferenceStore;
    this.fileStorage = components;
    this.origin = components.origin;
    this.updates = components.updates;
    this.snapshot = {
      phase: 'loading',
      identity: undefined,
      identities: [],
      settings: this.settings.current,
      connection: this.connection.status,
      mesh: undefined,
      groups: [],
      updateAvailable: false,
    };
  }

  get state(): AppState {
    return this.snapshot;
  }

  /**
   * The groups of the identity in use, once their code has loaded (it loads after the shell's
   * first render, so the first screen does not wait for it); views call their `Group`s here.
   */
  get groups(): GroupService | undefined {
    return this.loadedGroups;
  }

  /** Contacts, presence, invitations, people nearby and peer names, once their code has loaded. */
  get collab(): CollabApi | undefined {
    return this.loadedCollab;
  }

  /**
   * Loads the profile and starts the node once `lock` grants this tab the node (see
   * `holdNodeLock`); until then the state says another tab has it.
   */
  async start(lock: (onWaiting: () => void) => Promise<void>): Promise<void> {
    await lock(() => this.update({ phase: 'other-tab' }));
    const settings = await this.settings.load();
    this.connection.on('status', (connection) => this.update({ connection }));
    this.connection.on(
      'transport',
      ({ current }) => void this.mesh.run(current, this.snapshot.settings.iceServers),
    );
    this.mesh.on('changed', ({ snapshot }) => this.update({ mesh: snapshot }));
    this.mesh.on('mesh', ({ mesh }) => {
      this.latestMesh = mesh;
      this.attachGroups(this.loadedGroups);
      this.loadedCollab?.attach(mesh);
    });
    if (typeof document !== 'undefined') {
      watchIdle((away) => {
        void this.loadedGroups?.setAway(away);
        this.loadedCollab?.setIdle(away);
      });
    }
    this.settings.on('changed', (next) => {
      this.update({ settings: next });
      this.reconnect();
    });
    this.updates?.on('update-available', () => this.update({ updateAvailable: true }));
    this.identities.on('changed', () => void this.refreshIdentities());
    await this.refreshIdentities();
    this.update({ phase: 'ready', settings, updateAvailable: this.updates?.updateAvailable ?? false });
  }

  async createIdentity(displayName: string): Promise<StoredIdentity> {
    const identity = await this.changeIdentities(this.identities.create(displayName));
    void this.askForPersistentStorage();
    return identity;
  }

  async importIdentity(file: Uint8Array, passphrase: string): Promise<StoredIdentity> {
    const identity = await this.changeIdentities(this.identities.importFile(file, passphrase));
    void this.askForPersistentStorage();
    return identity;
  }

  renameIdentity(id: string, displayName: string): Promise<StoredIdentity> {
    return this.changeIdentities(this.identities.rename(id, displayName));
  }

  useIdentity(id: string): Promise<StoredIdentity> {
    return this.changeIdentities(this.identities.use(id));
  }

  deleteIdentity(id: string): Promise<void> {
    return this.changeIdentities(this.identities.delete(id));
  }

  /** The current identity as a passphrase-encrypted file. */
  async exportIdentity(id: string, passphrase: string): Promise<SavedFile> {
    const identity = await this.identities.get(id);
    const bytes = await this.identities.exportFile(id, passphrase);
    const safeName = identity.displayName.replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 32);
    return { name: `mycel-identity-${safeName}-${shortId(id)}.json`, bytes };
  }

  /** Joins the mesh through the node `nodeId`; rejects with a `MycelError` that says why not. */
  connectTo(nodeId: string): Promise<void> {
    return this.mesh.connectTo(nodeId.trim());
  }

  async createGroup(info: InfoData): Promise<string> {
    return (await this.groupService()).create(info);
  }

  /** What a join link offers; rejects with a `JoinLinkError` that says what is wrong with it. */
  async previewJoinLink(link: string): Promise<JoinPreview> {
    return (await this.groupService()).preview(link);
  }

  /**
   * Joins the group of a join link; resolves with its id. A link that names a broker other than
   * the default switches this profile to it, unless the user chose one already.
   */
  async joinGroup(link: string): Promise<string> {
    const groups = await this.groupService();
    const preview = await groups.preview(link);
    const groupId = await groups.join(link);
    if (preview.broker !== undefined && this.snapshot.settings.broker.kind === 'auto') {
      await this.settings.save({
        ...this.snapshot.settings,
        broker: { kind: 'custom', url: preview.broker },
      });
    }
    return groupId;
  }

  /** Creates an invitation to a group; resolves with the whole join link. */
  async createInvitation(groupId: string, choice: Omit<InvitationChoice, 'broker'>): Promise<string> {
    const { broker } = this.snapshot.settings;
    const brokerUrl =
      broker.kind === 'custom' ? broker.url : broker.kind === 'cloud' ? 'https://0.peerjs.com/' : undefined;
    const payload = await (
      await this.groupService()
    ).invite(groupId, {
      ...choice,
      ...(brokerUrl === undefined ? {} : { broker: brokerUrl }),
    });
    return joinLinkOf(this.origin, payload);
  }

  /** Leaves a group; its local copy stays, read-only, until deleted. */
  async leaveGroup(groupId: string): Promise<void> {
    await (await this.groupService()).leave(groupId);
  }

  /** Removes a group's records from this browser. */
  async deleteGroupCopy(groupId: string): Promise<void> {
    await (await this.groupService()).deleteLocal(groupId);
  }

  /** The user has seen a group's chat up to now. */
  markGroupRead(groupId: string): void {
    void this.loadedGroups?.markRead(groupId);
  }

  /** Asks for notification permission the first time the user opens a group. */
  openedGroup(groupId: string): void {
    void this.notifier.askOnce();
    void this.loadedGroups?.markRead(groupId);
  }

  saveSettings(next: Settings): Promise<Settings> {
    return this.settings.save(next);
  }

  applyUpdate(): void {
    this.updates?.apply();
  }

  /** Waits for a change to the identities, then for the state to show it. */
  private async changeIdentities<T>(change: Promise<T>): Promise<T> {
    const result = await change;
    await this.refreshIdentities();
    return result;
  }

  private async refreshIdentities(): Promise<void> {
    const previous = this.snapshot.identity?.id;
    const [identity, identities] = await Promise.all([this.identities.current(), this.identities.list()]);
    this.update({ identity, identities });
    if (identity !== undefined && identity.id === previous) {
      this.loadedCollab?.renameIdentity(identity.displayName);
      return;
    }
    if (identity?.id === previous) return;
    this.reconnect();
    const nodeId = identity === undefined ? undefined : await nodeIdOf(identity.publicKey, identity.nodeSalt);
    // Not awaited: the shell shows before the groups' code has loaded.
    // A profile that cannot be read (its database closing) leaves that page waiting; the rest goes on.
    void this.groupService()
      .then((groups) => groups.useIdentity(identity, nodeId))
      .catch((error: unknown) => console.error('groups could not start', error));
    void this.collabService()
      .then((collab) => collab.useIdentity(identity, nodeId))
      .catch((error: unknown) => console.error('contacts could not start', error));
  }

  /** Loads the collaboration code once and builds its service. */
  private collabService(): Promise<CollabService> {
    this.collabLoading ??= import('./collab-service.ts').then(({ CollabService }) => {
      const collab = new CollabService({
        preferences: this.preferences,
        origin: this.origin,
        invitationFor: (groupId) => this.directInvitation(groupId),
        joinGroup: (link) => this.joinGroup(link),
        connectTo: (nodeIds) => this.latestMesh?.connect(nodeIds) ?? Promise.resolve(false),
      });
      collab.attach(this.latestMesh);
      this.loadedCollab = collab;
      this.update({});
      return collab;
    });
    return this.collabLoading;
  }

  /** A one-use, five-minute join link for a direct invitation into `groupId`. */
  private async directInvitation(groupId: string): Promise<{ link: string; groupName: string }> {
    const groupName = this.snapshot.groups.find((group) => group.id === groupId)?.name ?? 'a group';
    const link = await this.createInvitation(groupId, {
      role: 'member',
      expiresInMs: directInvitationMs,
      maxUses: 1,
      note: 'Sent to you directly.',
    });
    return { link, groupName };
  }

  /** Loads the groups' code once and builds their service. */
  private groupService(): Promise<GroupService> {
    this.groupsLoading ??= import('./group-service.ts').then(({ GroupService }) => {
      const { blockStore, quota } = this.fileStorage;
      const groups = new GroupService({
        store: this.recordStore,
        preferences: this.preferences,
        ...(blockStore === undefined ? {} : { blocks: blockStore }),
        ...(quota === undefined ? {} : { quota }),
      });
      groups.on('changed', () => this.update({ groups: groups.summaries }));
      groups.on('message', (incoming) => this.notifier.notify(incoming));
      this.loadedGroups = groups;
      this.attachGroups(groups);
      return groups;
    });
    return this.groupsLoading;
  }

  private attachGroups(groups: GroupService | undefined): void {
    const mesh = this.latestMesh;
    groups?.attach(mesh, (nodeIds) => mesh?.connect(nodeIds) ?? Promise.resolve(false));
  }

  private reconnect(): void {
    const identity = this.snapshot.identity;
    if (identity === undefined) this.connection.disconnect('No identity yet.');
    else void this.connection.connect(identity, this.snapshot.settings);
  }

  /** Persistent storage keeps the browser from evicting the profile under pressure. */
  private async askForPersistentStorage(): Promise<void> {
    if (await navigator.storage.persisted()) return;
    await navigator.storage.persist();
  }

  private update(change: Partial<AppState>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.emit('changed', this.snapshot);
  }
}

/** How long a direct invitation into a group stays valid. */
const directInvitationMs = 5 * 60_000;

/** The join link of an invitation payload: this app's address with `#join=`. */
export function joinLinkOf(origin: URL, payload: string): string {
  const base = new URL(origin.href);
  base.hash = '';
  base.search = '';
  return `${base.href}#join=${payload}`;
}
