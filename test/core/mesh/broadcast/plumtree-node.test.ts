import { expect } from 'chai';
import type { GossipMessage } from '../../../../src/core/mesh/broadcast/plumtree-messages.ts';
import { createProbe } from './probe.ts';

const graftTimeoutMs = 1_000;
const secondGraftTimeoutMs = 500;
const ihaveFlushMs = 200;
const config = { graftTimeoutMs, secondGraftTimeoutMs, ihaveFlushMs };

function idOf(byte: number): Uint8Array {
  return new Uint8Array(16).fill(byte);
}

function gossip(byte: number, root = 'r', payload = new Uint8Array([byte, 1, 2])): GossipMessage {
  return { type: 'gossip', id: idOf(byte), root, round: 2, payload };
}

/** Lets the promise reactions of `deliver` and `lookup` run. */
async function settle(probe: { clock: { advance(ms: number): Promise<number> } }): Promise<void> {
  await probe.clock.advance(0);
}

describe('Plumtree instance: the tree', () => {
  it('pushes its own payload to every neighbour: new links start eager', () => {
    const probe = createProbe({ config });
    expect(probe.plumtree.broadcast(idOf(1), new Uint8Array([9]))).to.equal(true);
    expect(probe.outbox.map((sent) => sent.to)).to.deep.equal(['a', 'b', 'c']);
    expect(probe.sent('gossip')[0]).to.deep.include({ root: 'x', round: 0 });
    expect(probe.plumtree.broadcast(idOf(1), new Uint8Array([9])), 'again').to.equal(false);
    expect(probe.outbox).to.have.length(3);
  });

  it('forwards a new payload to everyone but its sender, one round further', async () => {
    const probe = createProbe({ config });
    expect(probe.receive('a', gossip(1))).to.equal(undefined);
    await settle(probe);
    expect(probe.delivered.map((call) => call.from)).to.deep.equal(['a']);
    expect(probe.outbox.map((sent) => sent.to)).to.deep.equal(['b', 'c']);
    expect(probe.sent('gossip')[0]).to.deep.include({ root: 'r', round: 3 });
  });

  it("prunes a link that brings a duplicate, in that payload's root's tree only", async () => {
    const probe = createProbe({ config });
    probe.receive('a', gossip(1));
    await settle(probe);
    probe.receive('b', gossip(1));
    await settle(probe);
    expect(probe.delivered, 'delivered once').to.have.length(1);
    expect(probe.sent('prune', 'b')).to.deep.equal([{ type: 'prune', root: 'r' }]);
    expect(probe.plumtree.lazyPeers('r')).to.deep.equal(['b']);
    expect(probe.plumtree.eagerPeers('r')).to.deep.equal(['a', 'c']);
    expect(probe.plumtree.eagerPeers('other-root')).to.deep.equal(['a', 'b', 'c']);
    expect(probe.plumtree.stats()).to.deep.include({ duplicates: 1, prunes: 1, delivered: 1 });
  });

  it('announces to a pruned link in one batched IHAVE, or along with a payload going there', async () => {
    const probe = createProbe({ config });
    probe.plumtree.broadcast(idOf(1), new Uint8Array([1]));
    probe.receive('b', { type: 'prune', root: 'x' });
    probe.plumtree.broadcast(idOf(2), new Uint8Array([2]));
    probe.plumtree.broadcast(idOf(3), new Uint8Array([3]));
    expect(probe.sent('gossip', 'b'), 'only the first is pushed to b').to.have.length(1);
    await probe.clock.advance(2 * ihaveFlushMs);
    // The frame also repeats the id of the payload pushed before the prune.
    expect(probe.sent('ihave', 'b')).to.deep.equal([
      {
        type: 'ihave',
        ids: [
          { id: idOf(2), round: 0 },
          { id: idOf(3), round: 0 },
          { id: idOf(1), round: 0 },
        ],
      },
    ]);

    // b is lazy in x's tree but eager in r's: the next announcement rides on r's payload.
    probe.plumtree.broadcast(idOf(4), new Uint8Array([4]));
    probe.receive('a', gossip(5));
    await settle(probe);
    const toB = probe.sent('gossip', 'b').at(-1);
    expect(toB?.id).to.deep.equal(idOf(5));
    expect(toB?.ihave?.[0]).to.deep.equal({ id: idOf(4), round: 0 });
    await probe.clock.advance(2 * ihaveFlushMs);
    expect(probe.sent('ihave', 'b'), 'no IHAVE frame left to send').to.have.length(1);
    expect(probe.plumtree.stats().lazySent).to.equal(1);
  });

  it('repeats each id sent to a peer on the next two frames that go to it, never in frames of their own', async () => {
    const probe = createProbe({ config });
    for (let byte = 1; byte <= 4; byte++) probe.plumtree.broadcast(idOf(byte), new Uint8Array([byte]));
    const toA = probe.sent('gossip', 'a').map((message) => (message.ihave ?? []).map(({ id }) => id[0]));
    expect(toA).to.deep.equal([[], [1], [1, 2], [2, 3]]);
    await probe.clock.advance(60_000);
    expect(probe.outbox, 'no frame just for repeats').to.have.length(12);
    // Ids 3 and 4 wait, for each of a, b and c, for frames that never come: bounded, not sent.
    expect(probe.plumtree.footprint().repeatedAnnouncements).to.equal(6);
  });

  it('notices a lost payload from the repeat on the next frame, and grafts it', async () => {
    const probe = createProbe({ config });
    // a pushed idOf(1), which was lost; its next frame repeats the id.
    probe.receive('a', { ...gossip(2), ihave: [{ id: idOf(1), round: 2 }] });
    await probe.clock.advance(graftTimeoutMs);
    expect(probe.sent('graft', 'a')).to.deep.equal([{ type: 'graft', ids: [idOf(1)] }]);
  });

  it('does not announce an id to a peer that announced it first', async () => {
    const probe = createProbe({ config });
    probe.plumtree.broadcast(idOf(1), new Uint8Array([1]));
    probe.receive('b', { type: 'prune', root: 'x' });
    probe.plumtree.broadcast(idOf(2), new Uint8Array([2]));
    probe.receive('b', { type: 'ihave', ids: [{ id: idOf(2), round: 4 }] });
    await probe.clock.advance(4 * graftTimeoutMs);
    expect(probe.sent('ihave')).to.deep.equal([]);
    expect(probe.sent('graft')).to.deep.equal([]);
  });
});

