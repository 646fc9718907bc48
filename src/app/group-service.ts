import { Backoff } from '../lib/backoff.ts';
import { TypedEventTarget } from '../lib/events.ts';
import { createRandom } from '../lib/random.ts';
import type {
  BlockStore,
  PreferenceStore,
  RecordStore,
  StorageQuota,
  StoredIdentity,
} from '../core/ports.ts';
import { Distribution } from '../core/dist/distribution.ts';
import { GraphHub, offlineMesh, type GraphMesh } from '../core/graph/graph-hub.ts';
import type { GraphConfig } from '../core/graph/graph.ts';
import { Group, GroupActionError } from '../core/groups/group.ts';
import {
  createGroup,
  inviteTo,
  joinGroup,
  JoinLinkError,
  type GroupIdentity,
  type InvitationChoice,
} from '../core/groups/group-actions.ts';
import type { InfoData } from '../core/groups/group-records.ts';
import { readJoinLink, type SignedInvitation } from '../core/groups/invitation.ts';
import { realTimeTimers, type Timers } from '../core/mesh/timers.ts';
import { GroupList, type GroupEntry } from './group-list.ts';
import type { GroupSummary, IncomingMessage, JoinPreview } from './group-types.ts';
import { summarize } from './group-summary.ts';
import { FileService } from './file-service.ts';

export type { GroupSummary, IncomingMessage, JoinPreview } from './group-types.ts';

/** What a `GroupService` is built from. */
export interface GroupServiceComponents {
  readonly store: RecordStore;
  readonly preferences: PreferenceStore;
  readonly timers?: Timers;
  readonly graphConfig?: Partial<GraphConfig>;
  /** Where shared files' blocks live; without it and `quota`, groups cannot share files. */
  readonly blocks?: BlockStore;
  readonly quota?: StorageQuota;
}

interface Session {
  readonly identity: StoredIdentity;
  readonly nodeId: string;
  readonly hub: GraphHub;
  readonly files: FileService | undefined;
  readonly list: GroupList;
  readonly groups: Map<string, { group: Group; off: () => void }>;
}

/** How often groups without a linked member try to reach one, at first and at most. */
const linkRetryMs = 3000;
const maxLinkRetryMs = 60_000;

/**
 * The groups of the identity in use: opens them when the profile loads (they work offline,
 * from IndexedDB), moves them onto the mesh when it runs, keeps dialling members of groups
 * that have none linked, and turns group events into summaries for the UI.
 */
