import type { Random } from '../../lib/random.ts';
import type { BlockStore, StoredBlock } from '../ports.ts';
import type { Timers } from '../mesh/timers.ts';
import { Bitfield } from './bitfield.ts';
import { BlockPicker, type PickerPeer } from './block-picker.ts';
import { blockBytes, blockCount, blockLength, isBlock, type ContentInfo } from './content-info.ts';
import type { DistMessage } from './dist-messages.ts';
import { SpeedMeter } from './speed-meter.ts';

/** A message of a download's swarm, without the group and content every one carries. */
export type SwarmBody = DistOmit<DistMessage>;
type DistOmit<T> = T extends unknown ? Omit<T, 'g' | 'c'> : never;

/** Settings of downloads; every field has a default. */
export interface DownloadConfig {
  /** Peers fetched from at once. */
  readonly maxPeers: number;
  /** Requests in flight per peer: 16 × 64 KiB covers a fast link's round trip and a disk read. */
  readonly requestsPerPeer: number;
  /** A peer that answers nothing for this long with requests open is let go. */
  readonly stallMs: number;
  /** How often more holders are looked for while fewer than `maxPeers` serve. */
  readonly lookAgainMs: number;
}

export const defaultDownloadConfig: DownloadConfig = {
  maxPeers: 5,
  requestsPerPeer: 16,
  stallMs: 20_000,
  lookAgainMs: 5_000,
};

/** What a download runs on. */
export interface DownloadComponents {
  readonly contentId: string;
  readonly info: ContentInfo;
  /** Blocks already held, from the store. */
  readonly held: readonly number[];
  readonly store: BlockStore;
  readonly timers: Timers;
  readonly random: Random;
  /** Node ids of members that hold blocks, most likely reachable first. */
  holders(): readonly string[];
  /** Opens a link to a holder; rejects if none can be made. */
  connect(nodeId: string): Promise<void>;
  /** Lets go of the link `connect` made. */
  release(nodeId: string): void;
  send(nodeId: string, body: SwarmBody): Promise<void>;
  /** Blocks were stored: others may want to hear. */
  stored(indexes: readonly number[]): void;
  /** A peer was found out after its frame was taken (a block failed its hash) and dropped. */
  misbehaved(nodeId: string, reason: string): void;
  /** Progress, peers or state changed. */
  changed(): void;
  /** The store is full (`StorageFullError`): the download paused itself. */
  full(error: Error): void;
  /** Every block is stored. */
  finished(): void;
  /** Storing failed for another reason: the download paused itself. */
  failed(error: unknown): void;
}

interface Peer extends PickerPeer {
  readonly refused: Set<number>;
  /** Blocks cancelled at this peer (end-game): one may still come, and is no offence. */
  readonly cancelled: Set<number>;
  lastHeardMs: number;
}

/**
 * One file being fetched from the members that hold it (PeerDist's swarm download): asks up
 * to `maxPeers` holders at once, a bounded number of blocks of each, rarest first; checks
 * every block against its hash before it is stored; drops a peer that sends a bad or an
 * unasked block, and fetches that block elsewhere. Stored blocks are never fetched again.
 */
export class Download {
  readonly contentId: string;
  readonly size: number;
  private readonly components: DownloadComponents;
  private readonly config: DownloadConfig;
  private readonly held: Bitfield;
  /** Held, or verified and being stored. */
  private readonly done: Bitfield;
  private readonly picker: BlockPicker;
  private readonly peers = new Map<string, Peer>();
  private readonly connecting = new Set<string>();
  private readonly banned = new Set<string>();
  /** Blocks asked of peers this download has parted from: they may still come, and are no offence. */
  private readonly late = new Map<string, Set<number>>();
  private readonly speed: SpeedMeter;
  /** Blocks stored from each peer during this run of the download. */
  readonly sources = new Map<string, number>();
  private pending: StoredBlock[] = [];
  private writing = false;
  private running = false;
  private cancelTimer: (() => void) | undefined;

  constructor(components: DownloadComponents, config: Partial<DownloadConfig> = {}) {
    this.components = components;
    this.config = { ...defaultDownloadConfig, ...config };
    this.contentId = components.contentId;
    this.size = blockCount(components.info.size);
    this.held = new Bitfield(this.size, components.held);
    this.done = new Bitfield(this.size, components.held);
    this.picker = new BlockPicker(this.size, components.random);
    this.speed = new SpeedMeter(components.timers);
  }

  get heldBlocks(): Bitfield {
    return this.held;
  }

