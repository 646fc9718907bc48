import { TypedEventTarget } from '../../lib/events.ts';
import type { StoredRecord } from '../ports.ts';
import type { Graph } from '../graph/graph.ts';
import type { GraphNodeInfo, GraphStatus } from '../graph/graph-types.ts';
import { encodeRecord, recordKey } from '../graph/record-codec.ts';
import { identityIdOf } from '../identity/ids.ts';
import { ChatLog, type ChatMessage } from './chat-log.ts';
import { GroupProvider, pendingReasons } from './group-provider.ts';
import {
  allRecords,
  GroupRecordTypes,
  maxMessageLength,
  reactionId,
  targetOf,
  writeData,
  type InfoData,
} from './group-records.ts';
import { GroupState } from './group-state.ts';
import { withPresence, type MemberPresence } from './member-presence.ts';
import { GroupLinks } from './group-links.ts';
import type { GroupComponents, GroupEvents } from './group-types.ts';
import { GroupAdmin } from './group-admin.ts';
import { GroupActionError, GroupWriter } from './group-writer.ts';
import type { GroupKey } from './group-key.ts';
import { GroupFiles, type ShareOptions } from './group-files.ts';

export type { GroupComponents, GroupEvents } from './group-types.ts';
export { GroupActionError } from './group-writer.ts';

/** How long after new messages this node says how far it has received. */
const receiptDelayMs = 1500;
/** How long after the state grew the group asks its neighbours for records it refused. */
const retryDelayMs = 300;
/** How long a removed member's links stay, for the removal to reach them. */
const dismissDelayMs = 3000;

/**
 * One group on this node (Windows Peer Grouping's group): a graph whose security provider
 * follows the group's roles, with the chat, members and admin actions on top.
 */
export class Group extends TypedEventTarget<GroupEvents> {
  readonly id: string;
  readonly key: GroupKey;
  readonly state: GroupState;
  readonly chat: ChatLog;
  private readonly components: GroupComponents;
  private readonly graph: Graph;
  private readonly nodes = new Map<string, GraphNodeInfo>();
  private readonly offs: (() => void)[] = [];
  private pending = 0;
  private cancelRetry: (() => void) | undefined;
  private cancelReceipt: (() => void) | undefined;
  private readonly refusals = new Map<string, number>();
  private readonly links: GroupLinks;
  private readonly writer: GroupWriter;
  /** What admins do: info, roles, removals, invitations. */
  readonly admin: GroupAdmin;
  /** The files shared in the group. */
  readonly files: GroupFiles;
  private lastRefusal: string | undefined;
  private away = false;
  /** Node ids to try before members' own are known: those a join link named. */
  private readonly hints = new Set<string>();

  private constructor(
    components: GroupComponents,
    key: GroupKey,
    state: GroupState,
    chat: ChatLog,
    graph: Graph,
  ) {
    super();
    this.components = components;
    this.key = key;
    this.id = state.groupId;
    this.state = state;
    this.chat = chat;
    this.graph = graph;
    this.writer = new GroupWriter(graph, state, components.author.identityId, components.timers);
    this.admin = new GroupAdmin(this.writer, state);
    this.files = new GroupFiles({
      groupId: this.id,
      nodeId: components.nodeId,
      state,
      writer: this.writer,
      distribution: components.distribution,
      nodes: () => this.nodes.values(),
    });
    this.links = new GroupLinks(
      graph,
      () => this.linkCandidates(),
      components.timers,
      components.linksConfig,
    );
  }

  /** Opens a group whose key this node holds: loads its records, then takes part in its graph. */
  static async open(components: GroupComponents, groupId: string, key: GroupKey): Promise<Group> {
    const state = new GroupState(groupId, await identityIdOf(new Uint8Array(key.owner)));
    const chat = new ChatLog();
    const fileRecords: StoredRecord[] = [];
    for await (const stored of allRecords(components.store, groupId)) {
      state.apply(stored);
      chat.apply(stored);
      if (GroupFiles.tracks(stored.record.type)) fileRecords.push(stored);
    }
    // The provider is the graph's, and the group is built on the graph: it is told of the group after.
    const opened: { group?: Group } = {};
    const provider = new GroupProvider({
      author: components.author,
      state,
      credential: async () => opened.group?.credential(),
      refused: (reason) => opened.group?.refused(reason),
    });
    const graph = await components.hub.openGraph(groupId, provider, components.graphConfig ?? {});
    const group = new Group(components, key, state, chat, graph);
    opened.group = group;
    for (const stored of fileRecords) group.files.apply(stored);
    await components.distribution?.addGroup(group.files);
    group.start();
    await graph.setPresence(true).catch(() => undefined);
    return group;
  }

  /**
   * Why a member last refused this node (`invitation-revoked`, `invitation-used-up`, ...), while
   * no member takes part with it; undefined once one does.
   */
  get refusal(): string | undefined {
    return this.graph.graphNeighbors().length === 0 ? this.lastRefusal : undefined;
  }

