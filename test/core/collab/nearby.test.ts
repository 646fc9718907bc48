import { expect } from 'chai';
import { toBase64Url } from '../../../src/lib/bytes.ts';
import { encodeCbor } from '../../../src/core/wire/cbor.ts';
import type { VerifiedCard } from '../../../src/core/collab/contact-card.ts';
import {
  nearbyName,
  nearbyPollIntervalMs,
  NearbyPersonNotFoundError,
} from '../../../src/core/collab/nearby.ts';
import { CollabNet, newIdentity, type TestNode } from './collab-net.ts';

function namesOf(node: TestNode): string[] {
  return node.collab.nearby.people().map((person) => person.card.displayName);
}

describe('people nearby', () => {
  let net: CollabNet;
  let ann: TestNode;
  let bob: TestNode;

  beforeEach(async () => {
    net = new CollabNet();
    ann = await net.addNode('Ann');
    bob = await net.addNode('Bob');
  });

  it('is off by default: nothing registered, nobody listed', async () => {
    await net.run(3 * nearbyPollIntervalMs);
    expect(ann.collab.nearby.signedIn).to.equal(false);
    expect(ann.collab.nearby.people()).to.deep.equal([]);
    expect(net.names.table.get(nearbyName)?.size ?? 0).to.equal(0);
  });

  it('lists everyone signed in but oneself, and who is a contact', async () => {
    await ann.collab.nearby.signIn();
    expect(namesOf(ann)).to.deep.equal([]);
    await bob.collab.nearby.signIn();
    expect(namesOf(bob)).to.deep.equal(['Ann']);
    await net.run(nearbyPollIntervalMs);
    expect(namesOf(ann)).to.deep.equal(['Bob']);
    expect(ann.collab.nearby.people()[0]).to.include({
      identityId: bob.identity.identityId,
      isContact: false,
    });
    expect(ann.collab.nearby.people()[0]?.endpoints).to.deep.equal([bob.nodeId]);
    await ann.collab.contacts.add(bob.collab.myCard());
    expect(ann.collab.nearby.people()[0]?.isContact).to.equal(true);
  });

  it('drops someone at once when they sign out, and they stay gone', async () => {
    await ann.collab.nearby.signIn();
    await bob.collab.nearby.signIn();
    await net.run(nearbyPollIntervalMs);
    await bob.collab.nearby.signOut();
    await net.settle();
    // No poll ran since: the goodbye did it.
    expect(namesOf(ann)).to.deep.equal([]);
    expect(bob.collab.nearby.signedIn).to.equal(false);
    expect(bob.collab.nearby.people()).to.deep.equal([]);
    await net.run(3 * nearbyPollIntervalMs);
    expect(namesOf(ann)).to.deep.equal([]);
    expect(net.names.table.get(nearbyName)?.size).to.equal(1);
  });

  it('drops someone whose registration is gone at the next poll', async () => {
    await ann.collab.nearby.signIn();
    await bob.collab.nearby.signIn();
    await net.run(nearbyPollIntervalMs);
    expect(namesOf(ann)).to.deep.equal(['Bob']);
    net.names.table.get(nearbyName)?.delete(toBase64Url(bob.identity.publicKey));
    await net.run(nearbyPollIntervalMs);
    expect(namesOf(ann)).to.deep.equal([]);
  });

  it('sends a card to someone listed', async () => {
    await ann.collab.nearby.signIn();
    await bob.collab.nearby.signIn();
    const received: VerifiedCard[] = [];
    bob.collab.on('card-received', (card) => received.push(card));
    await net.run(nearbyPollIntervalMs);
    await ann.collab.nearby.sendCard(bob.identity.identityId);
    await net.settle();
    expect(received.map((card) => card.identityId)).to.deep.equal([ann.identity.identityId]);
    expect(bob.collab.nearby.receivedCards().map((card) => card.displayName)).to.deep.equal(['Ann']);
    bob.collab.nearby.dismissCard(ann.identity.identityId);
    expect(bob.collab.nearby.receivedCards()).to.deep.equal([]);
    let error: unknown;
    try {
      await ann.collab.nearby.sendCard(ann.identity.identityId);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(NearbyPersonNotFoundError);
  });

  it('refuses a card of another key, and cards while signed out', async () => {
    const eve = await net.addNode('Eve');
    await bob.collab.nearby.signIn();
    const annCard = ann.collab.myCard().bytes;
    expect(await bob.collab.receive(eve.peer, { t: 'card', c: annCard })).to.equal('card-mismatch');
    expect(await bob.collab.receive(eve.peer, { t: 'card', c: new Uint8Array(40) })).to.equal('bad-card');
    expect(await bob.collab.receive(ann.peer, { t: 'nearby-bye' })).to.equal('not-nearby');
    await bob.collab.nearby.signOut();
    expect(await bob.collab.receive(ann.peer, { t: 'card', c: annCard })).to.equal('not-signed-in');
    expect(bob.collab.nearby.receivedCards()).to.deep.equal([]);
  });

  it('rate-limits cards from one node', async () => {
    await bob.collab.nearby.signIn();
    const card = ann.collab.myCard().bytes;
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) reasons.push(await bob.collab.receive(ann.peer, { t: 'card', c: card }));
    expect(reasons.slice(0, 3)).to.deep.equal([undefined, undefined, undefined]);
    expect(reasons.slice(3).every((reason) => reason === 'rate-limited')).to.equal(true);
  });

  it('ignores hostile name records and counts them', async () => {
    const dan = await newIdentity('Dan');
    await bob.collab.nearby.signIn();
    const annCard = ann.collab.myCard().bytes;
    const oversize = new Uint8Array(5000).fill(0x41);
    const flipped = new Uint8Array(annCard);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    const hostile = [
      { publicKey: dan.publicKey, endpoints: [dan.nodeId], payload: annCard },
      { publicKey: new Uint8Array(32).fill(9), endpoints: ['x'], payload: new Uint8Array([1, 2, 3]) },
      { publicKey: ann.identity.publicKey, endpoints: [ann.nodeId], payload: flipped },
      { publicKey: dan.publicKey, endpoints: [], payload: oversize },
      { publicKey: dan.publicKey, endpoints: [], payload: encodeCbor({ n: 'Dan' }) },
    ];
    hostile.forEach((record, index) => net.names.put(nearbyName, `hostile-${index}`, record));
    await net.run(nearbyPollIntervalMs);
    expect(namesOf(bob)).to.deep.equal([]);
    expect(bob.collab.rejections()['nearby-card-mismatch']).to.be.greaterThan(0);
    expect(bob.collab.rejections()['nearby-bad-card']).to.be.greaterThan(0);
    // A real registration among them still shows.
    await ann.collab.nearby.signIn();
    await net.run(nearbyPollIntervalMs);
    expect(namesOf(bob)).to.deep.equal(['Ann']);
  });
});
