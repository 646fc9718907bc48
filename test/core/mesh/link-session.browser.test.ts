import { expect } from 'chai';
import type { AuthenticatedLink } from '../../../src/core/mesh/authenticate-link.ts';
import { LinkSession } from '../../../src/core/mesh/link-session.ts';
import { realTimeTimers } from '../../../src/core/mesh/timers.ts';
import type { Link } from '../../../src/core/ports.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { encodeFrame } from '../../../src/core/wire/frame.ts';
import { createTestNodes, destroyTestNodes, type TestNode } from '../../helpers/nodes.ts';
import { authenticatedPair } from '../../helpers/links.ts';

function sessionOf(authenticated: AuthenticatedLink): LinkSession {
  return new LinkSession(authenticated, { timers: realTimeTimers() });
}

/** Resolves once `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The next body `session` hands to a handler of `protocol`, which it takes over. */
function nextBody(session: LinkSession, protocol: string): Promise<WireValue> {
  return new Promise((resolve) => {
    const off = session.handle(protocol, (body) => {
      off();
      resolve(body);
      return undefined;
    });
  });
}

/** Sends `count` tiny valid frames as fast as the link takes them, until it closes. */
async function flood(link: Link, count: number): Promise<void> {
  const tiny = encodeFrame({ protocol: 'mycel/chat', kind: 'control', body: 0 });
  for (let sent = 0; sent < count && link.open; sent++) {
    try {
      await link.send(tiny);
    } catch {
      break; // closed under us: the flood was cut off, which is the point
    }
  }
}

describe('link sessions over real WebRTC', () => {
  let nodes: TestNode[] = [];
  const sessions: LinkSession[] = [];
  before(async () => {
    nodes = await createTestNodes(3);
  });
  after(async () => {
    for (const session of sessions) session.close('test over');
    await destroyTestNodes(nodes);
  });
  const node = (i: number): TestNode => {
    const found = nodes[i];
    if (found === undefined) throw new Error(`no node ${i}`);
    return found;
  };

  it('carries frames of two protocols, measures the round trip, and cuts off a flooding peer alone', async () => {
    const [alice, bob, carol] = [node(0), node(1), node(2)];
    const [fromAlice, atBob] = await authenticatedPair(alice, bob);
    const [aliceToBob, bobToAlice] = [sessionOf(fromAlice), sessionOf(atBob)];
    sessions.push(aliceToBob, bobToAlice);
    const chat = nextBody(bobToAlice, 'mycel/chat');
    const files = nextBody(bobToAlice, 'mycel/files');
    aliceToBob.start();
    bobToAlice.start();
    await aliceToBob.send('mycel/chat', { text: 'hello Bob' });
    await aliceToBob.send('mycel/files', { name: 'notes.txt', bytes: new Uint8Array(1000) }, 'bulk');
    expect(await chat).to.deep.equal({ text: 'hello Bob' });
    expect(await files).to.deep.equal({ name: 'notes.txt', bytes: new Uint8Array(1000) });
    await until(() => aliceToBob.stats().rttMs !== undefined);
    expect(aliceToBob.stats().rttMs).to.be.greaterThan(0);
    expect(bobToAlice.stats().bytesIn).to.be.greaterThan(1000);

    const [fromCarol, atAlice] = await authenticatedPair(carol, alice);
    const aliceToCarol = sessionOf(atAlice);
    sessions.push(aliceToCarol);
    const closed = new Promise<string>((resolve) =>
      aliceToCarol.on('closed', ({ reason }) => resolve(reason)),
    );
    let handled = 0;
    aliceToCarol.handle('mycel/chat', () => {
      handled++;
      return undefined;
    });
    aliceToCarol.start();
    const sent = flood(fromCarol.link, 20_000);
    expect(await closed).to.equal('flooding');
    await sent;
    expect(aliceToCarol.rejections()['rate-limited']).to.be.greaterThan(0);
    expect(handled).to.be.lessThan(aliceToCarol.stats().framesIn);

    const later = nextBody(bobToAlice, 'mycel/chat');
    await aliceToBob.send('mycel/chat', { text: 'still here' });
    expect(await later).to.deep.equal({ text: 'still here' });
    expect([aliceToBob.open, bobToAlice.open]).to.deep.equal([true, true]);
    expect(aliceToBob.rejections()).to.deep.equal({});
  });
});
