import { expect } from 'chai';
import { Bitfield } from '../../../src/core/dist/bitfield.ts';
import { blockBytes } from '../../../src/core/dist/content-info.ts';
import { Download, type DownloadConfig, type SwarmBody } from '../../../src/core/dist/download.ts';
import type { BlockStore } from '../../../src/core/ports.ts';
import { equalBytes } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { MemoryBlockStore } from '../../../src/storage/memory/block-store.ts';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';
import { contentOf, settle, turn, until, type Content } from '../../helpers/dist-content.ts';

function sorted(indexes: Iterable<number>): number[] {
  return [...indexes].sort((a, b) => a - b);
}

const empty = new Uint8Array(0);
const testConfig: DownloadConfig = { maxPeers: 2, requestsPerPeer: 2, stallMs: 20_000, lookAgainMs: 5_000 };

interface SwarmOptions {
  readonly holders: readonly string[];
  readonly held?: readonly number[];
  readonly store?: BlockStore;
  readonly config?: Partial<DownloadConfig>;
  readonly seed?: number;
}

/** A download with fake links: what it sends is logged, peers' answers are fed by the test. */
class Swarm {
  readonly clock = new VirtualClock();
  readonly store: BlockStore;
  readonly sent: { readonly to: string; readonly body: SwarmBody }[] = [];
  readonly connected: string[] = [];
  readonly released: string[] = [];
  readonly misbehaved: string[] = [];
  readonly stored: number[] = [];
  readonly full: Error[] = [];
  readonly failed: unknown[] = [];
  readonly download: Download;
  readonly content: Content;
  /** What `holders()` answers: the test may change it. */
  holders: readonly string[];
  changes = 0;
  finishes = 0;
  /** Requests up to here were answered by `serveUntil`. */
  private served = 0;

  constructor(content: Content, options: SwarmOptions) {
    this.content = content;
    this.holders = options.holders;
    this.store = options.store ?? new MemoryBlockStore();
    this.download = new Download(
      {
        contentId: content.id,
        info: content.info,
        held: options.held ?? [],
        store: this.store,
        timers: this.clock,
        random: createRandom(options.seed ?? 1),
        holders: () => this.holders,
        connect: (nodeId) => Promise.resolve(void this.connected.push(nodeId)),
        release: (nodeId) => this.released.push(nodeId),
        send: (to, body) => Promise.resolve(void this.sent.push({ to, body })),
        stored: (indexes) => this.stored.push(...indexes),
        misbehaved: (nodeId, reason) => this.misbehaved.push(`${nodeId} ${reason}`),
        changed: () => (this.changes += 1),
        full: (error) => this.full.push(error),
        finished: () => (this.finishes += 1),
        failed: (error) => this.failed.push(error),
      },
      { ...testConfig, ...options.config },
    );
  }

  /** How many `t` messages went to `to`. */
  count(to: string, t: SwarmBody['t']): number {
    return this.sent.filter((sent) => sent.to === to && sent.body.t === t).length;
  }

  /** The blocks named in `req` (or `cancel`) messages to `to`, in order. */
  indexes(to: string, t: 'req' | 'cancel' = 'req'): number[] {
    return this.sent.flatMap(({ to: node, body }) => (node === to && body.t === t ? [body.i] : []));
  }

  async start(): Promise<void> {
    this.download.start();
    await until(() => this.sent.filter(({ body }) => body.t === 'want').length > 0, 'a want');
  }

  /** `from` holds `indexes` (every block unless told). */
  have(from: string, indexes: Iterable<number> = this.content.blocks.keys()): string | undefined {
    const bits = new Bitfield(this.download.size, indexes).bytes();
    return this.download.receive(from, { t: 'have', b: bits });
  }

  block(from: string, index: number, bytes?: Uint8Array<ArrayBuffer>): string | undefined {
    const d = bytes ?? this.content.blocks[index] ?? new Uint8Array(1);
    return this.download.receive(from, { t: 'block', i: index, d });
  }

  /** The test answered (or ignores) every request sent so far: `serveUntil` skips them. */
  skipRequests(): void {
    this.served = this.sent.length;
  }

  /** Answers every new request to `peers` with the right block until `done` holds. */
  async serveUntil(peers: readonly string[], done: () => boolean): Promise<void> {
    for (let turns = 0; !done(); turns += 1) {
      if (turns > 2_000) throw new Error('The download did not get there');
      for (const { to, body } of this.sent.slice(this.served)) {
        if (body.t !== 'req' || !peers.includes(to)) continue;
        expect(this.block(to, body.i), `block ${body.i} from ${to}`).to.equal(undefined);
      }
      this.served = this.sent.length;
      await turn();
    }
  }
}

