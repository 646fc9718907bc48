import { expect } from 'chai';
import { Bitfield } from '../../../src/core/dist/bitfield.ts';
import { blockBytes } from '../../../src/core/dist/content-info.ts';
import type { SwarmBody } from '../../../src/core/dist/download.ts';
import { maxQueuedRequests, Seeder } from '../../../src/core/dist/seeder.ts';
import { equalBytes } from '../../../src/lib/bytes.ts';
import { MemoryBlockStore } from '../../../src/storage/memory/block-store.ts';
import { contentOf, settle, until, type Content } from '../../helpers/dist-content.ts';

const groupId = 'group-1';

interface Sent {
  readonly to: string;
  readonly groupId: string;
  readonly contentId: string;
  readonly body: SwarmBody;
}

/** A seeder of one content in one group, over fake links that log what it sends. */
class Seeding {
  readonly store = new MemoryBlockStore();
  readonly sent: Sent[] = [];
  readonly seeder: Seeder;
  readonly held: Bitfield;
  /** Sends to these peers fail. */
  readonly broken = new Set<string>();

  constructor(content: Content, held: readonly number[]) {
    this.held = new Bitfield(content.blocks.length, held);
    this.seeder = new Seeder({
      store: this.store,
      serves: (group, contentId) =>
        group === groupId && contentId === content.id ? { info: content.info, held: this.held } : undefined,
      send: (to, group, contentId, body) => {
        this.sent.push({ to, groupId: group, contentId, body });
        return this.broken.has(to) ? Promise.reject(new Error('The link closed.')) : Promise.resolve();
      },
    });
  }

  static async create(content: Content, held: readonly number[]): Promise<Seeding> {
    const seeding = new Seeding(content, held);
    const blocks = held.map((index) => ({ index, bytes: content.blocks[index] ?? new Uint8Array(1) }));
    await seeding.store.putBlocks(content.id, blocks);
    return seeding;
  }

  /** What `to` was answered to its requests: `block 3`, `none 2`, in order. */
  answers(to: string): string[] {
    return this.sent.flatMap(({ to: node, body }) =>
      node === to && (body.t === 'block' || body.t === 'none') ? [`${body.t} ${body.i}`] : [],
    );
  }
}

