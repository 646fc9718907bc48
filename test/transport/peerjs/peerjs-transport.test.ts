import { expect } from 'chai';
import type { Link } from '../../../src/core/ports.ts';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { BrokerError, DialError, LinkClosedError } from '../../../src/transport/errors.ts';
import type { PeerJsTransport } from '../../../src/transport/peerjs/peerjs-transport.ts';
import { brokerTransport, nextIncomingLink, nextMessage } from '../../helpers/transports.ts';
import { randomName } from '../../helpers/ids.ts';

describe('PeerJS bootstrap transport over the harness broker', () => {
  const started: PeerJsTransport[] = [];
  async function online(nodeId?: string): Promise<PeerJsTransport> {
    const transport = await brokerTransport(nodeId);
    started.push(transport);
    await transport.start();
    return transport;
  }
  async function linkedPair(): Promise<[Link, Link]> {
    const alice = await online();
    const bob = await online();
    const incoming = nextIncomingLink(bob);
    const outgoing = await alice.dial(bob.nodeId);
    return [outgoing, await incoming];
  }
  afterEach(() => {
    for (const transport of started.splice(0)) transport.stop();
  });

  it('two nodes in one page link through the broker and exchange messages both ways', async () => {
    const [fromAlice, atBob] = await linkedPair();
    expect(atBob.remoteNodeId).to.equal(started[0]?.nodeId);
    const toBob = nextMessage(atBob);
    await fromAlice.send(utf8('hello bob'));
    expect(fromUtf8(await toBob)).to.equal('hello bob');
    const toAlice = nextMessage(fromAlice);
    await atBob.send(utf8('hello alice'));
    expect(fromUtf8(await toAlice)).to.equal('hello alice');
  });

  it('exposes the DTLS fingerprints of both ends, each side seeing the other mirrored', async () => {
    const [mine, theirs] = await linkedPair();
    const fingerprint = /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
    expect(mine.dtlsFingerprints?.local).to.match(fingerprint);
    expect(mine.dtlsFingerprints?.remote).to.match(fingerprint);
    expect(mine.dtlsFingerprints?.local).to.not.equal(mine.dtlsFingerprints?.remote);
    expect(theirs.dtlsFingerprints).to.deep.equal({
      local: mine.dtlsFingerprints?.remote,
      remote: mine.dtlsFingerprints?.local,
    });
  });

  it('delivers 8 MiB of 64 KiB messages in order under backpressure', async () => {
    const [sender, receiver] = await linkedPair();
    const count = 128;
    const received: number[] = [];
    const done = new Promise<void>((resolve) =>
      receiver.on('message', (message) => {
        expect(message.byteLength).to.equal(64 * 1024);
        received.push(message[0] ?? -1);
        if (received.length === count) resolve();
      }),
    );
    for (let i = 0; i < count; i++) {
      const message = new Uint8Array(64 * 1024);
      message[0] = i % 256;
      await sender.send(message);
    }
    await done;
    expect(received).to.deep.equal(Array.from({ length: count }, (_, i) => i % 256));
  });

  it('closing a link closes the other end, and later sends fail clearly', async () => {
    const [mine, theirs] = await linkedPair();
    const closed = new Promise<string>((resolve) => theirs.on('close', ({ reason }) => resolve(reason)));
    mine.close('done');
    await closed;
    expect(theirs.open).to.equal(false);
    let error: unknown;
    try {
      await mine.send(utf8('too late'));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(LinkClosedError);
  });

  it('dialling a node that is not online fails with a DialError', async () => {
    const alice = await online();
    let error: unknown;
    try {
      await alice.dial(randomName('mnobody'));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(DialError);
    expect((error as Error).message).to.match(/not online/);
  });

  it('a dial cancelled before it starts fails with a DialError, like any other dial failure', async () => {
    const alice = await online();
    const bob = await online();
    let error: unknown;
    try {
      await alice.dial(bob.nodeId, AbortSignal.abort());
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(DialError);
    expect((error as Error).message).to.match(/cancelled/);
  });

  it('refuses a second node with the same id, with a readable reason', async () => {
    const first = await online();
    const second = await brokerTransport(first.nodeId);
    started.push(second);
    let error: unknown;
    try {
      await second.start();
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(BrokerError);
    expect(second.status).to.deep.equal({ state: 'offline', reason: (error as Error).message });
    expect(first.status.state).to.equal('online');
  });
});
