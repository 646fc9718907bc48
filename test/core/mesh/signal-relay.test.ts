import { expect } from 'chai';
import { LinkSession } from '../../../src/core/mesh/link-session.ts';
import { relayProtocol } from '../../../src/core/mesh/relay-messages.ts';
import { SignalRelay } from '../../../src/core/mesh/signal-relay.ts';
import type { SignalMessage } from '../../../src/core/ports.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { createRandom } from '../../../src/lib/random.ts';
import type { MemoryNetwork } from '../../../src/transport/memory/memory-network.ts';
import { linkPair, onlineNodes, seededNetwork } from '../../helpers/simulation.ts';

interface RelayNode {
  readonly relay: SignalRelay;
  readonly received: { from: string; message: SignalMessage }[];
  /** The session to each neighbour, by id. */
  readonly sessions: Map<string, LinkSession>;
}

const offer = (call: string): SignalMessage => ({ type: 'offer', call, sdp: 'v=0' });

/**
 * Relays on memory links in the shape of `edges`, each link in a started session (the
 * handshake is skipped: these sessions trust the transport's node ids).
 */
async function relayMesh(
  seed: number,
  ids: readonly string[],
  edges: readonly (readonly [string, string])[],
): Promise<{ network: MemoryNetwork; nodes: Map<string, RelayNode> }> {
  const network = seededNetwork(seed, { latencyMs: { minMs: 5, maxMs: 5 } });
  const transports = await onlineNodes(network, ids);
  const nodes = new Map<string, RelayNode>();
  for (const [i, transport] of transports.entries()) {
    const relay = new SignalRelay({
      nodeId: transport.nodeId,
      timers: network.clock,
      random: createRandom(seed + i),
    });
    const received: RelayNode['received'] = [];
    relay.on('signal', (signal) => received.push(signal));
    nodes.set(transport.nodeId, { relay, received, sessions: new Map() });
  }
  // Every link first: started sessions keep the clock busy with keepalives, so it never idles.
  const pairs = [];
  for (const [from, to] of edges) {
    const a = transports.find((t) => t.nodeId === from);
    const b = transports.find((t) => t.nodeId === to);
    if (a === undefined || b === undefined) throw new Error('unknown node');
    pairs.push(await linkPair(network, a, b));
  }
  for (const link of pairs.flat()) {
    const peer = { nodeId: link.remoteNodeId, publicKey: new Uint8Array(32), nodeSalt: new Uint8Array(16) };
    const session = new LinkSession({ link, peer, pending: [] }, { timers: network.clock });
    const node = nodes.get(link.localNodeId);
    node?.relay.attach(session);
    node?.sessions.set(link.remoteNodeId, session);
    session.start();
  }
  return { network, nodes };
}

function nodeOf(nodes: Map<string, RelayNode>, id: string): RelayNode {
  const node = nodes.get(id);
  if (node === undefined) throw new Error(`no node ${id}`);
  return node;
}

