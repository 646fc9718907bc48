import { expect } from 'chai';
import { fromBase64Url, toBase64Url } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { ContactNotFoundError } from '../../../src/core/collab/contacts.ts';
import {
  InvitationNotFoundError,
  invitationLifetimeMs,
  maxPendingPerSender,
} from '../../../src/core/collab/direct-invitations.ts';
import { CollabNet, type TestNode } from './collab-net.ts';
import { rejectionOf } from '../../helpers/rejections.ts';

const link = 'https://mycel.example/#join=AAAA';

describe('direct invitations', () => {
  let net: CollabNet;
  let ann: TestNode;
  let bob: TestNode;

  beforeEach(async () => {
    net = new CollabNet();
    ann = await net.addNode('Ann');
    bob = await net.addNode('Bob');
    await net.befriend(ann, bob);
  });

  /** An `invite` body as `from` would send it, with its own card unless told otherwise. */
  function inviteBody(from: TestNode, overrides: Record<string, WireValue> = {}): Record<string, WireValue> {
    return {
      t: 'invite',
      i: new Uint8Array(16).fill(7),
      g: 'Book club',
      l: link,
      x: net.clock.nowMs() + invitationLifetimeMs,
      c: from.collab.myCard().bytes,
      ...overrides,
    };
  }

  it('delivers an invitation, and the inviter sees it accepted', async () => {
    const sent = await ann.collab.invitations.invite(bob.identity.identityId, {
      groupName: 'Book club',
      link,
    });
    expect(sent.state).to.equal('pending');
    await net.settle();
    const [incoming] = bob.collab.invitations.incoming();
    expect(incoming).to.include({ id: sent.id, groupName: 'Book club', link, fromContact: true });
    expect(incoming?.from.identityId).to.equal(ann.identity.identityId);
    expect(incoming?.expiresAtMs).to.equal(sent.expiresAtMs);
    expect(sent.expiresAtMs - net.clock.nowMs()).to.equal(invitationLifetimeMs);
    expect(bob.collab.invitations.incomingLink(sent.id)).to.equal(link);
    expect(await bob.collab.invitations.accept(sent.id)).to.equal(link);
    await net.settle();
    expect(bob.collab.invitations.incoming()).to.deep.equal([]);
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('accepted');
  });

  it('tells the inviter when it is declined', async () => {
    const sent = await ann.collab.invitations.invite(bob.identity.identityId, {
      groupName: 'Book club',
      link,
    });
    await net.settle();
    await bob.collab.invitations.decline(sent.id);
    await net.settle();
    expect(bob.collab.invitations.incoming()).to.deep.equal([]);
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('declined');
    // Declined is final: a later "accepted" from the same key changes nothing.
    const late = { t: 'answer', i: fromBase64Url(sent.id), a: 'accepted' };
    expect(await ann.collab.receive(bob.peer, late)).to.equal('not-pending');
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('declined');
  });

  it('expires after five minutes on both sides', async () => {
    const sent = await ann.collab.invitations.invite(bob.identity.identityId, {
      groupName: 'Book club',
      link,
    });
    await net.settle();
    await net.run(invitationLifetimeMs - 1000, 30_000);
    expect(bob.collab.invitations.incoming()).to.have.length(1);
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('pending');
    await net.run(1000);
    expect(bob.collab.invitations.incoming()).to.deep.equal([]);
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('expired');
    expect(await rejectionOf(bob.collab.invitations.accept(sent.id))).to.be.instanceOf(
      InvitationNotFoundError,
    );
    expect(() => bob.collab.invitations.incomingLink(sent.id)).to.throw(InvitationNotFoundError);
  });

  it('marks an invitation from someone not in the contacts', async () => {
    const eve = await net.addNode('Eve');
    await eve.collab.contacts.add(bob.collab.myCard());
    await eve.collab.invitations.invite(bob.identity.identityId, { groupName: 'Free stuff', link });
    await net.settle();
    const [incoming] = bob.collab.invitations.incoming();
    expect(incoming).to.include({ groupName: 'Free stuff', fromContact: false });
    expect(incoming?.from.displayName).to.equal('Eve');
  });

  it('refuses a forged card, or the card of another key', async () => {
    const eve = await net.addNode('Eve');
    const annCard = ann.collab.myCard().bytes;
    expect(await bob.collab.receive(eve.peer, inviteBody(eve, { c: annCard }))).to.equal('card-mismatch');
    const forged = new Uint8Array(eve.collab.myCard().bytes);
    forged[5] = (forged[5] ?? 0) ^ 1;
    expect(await bob.collab.receive(eve.peer, inviteBody(eve, { c: forged }))).to.equal('bad-card');
    expect(await bob.collab.receive(eve.peer, inviteBody(eve, { x: net.clock.nowMs() }))).to.equal('expired');
    expect(
      await bob.collab.receive(eve.peer, inviteBody(eve, { x: net.clock.nowMs() + 3_600_000 })),
    ).to.equal('bad-expiry');
    expect(bob.collab.invitations.incoming()).to.deep.equal([]);
    expect(bob.collab.rejections()).to.include({
      'card-mismatch': 1,
      'bad-card': 1,
      expired: 1,
      'bad-expiry': 1,
    });
  });

  it('takes an answer only from the invitee', async () => {
    const eve = await net.addNode('Eve');
    const sent = await ann.collab.invitations.invite(bob.identity.identityId, {
      groupName: 'Book club',
      link,
    });
    await net.settle();
    const id = net.received(bob, 'invite', ann)[0]?.body as { readonly i: Uint8Array };
    expect(toBase64Url(id.i)).to.equal(sent.id);
    expect(await ann.collab.receive(eve.peer, { t: 'answer', i: id.i, a: 'accepted' })).to.equal(
      'wrong-sender',
    );
    expect(
      await ann.collab.receive(bob.peer, { t: 'answer', i: new Uint8Array(16), a: 'accepted' }),
    ).to.equal('unknown-invitation');
    expect(ann.collab.invitations.outgoing()[0]?.state).to.equal('pending');
  });

  it('caps a flood of invitations from one sender', async () => {
    const eve = await net.addNode('Eve');
    const random = createRandom(7);
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 30; i++) {
      const id = Uint8Array.from({ length: 16 }, () => random.int(256));
      reasons.push(await bob.collab.receive(eve.peer, inviteBody(eve, { i: id, g: `Spam ${i}` })));
    }
    expect(reasons.filter((reason) => reason === undefined)).to.have.length(maxPendingPerSender);
    expect(reasons.filter((reason) => reason === 'too-many-invitations')).to.have.length(
      30 - maxPendingPerSender,
    );
    expect(bob.collab.invitations.incoming()).to.have.length(maxPendingPerSender);
    // Others can still invite.
    await ann.collab.invitations.invite(bob.identity.identityId, { groupName: 'Book club', link });
    await net.settle();
    expect(bob.collab.invitations.incoming()).to.have.length(maxPendingPerSender + 1);
  });

  it('fails with a message when the contact cannot be reached', async () => {
    net.disconnect(bob);
    const sent = await ann.collab.invitations.invite(bob.identity.identityId, {
      groupName: 'Book club',
      link,
    });
    expect(sent.state).to.equal('failed');
    expect(sent.error).to.match(/Bob could not be reached/);
    expect(ann.collab.failures()['send-failed']).to.be.greaterThan(0);
  });

  it('invites only contacts', async () => {
    const eve = await net.addNode('Eve');
    const error = await rejectionOf(
      ann.collab.invitations.invite(eve.identity.identityId, { groupName: 'G', link }),
    );
    expect(error).to.be.instanceOf(ContactNotFoundError);
    expect(ann.collab.invitations.outgoing()).to.deep.equal([]);
  });
});
