import { expect } from 'chai';
import { blockLength, isBlock } from '../../../src/core/dist/content-info.ts';
import { distProtocol } from '../../../src/core/dist/dist-messages.ts';
import type { GraphMesh } from '../../../src/core/graph/graph-hub.ts';
import type { BlockStore } from '../../../src/core/ports.ts';
import { Group } from '../../../src/core/groups/group.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { openProfileDatabase } from '../../../src/storage/idb/profile-database.ts';
import {
  closeFileGroup,
  createFileGroup,
  describeFiles,
  distNodeOf,
  meshWith,
  fetchOn,
  hex,
  holdersKnown,
  randomBytes,
  shareBytes,
  streamDigest,
  type DistTestNode,
} from '../../helpers/dist-nodes.ts';
import { restartMeshNode, waitFor, type MeshTestNode } from '../../helpers/mesh-nodes.ts';

/** `mesh` as a liar runs it: every block it serves has one byte flipped. */
function lyingMesh(mesh: MeshTestNode['mesh']): GraphMesh {
  return meshWith(mesh, {
    sendTo: (nodeId, protocol, body, kind) => {
      const message = body as { t?: string; d?: Uint8Array };
      if (protocol === distProtocol && message.t === 'block' && message.d !== undefined) {
        const d = new Uint8Array(message.d);
        d[d.length >> 1] = (d[d.length >> 1] ?? 0) ^ 0xff;
        return mesh.sendTo(nodeId, protocol, { ...(body as Record<string, WireValue>), d }, kind);
      }
      return mesh.sendTo(nodeId, protocol, body, kind);
    },
  });
}