  get status(): GraphStatus {
    return this.graph.status;
  }

  get nodeId(): string {
    return this.components.nodeId;
  }

  get self(): string {
    return this.components.author.identityId;
  }

  info(): InfoData | undefined {
    return this.state.info();
  }

  /** Members with whether a node of theirs is online (and not idle) and when one was last seen. */
  members(): MemberPresence[] {
    return withPresence(this.state.members(), this.nodes.values(), this.self, this.away);
  }

  /** Node ids of members online now, this node's left out: whom a join link names. */
  onlineNodes(): string[] {
    return [...this.nodes.values()]
      .filter((node) => node.online && node.nodeId !== this.components.nodeId)
      .map((node) => node.nodeId);
  }

  /** Graph neighbours taking part in this group now. */
  neighbors(): string[] {
    return this.graph.graphNeighbors();
  }

  /** Refused records by reason since open. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.refusals);
  }

  /** Writes this node's member record: name, node and (unless owner) certificate. */
  async writeMembership(name: string, certificate?: Parameters<typeof writeData>[0]): Promise<void> {
    await this.writer.writeMembership(name, this.components.nodeId, certificate);
    // Those who refused this node (and its own presence, written at open) may take it now.
    this.graph.greetAgain();
    await this.graph.setPresence(true, this.away).catch(() => undefined);
  }

  /**
   * Sends a chat message; `replyTo` is the key of the message it answers, `file` the key of
   * the file record of a file shared with it.
   */
  async send(text: string, replyTo?: string, file?: string): Promise<ChatMessage> {
    const trimmed = this.checkText(text);
    const at = Math.max(Math.floor(this.components.timers.nowMs()), this.chat.latestAtMs + 1);
    const stored = await this.writer.write(() =>
      this.graph.add({
        type: GroupRecordTypes.chat,
        data: writeData({
          t: trimmed,
          at,
          ...(replyTo === undefined ? {} : { r: replyTo }),
          ...(file === undefined ? {} : { f: file }),
        }),
        expiresAtMs: this.writer.foreverMs(),
      }),
    );
    const message = this.chat.get(stored.key);
    if (message === undefined) throw new GroupActionError('The message was not stored.');
    return message;
  }

  /**
   * Shares a file in the chat: hashed off the main thread, stored, announced, then a message
   * with `caption` (the file's name if empty) that shows it. Needs the node's distribution.
   */
  async shareFile(file: Blob, options: ShareOptions & { readonly caption?: string }): Promise<ChatMessage> {
    const key = await this.files.share(file, options);
    const caption = options.caption?.trim() ?? '';
    return this.send(caption === '' ? options.name.slice(0, maxMessageLength) : caption, undefined, key);
  }

  async edit(key: string, text: string): Promise<void> {
    const message = this.ownMessage(key);
    const data = writeData({
      t: this.checkText(text),
      at: message.atMs,
      ...(message.replyTo === undefined ? {} : { r: message.replyTo }),
      ...(message.file === undefined ? {} : { f: message.file }),
    });
    await this.writer.write(() => this.graph.update(key, { data }));
  }

  async deleteMessage(key: string): Promise<void> {
    this.ownMessage(key);
    await this.writer.write(() => this.graph.delete(key));
  }

  /** Adds this member's `emoji` to a message, or takes it back if it is there. */
  async react(messageKey: string, emoji: string): Promise<void> {
    const mine = this.chat.get(messageKey)?.reactions.get(emoji)?.has(this.self) ?? false;
    await this.writer.putOwn(
      GroupRecordTypes.reaction,
      reactionId(messageKey, emoji),
      writeData({ to: messageKey, e: emoji, on: !mine }),
    );
  }

  /** Leaves the group: withdraws this member's record, which every member sees. */
  async leave(): Promise<void> {
    const key = recordKey({ creator: this.self, id: this.self });
    if ((await this.graph.get(key))?.record.deleted === false) await this.graph.delete(key);
  }

  /** Tells the group's members that this user is idle, or back. */
  async setAway(away: boolean): Promise<void> {
    this.away = away;
    await this.graph.setPresence(true, away);
    this.emit('changed', {});
  }

  /** Node ids to dial while no member's is known, such as those of the join link. */
  addHints(nodeIds: readonly string[]): void {
    for (const nodeId of nodeIds) if (nodeId !== this.components.nodeId) this.hints.add(nodeId);
    this.links.poke();
  }

  /** Reconciles with every neighbour now. */
  resync(): void {
    this.graph.resync();
  }

  close(): void {
    this.components.distribution?.removeGroup(this.id);
    this.links.stop();
    this.cancelRetry?.();
    this.cancelReceipt?.();
    for (const off of this.offs.splice(0)) off();
    this.components.hub.closeGraph(this.id);
  }