  get complete(): boolean {
    return this.held.complete;
  }

  /** Bytes held. */
  get doneBytes(): number {
    const last = this.size - 1;
    const short = blockBytes - blockLength(this.components.info.size, last);
    return this.held.count * blockBytes - (this.held.has(last) ? short : 0);
  }

  get bytesPerSecond(): number {
    return this.running ? this.speed.bytesPerSecond() : 0;
  }

  /** Peers serving this download now. */
  get peerCount(): number {
    let serving = 0;
    for (const peer of this.peers.values()) if (peer.has.count > 0) serving += 1;
    return serving;
  }

  get active(): boolean {
    return this.running;
  }

  /** Starts or resumes: finds holders, asks them, keeps looking while too few serve. */
  start(): void {
    if (this.running || this.complete) return;
    this.running = true;
    this.lookForPeers();
    this.components.changed();
  }

  /** Stops asking; what is stored stays, and blocks already in flight are still taken. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const nodeId of [...this.peers.keys()]) this.part(nodeId, true);
    this.components.changed();
  }

  /** A checked swarm message from `nodeId` about this content; a rejection reason, if any. */
  receive(nodeId: string, message: SwarmBody): string | undefined {
    const peer = this.peers.get(nodeId);
    if (peer === undefined) {
      if (message.t !== 'block' || this.late.get(nodeId)?.delete(message.i) === true) return undefined;
      return this.unasked(nodeId);
    }
    peer.lastHeardMs = this.components.timers.nowMs();
    switch (message.t) {
      case 'have':
        return this.onHave(peer, message.b);
      case 'got':
        if (peer.has.add(message.i)) this.picker.gained(message.i);
        this.ask(peer);
        return undefined;
      case 'none':
        if (peer.asked.delete(message.i)) this.picker.answered(message.i);
        peer.refused.add(message.i);
        this.ask(peer);
        return undefined;
      case 'block':
        return this.onBlock(peer, message.i, message.d);
      default:
        return undefined;
    }
  }

  /** The link to `nodeId` closed: what it was asked for is asked elsewhere. */
  linkLost(nodeId: string): void {
    if (this.peers.has(nodeId)) this.part(nodeId, false);
    if (this.running) this.lookForPeers();
  }

  private onHave(peer: Peer, bits: Uint8Array): string | undefined {
    const has = Bitfield.read(this.size, bits);
    if (has === undefined) return this.drop(peer.nodeId, 'bad-bitfield');
    this.picker.count(peer.has, -1);
    const fresh: Peer = { ...peer, has };
    this.peers.set(peer.nodeId, fresh);
    this.picker.count(has, 1);
    this.ask(fresh);
    this.components.changed();
    return undefined;
  }

  private onBlock(peer: Peer, index: number, bytes: Uint8Array): string | undefined {
    if (!peer.asked.delete(index)) {
      if (peer.cancelled.delete(index)) return undefined;
      return this.drop(peer.nodeId, 'unasked-block');
    }
    this.picker.answered(index);
    // Taken as done while its hash is checked, so no one is asked for it meanwhile; a copy
    // that comes in the meantime (end-game) is not needed.
    if (!this.done.add(index)) return undefined;
    const copy = ownsBuffer(bytes) ? bytes : new Uint8Array(bytes);
    void isBlock(copy, index, this.components.info.size, this.components.info.hashes).then((ok) => {
      if (!ok) {
        this.done.remove(index);
        this.components.misbehaved(peer.nodeId, this.drop(peer.nodeId, 'bad-block'));
        return;
      }
      this.speed.add(copy.length);
      this.sources.set(peer.nodeId, (this.sources.get(peer.nodeId) ?? 0) + 1);
      this.cancelElsewhere(index, peer.nodeId);
      this.pending.push({ index, bytes: copy });
      void this.flush();
      const current = this.peers.get(peer.nodeId);
      if (current !== undefined) this.ask(current);
    });
    return undefined;
  }

  /** A block from a node that is not a peer of this download: refused, and it stays out. */
  private unasked(nodeId: string): string {
    this.banned.add(nodeId);
    return 'unasked-block';
  }