describe('a seeder', () => {
  // Four full blocks and a short one.
  const size = 4 * blockBytes + 1_000;
  let content: Content;

  before(async () => {
    content = await contentOf(size, 4_052_027);
  });

  function ask(seeding: Seeding, nodeId: string, indexes: readonly number[]): (string | undefined)[] {
    return indexes.map((index) => seeding.seeder.request(nodeId, { groupId, contentId: content.id, index }));
  }

  it('answers `want` with the blocks it holds and keeps the peer posted', async () => {
    const seeding = await Seeding.create(content, [0, 1, 3]);
    seeding.seeder.want('x', groupId, content.id);
    expect(seeding.sent).to.have.length(1);
    const [have] = seeding.sent;
    expect([have?.to, have?.groupId, have?.contentId, have?.body.t]).to.deep.equal([
      'x',
      groupId,
      content.id,
      'have',
    ]);
    expect(have?.body.t === 'have' ? [...have.body.b] : []).to.deep.equal([0b1101_0000]);
    seeding.seeder.want('y', groupId, content.id);
    expect(seeding.seeder.listeners(content.id)).to.deep.equal(['x', 'y']);
  });

  it('answers `want` with an empty `have` for content it does not serve', async () => {
    const seeding = await Seeding.create(content, [0]);
    seeding.seeder.want('x', 'group-2', content.id);
    seeding.seeder.want('x', groupId, 'other');
    expect(seeding.sent.map(({ body }) => (body.t === 'have' ? body.b.length : -1))).to.deep.equal([0, 0]);
    expect([seeding.seeder.listeners(content.id), seeding.seeder.listeners('other')]).to.deep.equal([[], []]);
  });

  it('refuses a request from a peer that did not say `want`', async () => {
    const seeding = await Seeding.create(content, [0]);
    expect(ask(seeding, 'x', [0])).to.deep.equal(['not-wanted']);
    await settle();
    expect(seeding.sent).to.deep.equal([]);
  });

  it('serves blocks in the order asked, and `none` for a block it does not hold', async () => {
    const seeding = await Seeding.create(content, [0, 1, 3]);
    seeding.seeder.want('x', groupId, content.id);
    expect(ask(seeding, 'x', [3, 0, 2, 1, 4])).to.deep.equal(Array.from({ length: 5 }, () => undefined));
    await until(() => seeding.answers('x').length === 5, 'five answers');
    expect(seeding.answers('x')).to.deep.equal(['block 3', 'block 0', 'none 2', 'block 1', 'none 4']);
    for (const { body } of seeding.sent) {
      if (body.t !== 'block') continue;
      expect(equalBytes(body.d, content.blocks[body.i] ?? new Uint8Array(0)), `block ${body.i}`).to.equal(
        true,
      );
    }
  });

  it('never serves a block whose stored bytes are damaged', async () => {
    const seeding = await Seeding.create(content, [0, 1, 3]);
    const flipped = (content.blocks[1] ?? new Uint8Array(1)).slice();
    flipped[7] = (flipped[7] ?? 0) ^ 0x10;
    const cut = (content.blocks[3] ?? new Uint8Array(1)).slice(1);
    await seeding.store.putBlocks(content.id, [
      { index: 1, bytes: flipped },
      { index: 3, bytes: cut },
    ]);
    seeding.seeder.want('x', groupId, content.id);
    ask(seeding, 'x', [1, 3, 0]);
    await until(() => seeding.answers('x').length === 3, 'three answers');
    expect(seeding.answers('x')).to.deep.equal(['none 1', 'none 3', 'block 0']);
  });

  it(`queues at most ${maxQueuedRequests} requests of one peer`, async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    seeding.seeder.want('y', groupId, content.id);
    const indexes = Array.from({ length: maxQueuedRequests + 3 }, (_, n) => n % 5);
    const verdicts = ask(seeding, 'x', indexes);
    // The first request is taken out of the queue at once, to be read; 64 more wait.
    const accepted = maxQueuedRequests + 1;
    expect(verdicts.slice(0, accepted)).to.deep.equal(Array.from({ length: accepted }, () => undefined));
    expect(verdicts.slice(accepted)).to.deep.equal(['too-many-requests', 'too-many-requests']);
    expect(ask(seeding, 'y', [0])).to.deep.equal([undefined]);
    await until(() => seeding.answers('x').length === accepted, 'every queued request served');
    expect(seeding.answers('x')).to.deep.equal(indexes.slice(0, accepted).map((index) => `block ${index}`));
    expect(ask(seeding, 'x', [2])).to.deep.equal([undefined]);
  });

  it('drops a cancelled request from the queue', async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    ask(seeding, 'x', [0, 1, 2, 3, 4]);
    seeding.seeder.cancel('x', content.id, 2);
    seeding.seeder.cancel('nobody', content.id, 3);
    await until(() => seeding.answers('x').length === 4, 'four answers');
    await settle();
    expect(seeding.answers('x')).to.deep.equal(['block 0', 'block 1', 'block 3', 'block 4']);
  });

  it('stops serving a peer that is done with the content', async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    seeding.seeder.want('y', groupId, content.id);
    ask(seeding, 'x', [0, 1, 2]);
    ask(seeding, 'y', [3, 4]);
    seeding.seeder.done('x', content.id);
    expect(seeding.seeder.listeners(content.id)).to.deep.equal(['y']);
    expect(ask(seeding, 'x', [1])).to.deep.equal(['not-wanted']);
    await until(() => seeding.answers('y').length === 2, 'y served');
    await settle();
    // Block 0 was being read already when `done` came; the queued ones are dropped.
    expect([seeding.answers('x'), seeding.answers('y')]).to.deep.equal([['block 0'], ['block 3', 'block 4']]);
  });

  it('forgets a peer whose link closed', async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    seeding.seeder.want('y', groupId, content.id);
    ask(seeding, 'x', [0, 1, 2]);
    seeding.seeder.forget('x');
    expect(seeding.seeder.listeners(content.id)).to.deep.equal(['y']);
    expect(ask(seeding, 'x', [1])).to.deep.equal(['not-wanted']);
    await settle();
    expect(seeding.answers('x')).to.deep.equal(['block 0']);
  });

  it('stops serving content it dropped', async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    ask(seeding, 'x', [0, 1, 2]);
    seeding.seeder.drop(content.id);
    expect(seeding.seeder.listeners(content.id)).to.deep.equal([]);
    expect(ask(seeding, 'x', [1])).to.deep.equal(['not-wanted']);
    await settle();
    expect(seeding.answers('x')).to.deep.equal(['block 0']);
  });

  it('drops the queue of a peer it cannot send to, and serves it again later', async () => {
    const seeding = await Seeding.create(content, [0, 1, 2, 3, 4]);
    seeding.seeder.want('x', groupId, content.id);
    seeding.broken.add('x');
    ask(seeding, 'x', [0, 1, 2]);
    await until(() => seeding.answers('x').length === 1, 'a send tried');
    await settle();
    expect(seeding.answers('x')).to.deep.equal(['block 0']);
    seeding.broken.delete('x');
    expect(ask(seeding, 'x', [4])).to.deep.equal([undefined]);
    await until(() => seeding.answers('x').length === 2, 'served again');
    expect(seeding.answers('x')).to.deep.equal(['block 0', 'block 4']);
  });
});
