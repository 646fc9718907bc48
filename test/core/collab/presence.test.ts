import { expect } from 'chai';
import { PresenceTextError } from '../../../src/core/collab/presence-status.ts';
import { CollabNet, type TestNode } from './collab-net.ts';

describe('presence between contacts', () => {
  let net: CollabNet;
  let ann: TestNode;
  let bob: TestNode;

  beforeEach(async () => {
    net = new CollabNet();
    ann = await net.addNode('Ann');
    bob = await net.addNode('Bob');
    await net.befriend(ann, bob);
  });

  it('shows a contact online once it answers the watch, and every change after', async () => {
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('online');
    expect(ann.collab.presence.watcherCount).to.equal(1);
    const seen: string[] = [];
    bob.collab.presence.on('presence', ({ presence }) => seen.push(presence?.status ?? 'gone'));
    await ann.collab.presence.setPresence('busy', '  In a meeting  ');
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)).to.include({
      status: 'busy',
      text: 'In a meeting',
    });
    expect(seen).to.deep.equal(['busy']);
  });

  it('keeps a live lease alive for as long as both run', async () => {
    await ann.collab.presence.setPresence('brb', 'coffee');
    await net.run(10 * 60_000, 5000);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)).to.include({
      status: 'brb',
      text: 'coffee',
    });
    expect(ann.collab.presence.watcherCount).to.equal(1);
  });

  it('shows away while idle, if the chosen status was online', async () => {
    await ann.collab.presence.setIdle(true);
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('away');
    await ann.collab.presence.setIdle(false);
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('online');
  });

  it('refuses a blocked contact once, and it shows the blocker offline', async () => {
    await ann.collab.contacts.setBlocked(bob.identity.identityId, true);
    await net.settle();
    expect(net.received(bob, 'refused', ann)).to.have.length(1);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('offline');
    expect(ann.collab.presence.watcherCount).to.equal(0);
    await ann.collab.presence.setPresence('busy', 'secret');
    await net.run(3 * 60_000, 5000);
    // Bob kept asking at each renewal; Ann counted each and answered none of them.
    expect(net.received(bob, 'refused', ann)).to.have.length(1);
    expect(
      net.received(bob, 'presence', ann).filter(({ body }) => JSON.stringify(body).includes('secret')),
    ).to.have.length(0);
    expect(ann.collab.rejections()['blocked']).to.be.greaterThan(1);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('offline');
    // Unblocked, Bob hears Ann at once: he asked within the last lease.
    await ann.collab.contacts.setBlocked(bob.identity.identityId, false);
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)).to.include({
      status: 'busy',
      text: 'secret',
    });
  });

  it('refuses a watch from someone who is not a contact', async () => {
    const eve = await net.addNode('Eve');
    await eve.collab.contacts.add(ann.collab.myCard());
    await net.settle();
    expect(ann.collab.rejections()['not-a-contact']).to.equal(1);
    expect(net.received(eve, 'refused', ann)).to.have.length(1);
    expect(net.received(eve, 'presence', ann)).to.have.length(0);
    expect(eve.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('offline');
  });

  it('shows offline when the lease lapses, and online again once the contact is back', async () => {
    net.disconnect(ann);
    await net.run(60_000);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('online');
    await net.run(40_000);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('offline');
    net.reconnect(ann);
    await net.run(61_000, 5000);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('online');
  });

  it('tells watchers offline at once when stopping', async () => {
    await ann.collab.stop();
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.status).to.equal('offline');
    expect(net.received(bob, 'unwatch', ann)).to.have.length(1);
  });

  it('ignores presence from a key that is not the contact’s, and counts it', async () => {
    const eve = await net.addNode('Eve');
    const before = bob.collab.presence.presenceOf(ann.identity.identityId);
    const reason = await bob.collab.receive(eve.peer, {
      t: 'presence',
      s: 'busy',
      x: 'I am Ann',
      a: net.clock.nowMs(),
    });
    expect(reason).to.equal('wrong-sender');
    // Even sent from Ann's node id, Eve's key is not Ann's.
    const spoofed = { nodeId: ann.nodeId, publicKey: eve.identity.publicKey };
    expect(
      await bob.collab.receive(spoofed, { t: 'presence', s: 'busy', x: '', a: net.clock.nowMs() }),
    ).to.equal('wrong-sender');
    expect(await bob.collab.receive(eve.peer, { t: 'refused' })).to.equal('wrong-sender');
    expect(bob.collab.rejections()['wrong-sender']).to.equal(3);
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)).to.deep.equal(before);
    expect(bob.collab.presence.presenceOf(eve.identity.identityId)).to.equal(undefined);
  });

  it('refuses a presence older than the one shown', async () => {
    await ann.collab.presence.setPresence('busy', 'now');
    await net.settle();
    const old = { t: 'presence', s: 'online', x: 'then', a: net.clock.nowMs() - 1000 };
    expect(await bob.collab.receive(ann.peer, old)).to.equal('stale');
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.text).to.equal('now');
  });

  it('rate-limits watch messages per sending node', async () => {
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 10; i++) reasons.push(await ann.collab.receive(bob.peer, { t: 'watch' }));
    expect(reasons.filter((reason) => reason === 'rate-limited').length).to.be.greaterThan(0);
    expect(reasons.slice(0, 4)).to.deep.equal([undefined, undefined, undefined, undefined]);
    expect(ann.collab.rejections()['rate-limited']).to.equal(
      reasons.filter((r) => r === 'rate-limited').length,
    );
  });

  it('stops watching a contact that is unwatched or deleted', async () => {
    await bob.collab.contacts.setWatched(ann.identity.identityId, false);
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)).to.equal(undefined);
    expect(ann.collab.presence.watcherCount).to.equal(0);
    await bob.collab.contacts.setWatched(ann.identity.identityId, true);
    await net.settle();
    expect(ann.collab.presence.watcherCount).to.equal(1);
    await bob.collab.contacts.remove(ann.identity.identityId);
    await net.settle();
    expect(ann.collab.presence.watcherCount).to.equal(0);
  });

  it('refuses a status text over 255 characters with a clear error', async () => {
    let error: unknown;
    try {
      await ann.collab.presence.setPresence('busy', 'x'.repeat(256));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(PresenceTextError);
    expect((error as PresenceTextError).message).to.match(/too long: 256 characters, at most 255/);
    expect(ann.collab.presence.current().status).to.equal('online');
    await ann.collab.presence.setPresence('busy', '😀'.repeat(255));
    await net.settle();
    expect(bob.collab.presence.presenceOf(ann.identity.identityId)?.text).to.equal('😀'.repeat(255));
    let lineBreak: unknown;
    try {
      await ann.collab.presence.setPresence('busy', 'one\ntwo');
    } catch (caught) {
      lineBreak = caught;
    }
    expect(lineBreak).to.be.instanceOf(PresenceTextError);
  });
});
