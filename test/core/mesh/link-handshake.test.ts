import { expect } from 'chai';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { nodeIdOf } from '../../../src/core/identity/ids.ts';
import { LinkHandshake, type LinkSelf } from '../../../src/core/mesh/link-handshake.ts';
import type { DtlsFingerprints } from '../../../src/core/ports.ts';

async function node(): Promise<LinkSelf> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const nodeSalt = crypto.getRandomValues(new Uint8Array(16));
  return { nodeId: await nodeIdOf(publicKey, nodeSalt), publicKey, nodeSalt, signingKey: privateKey };
}

function fingerprint(seed: number): string {
  return `sha-256 ${Array.from({ length: 32 }, (_, i) => ((seed * 31 + i * 7) & 255).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
}

const certA = fingerprint(1);
const certB = fingerprint(2);
const certMallory = fingerprint(3);
const viewOfA: DtlsFingerprints = { local: certA, remote: certB };
const viewOfB: DtlsFingerprints = { local: certB, remote: certA };

/** Runs both sides against each other; returns each side's verdict on the other's proof. */
async function run(a: LinkHandshake, b: LinkHandshake) {
  const proofFromA = await a.receiveHello(b.hello());
  const proofFromB = await b.receiveHello(a.hello());
  if (!proofFromA.ok || !proofFromB.ok) throw new Error('hello refused');
  return { atA: await a.receiveProof(proofFromB.value), atB: await b.receiveProof(proofFromA.value) };
}

describe('the link handshake', () => {
  it('authenticates both ends of an honest link', async () => {
    const [alice, bob] = [await node(), await node()];
    const { atA, atB } = await run(
      new LinkHandshake(alice, bob.nodeId, viewOfA),
      new LinkHandshake(bob, alice.nodeId, viewOfB),
    );
    expect(atA.ok && atA.value.nodeId).to.equal(bob.nodeId);
    expect(atB.ok && atB.value.nodeId).to.equal(alice.nodeId);
  });

  it('catches a broker that swapped DTLS fingerprints to sit in the middle', async () => {
    const [alice, bob] = [await node(), await node()];
    // Each side really talks to Mallory's certificate, so each sees Mallory's as the remote one.
    const a = new LinkHandshake(alice, bob.nodeId, { local: certA, remote: certMallory });
    const b = new LinkHandshake(bob, alice.nodeId, { local: certB, remote: certMallory });
    const { atA, atB } = await run(a, b);
    expect(atA).to.deep.equal({ ok: false, reason: 'bad-signature' });
    expect(atB).to.deep.equal({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a hello whose key does not derive the claimed node id', async () => {
    const [alice, bob, mallory] = [await node(), await node(), await node()];
    const a = new LinkHandshake(alice, bob.nodeId, viewOfA);
    const forged = { ...new LinkHandshake(mallory, alice.nodeId, viewOfB).hello(), nodeId: bob.nodeId };
    expect(await a.receiveHello(forged)).to.deep.equal({ ok: false, reason: 'node-id-mismatch' });
  });

  it('refuses a hello from a node other than the one dialled, and a link to itself', async () => {
    const [alice, bob, carol] = [await node(), await node(), await node()];
    const a = new LinkHandshake(alice, bob.nodeId, viewOfA);
    expect(await a.receiveHello(new LinkHandshake(carol, alice.nodeId, viewOfB).hello())).to.deep.equal({
      ok: false,
      reason: 'wrong-node',
    });
    const self = new LinkHandshake(alice, alice.nodeId, viewOfA);
    expect(await self.receiveHello(self.hello())).to.deep.equal({ ok: false, reason: 'same-node' });
  });

  it('refuses a proof replayed from another session or reflected back to its maker', async () => {
    const [alice, bob] = [await node(), await node()];
    const earlierA = new LinkHandshake(alice, bob.nodeId, viewOfA);
    const earlierB = new LinkHandshake(bob, alice.nodeId, viewOfB);
    const oldProof = await earlierB.receiveHello(earlierA.hello());
    if (!oldProof.ok) throw new Error('setup');

    const a = new LinkHandshake(alice, bob.nodeId, viewOfA);
    const b = new LinkHandshake(bob, alice.nodeId, viewOfB);
    const proofFromA = await a.receiveHello(b.hello());
    if (!proofFromA.ok) throw new Error('setup');
    expect(await a.receiveProof(oldProof.value)).to.deep.equal({ ok: false, reason: 'bad-signature' });
    expect(await a.receiveProof(proofFromA.value)).to.deep.equal({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a reflected proof between two browsers of the same identity (same key, other node ids)', async () => {
    const home = await node();
    const nodeSalt = crypto.getRandomValues(new Uint8Array(16));
    const work: LinkSelf = { ...home, nodeSalt, nodeId: await nodeIdOf(home.publicKey, nodeSalt) };
    const a = new LinkHandshake(home, work.nodeId, viewOfA);
    const b = new LinkHandshake(work, home.nodeId, viewOfB);
    const proofFromA = await a.receiveHello(b.hello());
    if (!proofFromA.ok) throw new Error('setup');
    expect(await a.receiveProof(proofFromA.value)).to.deep.equal({ ok: false, reason: 'bad-signature' });
    const proofFromB = await b.receiveHello(a.hello());
    if (!proofFromB.ok) throw new Error('setup');
    expect((await a.receiveProof(proofFromB.value)).ok).to.equal(true);
  });

  it('refuses malformed and out-of-order messages without throwing', async () => {
    const [alice, bob] = [await node(), await node()];
    const a = new LinkHandshake(alice, bob.nodeId, viewOfA);
    expect(await a.receiveProof({ signature: new Uint8Array(64) })).to.deep.equal({
      ok: false,
      reason: 'out-of-order',
    });
    const good = new LinkHandshake(bob, alice.nodeId, viewOfB).hello();
    for (const bad of [
      { ...good, publicKey: good.publicKey.slice(1) },
      { ...good, nodeSalt: new Uint8Array(3) },
      { ...good, nonce: new Uint8Array(0) },
    ]) {
      expect(await a.receiveHello(bad)).to.deep.equal({ ok: false, reason: 'malformed-hello' });
    }
    expect((await a.receiveHello(good)).ok).to.equal(true);
    expect(await a.receiveHello(good)).to.deep.equal({ ok: false, reason: 'out-of-order' });
    expect(await a.receiveProof({ signature: new Uint8Array(63) })).to.deep.equal({
      ok: false,
      reason: 'malformed-proof',
    });
    expect(await a.receiveProof({ signature: new Uint8Array(64) })).to.deep.equal({
      ok: false,
      reason: 'bad-signature',
    });
  });
});
