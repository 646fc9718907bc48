import { expect } from 'chai';
import {
  authenticateLink,
  linkProtocol,
  type LinkAuthResult,
} from '../../../src/core/mesh/authenticate-link.ts';
import { LinkHandshake } from '../../../src/core/mesh/link-handshake.ts';
import type { Link } from '../../../src/core/ports.ts';
import { encodeFrame } from '../../../src/core/wire/frame.ts';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { createTestNodes, destroyTestNodes, type TestNode } from '../../helpers/nodes.ts';
import { nextMessage } from '../../helpers/transports.ts';
import { linkSelfOf, rawLink } from '../../helpers/links.ts';

describe('authenticating links over real WebRTC', () => {
  let nodes: TestNode[] = [];
  before(async () => {
    nodes = await createTestNodes(3);
  });
  after(async () => {
    await destroyTestNodes(nodes);
  });
  const node = (i: number): TestNode => {
    const found = nodes[i];
    if (found === undefined) throw new Error(`no node ${i}`);
    return found;
  };

  it('proves both ends of an honest link, and the first message after it arrives', async () => {
    const [alice, bob] = [node(0), node(1)];
    const [fromAlice, atBob] = await rawLink(alice, bob);
    const [a, b] = await Promise.all([
      authenticateLink(fromAlice, linkSelfOf(alice)),
      authenticateLink(atBob, linkSelfOf(bob)),
    ]);
    if (!a.ok || !b.ok) throw new Error(`refused: ${JSON.stringify([a, b])}`);
    expect(a.value.peer.nodeId).to.equal(bob.nodeId);
    expect(b.value.peer.nodeId).to.equal(alice.nodeId);
    const arrived = nextMessage(atBob);
    await fromAlice.send(utf8('after the handshake'));
    expect(fromUtf8(await arrived)).to.equal('after the handshake');
  });

  /** `link` as a transport shows it while its descriptions are not readable: no fingerprints until `readable()`. */
  function withLateFingerprints(link: Link, readable: () => boolean): Link {
    return new Proxy(link, {
      get(target, property, receiver) {
        if (property === 'dtlsFingerprints') return readable() ? target.dtlsFingerprints : undefined;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  it('waits a moment for fingerprints a link shows late, and proves it, the early hello included', async () => {
    const [alice, bob] = [node(0), node(1)];
    const [fromAlice, atBob] = await rawLink(alice, bob);
    let readable = false;
    setTimeout(() => (readable = true), 100);
    // Alice's hello reaches Bob before Bob can read his fingerprints: it must not be lost.
    const [a, b] = await Promise.all([
      authenticateLink(fromAlice, linkSelfOf(alice)),
      authenticateLink(
        withLateFingerprints(atBob, () => readable),
        linkSelfOf(bob),
      ),
    ]);
    if (!a.ok || !b.ok) throw new Error(`refused: ${JSON.stringify([a, b])}`);
    expect(b.value.peer.nodeId).to.equal(alice.nodeId);
  });

  it('refuses a link whose fingerprints never show, and closes it', async () => {
    const [alice, bob] = [node(0), node(1)];
    const [fromAlice, atBob] = await rawLink(alice, bob);
    void authenticateLink(fromAlice, linkSelfOf(alice), { timeoutMs: 5_000 });
    const verdict = await authenticateLink(
      withLateFingerprints(atBob, () => false),
      linkSelfOf(bob),
    );
    expect(verdict).to.deep.equal({ ok: false, reason: 'no-fingerprints' });
    expect(atBob.open).to.equal(false);
  });

  /** Carol (no handshake of her own) dials Alice and sends `attack`; returns Alice's verdict. */
  async function attack(
    send: (link: Link, carol: TestNode) => Promise<void>,
    timeoutMs?: number,
  ): Promise<LinkAuthResult> {
    const [alice, carol] = [node(0), node(2)];
    const [fromCarol, atAlice] = await rawLink(carol, alice);
    const verdict = authenticateLink(
      atAlice,
      linkSelfOf(alice),
      timeoutMs === undefined ? {} : { timeoutMs },
    );
    await send(fromCarol, carol);
    return verdict;
  }

  const frame = (protocol: string, body: Parameters<typeof encodeFrame>[0]['body']): Uint8Array =>
    encodeFrame({ protocol, kind: 'control', body });

  it('refuses peers that skip or fake the handshake, with a reason, and keeps serving honest links', async () => {
    const cases: [string, (link: Link, carol: TestNode) => Promise<void>, string][] = [
      ['garbage bytes', (link) => link.send(Uint8Array.of(0xff, 0, 1, 2, 3)), 'bad-version'],
      ['an oversize frame', (link) => link.send(new Uint8Array(70 * 1024).fill(1)), 'oversize'],
      ['another protocol first', (link) => link.send(frame('mycel/chat', { text: 'hi' })), 'not-handshake'],
      [
        'a hello of the wrong shape',
        (link) => link.send(frame(linkProtocol, { type: 'hello', nodeId: 'x' })),
        'bad-message',
      ],
      [
        'a hello with a key that is not hers',
        async (link, carol) => {
          const hello = new LinkHandshake(linkSelfOf(node(1)), node(0).nodeId, {
            local: 'a',
            remote: 'b',
          }).hello();
          await link.send(frame(linkProtocol, { ...hello, type: 'hello', nodeId: carol.nodeId }));
        },
        'node-id-mismatch',
      ],
      [
        'her own hello, then a forged proof',
        async (link, carol) => {
          const hello = new LinkHandshake(linkSelfOf(carol), node(0).nodeId, {
            local: 'a',
            remote: 'b',
          }).hello();
          await link.send(frame(linkProtocol, { ...hello, type: 'hello' }));
          await link.send(frame(linkProtocol, { type: 'proof', signature: new Uint8Array(64).fill(7) }));
        },
        'bad-signature',
      ],
    ];
    for (const [what, send, reason] of cases) {
      const verdict = await attack(send);
      expect(verdict, what).to.deep.equal({ ok: false, reason });
    }
    expect(await attack(() => Promise.resolve(), 300)).to.deep.equal({ ok: false, reason: 'timeout' });

    const [alice, bob] = [node(0), node(1)];
    const [fromAlice, atBob] = await rawLink(alice, bob);
    const [a, b] = await Promise.all([
      authenticateLink(fromAlice, linkSelfOf(alice)),
      authenticateLink(atBob, linkSelfOf(bob)),
    ]);
    expect([a.ok, b.ok]).to.deep.equal([true, true]);
  });
});