describe('file distribution with liars and reloads, over real WebRTC', function () {
  this.timeout(300_000);
  let nodes: DistTestNode[] = [];
  let groups: Group[] = [];

  afterEach(() => closeFileGroup(groups, nodes));

  it('a seeder serving corrupted blocks is dropped; the file completes from honest seeders with no bad byte stored', async () => {
    ({ nodes, groups } = await createFileGroup(4, (node, i) =>
      i === 1 ? { mesh: lyingMesh(node.mesh) } : {},
    ));
    const bytes = randomBytes(6_000_000, 3);
    const file = await shareBytes(groups, 0, bytes, 'lies.bin');
    const { contentId } = file;
    await fetchOn(nodes, groups, [1, 2], file, 'the liar and an honest member to hold the file');
    await holdersKnown(groups, 3, contentId, 3);
    const downloader = nodes[3] as DistTestNode;
    const liar = nodes[1] as DistTestNode;
    await fetchOn(nodes, groups, [3], file, 'the download');
    const report = describeFiles(nodes, contentId);
    expect(downloader.distribution.rejections()['dist:bad-block'], report).to.be.greaterThan(0);
    expect(downloader.distribution.sources(contentId).get(liar.nodeId) ?? 0, report).to.equal(0);
    const info = groups[3]?.files.contentInfo(contentId);
    if (info === undefined) throw new Error('no content info');
    const held = await downloader.blocks.heldBlocks(contentId);
    for (const index of held) {
      const block = await downloader.blocks.getBlock(contentId, index);
      expect(
        block !== undefined && (await isBlock(block, index, info.size, info.hashes)),
        `block ${index}`,
      ).to.equal(true);
    }
    expect(await streamDigest(downloader.distribution.read(contentId))).to.equal(
      hex(await crypto.subtle.digest('SHA-256', bytes)),
    );
  });

  it('a download cut by a reload resumes and never fetches a stored block again', async () => {
    ({ nodes, groups } = await createFileGroup(2));
    const bytes = randomBytes(20_000_000, 4);
    const { contentId, key } = await shareBytes(groups, 0, bytes, 'resume.bin');
    const before = nodes[1] as DistTestNode;
    const beforeGroup = groups[1] as Group;
    const total = Math.ceil(bytes.length / 65536);
    const cut = new Promise<void>((resolve) => {
      const off = before.distribution.on('progress', ({ progress }) => {
        if ((progress?.doneBytes ?? 0) < bytes.length / 4) return;
        off();
        // What a reload does at once: the page's node, group and links are gone.
        before.distribution.stop();
        beforeGroup.close();
        before.hub.stop();
        before.mesh.stop();
        before.transport.stop();
        resolve();
      });
    });
    await before.distribution.download(beforeGroup.id, contentId, key);
    await cut;
    before.db.close();
    const db = await openProfileDatabase(before.profileName);
    const restarted = distNodeOf(await restartMeshNode({ ...before, db }, 99), 'Node 1');
    nodes[1] = restarted;
    await restarted.mesh.connect([nodes[0]?.nodeId ?? '']);
    const reopened = await Group.open(restarted.components, beforeGroup.id, beforeGroup.key);
    groups[1] = reopened;
    const heldAtStart = restarted.distribution.progress(contentId)?.doneBytes ?? 0;
    expect(heldAtStart).to.be.greaterThan(0);
    expect(heldAtStart).to.be.lessThan(bytes.length);
    await waitFor(
      () => restarted.distribution.progress(contentId)?.state === 'complete',
      'the resumed download',
      120_000,
      () => describeFiles(nodes, contentId),
    );
    const fetched = [...restarted.distribution.sources(contentId).values()].reduce((sum, n) => sum + n, 0);
    expect(fetched + Math.ceil(heldAtStart / 65536)).to.equal(total);
    expect(await streamDigest(restarted.distribution.read(contentId))).to.equal(
      hex(await crypto.subtle.digest('SHA-256', bytes)),
    );
  });

  it('no room to start pauses with a clear message; a full disk mid-way pauses and keeps what was stored', async () => {
    let free = 1_000_000;
    let putsLeft = Infinity;
    ({ nodes, groups } = await createFileGroup(2, (_node, i) => {
      if (i !== 1) return {};
      const quota = { available: () => Promise.resolve(free), persist: () => Promise.resolve(true) };
      return { quota, wrapBlocks: (blocks) => fullAfter(blocks, () => (putsLeft -= 1) < 0) };
    }));
    const bytes = randomBytes(8_000_000, 5);
    const { contentId, key } = await shareBytes(groups, 0, bytes, 'big.bin');
    const downloader = nodes[1] as DistTestNode;
    await downloader.distribution.download(groups[1]?.id ?? '', contentId, key);
    const paused = downloader.distribution.progress(contentId);
    expect(paused?.state).to.equal('paused');
    expect(paused?.pauseReason).to.equal('quota');
    expect(paused?.message).to.equal(
      'Not enough storage space: 8.0 MB needed, 1.0 MB free. Free some space, then resume.',
    );
    expect(await downloader.blocks.heldBlocks(contentId)).to.deep.equal([]);

    free = 100_000_000;
    putsLeft = 3;
    await downloader.distribution.resume(contentId);
    await waitFor(
      () => downloader.distribution.progress(contentId)?.pauseReason === 'full',
      'the disk to fill up',
      60_000,
      () => describeFiles(nodes, contentId),
    );
    const full = downloader.distribution.progress(contentId);
    expect(full?.state).to.equal('paused');
    expect(full?.message).to.match(/ran out of storage space\. What was downloaded is kept/);
    const kept = await downloader.blocks.heldBlocks(contentId);
    expect(kept.length).to.be.greaterThan(0);
    // The last, short block may be among them: rarest first starts anywhere.
    const keptBytes = kept.reduce((sum, index) => sum + blockLength(bytes.length, index), 0);
    expect(full?.doneBytes).to.equal(keptBytes);

    putsLeft = Infinity;
    await downloader.distribution.resume(contentId);
    await waitFor(
      () => downloader.distribution.progress(contentId)?.state === 'complete',
      'the download after room was made',
      60_000,
      () => describeFiles(nodes, contentId),
    );
    expect(await streamDigest(downloader.distribution.read(contentId))).to.equal(
      hex(await crypto.subtle.digest('SHA-256', bytes)),
    );
  });
});

/** A block store whose writes fail as a full disk's do once `isFull` says so. */
function fullAfter(blocks: BlockStore, isFull: () => boolean): BlockStore {
  return {
    putBlocks: (contentId, batch) =>
      isFull()
        ? Promise.reject(Object.assign(new Error('The disk is full.'), { name: 'StorageFullError' }))
        : blocks.putBlocks(contentId, batch),
    getBlock: (contentId, index) => blocks.getBlock(contentId, index),
    heldBlocks: (contentId) => blocks.heldBlocks(contentId),
    deleteContent: (contentId) => blocks.deleteContent(contentId),
    putFile: (file) => blocks.putFile(file),
    getFile: (contentId) => blocks.getFile(contentId),
    files: () => blocks.files(),
  };
}
