import { expect } from 'chai';
import { MembershipNode } from '../../../../src/core/mesh/membership/membership-node.ts';
import type { MembershipStatus } from '../../../../src/core/mesh/membership/membership-types.ts';
import { addNode, crash, createOverlay } from './overlay.ts';

describe('MembershipNode', () => {
  it('joins through a contact symmetrically and reports neighbours and status', async () => {
    const seed = 11;
    const overlay = createOverlay(seed);
    const contact = await addNode(overlay, 'contact');
    const joiner = await addNode(overlay, 'joiner');
    const statuses: MembershipStatus[] = [];
    const events: string[] = [];
    joiner.on('status', (status) => statuses.push(status));
    joiner.on('neighbor-up', ({ nodeId }) => events.push(`up ${nodeId}`));
    joiner.on('neighbor-down', ({ nodeId, reason }) => events.push(`down ${nodeId}: ${reason}`));
    expect(joiner.status, `seed ${seed}`).to.equal('isolated');
    const joining = joiner.join('contact');
    await overlay.network.advance(500);
    expect(await joining, `seed ${seed}`).to.equal(true);
    expect(joiner.activeView(), `seed ${seed}`).to.deep.equal(['contact']);
    expect(contact.activeView(), `seed ${seed}`).to.deep.equal(['joiner']);
    expect(statuses, `seed ${seed}`).to.deep.equal(['has-connections']);

    crash(overlay, 'contact');
    await overlay.network.advance(500);
    expect(joiner.activeView(), `seed ${seed}`).to.deep.equal([]);
    expect(joiner.status, `seed ${seed}`).to.equal('isolated');
    expect(statuses, `seed ${seed}`).to.deep.equal(['has-connections', 'isolated']);
    expect(events, `seed ${seed}`).to.deep.equal(['up contact', 'down contact: link closed']);
  });

  it('cannot join through a node that is not online', async () => {
    const seed = 12;
    const overlay = createOverlay(seed);
    const node = await addNode(overlay, 'alone');
    const joining = node.join('nobody');
    await overlay.network.advance(1_000);
    expect(await joining, `seed ${seed}`).to.equal(false);
    expect(node.stats().dialFailures, `seed ${seed}`).to.equal(1);
  });

  it('drops links the authenticate hook refuses, counting them', async () => {
    const seed = 13;
    const overlay = createOverlay(seed);
    const open = await addNode(overlay, 'open');
    const transport = overlay.network.createTransport('picky');
    await transport.start();
    const picky = new MembershipNode({
      transport,
      clock: overlay.network.clock,
      random: overlay.random.fork('picky'),
      authenticate: (link) => Promise.resolve(link.remoteNodeId !== 'open'),
    });
    picky.start();
    const joining = open.join('picky');
    await overlay.network.advance(1_000);
    expect(await joining, `seed ${seed}`).to.equal(true);
    expect(picky.activeView(), `seed ${seed}`).to.deep.equal([]);
    expect(picky.rejections(), `seed ${seed}`).to.deep.equal({ unauthenticated: 1 });
    expect(open.activeView(), `seed ${seed}: the refused link closed`).to.deep.equal([]);
  });

  it('keeps the active view within its size, moving dropped neighbours to the passive view', async () => {
    const seed = 14;
    const overlay = createOverlay(seed);
    const hub = await addNode(overlay, 'hub', { activeViewSize: 2 });
    for (const id of ['a', 'b', 'c', 'd']) {
      const joining = (await addNode(overlay, id, { activeViewSize: 2 })).join('hub');
      await overlay.network.advance(500);
      expect(await joining, `seed ${seed}: ${id}`).to.equal(true);
    }
    await overlay.network.advance(1_000);
    expect(hub.activeView().length, `seed ${seed}`).to.equal(2);
    for (const id of hub.activeView()) {
      expect(overlay.nodes.get(id)?.activeView(), `seed ${seed}: ${id}`).to.include('hub');
    }
    expect(hub.passiveView().length, `seed ${seed}: dropped neighbours kept as candidates`).to.be.at.least(1);
  });

  it('refuses settings that cannot work', async () => {
    const overlay = createOverlay(15);
    const transport = overlay.network.createTransport('x');
    const components = { transport, clock: overlay.network.clock, random: overlay.random };
    expect(() => new MembershipNode(components, { activeViewSize: 0 })).to.throw(RangeError);
    expect(() => new MembershipNode(components, { activeRandomWalkLength: 17 })).to.throw(RangeError);
    expect(
      () => new MembershipNode(components, { shuffleActiveSampleSize: 10, shufflePassiveSampleSize: 10 }),
    ).to.throw(RangeError);
    await Promise.resolve();
  });
});