describe('a swarm download', () => {
  // Four full blocks and a short one.
  const size = 4 * blockBytes + 1_000;
  const all = [0, 1, 2, 3, 4];
  let content: Content;

  before(async () => {
    content = await contentOf(size, 4_052_026);
  });

  it('asks `maxPeers` holders for `requestsPerPeer` different blocks each', async () => {
    const swarm = new Swarm(content, { holders: ['a', 'b', 'c'] });
    await swarm.start();
    expect(swarm.connected).to.deep.equal(['a', 'b']);
    expect(['a', 'b', 'c'].map((node) => swarm.count(node, 'want'))).to.deep.equal([1, 1, 0]);
    const changes = swarm.changes;
    expect([swarm.have('a'), swarm.have('b')]).to.deep.equal([undefined, undefined]);
    expect(swarm.changes).to.be.above(changes);
    expect([swarm.indexes('a').length, swarm.indexes('b').length]).to.deep.equal([2, 2]);
    expect(new Set([...swarm.indexes('a'), ...swarm.indexes('b')]).size).to.equal(4);
    expect(swarm.download.peerCount).to.equal(2);
    // A lost link is replaced by another holder.
    swarm.holders = ['b', 'c'];
    swarm.download.linkLost('a');
    await until(() => swarm.count('c', 'want') === 1, 'a want to c');
    expect(swarm.released).to.deep.equal(['a']);
  });

  for (const seed of [1, 2, 3]) {
    it(`stores every block once it checks out, and finishes (seed ${seed})`, async () => {
      const swarm = new Swarm(content, { holders: ['a', 'b'], seed });
      await swarm.start();
      swarm.have('a');
      swarm.have('b');
      await swarm.serveUntil(['a', 'b'], () => swarm.finishes > 0);
      expect(await swarm.store.heldBlocks(content.id), `seed ${seed}`).to.deep.equal(all);
      const bytes = await Promise.all(all.map((index) => swarm.store.getBlock(content.id, index)));
      expect(
        bytes.every((block, index) => equalBytes(block ?? empty, content.blocks[index] ?? empty)),
      ).to.equal(true);
      expect(sorted(swarm.stored), `seed ${seed}`).to.deep.equal(all);
      expect(swarm.finishes).to.equal(1);
      expect([swarm.download.complete, swarm.download.active]).to.deep.equal([true, false]);
      expect(swarm.download.doneBytes).to.equal(size);
      expect([swarm.count('a', 'done'), swarm.count('b', 'done')]).to.deep.equal([1, 1]);
      expect(swarm.misbehaved).to.deep.equal([]);
    });
  }

  it('drops a peer whose block fails its hash and asks another for that block', async () => {
    const swarm = new Swarm(content, { holders: ['a', 'b'] });
    await swarm.start();
    swarm.have('a');
    const [first = -1, second = -1] = swarm.indexes('a');
    // `b` has only what `a` was asked for: nothing to ask of it while `a` serves.
    swarm.have('b', [first, second]);
    expect(swarm.indexes('b')).to.deep.equal([]);
    const bad = (content.blocks[first] ?? empty).slice();
    bad[100] = (bad[100] ?? 0) ^ 1;
    expect(swarm.block('a', first, bad)).to.equal(undefined);
    await until(() => swarm.misbehaved.length > 0, 'the bad block found out');
    expect(swarm.misbehaved).to.deep.equal(['a bad-block']);
    expect([swarm.count('a', 'done'), swarm.released]).to.deep.equal([1, ['a']]);
    expect(sorted(swarm.indexes('b'))).to.deep.equal(sorted([first, second]));
    expect(await swarm.store.heldBlocks(content.id)).to.deep.equal([]);
    // It is not asked again during this download.
    await swarm.clock.advance(3 * testConfig.lookAgainMs);
    expect(swarm.count('a', 'want')).to.equal(1);
  });

  it('drops a peer that sends a block it was not asked for', async () => {
    const swarm = new Swarm(content, { holders: ['a'] });
    await swarm.start();
    swarm.have('a');
    const unasked = all.find((index) => !swarm.indexes('a').includes(index)) ?? -1;
    expect(swarm.block('a', unasked)).to.equal('unasked-block');
    expect(swarm.count('a', 'done')).to.equal(1);
    expect(swarm.block('stranger', 0)).to.equal('unasked-block');
    await settle();
    expect(await swarm.store.heldBlocks(content.id)).to.deep.equal([]);
    await swarm.clock.advance(3 * testConfig.lookAgainMs);
    expect(swarm.count('a', 'want')).to.equal(1);
  });

  it('ignores blocks in flight when it stops, and asks the same peer after a restart', async () => {
    const swarm = new Swarm(content, { holders: ['a'] });
    await swarm.start();
    swarm.have('a');
    const [first = -1, second = -1] = swarm.indexes('a');
    swarm.download.stop();
    expect([swarm.download.active, swarm.count('a', 'done')]).to.deep.equal([false, 1]);
    expect(swarm.released).to.deep.equal(['a']);
    expect(swarm.block('a', first)).to.equal(undefined);
    swarm.download.start();
    await until(() => swarm.count('a', 'want') === 2, 'a second want to a');
    // From before the stop, after the restart: still no offence.
    expect(swarm.block('a', second)).to.equal(undefined);
    await settle();
    expect([swarm.stored, swarm.misbehaved]).to.deep.equal([[], []]);
    expect(await swarm.store.heldBlocks(content.id)).to.deep.equal([]);
    swarm.skipRequests();
    swarm.have('a');
    await swarm.serveUntil(['a'], () => swarm.finishes > 0);
    expect(await swarm.store.heldBlocks(content.id)).to.deep.equal(all);
  });

  for (const seed of [1, 2, 3]) {
    it(`asks a second peer for the last blocks, then cancels the slower copy (seed ${seed})`, async () => {
      const swarm = new Swarm(content, { holders: ['a', 'b'], held: [0, 1, 2], seed });
      await swarm.start();
      swarm.have('a');
      expect(sorted(swarm.indexes('a')), `seed ${seed}`).to.deep.equal([3, 4]);
      swarm.have('b');
      expect(sorted(swarm.indexes('b')), `seed ${seed}`).to.deep.equal([3, 4]);
      expect(swarm.block('a', 3)).to.equal(undefined);
      await until(() => swarm.stored.includes(3), 'block 3 stored');
      expect([swarm.indexes('b', 'cancel'), swarm.indexes('a', 'cancel')]).to.deep.equal([[3], []]);
      expect(swarm.block('b', 3)).to.equal(undefined);
      expect(swarm.block('b', 4)).to.equal(undefined);
      await until(() => swarm.finishes > 0, 'the download finished');
      expect(swarm.indexes('a', 'cancel')).to.deep.equal([4]);
      expect(swarm.block('a', 4)).to.equal(undefined);
      await settle();
      expect([swarm.misbehaved, sorted(swarm.stored)]).to.deep.equal([[], [3, 4]]);
      expect(Object.fromEntries(swarm.download.sources)).to.deep.equal({ a: 1, b: 1 });
    });
  }

  it('drops a peer whose bitfield has the wrong length or a bit past the end', async () => {
    const swarm = new Swarm(content, { holders: ['a', 'b'] });
    await swarm.start();
    expect(swarm.download.receive('a', { t: 'have', b: new Uint8Array([0xf8, 0]) })).to.equal('bad-bitfield');
    // Five blocks use bits 0x80 to 0x08 of the one byte; 0x04 would be a sixth.
    expect(swarm.download.receive('b', { t: 'have', b: new Uint8Array([0x84]) })).to.equal('bad-bitfield');
    expect([swarm.count('a', 'done'), swarm.count('b', 'done')]).to.deep.equal([1, 1]);
    expect([swarm.indexes('a'), swarm.indexes('b')]).to.deep.equal([[], []]);
  });

  it('lets a stalled peer go and asks another for its blocks', async () => {
    const swarm = new Swarm(content, { holders: ['a', 'b'] });
    await swarm.start();
    swarm.have('a');
    const asked = sorted(swarm.indexes('a'));
    swarm.have('b', asked);
    await swarm.clock.advance(testConfig.stallMs - testConfig.lookAgainMs);
    expect([swarm.count('a', 'done'), swarm.indexes('b')]).to.deep.equal([0, []]);
    await swarm.clock.advance(2 * testConfig.lookAgainMs);
    expect([swarm.count('a', 'done'), swarm.count('b', 'done')]).to.deep.equal([1, 0]);
    expect(swarm.released).to.include('a');
    expect(sorted(swarm.indexes('b'))).to.deep.equal(asked);
    // `b` was asked just now: it gets `stallMs` to answer, like `a` did.
    await swarm.clock.advance(testConfig.lookAgainMs);
    expect(swarm.count('b', 'done')).to.equal(0);
    // A slow peer is no offender: it may serve again, and its late blocks are no offence.
    expect(swarm.count('a', 'want')).to.equal(2);
    expect(swarm.block('a', asked[0] ?? -1)).to.equal(undefined);
  });

  it('pauses when the store is full, holding only what was stored', async () => {
    const store = new MemoryBlockStore({ capacityBytes: blockBytes });
    const swarm = new Swarm(content, { holders: ['a'], store, config: { requestsPerPeer: 16 } });
    await swarm.start();
    swarm.have('a');
    const [first = -1, second = -1, third = -1] = swarm.indexes('a');
    expect(swarm.indexes('a')).to.have.length(5);
    swarm.block('a', first);
    await until(() => swarm.stored.length === 1, 'the first block stored');
    swarm.block('a', second);
    await until(() => swarm.full.length === 1, 'the store full');
    expect([swarm.full[0]?.name, swarm.failed, swarm.finishes]).to.deep.equal(['StorageFullError', [], 0]);
    expect([swarm.download.active, swarm.count('a', 'done')]).to.deep.equal([false, 1]);
    expect([swarm.download.heldBlocks.count, swarm.download.heldBlocks.has(first)]).to.deep.equal([1, true]);
    expect(swarm.download.doneBytes).to.equal(content.blocks[first]?.length);
    expect(swarm.block('a', third)).to.equal(undefined);
    await settle();
    expect([swarm.stored, await swarm.store.heldBlocks(content.id)]).to.deep.equal([[first], [first]]);
    // The block that did not fit is fetched again on resume; the stored one is not.
    swarm.download.start();
    await until(() => swarm.count('a', 'want') === 2, 'a second want');
    const before = swarm.indexes('a').length;
    swarm.have('a');
    const again = swarm.indexes('a').slice(before);
    expect(again).to.include(second);
    expect(again).to.not.include(first);
  });

  it('pauses and reports a storage failure that is not a full store', async () => {
    const store = new MemoryBlockStore();
    store.putBlocks = () => Promise.reject(new Error('The disk is on fire.'));
    const swarm = new Swarm(content, { holders: ['a'], store });
    await swarm.start();
    swarm.have('a');
    swarm.block('a', swarm.indexes('a')[0] ?? -1);
    await until(() => swarm.failed.length === 1, 'the failure reported');
    expect([swarm.download.active, swarm.download.heldBlocks.count]).to.deep.equal([false, 0]);
    expect(swarm.full).to.deep.equal([]);
  });

  it('does not ask a peer again for a block it cannot serve', async () => {
    const swarm = new Swarm(content, { holders: ['a'] });
    await swarm.start();
    swarm.have('a');
    const [first = -1, second = -1] = swarm.indexes('a');
    swarm.skipRequests();
    expect(swarm.download.receive('a', { t: 'none', i: first })).to.equal(undefined);
    expect(swarm.indexes('a')).to.have.length(3);
    expect(swarm.block('a', second)).to.equal(undefined);
    await swarm.serveUntil(['a'], () => swarm.stored.length === 4);
    expect(swarm.indexes('a').filter((index) => index === first)).to.have.length(1);
    expect(sorted(swarm.stored)).to.deep.equal(all.filter((index) => index !== first));
    expect(swarm.download.active).to.equal(true);
  });

  it('never asks again for a block it is still checking', async () => {
    const swarm = new Swarm(content, { holders: ['a'], config: { requestsPerPeer: 16 } });
    await swarm.start();
    swarm.have('a');
    expect(sorted(swarm.indexes('a'))).to.deep.equal(all);
    // Every block arrives before the first hash check ends.
    for (const index of all) expect(swarm.block('a', index)).to.equal(undefined);
    await until(() => swarm.finishes > 0, 'the download finished');
    expect(sorted(swarm.indexes('a'))).to.deep.equal(all);
  });

  it('resumes without asking for the blocks held before', async () => {
    const swarm = new Swarm(content, { holders: ['a', 'b'], held: [0, 2, 4] });
    expect(swarm.download.doneBytes).to.equal(2 * blockBytes + 1_000);
    await swarm.start();
    swarm.have('a');
    swarm.have('b');
    await swarm.serveUntil(['a', 'b'], () => swarm.finishes > 0);
    const asked = new Set([...swarm.indexes('a'), ...swarm.indexes('b')]);
    expect(sorted(asked)).to.deep.equal([1, 3]);
    expect(sorted(swarm.stored)).to.deep.equal([1, 3]);
    expect(await swarm.store.heldBlocks(content.id)).to.deep.equal([1, 3]);
    expect(swarm.download.complete).to.equal(true);
  });
});
