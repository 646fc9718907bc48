import type { StoredRecord } from '../ports.ts';
import type { GraphNodeInfo } from '../graph/graph-types.ts';
import type { GraphPeer } from '../graph/security.ts';
import { identityIdOf } from '../identity/ids.ts';
import { hashFile, type HashFileOptions } from '../dist/block-hasher.ts';
import { blockHash, type ContentInfo } from '../dist/content-info.ts';
import type { Distribution } from '../dist/distribution.ts';
import type { DistGroup } from '../dist/dist-types.ts';
import { heldContentOf, holdingId, sharedFileOf, type SharedFile } from './file-records.ts';
import { GroupRecordTypes, holdingData, readData, writeData } from './group-records.ts';
import type { GroupState } from './group-state.ts';
import { GroupActionError, type GroupWriter } from './group-writer.ts';

/** A file record with a thumbnail must stay under the 64 KiB record cap. */
const maxFileRecordDataBytes = 60 * 1024;

/** What a group's files run on. */
export interface GroupFilesComponents {
  readonly groupId: string;
  readonly nodeId: string;
  readonly state: GroupState;
  readonly writer: GroupWriter;
  readonly distribution: Distribution | undefined;
  /** Presence of the group's nodes. */
  nodes(): Iterable<GraphNodeInfo>;
}

/** Options of `GroupFiles.share`. */
export interface ShareOptions extends Pick<HashFileOptions, 'onProgress' | 'signal'> {
  readonly name: string;
  readonly mime: string;
  /** A small image the members see before they fetch the file. */
  readonly thumbnail?: Uint8Array;
}

/**
 * The files shared in one group: the `mycel/file` records (content information) and
 * `mycel/holding` records (who holds what) it has, and the group as distribution sees it:
 * who may fetch, what a content is, who to fetch it from.
 */
export class GroupFiles implements DistGroup {
  readonly groupId: string;
  private readonly components: GroupFilesComponents;
  private readonly files = new Map<string, SharedFile>();
  /** Content id → identity ids holding some or all of it. */
  private readonly holdings = new Map<string, Map<string, 'partial' | 'complete'>>();

  constructor(components: GroupFilesComponents) {
    this.components = components;
    this.groupId = components.groupId;
  }

  static tracks(type: string): boolean {
    return type === GroupRecordTypes.file || type === GroupRecordTypes.holding;
  }

  /** Takes in a file or holding record; true if something changed. */
  apply(stored: StoredRecord): boolean {
    const { record } = stored;
    if (record.type === GroupRecordTypes.file) {
      const file = sharedFileOf(stored);
      if (file === undefined) return this.files.delete(record.id);
      this.files.set(file.contentId, file);
      return true;
    }
    const contentId = record.type === GroupRecordTypes.holding ? heldContentOf(record.id) : undefined;
    if (contentId === undefined) return false;
    const holders = this.holdings.get(contentId) ?? new Map<string, 'partial' | 'complete'>();
    this.holdings.set(contentId, holders);
    const data = record.deleted ? undefined : readData(holdingData, record.data);
    if (data === undefined || data.s === 'none') return holders.delete(record.creator);
    holders.set(record.creator, data.s);
    return true;
  }

  /** A shared file by content id. */
  file(contentId: string): SharedFile | undefined {
    return this.files.get(contentId);
  }

  /** A shared file by its record's key, as a chat message names it. */
  fileByKey(key: string): SharedFile | undefined {
    const contentId = key.slice(key.indexOf('/') + 1);
    const file = this.files.get(contentId);
    return file?.key === key ? file : undefined;
  }

  contentInfo(contentId: string): ContentInfo | undefined {
    return this.files.get(contentId)?.info;
  }

  /** Members only, strictly: a file is for the group. */
  async authorize(peer: GraphPeer): Promise<boolean> {
    if (peer.publicKey.length !== 32) return false;
    return this.components.state.isMember(await identityIdOf(new Uint8Array(peer.publicKey)));
  }

  /** Nodes of members that hold the file (complete first) and are members still, online first. */
  holders(contentId: string): readonly string[] {
    const { state, nodeId: self } = this.components;
    const holding = this.holdings.get(contentId) ?? new Map<string, string>();
    const publisher = this.files.get(contentId)?.publisher;
    const rank = (identityId: string): number =>
      holding.get(identityId) === 'complete' || identityId === publisher ? 0 : 1;
    const identities = [...new Set([...(publisher === undefined ? [] : [publisher]), ...holding.keys()])]
      .filter((identityId) => state.isMember(identityId))
      .sort((a, b) => rank(a) - rank(b));
    const online = new Map<string, string[]>();
    for (const node of this.components.nodes()) {
      if (!node.online) continue;
      online.set(node.identityId, [...(online.get(node.identityId) ?? []), node.nodeId]);
    }
    const reachable = identities.flatMap((identityId) => online.get(identityId) ?? []);
    const others = identities.flatMap((identityId) => state.nodeOf(identityId) ?? []);
    return [...new Set([...reachable, ...others])].filter((nodeId) => nodeId !== self);
  }

  async announce(contentId: string, holding: 'partial' | 'complete' | 'none'): Promise<void> {
    const { writer } = this.components;
    if (holding === 'none' && this.holdings.get(contentId)?.has(writer.self) !== true) return;
    await writer.putOwn(GroupRecordTypes.holding, holdingId(contentId), writeData({ s: holding }));
  }

  /**
   * Shares a file: hashes it off the main thread, stores its blocks, publishes its content
   * information and starts serving it. Resolves with the file record's key.
   */
  async share(file: Blob, options: ShareOptions): Promise<string> {
    const { writer, distribution } = this.components;
    writer.requireMember();
    if (distribution === undefined) throw new GroupActionError('File sharing is not running on this node.');
    const { onProgress, signal } = options;
    // Two passes: the content id (and so the blocks' key) is known only once every block is
    // hashed; the second pass stores the blocks and checks the file did not change meanwhile.
    const hashed = await hashFile(file, {
      ...(signal === undefined ? {} : { signal }),
      onProgress: (done, total) => onProgress?.(done / 2, total),
    });
    await hashFile(file, {
      ...(signal === undefined ? {} : { signal }),
      onProgress: (done, total) => onProgress?.(total / 2 + done / 2, total),
      onBlocks: async (blocks) => {
        if (blocks.some((block) => !sameBytes(block.hash, blockHash(hashed.hashes, block.index)))) {
          throw new GroupActionError('The file changed while it was being shared.', {
            hint: 'Share it again.',
          });
        }
        await distribution.storeBlocks(hashed.contentId, blocks);
      },
    });
    const { thumbnail } = options;
    const withThumbnail =
      thumbnail !== undefined && hashed.hashes.length + thumbnail.length < maxFileRecordDataBytes;
    const data = writeData({
      n: options.name,
      m: options.mime,
      s: hashed.size,
      h: hashed.hashes,
      r: hashed.root,
      ...(withThumbnail ? { th: thumbnail } : {}),
    });
    await writer.putOwn(GroupRecordTypes.file, hashed.contentId, data);
    const key = `${writer.self}/${hashed.contentId}`;
    await distribution.adopt(this.groupId, hashed.contentId, key);
    return key;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
