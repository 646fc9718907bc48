import { expect } from 'chai';
import { defaultMembershipConfig } from '../../../../src/core/mesh/membership/config.ts';
import {
  decodeMembershipFrame,
  encodeMembershipFrame,
  isNodeId,
  maxShuffleSampleSize,
  membershipProtocol,
  type MembershipMessage,
} from '../../../../src/core/mesh/membership/messages.ts';
import type { MembershipNode } from '../../../../src/core/mesh/membership/membership-node.ts';
import type { WireValue } from '../../../../src/core/wire/cbor.ts';
import { encodeFrame } from '../../../../src/core/wire/frame.ts';
import type { MemoryLink } from '../../../../src/transport/memory/memory-link.ts';
import type { MemoryTransport } from '../../../../src/transport/memory/memory-transport.ts';
import { addNode, createOverlay, crash, overlayProblems, type Overlay } from './overlay.ts';

const { activeViewSize, passiveViewSize, shuffleIntervalMs } = defaultMembershipConfig;

/** A peer outside the protocol: a bare transport that writes whatever bytes it likes. */
interface Intruder {
  readonly transport: MemoryTransport;
  /** Opens a raw link to `nodeId`; collects the membership messages that come back on it. */
  dial(nodeId: string): Promise<{ link: MemoryLink; replies: MembershipMessage[] }>;
}

async function intruder(overlay: Overlay, nodeId: string): Promise<Intruder> {
  const transport = overlay.network.createTransport(nodeId);
  await transport.start();
  return {
    transport,
    dial: async (target) => {
      const dialling = transport.dial(target);
      await overlay.network.advance(200);
      const link = await dialling;
      const replies: MembershipMessage[] = [];
      link.on('message', (bytes) => {
        const decoded = decodeMembershipFrame(bytes);
        if (decoded.ok) replies.push(decoded.message);
      });
      return { link, replies };
    },
  };
}

const frameOf = (body: WireValue): Uint8Array =>
  encodeFrame({ protocol: membershipProtocol, kind: 'control', body });
const send = (link: MemoryLink, message: MembershipMessage): Promise<void> =>
  link.send(encodeMembershipFrame(message));

/** Problems with one node's views on their own: sizes, duplicates, ill-formed or own ids. */
function viewProblems(node: MembershipNode): string[] {
  const problems: string[] = [];
  const active = node.activeView();
  const passive = node.passiveView();
  if (active.length > activeViewSize) problems.push(`active view of ${active.length}`);
  if (passive.length > passiveViewSize) problems.push(`passive view of ${passive.length}`);
  if (new Set([...active, ...passive]).size !== active.length + passive.length) problems.push('duplicates');
  for (const id of [...active, ...passive]) {
    if (!isNodeId(id) || id === node.nodeId) problems.push(`bad id ${id}`);
  }
  return problems;
}