describe('Plumtree instance: grafts', () => {
  it('grafts a missing id from the first announcer, then the next, in turn, until it arrives', async () => {
    const probe = createProbe({ config });
    probe.receive('a', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    await probe.clock.advance(10);
    probe.receive('b', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    await probe.clock.advance(3 * secondGraftTimeoutMs + graftTimeoutMs);
    const grafts = probe.outbox.filter((sent) => sent.message.type === 'graft');
    expect(grafts.map((sent) => [sent.to, sent.atMs])).to.deep.equal([
      ['a', 1_000],
      ['b', 1_500],
      ['a', 2_000],
      ['b', 2_500],
    ]);
    expect(grafts[0]?.message).to.deep.equal({ type: 'graft', ids: [idOf(1)] });
    probe.receive('b', gossip(1));
    await probe.clock.advance(10 * graftTimeoutMs);
    expect(probe.sent('graft'), 'no graft once it arrived').to.have.length(4);
    // The answer made the link eager again, at both ends (b did on the GRAFT).
    expect(probe.plumtree.eagerPeers('r')).to.include('b');
    expect(probe.clock.pendingTasks).to.equal(0);
  });

  it('gives an id up after maxGraftAttempts unanswered GRAFTs', async () => {
    const probe = createProbe({ config: { ...config, maxGraftAttempts: 3 } });
    probe.receive('a', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    await probe.clock.advance(60_000);
    expect(probe.sent('graft')).to.have.length(3);
    expect(probe.plumtree.stats().abandoned).to.equal(1);
    expect(probe.plumtree.footprint().missingIds).to.equal(0);
  });

  it('asks the next announcer at once when the neighbour asked goes away', async () => {
    const probe = createProbe({ config });
    probe.receive('a', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    probe.receive('b', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    await probe.clock.advance(graftTimeoutMs + 100);
    probe.plumtree.removeNeighbor('a');
    await probe.clock.advance(0);
    const grafts = probe.outbox.filter((sent) => sent.message.type === 'graft');
    expect(grafts.map((sent) => [sent.to, sent.atMs])).to.deep.equal([
      ['a', 1_000],
      ['b', 1_100],
    ]);
  });

  it('forgets an id whose only announcer went away', async () => {
    const probe = createProbe({ config });
    probe.receive('a', { type: 'ihave', ids: [{ id: idOf(1), round: 1 }] });
    probe.plumtree.removeNeighbor('a');
    await probe.clock.advance(10 * graftTimeoutMs);
    expect(probe.sent('graft')).to.deep.equal([]);
    expect(probe.plumtree.footprint().missingIds).to.equal(0);
  });

  it('asks for ids that expire together in one GRAFT', async () => {
    const probe = createProbe({ config });
    const ids = [1, 2, 3].map((byte) => ({ id: idOf(byte), round: 0 }));
    probe.receive('a', { type: 'ihave', ids });
    await probe.clock.advance(graftTimeoutMs);
    expect(probe.sent('graft')).to.deep.equal([{ type: 'graft', ids: [idOf(1), idOf(2), idOf(3)] }]);
  });

  it('answers a GRAFT from its cache, then from the store once the cache has let go', async () => {
    const stored = new Map([['one', new Uint8Array([7, 7])]]);
    const lookups: Uint8Array[] = [];
    const probe = createProbe({
      config: { ...config, payloadCacheMs: 1_000 },
      lookup: (id) => {
        lookups.push(id);
        return Promise.resolve(id[0] === 1 ? stored.get('one') : undefined);
      },
    });
    probe.plumtree.broadcast(idOf(1), new Uint8Array([7, 7]));
    probe.receive('b', { type: 'prune', root: 'x' });
    probe.outbox.length = 0;
    probe.receive('b', { type: 'graft', ids: [idOf(1), idOf(1)] });
    expect(probe.sent('gossip', 'b'), 'answered once, from the cache').to.have.length(1);
    expect(probe.plumtree.eagerPeers('x'), 'the GRAFT made b eager again').to.include('b');
    expect(lookups).to.deep.equal([]);

    await probe.clock.advance(2_000);
    probe.receive('c', { type: 'graft', ids: [idOf(1), idOf(2)] });
    await settle(probe);
    expect(lookups).to.deep.equal([idOf(1), idOf(2)]);
    expect(probe.sent('gossip', 'c')).to.deep.equal([
      { type: 'gossip', id: idOf(1), root: 'x', round: 0, payload: new Uint8Array([7, 7]) },
    ]);
  });
});

describe('Plumtree instance: rejected payloads', () => {
  const forged = new Uint8Array([0xba, 0xd0]);
  const isForged = (payload: Uint8Array): boolean => payload[0] === 0xba;

  it('does not forward, prune or remember a rejected payload, and delivers an honest copy later', async () => {
    const probe = createProbe({
      config,
      deliver: (_id, payload) => Promise.resolve(isForged(payload) ? 'bad-signature' : 'accepted'),
    });
    expect(probe.receive('a', gossip(1, 'r', forged))).to.equal(undefined);
    await probe.clock.advance(5 * ihaveFlushMs);
    expect(probe.outbox, 'nothing forwarded, announced or pruned').to.deep.equal([]);
    expect(probe.plumtree.eagerPeers('r')).to.deep.equal(['a', 'b', 'c']);
    expect(probe.plumtree.stats()).to.deep.include({ rejected: 1, delivered: 0, duplicates: 0 });

    probe.receive('b', gossip(1));
    await settle(probe);
    expect(probe.delivered.map((call) => [call.from, call.payload[0]])).to.deep.equal([
      ['a', 0xba],
      ['b', 1],
    ]);
    expect(probe.sent('gossip').map((message) => message.payload)).to.deep.equal([
      new Uint8Array([1, 1, 2]),
      new Uint8Array([1, 1, 2]),
    ]);
    expect(probe.outbox.map((sent) => sent.to)).to.deep.equal(['a', 'c']);
  });

  it('grafts an honest copy that came while a forged one was being checked', async () => {
    const probe = createProbe({
      config,
      deliver: async (_id, payload) => {
        await probe.clock.sleep(50);
        return isForged(payload) ? 'bad-signature' : 'accepted';
      },
    });
    probe.receive('a', gossip(1, 'r', forged));
    await probe.clock.advance(10);
    probe.receive('b', gossip(1));
    await probe.clock.advance(40);
    expect(probe.delivered, 'one delivery at a time per id').to.have.length(1);
    expect(probe.outbox).to.deep.equal([]);
    await probe.clock.advance(graftTimeoutMs);
    expect(probe.sent('graft', 'b')).to.deep.equal([{ type: 'graft', ids: [idOf(1)] }]);
    probe.receive('b', gossip(1));
    await probe.clock.advance(100);
    expect(probe.plumtree.stats()).to.deep.include({ rejected: 1, delivered: 1 });
  });

  it('takes a deliver that throws as a rejection', async () => {
    const probe = createProbe({ config, deliver: () => Promise.reject(new Error('store on fire')) });
    expect(probe.receive('a', gossip(1))).to.equal(undefined);
    await settle(probe);
    expect(probe.plumtree.stats().rejected).to.equal(1);
    expect(probe.outbox).to.deep.equal([]);
  });

  it("prunes, without forwarding, a payload deliver already had ('duplicate')", async () => {
    const probe = createProbe({ config, deliver: () => Promise.resolve('duplicate') });
    probe.receive('a', gossip(1));
    await settle(probe);
    expect(probe.outbox).to.deep.equal([{ to: 'a', atMs: 0, message: { type: 'prune', root: 'r' } }]);
    probe.receive('b', gossip(1));
    expect(probe.delivered, 'now known as seen').to.have.length(1);
  });
});
