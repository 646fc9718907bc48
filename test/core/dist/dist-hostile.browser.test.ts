import { expect } from 'chai';
import { blockBytes, blockCount, isBlock, maxBlocks } from '../../../src/core/dist/content-info.ts';
import { distMessage, distProtocol, maxBitfieldBytes } from '../../../src/core/dist/dist-messages.ts';
import type { DistMessage } from '../../../src/core/dist/dist-messages.ts';
import { maxQueuedRequests } from '../../../src/core/dist/seeder.ts';
import type { GraphMesh } from '../../../src/core/graph/graph-hub.ts';
import { createGroup, inviteTo, joinGroup } from '../../../src/core/groups/group-actions.ts';
import type { Group } from '../../../src/core/groups/group.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { encodeFrame, maxBulkFrameBytes, type FrameKind } from '../../../src/core/wire/frame.ts';
import { parse } from '../../../src/core/wire/schema.ts';
import { createRandom, type Random } from '../../../src/lib/random.ts';
import {
  closeFileGroup,
  describeFiles,
  distNodeOf,
  hex,
  meshWith,
  randomBytes,
  shareBytes,
  streamDigest,
  type DistTestNode,
} from '../../helpers/dist-nodes.ts';
import { joinMesh } from '../../helpers/graph-nodes.ts';
import { describeGroups, signedFrom } from '../../helpers/group-nodes.ts';
import { createMeshNodes, quickMesh, waitFor, type MeshTestNode } from '../../helpers/mesh-nodes.ts';

/** A dist frame a puppet node heard, and from whom. */
type Heard = { readonly from: string; readonly message: DistMessage | undefined };

/**
 * `mesh` as a puppet's distribution sees it: it may publish files (store blocks, write
 * records), but it sends no dist frame and hears none. The test speaks for the node with raw
 * frames on the real mesh, and every dist frame that comes in is kept in `heard`.
 */
function puppetMesh(mesh: MeshTestNode['mesh'], heard: Heard[]): GraphMesh {
  return meshWith(mesh, {
    handle: (protocol, handler) =>
      protocol === distProtocol
        ? mesh.handle(protocol, (from, body) => {
            const parsed = parse(distMessage, body);
            heard.push({ from: from.nodeId, message: parsed.ok ? parsed.value : undefined });
            return undefined;
          })
        : mesh.handle(protocol, handler),
    sendTo: (nodeId, protocol, body, kind) =>
      protocol === distProtocol ? Promise.resolve() : mesh.sendTo(nodeId, protocol, body, kind),
  });
}

type Counts = Readonly<Record<string, number>>;

/** A watch on `counts` from now on: what grew since, and a wait for exactly `added` to grow. */
function watch(counts: () => Counts) {
  const before = counts();
  const grown = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [reason, count] of Object.entries(counts())) {
      if (count !== (before[reason] ?? 0)) out[reason] = count - (before[reason] ?? 0);
    }
    return out;
  };
  const settle = async (added: Counts, what: string): Promise<void> => {
    const reached = (): boolean => Object.entries(added).every(([reason, n]) => (grown()[reason] ?? 0) >= n);
    await waitFor(reached, what, 30_000, () => JSON.stringify(grown()));
    expect(grown(), what).to.deep.equal(added);
  };
  return { grown, settle };
}

/** The distribution refusals of `node` from now on. */
const refusalsOf = (node: DistTestNode) => watch(() => node.distribution.rejections());

/** A seeded CBOR-ish value: scalars, bytes, the protocol's own words and small containers. */
function randomValue(random: Random, depth: number, words: readonly string[]): WireValue {
  const keys = ['g', 'c', 't', 'i', 'b', 'd', 'x'];
  const inner = (): WireValue => randomValue(random, depth + 1, words);
  const someKeys = (): string[] => random.shuffle(keys).slice(random.int(keys.length + 1));
  const makers: (() => WireValue)[] = [
    () => random.pick([null, true, false, 0, -1, maxBlocks - 1, maxBlocks, Number.MAX_SAFE_INTEGER]),
    () => random.int(2 ** 32) - 2 ** 31,
    () => String.fromCharCode(...Array.from({ length: random.int(60) }, () => 32 + random.int(95))),
    () => Uint8Array.from({ length: random.int(300) }, () => random.int(256)),
    () => random.pick(words),
    () => Array.from({ length: random.int(4) }, inner),
    () => Object.fromEntries(someKeys().map((key) => [key, inner()])),
  ];
  // Containers only near the top, so every value stays small.
  return (makers[random.int(depth >= 3 ? 5 : makers.length)] ?? inner)();
}

