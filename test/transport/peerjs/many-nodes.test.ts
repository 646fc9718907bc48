import { expect } from 'chai';
import type { Link } from '../../../src/core/ports.ts';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { createTestNodes, destroyTestNodes, type TestNode } from '../../helpers/nodes.ts';
import { nextMessage } from '../../helpers/transports.ts';

/** The link `to` accepted from `from`, once it has arrived. */
async function acceptedFrom(to: TestNode, from: TestNode): Promise<Link> {
  for (;;) {
    const link = to.incoming.find((candidate) => candidate.remoteNodeId === from.nodeId);
    if (link !== undefined) return link;
    await new Promise<void>((resolve) => {
      const off = to.transport.on('link', () => {
        off();
        resolve();
      });
    });
  }
}

describe('many isolated nodes in one page', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await destroyTestNodes(nodes);
    nodes = [];
  });

  it('gives each node its own profile and identity, and every pair links and talks both ways', async () => {
    nodes = await createTestNodes(6);
    expect(new Set(nodes.map((node) => node.profileName)).size).to.equal(6);
    expect(new Set(nodes.map((node) => node.identity.id)).size).to.equal(6);
    for (const node of nodes) expect(await node.identities.list()).to.have.length(1);

    let pairs = 0;
    for (const [i, from] of nodes.entries()) {
      for (const to of nodes.slice(i + 1)) {
        const outgoing = await from.transport.dial(to.nodeId);
        const incoming = await acceptedFrom(to, from);
        const there = nextMessage(incoming);
        await outgoing.send(utf8(`${from.identity.displayName} to ${to.identity.displayName}`));
        expect(fromUtf8(await there)).to.equal(`${from.identity.displayName} to ${to.identity.displayName}`);
        const back = nextMessage(outgoing);
        await incoming.send(utf8('ack'));
        expect(fromUtf8(await back)).to.equal('ack');
        pairs++;
      }
    }
    expect(pairs).to.equal(15);
  });
});