describe('the signal relay', () => {
  // a - b - c - d, and e hanging off b.
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const edges = [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['b', 'e'],
  ] as const;

  it('floods a first signal to a far node, and sends the answer back along one path', async () => {
    const { network, nodes } = await relayMesh(1, ids, edges);
    const [a, d, e] = [nodeOf(nodes, 'a'), nodeOf(nodes, 'd'), nodeOf(nodes, 'e')];
    expect(a.relay.send('d', offer('call1'))).to.equal(true);
    await network.advance(200);
    expect(d.received).to.deep.equal([{ from: 'a', message: offer('call1') }]);
    expect(e.received).to.deep.equal([]);
    expect(nodeOf(nodes, 'b').relay.stats().flooded).to.equal(1);

    const floodsBefore = [...nodes.values()].map((node) => node.relay.stats().flooded);
    expect(d.relay.send('a', { type: 'answer', call: 'call1', sdp: 'v=0' })).to.equal(true);
    await network.advance(200);
    expect(a.received).to.deep.equal([{ from: 'd', message: { type: 'answer', call: 'call1', sdp: 'v=0' } }]);
    expect([...nodes.values()].map((node) => node.relay.stats().flooded)).to.deep.equal(floodsBefore);
    expect(nodeOf(nodes, 'e').relay.stats().delivered + nodeOf(nodes, 'e').relay.stats().duplicates).to.equal(
      0,
    );
  });

  it('stops a signal whose hops run out, and says false when there is nobody to send to', async () => {
    const network = seededNetwork(2);
    const [lonely] = await onlineNodes(network, ['lonely']);
    const relay = new SignalRelay({ nodeId: lonely.nodeId, timers: network.clock, random: createRandom(2) });
    expect(relay.send('anyone', offer('x'))).to.equal(false);
    expect(relay.send('lonely', offer('x'))).to.equal(false);

    const short = await relayMesh(3, ids, edges);
    const shortA = new SignalRelay({
      nodeId: 'a',
      timers: short.network.clock,
      random: createRandom(3),
      hops: 1,
    });
    const session = nodeOf(short.nodes, 'a').sessions.get('b');
    if (session === undefined) throw new Error('no session');
    // A second relay on the same node's session would clash on the protocol; send by hand instead.
    expect(shortA.send('d', offer('y'))).to.equal(false);
    await session.send(relayProtocol, {
      id: new Uint8Array(12).fill(9),
      from: 'a',
      to: 'd',
      hops: 1,
      signal: { type: 'offer', call: 'y', sdp: 'v=0' },
    });
    await short.network.advance(200);
    expect(nodeOf(short.nodes, 'd').received).to.deep.equal([]);
    expect(nodeOf(short.nodes, 'c').relay.stats().expired).to.equal(1);
  });

  it('refuses garbage, forged origins and oversize signals with a counted reason, and drops replays', async () => {
    const { network, nodes } = await relayMesh(4, ids, edges);
    const a = nodeOf(nodes, 'a');
    const b = nodeOf(nodes, 'b');
    const toB = a.sessions.get('b');
    if (toB === undefined) throw new Error('no session');
    const envelope = (id: number, change: Record<string, WireValue>): WireValue => ({
      id: new Uint8Array(12).fill(id),
      from: 'a',
      to: 'b',
      hops: 3,
      signal: { type: 'offer', call: 'c1', sdp: 'v=0' },
      ...change,
    });
    const hostile: WireValue[] = [
      'just text',
      envelope(1, { from: 'b' }),
      envelope(2, { to: 'not a node id!' }),
      envelope(3, { hops: 99 }),
      envelope(4, { signal: { type: 'offer', call: 'c1', sdp: 'x'.repeat(9000) } }),
      envelope(5, { signal: { type: 'hangup', call: 'c1' } }),
      envelope(6, { signal: { type: 'candidate', call: 'c1', candidate: 'c', extra: 1 } }),
      envelope(7, { from: 'b', to: 'b' }),
    ];
    for (const body of hostile) await toB.send(relayProtocol, body);
    await toB.send(relayProtocol, envelope(8, {}));
    await toB.send(relayProtocol, envelope(8, {}));
    await network.advance(200);

    expect(b.relay.rejections()).to.deep.equal({
      'bad-relay:wrong-type': 1,
      'relay-spoofed-origin': 2,
      'bad-relay:no-match': 2,
      'bad-relay:unknown-key': 1,
      'bad-relay:out-of-range': 1,
      'bad-relay:too-long': 1,
    });
    expect(b.received).to.deep.equal([{ from: 'a', message: offer('c1') }]);
    expect(b.relay.stats().duplicates).to.equal(1);
    expect(b.sessions.get('a')?.rejections()['relay-spoofed-origin']).to.equal(2);
  });

  it("passes on a neighbour's floods up to a budget, without holding it against the link", async () => {
    const { network, nodes } = await relayMesh(5, ids, edges);
    const toB = nodeOf(nodes, 'a').sessions.get('b');
    if (toB === undefined) throw new Error('no session');
    for (let i = 0; i < 300; i++) {
      const id = new Uint8Array(12);
      id[0] = i % 256;
      id[1] = i >> 8;
      await toB.send(relayProtocol, {
        id,
        from: 'a',
        to: 'nobody',
        hops: 3,
        signal: offer(`c${i}`) as WireValue,
      });
    }
    await network.advance(200);
    const { overBudget, flooded } = nodeOf(nodes, 'b').relay.stats();
    expect(overBudget).to.be.greaterThan(0);
    expect(flooded).to.equal(300 - overBudget);
    expect(nodeOf(nodes, 'b').sessions.get('a')?.open).to.equal(true);
  });
});