/** `count` seeded values no dist message schema accepts. */
function garbageValues(seed: number, count: number, words: readonly string[]): WireValue[] {
  const random = createRandom(seed);
  const values: WireValue[] = [];
  while (values.length < count) {
    const value = random.chance(0.8) ? randomValue(random, 2, words) : randomValue(random, 0, words);
    if (!parse(distMessage, value).ok) values.push(value);
  }
  return values;
}

/** Bodies no dist message is: not a map; fields missing, unknown, of the wrong type or range. */
function handmadeGarbage(about: { readonly g: string; readonly c: string }): WireValue[] {
  const { g, c } = about;
  const variants: [WireValue, Record<string, WireValue>[]][] = [
    ['want', [{ x: 1 }, { g: 'Not A Group!' }, { g: '' }, { c: 7 }]],
    ['want', [{ c: c.toUpperCase() }, { c: c.slice(1) }]],
    ['req', [{}, { i: '0' }, { i: -1 }, { i: [0] }]],
    ['have', [{}, { b: 'ffff' }, { b: new Uint8Array(maxBitfieldBytes + 1) }]],
    ['block', [{ i: 0 }, { i: 0, d: new Uint8Array(0) }, { i: 0, d: 'bytes' }]],
    ['seed', [{}]],
    ['WANT', [{}]],
    [7, [{}]],
  ];
  const shapes: WireValue[] = [null, 0, 'want', new Uint8Array([1, 2, 3]), [about], {}, about];
  const missing: WireValue[] = [{ t: 'want' }, { g, t: 'want' }, { c, t: 'want' }];
  const wrong = variants.flatMap(([t, list]) => list.map((fields) => ({ ...about, t, ...fields })));
  return [...shapes, ...missing, ...wrong];
}

/**
 * A seeder (the owner), a downloader, a hostile member and an outsider, in one mesh. Mallory
 * comes first, so the owner's first link is a broker link it dials to her and she holds its raw
 * end (`incoming`), to send what no session would encode. Sessions here tolerate many refusals,
 * so every hostile frame is counted by the distribution instead of closing the link.
 */
async function hostileScene() {
  const tolerant = { ...quickMesh, session: { maxRejectionsBeforeClose: 100_000 } };
  const meshNodes = await createMeshNodes(4, tolerant);
  await joinMesh(meshNodes, 7);
  const [m, o, d, x] = meshNodes;
  if (m === undefined || o === undefined || d === undefined || x === undefined) throw new Error('no nodes');
  const malloryHeard: Heard[] = [];
  const outsiderHeard: Heard[] = [];
  const mallory = distNodeOf(m, 'Mallory', { mesh: puppetMesh(m.mesh, malloryHeard) });
  const owner = distNodeOf(o, 'Olga');
  const downloader = distNodeOf(d, 'Dan');
  const outsider = distNodeOf(x, 'Eve', { mesh: puppetMesh(x.mesh, outsiderHeard) });
  const groups = [await createGroup(owner.components, owner.me, { n: 'Files', d: '', c: '#336699' })];
  const choice = { role: 'member', expiresInMs: 3600_000, maxUses: 0, note: '' } as const;
  const link = await signedFrom(await inviteTo(groups[0] as Group, owner.me, choice));
  for (const node of [mallory, downloader]) groups.push(await joinGroup(node.components, node.me, link));
  // Membership is enough: holders and authorization go by member records, not presence.
  await waitFor(
    () => groups.every((group) => group.state.members().length === 3),
    'every member to know every other',
    60_000,
    () => describeGroups(groups),
  );
  for (const victim of [owner, downloader]) {
    await mallory.mesh.openDirect(victim.nodeId);
    await outsider.mesh.openDirect(victim.nodeId);
  }
  const nodes = [mallory, owner, downloader, outsider];
  return { owner, mallory, downloader, outsider, nodes, groups, malloryHeard, outsiderHeard };
}

/** A file shared in the scene: its bytes and group, with its content id and record key. */
type SharedBytes = Awaited<ReturnType<typeof shareBytes>> & { bytes: Uint8Array<ArrayBuffer>; g: string };

