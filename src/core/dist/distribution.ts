import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import type { BlockStore, StorageQuota, StoredBlock, StoredFile } from '../ports.ts';
import type { GraphMesh } from '../graph/graph-hub.ts';
import type { AuthenticatedPeer } from '../mesh/link-handshake.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import { parse } from '../wire/schema.ts';
import { blockCount } from './content-info.ts';
import { distMessage, distProtocol, type DistMessage } from './dist-messages.ts';
import type { DistGroup, DistributionEvents, FileProgress, PauseReason } from './dist-types.ts';
import { Download, type DownloadConfig, type SwarmBody } from './download.ts';
import { pauseMessage } from './pause-messages.ts';
import { readContent } from './read-content.ts';
import { Seeder } from './seeder.ts';

/** What a `Distribution` runs on. */
export interface DistributionComponents {
  /** The node's mesh; `attach` replaces it. */
  readonly mesh: GraphMesh;
  readonly store: BlockStore;
  readonly quota: StorageQuota;
  readonly timers: Timers;
  readonly random: Random;
  readonly downloadConfig?: Partial<DownloadConfig>;
}

/** A file that cannot be fetched: its details are not here, or its group is not open. */
export class FileUnavailableError extends MycelError {
  override name = 'FileUnavailableError';
}

interface Entry {
  file: StoredFile;
  readonly group: DistGroup;
  readonly download: Download;
  detail?: string;
}

/**
 * File distribution on one node (Windows PeerDist): serves the blocks it holds to members of
 * the groups they were shared in and fetches the files the user wants from every member that
 * holds them, over one mesh protocol whose every message names its group and content.
 */
export class Distribution extends TypedEventTarget<DistributionEvents> {
  private readonly components: DistributionComponents;
  private readonly groups = new Map<string, DistGroup>();
  private readonly entries = new Map<string, Entry>();
  private readonly seeder: Seeder;
  private readonly counts = new Map<string, number>();
  private mesh: GraphMesh;
  private unsubscribe: (() => void)[] = [];

  constructor(components: DistributionComponents) {
    super();
    this.components = components;
    this.mesh = components.mesh;
    this.seeder = new Seeder({
      store: components.store,
      serves: (groupId, contentId) => {
        const entry = this.entries.get(contentId);
        const info = entry?.group.groupId === groupId ? entry.group.contentInfo(contentId) : undefined;
        return info === undefined || entry === undefined
          ? undefined
          : { info, held: entry.download.heldBlocks };
      },
      send: (nodeId, groupId, contentId, body) => this.send(nodeId, groupId, contentId, body),
    });
    this.listen();
  }

