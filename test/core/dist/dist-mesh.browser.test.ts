import { expect } from 'chai';
import type { Group } from '../../../src/core/groups/group.ts';
import {
  closeFileGroup,
  createFileGroup,
  describeFiles,
  fetchOn,
  hex,
  holdersKnown,
  shareBytes,
  randomBytes,
  streamDigest,
  type DistTestNode,
} from '../../helpers/dist-nodes.ts';
import { waitFor } from '../../helpers/mesh-nodes.ts';

describe('file distribution over real WebRTC', function () {
  this.timeout(300_000);
  let nodes: DistTestNode[] = [];
  let groups: Group[] = [];

  afterEach(() => closeFileGroup(groups, nodes));

  it('a 20 MB file published by one member reaches four others, byte for byte', async () => {
    ({ nodes, groups } = await createFileGroup(5));
    const bytes = randomBytes(20_000_000, 1);
    const expected = hex(await crypto.subtle.digest('SHA-256', bytes));
    const { contentId, key } = await shareBytes(groups, 0, bytes, 'video.bin');
    expect(nodes[0]?.distribution.progress(contentId)?.state).to.equal('complete');

    for (const [i, node] of nodes.entries()) {
      if (i > 0) await node.distribution.download(groups[i]?.id ?? '', contentId, key);
    }
    await waitFor(
      () => nodes.every((node) => node.distribution.progress(contentId)?.state === 'complete'),
      'every member to hold the whole file',
      240_000,
      () => describeFiles(nodes, contentId),
    );
    for (const node of nodes) {
      expect(await streamDigest(node.distribution.read(contentId))).to.equal(expected);
      expect(node.distribution.progress(contentId)?.doneBytes).to.equal(bytes.length);
    }
    // Downloaders also served each other: blocks came from more than the publisher alone.
    const fromOthers = nodes
      .slice(1)
      .flatMap((node) => [...node.distribution.sources(contentId)])
      .filter(([source]) => source !== nodes[0]?.nodeId);
    expect(fromOthers.length, describeFiles(nodes, contentId)).to.be.greaterThan(0);
  });

  it('with three seeders, a downloader takes blocks from all three', async () => {
    ({ nodes, groups } = await createFileGroup(4));
    const bytes = randomBytes(8_000_000, 2);
    const file = await shareBytes(groups, 0, bytes, 'three.bin');
    const { contentId } = file;
    await fetchOn(nodes, groups, [1, 2], file, 'two more seeders');
    await holdersKnown(groups, 3, contentId, 3);
    const downloader = nodes[3] as DistTestNode;
    await fetchOn(nodes, groups, [3], file, 'the download');
    const sources = downloader.distribution.sources(contentId);
    for (const seeder of nodes.slice(0, 3)) {
      expect(sources.get(seeder.nodeId) ?? 0, describeFiles(nodes, contentId)).to.be.greaterThan(0);
    }
    expect(await streamDigest(downloader.distribution.read(contentId))).to.equal(
      hex(await crypto.subtle.digest('SHA-256', bytes)),
    );
  });
});