function blockOf(file: SharedBytes, i: number): Uint8Array {
  return file.bytes.slice(i * blockBytes, (i + 1) * blockBytes);
}

/** A swarm message of type `t` about `file`. */
function about(file: SharedBytes, t: DistMessage['t'], rest: Record<string, WireValue> = {}): WireValue {
  return { g: file.g, c: file.contentId, t, ...rest };
}

/** Block `i` of `file`, or `d` said to be it. */
function block(file: SharedBytes, i: number, d = blockOf(file, i)): WireValue {
  return about(file, 'block', { i, d });
}

/** Sends `body` as one dist frame; bulk by default, the larger cap, so the distribution judges it. */
function send(from: DistTestNode, to: DistTestNode, body: WireValue, kind: FrameKind = 'bulk') {
  return from.mesh.sendTo(to.nodeId, distProtocol, body, kind);
}

/** The messages of the given types about `file` that `heard` holds from `from`. */
function heardOf(heard: readonly Heard[], from: DistTestNode, file: SharedBytes, ...t: DistMessage['t'][]) {
  return heard.flatMap(({ from: sender, message }) =>
    sender === from.nodeId && message?.c === file.contentId && t.includes(message.t) ? [message] : [],
  );
}

describe('file distribution under a hostile member and an outsider, over real WebRTC', function () {
  this.timeout(180_000);
  const seed = 20_261_125;
  let scene: Awaited<ReturnType<typeof hostileScene>>;
  /** The owner's file of 16 blocks, the last one short; Mallory's two, which the downloader
   * fetches from her alone while she says nothing. */
  let a: SharedBytes, b: SharedBytes, c: SharedBytes;

  const share = async (from: number, length: number, salt: number): Promise<SharedBytes> => {
    const bytes = randomBytes(length, seed + salt);
    const g = scene.groups[from]?.id ?? '';
    return { bytes, g, ...(await shareBytes(scene.groups, from, bytes, `${salt}.bin`)) };
  };

  before(async () => {
    scene = await hostileScene();
    a = await share(0, 1_000_000, 0);
    b = await share(1, 3 * blockBytes - 100, 1);
    c = await share(1, 2 * blockBytes, 2);
    const { downloader, malloryHeard, groups } = scene;
    for (const file of [b, c])
      await downloader.distribution.download(groups[2]?.id ?? '', file.contentId, file.key);
    await waitFor(
      () => [b, c].every((file) => heardOf(malloryHeard, downloader, file, 'want').length > 0),
      'the downloader to ask Mallory for both her files',
      30_000,
      () => describeFiles(scene.nodes, b.contentId),
    );
  });

  after(() => closeFileGroup(scene.groups, scene.nodes));

  it('counts garbage bodies as bad messages, at a seeder and at a downloader, and keeps serving', async () => {
    const { owner, downloader, mallory, malloryHeard } = scene;
    const { g, contentId } = a;
    const words = ['want', 'have', 'got', 'req', 'cancel', 'block', 'none', 'done', g, contentId];
    const garbage = [...handmadeGarbage({ g, c: contentId }), ...garbageValues(seed, 200, words)];
    for (const victim of [owner, downloader]) {
      const refusals = refusalsOf(victim);
      for (const [i, body] of garbage.entries())
        await send(mallory, victim, body, i % 2 ? 'bulk' : 'control');
      await refusals.settle({ 'dist:bad-message': garbage.length }, `garbage, seed ${seed}`);
      expect(victim.mesh.rejections()['handler-error'], 'a throw in the receive path').to.equal(undefined);
    }
    // The seeder still answers a member's want with everything it holds.
    await send(mallory, owner, about(a, 'want'));
    await waitFor(() => heardOf(malloryHeard, owner, a, 'have').length === 1, 'the owner’s have');
    const [have] = heardOf(malloryHeard, owner, a, 'have');
    expect(have?.t === 'have' ? [...have.b] : []).to.deep.equal([0xff, 0xff]);
    await send(mallory, owner, about(a, 'done'));
  });

  it('refuses swarm messages of an unknown group, and a want or request from an outsider, who gets nothing', async () => {
    const { owner, mallory, outsider, outsiderHeard } = scene;
    const refusals = refusalsOf(owner);
    const elsewhere = { ...a, g: 'no-such-group' };
    for (const body of [about(elsewhere, 'want'), about(elsewhere, 'req', { i: 0 }), block(elsewhere, 0)]) {
      await send(mallory, owner, body);
    }
    await refusals.settle({ 'dist:unknown-group': 3 }, 'an unknown group');

    const wanted = refusalsOf(owner);
    await send(outsider, owner, about(a, 'want'));
    await wanted.settle({ 'dist:not-authorized': 1 }, 'the outsider’s want');
    // Every request is authorized again: a non-member's is refused as such.
    const requested = refusalsOf(owner);
    await send(outsider, owner, about(a, 'req', { i: 0 }));
    await waitFor(() => Object.keys(requested.grown()).length > 0, 'the outsider’s request');
    const reasons = Object.entries(requested.grown()).join();
    expect(reasons).to.equal('dist:not-authorized,1');
    expect(outsiderHeard.filter((heard) => heard.from === owner.nodeId)).to.deep.equal([]);
  });

  it('refuses requests out of range, before a want, or past the queue; serves the rest, each block right', async () => {
    const { owner, mallory, malloryHeard } = scene;
    const blocks = blockCount(a.bytes.length);
    await send(mallory, owner, about(a, 'done'));
    const refusals = refusalsOf(owner);
    for (const i of [0, blocks, maxBlocks - 1, maxBlocks]) await send(mallory, owner, about(a, 'req', { i }));
    await refusals.settle(
      { 'dist:not-wanted': 1, 'dist:out-of-range': 2, 'dist:bad-message': 1 },
      'requests before a want and out of range',
    );

    await send(mallory, owner, about(a, 'want'));
    await waitFor(() => heardOf(malloryHeard, owner, a, 'have').length === 2, 'the owner’s have');
    const mark = malloryHeard.length;
    const answers = (): DistMessage[] => heardOf(malloryHeard.slice(mark), owner, a, 'block', 'none');
    const flood = refusalsOf(owner);
    const refused = (): number => flood.grown()['dist:too-many-requests'] ?? 0;
    const sent = 3 * maxQueuedRequests;
    // A burst: whether the queue fills depends on how fast blocks are read here (the cap itself is
    // checked in seeder.test.ts); every request is answered or refused as past the queue.
    for (let k = 0; k < sent; k += 1) await send(mallory, owner, about(a, 'req', { i: k % blocks }));
    await waitFor(() => answers().length + refused() >= sent, 'every request answered or refused', 60_000);
    expect(answers().length + refused()).to.equal(sent);
    expect(flood.grown()).to.deep.equal({ 'dist:too-many-requests': refused() });
    for (const answer of answers()) {
      expect(answer.t).to.equal('block');
      if (answer.t === 'block') expect(hex(answer.d)).to.equal(hex(blockOf(a, answer.i)));
    }
    await send(mallory, owner, about(a, 'done'));
  });

  it('refuses blocks nobody asked for, to a seeder and to a downloader of that content, and stores none', async () => {
    const { owner, downloader, mallory, outsider, malloryHeard } = scene;
    const atOwner = refusalsOf(owner);
    await send(mallory, owner, block(b, 0));
    await send(mallory, owner, block(a, 0));
    await atOwner.settle({ 'dist:unasked-block': 2 }, 'unasked blocks at the owner');
    expect(await owner.blocks.heldBlocks(b.contentId)).to.deep.equal([]);

    // Mallory is a peer of the download of C, asked for nothing: a right block is still refused.
    const atDownloader = refusalsOf(downloader);
    await send(mallory, downloader, block(c, 0));
    await waitFor(() => heardOf(malloryHeard, downloader, c, 'done').length === 1, 'Mallory to be dropped');
    await send(mallory, downloader, block(c, 1));
    await send(outsider, downloader, block(b, 0));
    await atDownloader.settle({ 'dist:unasked-block': 3 }, 'unasked blocks at the downloader');
    for (const file of [b, c]) {
      expect(await downloader.blocks.heldBlocks(file.contentId)).to.deep.equal([]);
      expect(downloader.distribution.progress(file.contentId)?.doneBytes).to.equal(0);
    }
  });

  it('refuses a block one byte too long, and the session drops frames over their cap', async () => {
    const { owner, downloader, mallory } = scene;
    const long = new Uint8Array(blockBytes + 1).fill(7);
    // Under the 65 KiB bulk cap, so it reaches the distribution's schema.
    const frame = encodeFrame({ protocol: distProtocol, kind: 'bulk', body: block(a, 0, long) });
    expect(frame.length).to.be.at.most(maxBulkFrameBytes);
    for (const victim of [owner, downloader]) {
      const refusals = refusalsOf(victim);
      await send(mallory, victim, block(victim === owner ? a : c, 0, long));
      await refusals.settle({ 'dist:bad-message': 1 }, 'a block over 64 KiB');
    }

    const raw = mallory.incoming.find((link) => link.remoteNodeId === owner.nodeId && link.open);
    if (raw === undefined) throw new Error('Mallory holds no open broker link from the owner');
    const full = encodeFrame({ protocol: distProtocol, kind: 'bulk', body: block(a, 0) });
    const overBulkCap = Uint8Array.from({ length: maxBulkFrameBytes + 1 }, (_, i) => full[i] ?? 0);
    const overControlCap = full.slice();
    overControlCap[1] = 0; // relabelled as a control frame, whose cap is 16 KiB
    const frames = watch(() => owner.mesh.rejections());
    const refusals = refusalsOf(owner);
    await raw.send(overBulkCap);
    await raw.send(overControlCap);
    // Only the frame layer's count: membership may count its own chatter meanwhile.
    await waitFor(() => (frames.grown()['oversize'] ?? 0) >= 2, 'both frames to be dropped as oversize');
    expect(frames.grown()['oversize']).to.equal(2);
    expect(refusals.grown()).to.deep.equal({});
    expect(owner.mesh.neighbors()).to.include(mallory.nodeId);
  });

  it('drops a peer whose bitfield has the wrong length, and hears it no more', async () => {
    const { downloader, mallory, malloryHeard } = scene;
    const refusals = refusalsOf(downloader);
    await send(mallory, downloader, about(b, 'have', { b: new Uint8Array([0xe0, 0x00]) }));
    await waitFor(() => heardOf(malloryHeard, downloader, b, 'done').length === 1, 'Mallory to be dropped');
    // A right bitfield now changes nothing: Mallory is no peer of this download any more.
    await send(mallory, downloader, about(b, 'have', { b: new Uint8Array([0xe0]) }));
    await send(mallory, downloader, block(b, 2));
    await refusals.settle({ 'dist:bad-bitfield': 1, 'dist:unasked-block': 1 }, 'the bad bitfield');
    expect(heardOf(malloryHeard, downloader, b, 'req')).to.deep.equal([]);
    expect(await downloader.blocks.heldBlocks(b.contentId)).to.deep.equal([]);
  });

  it('still completes an honest download; replayed blocks change nothing stored, and every block verifies', async () => {
    const { owner, downloader, mallory, groups } = scene;
    const atOwner = refusalsOf(owner);
    const atDownloader = refusalsOf(downloader);
    await downloader.distribution.download(groups[2]?.id ?? '', a.contentId, a.key);
    await waitFor(
      () => downloader.distribution.progress(a.contentId)?.state === 'complete',
      'the honest download',
      60_000,
      () => describeFiles(scene.nodes, a.contentId),
    );
    expect(atOwner.grown(), 'honest traffic at the owner').to.deep.equal({});
    expect(atDownloader.grown(), 'honest traffic at the downloader').to.deep.equal({});

    // The same right block twice, then block 0's bytes as block 1.
    for (const body of [block(a, 0), block(a, 0), block(a, 1, blockOf(a, 0))])
      await send(mallory, downloader, body);
    await atDownloader.settle({ 'dist:unasked-block': 3 }, 'replayed blocks');

    const info = groups[0]?.files.contentInfo(a.contentId);
    if (info === undefined) throw new Error('no content information');
    const all = Array.from({ length: blockCount(info.size) }, (_, i) => i);
    const expected = hex(await crypto.subtle.digest('SHA-256', a.bytes));
    for (const victim of [owner, downloader]) {
      expect(await victim.blocks.heldBlocks(a.contentId)).to.deep.equal(all);
      for (const i of all) {
        const stored = await victim.blocks.getBlock(a.contentId, i);
        const right = stored !== undefined && (await isBlock(stored, i, info.size, info.hashes));
        expect(right, `block ${i}`).to.equal(true);
      }
      expect(await streamDigest(victim.distribution.read(a.contentId))).to.equal(expected);
      expect(victim.mesh.rejections()['handler-error'], 'a throw in the receive path').to.equal(undefined);
    }
    for (const file of [b, c]) expect(await downloader.blocks.heldBlocks(file.contentId)).to.deep.equal([]);
  });
});