  /** Asks `peer` for blocks until its share of requests is in flight. */
  private ask(peer: Peer): void {
    if (!this.running || this.peers.get(peer.nodeId) !== peer) return;
    // A peer's silence counts from when it was first asked for something.
    if (peer.asked.size === 0) peer.lastHeardMs = this.components.timers.nowMs();
    while (peer.asked.size < this.config.requestsPerPeer) {
      const index = this.picker.pick(peer, this.done, peer.refused);
      if (index === undefined) return;
      peer.asked.add(index);
      this.picker.asked(index);
      this.components.send(peer.nodeId, { t: 'req', i: index }).catch(() => this.linkLost(peer.nodeId));
    }
  }

  /** Another peer sent `index` first: the same request elsewhere is withdrawn. */
  private cancelElsewhere(index: number, from: string): void {
    for (const peer of this.peers.values()) {
      if (peer.nodeId === from || !peer.asked.delete(index)) continue;
      this.picker.answered(index);
      peer.cancelled.add(index);
      this.components.send(peer.nodeId, { t: 'cancel', i: index }).catch(() => undefined);
    }
  }

  /** Stores verified blocks, the ones that came while a write ran in the next transaction. */
  private async flush(): Promise<void> {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.components.store.putBlocks(this.contentId, batch);
      for (const block of batch) this.held.add(block.index);
      this.components.stored(batch.map((block) => block.index));
    } catch (error) {
      for (const block of [...batch, ...this.pending]) this.done.remove(block.index);
      this.pending = [];
      this.writing = false;
      this.stop();
      if (error instanceof Error && error.name === 'StorageFullError') this.components.full(error);
      else this.components.failed(error);
      return;
    }
    this.writing = false;
    this.components.changed();
    if (this.held.complete) {
      this.stop();
      this.components.finished();
      return;
    }
    void this.flush();
  }

  /** Connects to more holders while fewer than `maxPeers` are peers, and looks again later. */
  private lookForPeers(): void {
    if (!this.running) return;
    this.cancelTimer?.();
    this.cancelTimer = this.components.timers.schedule(this.config.lookAgainMs, () => {
      this.dropStalled();
      this.lookForPeers();
    });
    const room = this.config.maxPeers - this.peers.size - this.connecting.size;
    const candidates = this.components
      .holders()
      .filter(
        (nodeId) => !this.peers.has(nodeId) && !this.connecting.has(nodeId) && !this.banned.has(nodeId),
      );
    for (const nodeId of candidates.slice(0, Math.max(0, room))) void this.join(nodeId);
  }

  private async join(nodeId: string): Promise<void> {
    this.connecting.add(nodeId);
    try {
      await this.components.connect(nodeId);
    } catch {
      this.connecting.delete(nodeId);
      return;
    }
    this.connecting.delete(nodeId);
    if (!this.running || this.banned.has(nodeId)) {
      this.components.release(nodeId);
      return;
    }
    const peer: Peer = {
      nodeId,
      has: new Bitfield(this.size),
      asked: new Set(),
      refused: new Set(),
      cancelled: new Set(),
      lastHeardMs: this.components.timers.nowMs(),
    };
    this.peers.set(nodeId, peer);
    for (const index of this.late.get(nodeId) ?? []) peer.cancelled.add(index);
    this.late.delete(nodeId);
    this.components.send(nodeId, { t: 'want' }).catch(() => this.linkLost(nodeId));
  }

  private dropStalled(): void {
    const now = this.components.timers.nowMs();
    for (const peer of [...this.peers.values()]) {
      if (peer.asked.size > 0 && now - peer.lastHeardMs > this.config.stallMs) this.part(peer.nodeId, true);
    }
  }

  /** Drops a peer that broke the protocol: it is not asked again during this download. */
  private drop(nodeId: string, reason: string): string {
    this.banned.add(nodeId);
    if (this.peers.has(nodeId)) this.part(nodeId, true);
    if (this.running) this.lookForPeers();
    this.components.changed();
    return reason;
  }

  /** Forgets a peer; its open requests go back to the picker and to other peers. */
  private part(nodeId: string, tell: boolean): void {
    const peer = this.peers.get(nodeId);
    if (peer === undefined) return;
    this.peers.delete(nodeId);
    this.picker.count(peer.has, -1);
    for (const index of peer.asked) this.picker.answered(index);
    this.late.set(nodeId, new Set([...(this.late.get(nodeId) ?? []), ...peer.asked, ...peer.cancelled]));
    if (tell) this.components.send(nodeId, { t: 'done' }).catch(() => undefined);
    this.components.release(nodeId);
    for (const other of this.peers.values()) this.ask(other);
  }
}

/** Whether `bytes` is the whole of its own buffer (the decoder's copy), so it can be stored as is. */
function ownsBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return (
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  );
}
