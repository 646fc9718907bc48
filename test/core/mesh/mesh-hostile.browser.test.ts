import { expect } from 'chai';
import { authenticateLink, linkProtocol } from '../../../src/core/mesh/authenticate-link.ts';
import { LinkHandshake } from '../../../src/core/mesh/link-handshake.ts';
import type { Link } from '../../../src/core/ports.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { encodeFrame } from '../../../src/core/wire/frame.ts';
import { linkSelfOf, rawLink } from '../../helpers/links.ts';
import { createMeshNodes, destroyMeshNodes, waitFor, type MeshTestNode } from '../../helpers/mesh-nodes.ts';
import { createTestNodes, destroyTestNodes, type TestNode } from '../../helpers/nodes.ts';

const frame = (protocol: string, body: WireValue): Uint8Array =>
  encodeFrame({ protocol, kind: 'control', body });

/** Resolves once `link` has closed. */
function closed(link: Link): Promise<void> {
  return new Promise((resolve) => {
    if (!link.open) resolve();
    else link.on('close', () => resolve());
  });
}

describe('a mesh node under a hostile peer, over real WebRTC', function () {
  this.timeout(120_000);
  let nodes: MeshTestNode[] = [];
  let raw: TestNode[] = [];

  afterEach(async () => {
    await destroyMeshNodes(nodes);
    await destroyTestNodes(raw);
    nodes = [];
    raw = [];
  });

  it('refuses skipped and forged handshakes, oversize, garbage, unknown and flooding frames, counts each, and keeps serving honest peers', async () => {
    nodes = await createMeshNodes(3);
    raw = await createTestNodes(1);
    const [alice, bob, carol] = nodes;
    const [mallory] = raw;
    if (alice === undefined || bob === undefined || carol === undefined || mallory === undefined) {
      throw new Error('four nodes');
    }
    expect(await bob.mesh.connect([alice.nodeId])).to.equal(true);
    const count = (reason: string): number => alice.mesh.rejections()[reason] ?? 0;

    // No handshake at all: garbage, then another protocol's frame.
    const [garbage] = await rawLink(mallory, alice);
    await garbage.send(Uint8Array.of(0xff, 0, 1, 2, 3));
    await closed(garbage);
    const [skipper] = await rawLink(mallory, alice);
    await skipper.send(frame('mycel/membership', { type: 'join' }));
    await closed(skipper);

    // A hello of her own followed by a proof she could not have signed.
    const [forger] = await rawLink(mallory, alice);
    const hello = new LinkHandshake(linkSelfOf(mallory), alice.nodeId, { local: 'a', remote: 'b' }).hello();
    await forger.send(frame(linkProtocol, { ...hello, type: 'hello' }));
    await forger.send(frame(linkProtocol, { type: 'proof', signature: new Uint8Array(64).fill(7) }));
    await closed(forger);
    await waitFor(
      () =>
        count('handshake:bad-version') === 1 &&
        count('handshake:not-handshake') === 1 &&
        count('handshake:bad-signature') === 1,
      'three refused handshakes',
    );

    // An honest handshake, then abuse inside the session.
    const [abuser] = await rawLink(mallory, alice);
    const proven = await authenticateLink(abuser, linkSelfOf(mallory));
    expect(proven.ok).to.equal(true);
    await abuser.send(new Uint8Array(70 * 1024).fill(1));
    await abuser.send(Uint8Array.of(0xff, 0, 1));
    await abuser.send(frame('mycel/unheard-of', { hello: 'there' }));
    await waitFor(
      () => count('oversize') === 1 && count('bad-version') === 1 && count('unknown-protocol') === 1,
      'three refused frames',
    );
    expect(abuser.open).to.equal(true);
    // Valid frames (keepalive pings), so only the rate limit can stop them.
    const flood = frame('mycel/keepalive', { type: 'ping', seq: 1, sentAtMs: 1 });
    for (let i = 0; i < 20_000 && abuser.open; i++) void abuser.send(flood).catch(() => undefined);
    await closed(abuser);
    expect(count('rate-limited')).to.be.greaterThan(0);
    expect(count('unknown-protocol')).to.equal(1);

    // Bob's link was never touched, and Alice still takes new peers.
    expect(alice.mesh.neighbors()).to.include(bob.nodeId);
    expect(bob.mesh.neighbors()).to.include(alice.nodeId);
    expect(await carol.mesh.connect([alice.nodeId])).to.equal(true);
    await waitFor(() => alice.mesh.neighbors().includes(carol.nodeId), 'Alice to take Carol');
    expect(alice.mesh.neighbors()).not.to.include(mallory.nodeId);
  });
});