describe('HyParView membership under a hostile peer', () => {
  it('refuses garbage, unknown types and oversize samples, counting reasons, without changing views', async () => {
    const seed = 7;
    const overlay = createOverlay(seed);
    const honest = await addNode(overlay, 'honest');
    const evil = await intruder(overlay, 'evil');
    const { link } = await evil.dial('honest');
    const hostile: Uint8Array[] = [
      new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      new Uint8Array([]),
      frameOf({ type: 'takeover' }),
      frameOf({
        type: 'shuffle-reply',
        origin: 'n0',
        nonce: 1,
        sample: Array.from({ length: maxShuffleSampleSize + 1 }, (_, i) => `x${i}`),
      }),
      frameOf({ type: 'forward-join', node: 'not an id', ttl: 2 }),
      frameOf({ type: 'neighbor', priority: 3 }),
      encodeMembershipFrame({ type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: ['planted'] }),
      encodeMembershipFrame({ type: 'neighbor-reply', accepted: true }),
      encodeMembershipFrame({ type: 'forward-join', node: 'planted', ttl: 3 }),
      encodeMembershipFrame({ type: 'shuffle', origin: 'evil', ttl: 1, nonce: 7, sample: ['planted'] }),
      encodeMembershipFrame({ type: 'disconnect' }),
    ];
    // The first garbage frame makes the honest node close the link; send the rest on new ones.
    await link.send(hostile[0] ?? new Uint8Array());
    for (const bytes of hostile.slice(1)) {
      const fresh = await evil.dial('honest');
      await fresh.link.send(bytes);
    }
    await overlay.network.advance(1_000);
    expect(honest.rejections(), `seed ${seed}`).to.deep.equal({
      'bad-version': 1,
      truncated: 1,
      'unknown-type': 1,
      'bad-message:too-long': 1,
      'bad-message:no-match': 2,
      'unexpected-reply': 1,
      // FORWARD_JOIN, SHUFFLE, DISCONNECT and SHUFFLE_REPLY are only taken from a neighbour.
      'not-neighbor': 4,
    });
    expect(honest.activeView(), `seed ${seed}`).to.deep.equal([]);
    expect(honest.passiveView(), `seed ${seed}`).to.deep.equal([]);
    expect(honest.status, `seed ${seed}`).to.equal('isolated');
  });

  it('takes a NEIGHBOR flood as one neighbour, whatever the number of requests and links', async () => {
    const seed = 8;
    const overlay = createOverlay(seed);
    const honest = await addNode(overlay, 'honest');
    const evil = await intruder(overlay, 'evil');
    const first = await evil.dial('honest');
    for (let i = 0; i < 50; i++) await send(first.link, { type: 'neighbor', priority: 'high' });
    await overlay.network.advance(500);
    expect(first.replies.length, `seed ${seed}`).to.equal(50);
    expect(
      first.replies.every((reply) => reply.type === 'neighbor-reply' && reply.accepted),
      `seed ${seed}`,
    ).to.equal(true);
    expect(honest.rejections()['redundant-neighbor'], `seed ${seed}`).to.equal(49);
    for (let i = 0; i < 10; i++) {
      const other = await evil.dial('honest');
      await send(other.link, { type: 'neighbor', priority: 'low' });
    }
    await overlay.network.advance(500);
    expect(honest.activeView(), `seed ${seed}`).to.deep.equal(['evil']);
    expect(viewProblems(honest), `seed ${seed}`).to.deep.equal([]);

    // As a neighbour, an oversize or ill-formed shuffle is still refused before it is read.
    const current = await evil.dial('honest');
    await send(current.link, { type: 'neighbor', priority: 'high' });
    await overlay.network.advance(500);
    const many = Array.from({ length: maxShuffleSampleSize + 1 }, (_, i) => `x${i}`);
    await current.link.send(frameOf({ type: 'shuffle', origin: 'evil', ttl: 0, nonce: 1, sample: many }));
    await current.link.send(
      frameOf({ type: 'shuffle', origin: 'evil', ttl: 0, nonce: 1, sample: ['ok', ''] }),
    );
    await overlay.network.advance(500);
    expect(honest.rejections()['bad-message:too-long'], `seed ${seed}`).to.equal(1);
    expect(honest.rejections()['bad-message:too-short'], `seed ${seed}`).to.equal(1);
    expect(honest.passiveView(), `seed ${seed}`).to.deep.equal([]);
  });

  it('keeps an overlay valid while a peer floods it, and heals once the peer leaves', async () => {
    const seed = 9;
    const overlay = createOverlay(seed);
    const script = overlay.random.fork('script');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const node = await addNode(overlay, `n${i}`);
      if (ids.length > 0) void node.join(script.pick(ids));
      ids.push(`n${i}`);
      await overlay.network.advance(300);
    }
    await overlay.network.advance(3 * shuffleIntervalMs);
    const evil = await intruder(overlay, 'evil');
    for (const target of script.shuffle(ids).slice(0, 8)) {
      const { link } = await evil.dial(target);
      await link.send(new Uint8Array(64).fill(0xff));
      const again = await evil.dial(target);
      for (let i = 0; i < 20; i++)
        await send(again.link, { type: 'neighbor', priority: i % 2 === 0 ? 'high' : 'low' });
      await again.link.send(
        frameOf({ type: 'shuffle', origin: 'evil', ttl: 3, nonce: 7, sample: ['a', 'b', 'c', 17] }),
      );
      await send(again.link, { type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: ['planted'] });
    }
    await overlay.network.advance(2 * shuffleIntervalMs);
    let refused = 0;
    for (const [id, node] of overlay.nodes) {
      expect(viewProblems(node), `seed ${seed}: ${id}`).to.deep.equal([]);
      refused += Object.values(node.rejections()).reduce((sum, count) => sum + count, 0);
    }
    expect(refused, `seed ${seed}: refusals counted`).to.be.at.least(8 * 21);
    const planted = [...overlay.nodes.values()].filter((node) => node.passiveView().includes('planted'));
    expect(planted.length, `seed ${seed}: nodes that took an unsolicited sample`).to.equal(0);

    evil.transport.stop();
    crash(overlay, 'evil');
    await overlay.network.advance(2 * shuffleIntervalMs);
    let problems = overlayProblems(overlay, activeViewSize);
    for (let step = 0; step < 100 && problems.length > 0; step++) {
      await overlay.network.advance(100);
      problems = overlayProblems(overlay, activeViewSize);
    }
    expect(problems, `seed ${seed}: after the intruder left`).to.deep.equal([]);
  });

  it('sends a shuffle reply back along its walk, and refuses replies for walks it did not pass on or replayed', async () => {
    const seed = 11;
    const overlay = createOverlay(seed);
    const honest = await addNode(overlay, 'honest');
    const peer = await addNode(overlay, 'peer');
    void peer.join('honest');
    await overlay.network.advance(500);
    const evil = await intruder(overlay, 'evil');
    const { link, replies } = await evil.dial('honest');
    await send(link, { type: 'neighbor', priority: 'high' });
    await overlay.network.advance(500);
    expect(honest.activeView().sort(), `seed ${seed}`).to.deep.equal(['evil', 'peer']);

    // honest passes the walk on to peer, whose view ends it; the reply comes back through honest.
    await send(link, { type: 'shuffle', origin: 'evil', ttl: 3, nonce: 42, sample: ['x1', 'x2'] });
    await overlay.network.advance(500);
    const back = replies.filter((reply) => reply.type === 'shuffle-reply');
    expect(back, `seed ${seed}`).to.have.length(1);
    expect(back[0], `seed ${seed}`).to.include({ origin: 'evil', nonce: 42 });
    expect(peer.passiveView(), `seed ${seed}`).to.include.members(['x1', 'x2']);

    const before = honest.rejections()['unexpected-shuffle-reply'] ?? 0;
    // A reply for a walk honest never passed on, the same reply again, and one to honest
    // itself with a nonce it never drew: none is forwarded or integrated.
    await send(link, { type: 'shuffle-reply', origin: 'peer', nonce: 7, sample: ['planted'] });
    await send(link, { type: 'shuffle-reply', origin: 'evil', nonce: 42, sample: ['planted'] });
    await send(link, { type: 'shuffle-reply', origin: 'honest', nonce: 7, sample: ['planted'] });
    await overlay.network.advance(500);
    expect((honest.rejections()['unexpected-shuffle-reply'] ?? 0) - before, `seed ${seed}`).to.equal(3);
    expect([...honest.passiveView(), ...peer.passiveView()], `seed ${seed}`).not.to.include('planted');
  });
});