  private start(): void {
    const { graph } = this;
    this.offs.push(
      graph.on('record-changed', ({ change, record }) => this.recordChanged(change, record)),
      graph.on('node-changed', ({ node }) => {
        this.nodes.set(node.nodeId, node);
        this.emit('changed', {});
      }),
      graph.on('status-changed', () => this.emit('changed', {})),
      graph.on('link-refused', ({ reason }) => {
        if (reason !== 'not-authorized' || this.lastRefusal === undefined) this.lastRefusal = reason;
        this.emit('changed', {});
      }),
    );
    this.links.start();
    void graph.nodes().then((nodes) => {
      for (const node of nodes) this.nodes.set(node.nodeId, node);
      this.emit('changed', {});
    });
  }

  private recordChanged(change: string, stored: StoredRecord): void {
    if (change === 'purged') {
      this.state.forget(stored.key);
      return;
    }
    if (GroupState.tracks(stored.record.type)) {
      this.state.apply(stored);
      if (stored.record.type === GroupRecordTypes.removal) {
        this.dismissRemoved(targetOf(GroupRecordTypes.removal, stored.record.id) ?? '');
      }
      this.emit('changed', {});
      if (this.pending > 0) this.scheduleRetry();
      return;
    }
    if (GroupFiles.tracks(stored.record.type)) {
      if (this.files.apply(stored)) this.emit('chat', { added: [] });
      return;
    }
    if (!ChatLog.tracks(stored.record.type)) return;
    const isNew =
      change === 'added' &&
      stored.record.type === GroupRecordTypes.chat &&
      stored.record.creator !== this.self;
    if (!this.chat.apply(stored)) return;
    const message = isNew ? this.chat.get(stored.key) : undefined;
    this.emit('chat', { added: message === undefined ? [] : [message] });
    if (stored.record.type === GroupRecordTypes.chat) this.scheduleReceipt();
  }

  /** Members' nodes, online ones first, then the hints; never this node or a removed member's. */
  private linkCandidates(): string[] {
    const self = this.components.nodeId;
    const online = [...this.nodes.values()]
      .filter((node) => node.online && this.state.isMember(node.identityId))
      .map((node) => node.nodeId);
    const members = this.state.members().map((member) => member.nodeId);
    return [...new Set([...online, ...members, ...this.hints])].filter((id) => id !== '' && id !== self);
  }

  /**
   * A removed member's nodes leave this node's part of the graph, once the removal has had
   * time to reach them: they should learn it too, though nothing they write counts any more.
   */
  private dismissRemoved(identityId: string): void {
    const cancel = this.components.timers.schedule(dismissDelayMs, () => {
      this.offs.splice(this.offs.indexOf(cancel), 1);
      this.dismissNow(identityId);
    });
    this.offs.push(cancel);
  }

  private dismissNow(identityId: string): void {
    if (this.state.isMember(identityId)) return;
    for (const node of this.nodes.values()) {
      if (node.identityId === identityId) this.graph.disconnect(node.nodeId);
    }
    const nodeId = this.state.nodeOf(identityId);
    if (nodeId !== undefined) this.graph.disconnect(nodeId);
  }

  private refused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
    if (pendingReasons.has(reason)) this.pending += 1;
  }

  /** Records refused for want of a membership come again once the state has grown. */
  private scheduleRetry(): void {
    if (this.cancelRetry !== undefined) return;
    this.cancelRetry = this.components.timers.schedule(retryDelayMs, () => {
      this.cancelRetry = undefined;
      this.pending = 0;
      this.graph.resync();
    });
  }

  private scheduleReceipt(): void {
    if (this.cancelReceipt !== undefined) return;
    this.cancelReceipt = this.components.timers.schedule(receiptDelayMs, () => {
      this.cancelReceipt = undefined;
      const upTo = this.chat.latestAtMs;
      if (upTo > this.chat.receiptOf(this.self) && this.state.isMember(this.self)) {
        void this.writer
          .putOwn(GroupRecordTypes.receipt, 'receipt', writeData({ upTo }))
          .catch(() => undefined);
      }
    });
  }

  private async credential(): Promise<Uint8Array | undefined> {
    const stored = await this.graph.get(recordKey({ creator: this.self, id: this.self }));
    return stored === undefined || stored.record.deleted ? undefined : encodeRecord(stored.record);
  }

  private ownMessage(key: string): ChatMessage {
    const message = this.chat.get(key);
    if (message === undefined || message.deleted) throw new GroupActionError('That message is gone.');
    if (message.authorId !== this.self) throw new GroupActionError('You can only change your own messages.');
    return message;
  }

  private checkText(text: string): string {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new GroupActionError('A message needs some text.');
    if (trimmed.length > maxMessageLength)
      throw new GroupActionError(`A message can have at most ${maxMessageLength} characters.`);
    return trimmed;
  }
}
