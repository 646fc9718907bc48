import type { BlockStore } from '../ports.ts';
import { isBlock, type ContentInfo } from './content-info.ts';
import type { Bitfield } from './bitfield.ts';
import type { SwarmBody } from './download.ts';

/** Requests queued per peer and content; more are refused, which bounds a greedy peer. */
export const maxQueuedRequests = 64;
/** Blocks read from the store at once for one peer, so reads overlap sending. */
const readAhead = 8;

/** What a seeder serves from. */
export interface SeederComponents {
  readonly store: BlockStore;
  /** The content information and held blocks of a content this node serves in `groupId`. */
  serves(groupId: string, contentId: string): { info: ContentInfo; held: Bitfield } | undefined;
  send(nodeId: string, groupId: string, contentId: string, body: SwarmBody): Promise<void>;
}

interface Request {
  readonly groupId: string;
  readonly contentId: string;
  readonly index: number;
}

/**
 * Serves blocks to the members downloading them: one queue per peer, read a few blocks ahead,
 * each block checked against its hash again before it leaves (a damaged disk must not make
 * this node a liar), sent as the link's backpressure allows.
 */
export class Seeder {
  private readonly components: SeederComponents;
  private readonly queues = new Map<string, Request[]>();
  private readonly busy = new Set<string>();
  /** Peers that said `want`, by content: they hear `got` for every new block. */
  private readonly interested = new Map<string, Set<string>>();

  constructor(components: SeederComponents) {
    this.components = components;
  }

  /** `nodeId` (authorized) wants `contentId`: it gets what this node holds, then news. */
  want(nodeId: string, groupId: string, contentId: string): void {
    const serving = this.components.serves(groupId, contentId);
    const bits = serving?.held.bytes() ?? new Uint8Array(0);
    if (serving !== undefined) this.interestedIn(contentId).add(nodeId);
    this.components.send(nodeId, groupId, contentId, { t: 'have', b: bits }).catch(() => undefined);
  }

  /** Who to tell about new blocks of `contentId`. */
  listeners(contentId: string): readonly string[] {
    return [...(this.interested.get(contentId) ?? [])];
  }

  /** A request from an authorized peer; a rejection reason, if any. */
  request(nodeId: string, request: Request): string | undefined {
    if (this.interested.get(request.contentId)?.has(nodeId) !== true) return 'not-wanted';
    const queue = this.queues.get(nodeId) ?? [];
    if (queue.length >= maxQueuedRequests) return 'too-many-requests';
    queue.push(request);
    this.queues.set(nodeId, queue);
    void this.serve(nodeId);
    return undefined;
  }

  cancel(nodeId: string, contentId: string, index: number): void {
    const queue = this.queues.get(nodeId);
    if (queue === undefined) return;
    const at = queue.findIndex((entry) => entry.contentId === contentId && entry.index === index);
    if (at >= 0) queue.splice(at, 1);
  }

  /** `nodeId` wants nothing more of `contentId`. */
  done(nodeId: string, contentId: string): void {
    this.interested.get(contentId)?.delete(nodeId);
    const queue = this.queues.get(nodeId);
    if (queue !== undefined)
      this.queues.set(
        nodeId,
        queue.filter((entry) => entry.contentId !== contentId),
      );
  }

  /** The link to `nodeId` closed. */
  forget(nodeId: string): void {
    this.queues.delete(nodeId);
    for (const peers of this.interested.values()) peers.delete(nodeId);
  }

  /** This node stopped serving `contentId` (removed from this browser). */
  drop(contentId: string): void {
    this.interested.delete(contentId);
    for (const [nodeId, queue] of this.queues) {
      this.queues.set(
        nodeId,
        queue.filter((entry) => entry.contentId !== contentId),
      );
    }
  }

  private interestedIn(contentId: string): Set<string> {
    const peers = this.interested.get(contentId) ?? new Set<string>();
    this.interested.set(contentId, peers);
    return peers;
  }

  /**
   * Sends a peer's queued blocks in order, keeping `readAhead` reads running meanwhile, so the
   * channel never drains while the store is read.
   */
  private async serve(nodeId: string): Promise<void> {
    if (this.busy.has(nodeId)) return;
    this.busy.add(nodeId);
    const reading: { request: Request; bytes: Promise<Uint8Array<ArrayBuffer> | undefined> }[] = [];
    try {
      for (;;) {
        const queue = this.queues.get(nodeId) ?? [];
        while (reading.length < readAhead && queue.length > 0) {
          const request = queue.shift() as Request;
          reading.push({ request, bytes: this.read(request) });
        }
        const next = reading.shift();
        if (next === undefined) break;
        const bytes = await next.bytes;
        const { groupId, contentId, index } = next.request;
        const body: SwarmBody =
          bytes === undefined ? { t: 'none', i: index } : { t: 'block', i: index, d: bytes };
        await this.components.send(nodeId, groupId, contentId, body);
      }
    } catch {
      this.queues.delete(nodeId);
      await Promise.allSettled(reading.map((entry) => entry.bytes));
    } finally {
      this.busy.delete(nodeId);
    }
  }

  /** A held block, checked again; undefined if it is not here or not right. */
  private async read(request: Request): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const serving = this.components.serves(request.groupId, request.contentId);
    if (serving?.held.has(request.index) !== true) return undefined;
    const bytes = await this.components.store.getBlock(request.contentId, request.index);
    if (bytes === undefined) return undefined;
    const { size, hashes } = serving.info;
    return (await isBlock(bytes, request.index, size, hashes)) ? bytes : undefined;
  }
}