  /** Moves onto another mesh of the same node (the app starts a new one when the broker is back). */
  attach(mesh: GraphMesh): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.mesh = mesh;
    this.listen();
    for (const entry of this.entries.values()) {
      if (entry.download.active) {
        entry.download.stop();
        entry.download.start();
      }
    }
  }

  /** Serves and fetches the files of `group`, resuming downloads left running before a reload. */
  async addGroup(group: DistGroup): Promise<void> {
    this.groups.set(group.groupId, group);
    const files = (await this.components.store.files()).filter((file) => file.groupId === group.groupId);
    for (const file of files) await this.load(group, file);
  }

  /** Deletes every file of a group from this browser (its local copy is being deleted). */
  async deleteGroupFiles(groupId: string): Promise<void> {
    for (const file of await this.components.store.files()) {
      if (file.groupId !== groupId) continue;
      this.entries.get(file.contentId)?.download.stop();
      this.seeder.drop(file.contentId);
      this.entries.delete(file.contentId);
      await this.components.store.deleteContent(file.contentId);
    }
  }

  /** Stops serving and fetching the files of a group (closed, left); what is stored stays. */
  removeGroup(groupId: string): void {
    this.groups.delete(groupId);
    for (const [contentId, entry] of this.entries) {
      if (entry.group.groupId !== groupId) continue;
      entry.download.stop();
      this.seeder.drop(contentId);
      this.entries.delete(contentId);
    }
  }

  /** Stores blocks of a file being published (see `adopt`). */
  storeBlocks(contentId: string, blocks: readonly StoredBlock[]): Promise<void> {
    return this.components.store.putBlocks(contentId, blocks);
  }

  /** A file this node published: every block is stored, so it is served from now on. */
  async adopt(groupId: string, contentId: string, recordKey: string): Promise<void> {
    const group = this.groupOf(groupId);
    const file: StoredFile = { contentId, groupId, recordKey, state: 'complete', addedAtMs: this.nowMs() };
    await this.components.store.putFile(file);
    await this.load(group, file);
    await group.announce(contentId, 'complete');
  }

  /** Starts fetching a file of `groupId`, or resumes it. */
  async download(groupId: string, contentId: string, recordKey: string): Promise<void> {
    if (this.entries.has(contentId)) return this.resume(contentId);
    const group = this.groupOf(groupId);
    const file: StoredFile = { contentId, groupId, recordKey, state: 'downloading', addedAtMs: this.nowMs() };
    await this.components.store.putFile(file);
    await this.load(group, file);
    await group.announce(contentId, 'partial');
  }

  /** Pauses a download; what is stored stays. */
  async pause(contentId: string): Promise<void> {
    const entry = this.entries.get(contentId);
    if (entry === undefined || entry.file.state === 'complete') return;
    entry.download.stop();
    await this.setState(entry, 'paused', 'user');
  }

  /** Resumes a paused download, if there is room for the rest of it. */
  async resume(contentId: string): Promise<void> {
    const entry = this.entries.get(contentId);
    if (entry === undefined || entry.file.state === 'complete') return;
    await this.begin(entry);
  }

  /** Removes a file from this browser (`cancel` of a download): its blocks and state go. */
  async remove(contentId: string): Promise<void> {
    const entry = this.entries.get(contentId);
    entry?.download.stop();
    this.seeder.drop(contentId);
    this.entries.delete(contentId);
    await this.components.store.deleteContent(contentId);
    await entry?.group.announce(contentId, 'none');
    this.emit('progress', { contentId, progress: undefined });
  }

  progress(contentId: string): FileProgress | undefined {
    const entry = this.entries.get(contentId);
    if (entry === undefined) return undefined;
    const { download, file } = entry;
    const { pauseReason } = file;
    const info = entry.group.contentInfo(contentId);
    const sizeBytes = info?.size ?? 0;
    return {
      contentId,
      groupId: file.groupId,
      state: file.state,
      sizeBytes,
      doneBytes: download.doneBytes,
      bytesPerSecond: download.bytesPerSecond,
      peers: download.peerCount,
      ...(pauseReason === undefined ? {} : { pauseReason }),
      ...(pauseReason === undefined || pauseReason === 'user'
        ? {}
        : { message: pauseMessage(pauseReason, sizeBytes - download.doneBytes, entry.detail) }),
    };
  }

  /** Every file held or wanted in the open groups. */
  files(): FileProgress[] {
    return [...this.entries.keys()].flatMap((contentId) => this.progress(contentId) ?? []);
  }

  /** The bytes of a complete file, read block by block from the store as the stream is pulled. */
  read(contentId: string): ReadableStream<Uint8Array> {
    const entry = this.entries.get(contentId);
    const info = entry?.group.contentInfo(contentId);
    if (entry?.file.state !== 'complete' || info === undefined) {
      throw new FileUnavailableError('This file is not fully in this browser yet.');
    }
    return readContent(this.components.store, contentId, info);
  }

  /** Blocks of a download stored from each peer since it was loaded. */
  sources(contentId: string): ReadonlyMap<string, number> {
    return this.entries.get(contentId)?.download.sources ?? new Map();
  }

  /** Swarm messages refused, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Stops every download and stops listening; stored files stay. */
  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const entry of this.entries.values()) entry.download.stop();
  }

  private listen(): void {
    const { mesh } = this;
    const lost = ({ nodeId }: { nodeId: string }): void => {
      this.seeder.forget(nodeId);
      for (const entry of this.entries.values()) entry.download.linkLost(nodeId);
    };
    this.unsubscribe = [
      mesh.handle(distProtocol, (from, body) => this.receive(from, body)),
      mesh.on('link-closed', lost),
    ];
  }

  private async load(group: DistGroup, file: StoredFile): Promise<void> {
    const info = group.contentInfo(file.contentId);
    if (info === undefined || this.entries.has(file.contentId)) return;
    const held =
      file.state === 'complete'
        ? Array.from({ length: blockCount(info.size) }, (_, index) => index)
        : await this.components.store.heldBlocks(file.contentId);
    const { contentId } = file;
    const download = new Download(
      {
        contentId,
        info,
        held,
        store: this.components.store,
        timers: this.components.timers,
        random: this.components.random.fork(contentId),
        holders: () => group.holders(contentId),
        connect: (nodeId) => this.mesh.openDirect(nodeId),
        release: (nodeId) => this.mesh.closeDirect(nodeId),
        send: (nodeId, body) => this.send(nodeId, group.groupId, contentId, body),
        stored: (indexes) => this.stored(contentId, group.groupId, indexes),
        misbehaved: (nodeId, reason) => this.blame(nodeId, reason),
        changed: () => this.changed(contentId),
        full: (error) => void this.stopped(contentId, 'full', error.message),
        failed: (error) => void this.stopped(contentId, 'failed', String(error)),
        finished: () => void this.finished(contentId),
      },
      this.components.downloadConfig,
    );
    const entry: Entry = { file, group, download };
    this.entries.set(contentId, entry);
    if (file.state === 'downloading') await this.begin(entry);
    else this.changed(contentId);
  }

  /** Starts a download unless the browser says there is no room for the rest of it. */
  private async begin(entry: Entry): Promise<void> {
    const info = entry.group.contentInfo(entry.file.contentId);
    const needed = (info?.size ?? 0) - entry.download.doneBytes;
    const available = await this.components.quota.available();
    if (available !== undefined && available < needed) {
      entry.detail = String(available);
      await this.setState(entry, 'paused', 'quota');
      return;
    }
    await this.setState(entry, 'downloading', undefined);
    entry.download.start();
  }

  private async setState(
    entry: Entry,
    state: StoredFile['state'],
    reason: PauseReason | undefined,
  ): Promise<void> {
    const { pauseReason: _, ...rest } = entry.file;
    entry.file = { ...rest, state, ...(reason === undefined ? {} : { pauseReason: reason }) };
    await this.components.store.putFile(entry.file);
    this.changed(entry.file.contentId);
  }

  private async stopped(contentId: string, reason: PauseReason, detail: string): Promise<void> {
    const entry = this.entries.get(contentId);
    if (entry === undefined) return;
    entry.detail = detail;
    await this.setState(entry, 'paused', reason).catch(() => this.changed(contentId));
  }

  private async finished(contentId: string): Promise<void> {
    const entry = this.entries.get(contentId);
    if (entry === undefined) return;
    await this.setState(entry, 'complete', undefined);
    await entry.group.announce(contentId, 'complete');
  }

  private stored(contentId: string, groupId: string, indexes: readonly number[]): void {
    for (const nodeId of this.seeder.listeners(contentId)) {
      for (const i of indexes) this.send(nodeId, groupId, contentId, { t: 'got', i }).catch(() => undefined);
    }
  }

  private receive(
    from: AuthenticatedPeer,
    body: WireValue,
  ): string | undefined | Promise<string | undefined> {
    const parsed = parse(distMessage, body);
    if (!parsed.ok) return this.count('bad-message');
    const message: DistMessage = parsed.value;
    const group = this.groups.get(message.g);
    if (group === undefined) return this.count('unknown-group');
    const { g: groupId, c: contentId } = message;
    switch (message.t) {
      case 'want':
        return group.authorize(from).then((ok) => {
          if (!ok) return this.count('not-authorized');
          this.seeder.want(from.nodeId, groupId, contentId);
          return undefined;
        });
      case 'req': {
        const info = group.contentInfo(contentId);
        if (info !== undefined && message.i >= blockCount(info.size)) return this.count('out-of-range');
        // Asked again each time: a member removed since its `want` gets nothing more.
        return group.authorize(from).then((ok) => {
          if (!ok) return this.count('not-authorized');
          const refused = this.seeder.request(from.nodeId, { groupId, contentId, index: message.i });
          return refused === undefined ? undefined : this.count(refused);
        });
      }
      case 'cancel':
        this.seeder.cancel(from.nodeId, contentId, message.i);
        return undefined;
      case 'done':
        this.seeder.done(from.nodeId, contentId);
        return undefined;
      default: {
        const entry = this.entries.get(contentId);
        if (entry?.group.groupId !== groupId)
          return message.t === 'block' ? this.count('unasked-block') : undefined;
        const refused = entry.download.receive(from.nodeId, message);
        return refused === undefined ? undefined : this.count(refused);
      }
    }
  }

  private send(nodeId: string, groupId: string, contentId: string, body: SwarmBody): Promise<void> {
    const kind = body.t === 'block' ? 'bulk' : 'control';
    return this.mesh.sendTo(nodeId, distProtocol, { ...body, g: groupId, c: contentId }, kind);
  }

  private blame(nodeId: string, reason: string): void {
    this.mesh.blame(nodeId, this.count(reason));
  }

  private count(reason: string): string {
    const name = `dist:${reason}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    return name;
  }

  private changed(contentId: string): void {
    this.emit('progress', { contentId, progress: this.progress(contentId) });
  }

  private groupOf(groupId: string): DistGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) throw new FileUnavailableError('This group is not open on this node.');
    return group;
  }

  private nowMs(): number {
    return this.components.timers.nowMs();
  }
}