export class GroupService extends TypedEventTarget<{
  changed: Record<string, never>;
  message: IncomingMessage;
}> {
  private readonly components: GroupServiceComponents;
  private readonly timers: Timers;
  private session: Session | undefined;
  private mesh: GraphMesh | undefined;
  private summaryCache: GroupSummary[] = [];
  private cancelLinking: (() => void) | undefined;
  private readonly linkBackoff = new Backoff(linkRetryMs, maxLinkRetryMs);
  private away = false;
  private connectTo: ((nodeIds: readonly string[]) => Promise<boolean>) | undefined;

  constructor(components: GroupServiceComponents) {
    super();
    this.components = components;
    this.timers = components.timers ?? realTimeTimers();
  }

  get summaries(): readonly GroupSummary[] {
    return this.summaryCache;
  }

  /** The files of the identity's groups, where this browser can store them. */
  get files(): FileService | undefined {
    return this.session?.files;
  }

  group(id: string): Group | undefined {
    return this.session?.groups.get(id)?.group;
  }

  /** Closes the groups of the previous identity and opens those of `identity`. */
  async useIdentity(identity: StoredIdentity | undefined, nodeId: string | undefined): Promise<void> {
    if (this.session?.identity.id === identity?.id && this.session?.nodeId === nodeId) return;
    this.closeSession();
    if (identity === undefined || nodeId === undefined) return this.refresh();
    const mesh = this.mesh?.nodeId === nodeId ? this.mesh : offlineMesh(nodeId);
    const random = createRandom(crypto.getRandomValues(new Uint32Array(1))[0] ?? 0);
    const hub = new GraphHub({
      mesh,
      store: this.components.store,
      author: { identityId: identity.id, publicKey: identity.publicKey },
      timers: this.timers,
      random,
    });
    const { blocks, quota } = this.components;
    const distribution =
      blocks === undefined || quota === undefined
        ? undefined
        : new Distribution({ mesh, store: blocks, quota, timers: this.timers, random: random.fork('files') });
    const session: Session = {
      identity,
      nodeId,
      hub,
      files:
        distribution === undefined || quota === undefined ? undefined : new FileService(distribution, quota),
      list: new GroupList(this.components.preferences, identity.id),
      groups: new Map(),
    };
    this.session = session;
    for (const entry of await session.list.all()) {
      if (this.session !== session) return;
      await this.openEntry(session, entry).catch(() => undefined);
    }
    this.refresh();
    this.scheduleLinking(0);
  }

  /** Moves the groups onto the running mesh (or off it); `connect` dials through it. */
  attach(mesh: GraphMesh | undefined, connect?: (nodeIds: readonly string[]) => Promise<boolean>): void {
    this.mesh = mesh;
    this.connectTo = connect;
    const session = this.session;
    if (session === undefined) return;
    if (mesh !== undefined && mesh.nodeId !== session.nodeId) return;
    session.hub.attach(mesh ?? offlineMesh(session.nodeId));
    session.files?.distribution.attach(mesh ?? offlineMesh(session.nodeId));
    this.linkBackoff.reset();
    this.scheduleLinking(0);
    this.refresh();
  }

  async create(info: InfoData): Promise<string> {
    const session = this.requireSession();
    const group = await createGroup(this.groupComponents(session), this.identityOf(session), info);
    await session.list.put({
      id: group.id,
      key: group.key,
      name: info.n,
      nodes: [],
      readUpToMs: 0,
      left: false,
    });
    this.adopt(session, group);
    return group.id;
  }

  /** Reads a join link; rejects with a `JoinLinkError` that says what is wrong with it. */
  async preview(link: string): Promise<JoinPreview> {
    const signed = await this.checkLink(link);
    const { invitation } = signed;
    return {
      groupId: invitation.groupId,
      groupName: invitation.groupName,
      inviterName: invitation.inviterName,
      inviterId: signed.inviterId,
      role: invitation.role,
      note: invitation.note,
      expiresAtMs: invitation.expiresAtMs,
      alreadyMember: this.session?.groups.has(invitation.groupId) ?? false,
      ...(invitation.broker === undefined ? {} : { broker: invitation.broker }),
    };
  }

  /** Joins through a join link; resolves with the group id. */
  async join(link: string): Promise<string> {
    const session = this.requireSession();
    const signed = await this.checkLink(link);
    const { invitation } = signed;
    if (session.groups.has(invitation.groupId)) return invitation.groupId;
    const group = await joinGroup(this.groupComponents(session), this.identityOf(session), signed);
    await session.list.put({
      id: group.id,
      key: group.key,
      name: invitation.groupName,
      nodes: invitation.nodes,
      readUpToMs: 0,
      left: false,
    });
    this.adopt(session, group);
    void this.connectTo?.(invitation.nodes);
    return group.id;
  }

  /** Creates an invitation; resolves with its join link payload (for `#join=`). */
  invite(groupId: string, choice: InvitationChoice): Promise<string> {
    const session = this.requireSession();
    return inviteTo(this.requireGroup(groupId), this.identityOf(session), choice);
  }

  /** Leaves a group: the others see it; the local copy stays, read-only, until deleted. */
  async leave(groupId: string): Promise<void> {
    const session = this.requireSession();
    await this.requireGroup(groupId).leave();
    await session.list.update(groupId, { left: true });
    this.refresh();
  }

  /** Removes a group's records from this browser. */
  async deleteLocal(groupId: string): Promise<void> {
    const session = this.requireSession();
    const open = session.groups.get(groupId);
    open?.off();
    open?.group.close();
    session.groups.delete(groupId);
    await this.components.store.deleteGraph(groupId);
    await session.files?.distribution.deleteGroupFiles(groupId);
    await session.list.remove(groupId);
    this.refresh();
  }

  /** The user has seen the group's chat up to its latest message. */
  async markRead(groupId: string): Promise<void> {
    const session = this.session;
    const group = this.group(groupId);
    if (session === undefined || group === undefined) return;
    const entry = await session.list.get(groupId);
    if (entry === undefined || entry.readUpToMs >= group.chat.latestAtMs) return;
    await session.list.update(groupId, { readUpToMs: group.chat.latestAtMs });
    this.refresh();
  }

  /** Tells every group this user is idle, or back; groups opened later start as told. */
  async setAway(away: boolean): Promise<void> {
    this.away = away;
    const groups = [...(this.session?.groups.values() ?? [])].map(({ group }) => group);
    await Promise.all(groups.map((group) => group.setAway(away).catch(() => undefined)));
  }

  stop(): void {
    this.closeSession();
  }

  private async checkLink(link: string): Promise<SignedInvitation> {
    const read = await readJoinLink(link);
    if (!read.ok) {
      const message =
        read.reason === 'malformed'
          ? 'This join link is damaged or incomplete.'
          : 'This join link was not signed by the person it names: it may have been tampered with.';
      throw new JoinLinkError(message, { hint: 'Ask for the link again and copy it whole.' });
    }
    const { invitation } = read.signed;
    if (invitation.expiresAtMs <= Date.now()) {
      throw new JoinLinkError(`This invitation to ${invitation.groupName} has expired.`, {
        hint: `Ask ${invitation.inviterName || 'an admin'} for a new join link.`,
      });
    }
    return read.signed;
  }

  private async openEntry(session: Session, entry: GroupEntry): Promise<void> {
    const group = await Group.open(this.groupComponents(session), entry.id, entry.key);
    group.addHints(entry.nodes);
    if (this.session !== session) {
      group.close();
      return;
    }
    this.adopt(session, group);
  }

  private adopt(session: Session, group: Group): void {
    if (this.away) void group.setAway(true).catch(() => undefined);
    const offChanged = group.on('changed', () => this.refresh());
    const offChat = group.on('chat', ({ added }) => {
      this.refresh();
      for (const message of added) {
        const groupName = group.info()?.n ?? 'Group';
        const authorName = group.state.member(message.authorId)?.name ?? 'Someone';
        this.emit('message', { groupId: group.id, groupName, authorName, message });
      }
    });
    session.groups.set(group.id, {
      group,
      off: () => {
        offChanged();
        offChat();
      },
    });
    this.refresh();
  }

  /** Dials members of every group that has none linked, with backoff while that fails. */
  private scheduleLinking(delayMs: number): void {
    this.cancelLinking?.();
    this.cancelLinking = this.timers.schedule(delayMs, () => void this.linkGroups());
  }

  private async linkGroups(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    const lonely: string[] = [];
    for (const { group } of session.groups.values()) {
      if (group.neighbors().length > 0 || !group.state.isMember(group.self)) continue;
      const entry = await session.list.get(group.id);
      const members = group.state.members().map((member) => member.nodeId);
      lonely.push(...group.onlineNodes(), ...members, ...(entry?.nodes ?? []));
    }
    const candidates = [...new Set(lonely)].filter((id) => id !== '' && id !== session.nodeId);
    if (candidates.length > 0 && this.connectTo !== undefined)
      await this.connectTo(candidates).catch(() => false);
    if (this.session !== session) return;
    this.refresh();
    this.scheduleLinking(candidates.length === 0 ? maxLinkRetryMs : this.linkBackoff.next());
  }

  private refresh(): void {
    const session = this.session;
    this.summaryCache =
      session === undefined
        ? []
        : [...session.groups.values()].map(({ group }) => summarize(group, session.identity.id));
    void this.withReadMarks();
  }

  /** Unread counts need the list's read marks, which load once per session. */
  private async withReadMarks(): Promise<void> {
    const session = this.session;
    if (session === undefined) {
      this.emit('changed', {});
      return;
    }
    const entries = new Map((await session.list.all()).map((entry) => [entry.id, entry]));
    if (this.session !== session) return;
    this.summaryCache = this.summaryCache.map((summary) => {
      const entry = entries.get(summary.id);
      const group = session.groups.get(summary.id)?.group;
      if (entry === undefined || group === undefined) return summary;
      const unread = group.chat
        .list()
        .filter(
          (message) => message.authorId !== group.self && !message.deleted && message.atMs > entry.readUpToMs,
        ).length;
      return { ...summary, unread, left: entry.left, name: group.info()?.n ?? entry.name };
    });
    this.emit('changed', {});
  }

  private groupComponents(session: Session): Parameters<typeof Group.open>[0] {
    const { identity } = session;
    return {
      hub: session.hub,
      store: this.components.store,
      author: { identityId: identity.id, publicKey: identity.publicKey, signingKey: identity.signingKey },
      nodeId: session.nodeId,
      timers: this.timers,
      ...(session.files === undefined ? {} : { distribution: session.files.distribution }),
      ...(this.components.graphConfig === undefined ? {} : { graphConfig: this.components.graphConfig }),
    };
  }

  private identityOf(session: Session): GroupIdentity {
    const { identity } = session;
    return {
      displayName: identity.displayName,
      publicKey: identity.publicKey,
      signingKey: identity.signingKey,
    };
  }

  private requireSession(): Session {
    if (this.session === undefined) throw new GroupActionError('Create an identity first.');
    return this.session;
  }

  private requireGroup(groupId: string): Group {
    const group = this.group(groupId);
    if (group === undefined) throw new GroupActionError('That group is not in this browser.');
    return group;
  }

  private closeSession(): void {
    this.cancelLinking?.();
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    for (const { group, off } of session.groups.values()) {
      off();
      group.close();
    }
    session.files?.stop();
    session.hub.stop();
  }
}
