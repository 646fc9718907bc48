import { expect } from 'chai';
import type { Link, TransportStatus } from '../../../src/core/ports.ts';
import { fromUtf8, utf8 } from '../../../src/lib/bytes.ts';
import { BrokerError, DialError, LinkClosedError } from '../../../src/transport/errors.ts';
import { closeReasons, linkPair, onlineNodes, rejectionOf, seededNetwork } from '../../helpers/simulation.ts';

describe('in-memory transport', () => {
  it('links two nodes and carries messages both ways, counting frames and bytes', async () => {
    const seed = 1;
    const network = seededNetwork(seed);
    const [alice, bob] = await onlineNodes(network, ['alice', 'bob']);
    const [toBob, toAlice] = await linkPair(network, alice, bob);
    expect(toBob.remoteNodeId, `seed ${seed}`).to.equal('bob');
    expect(toAlice.remoteNodeId, `seed ${seed}`).to.equal('alice');
    const atBob: string[] = [];
    const atAlice: string[] = [];
    toAlice.on('message', (message) => atBob.push(fromUtf8(message)));
    toBob.on('message', (message) => atAlice.push(fromUtf8(message)));
    const reused = utf8('hello bob');
    await toBob.send(reused);
    reused.fill(0);
    await toAlice.send(utf8('hi'));
    await network.runUntilIdle();
    expect(atBob, `seed ${seed}`).to.deep.equal(['hello bob']);
    expect(atAlice, `seed ${seed}`).to.deep.equal(['hi']);
    expect(toBob.stats(), `seed ${seed}`).to.deep.equal({
      framesSent: 1,
      bytesSent: 9,
      framesReceived: 1,
      bytesReceived: 2,
    });
    expect(network.stats(), `seed ${seed}`).to.include({
      framesSent: 2,
      bytesSent: 11,
      framesDelivered: 2,
      bytesDelivered: 11,
      dials: 1,
      linksOpened: 1,
    });
  });

  it('delivers in order under random latency, however the sends are spread', async () => {
    for (const seed of [2, 3, 4]) {
      const network = seededNetwork(seed, { latencyMs: { minMs: 0, maxMs: 200 } });
      const [a, b] = await onlineNodes(network, ['a', 'b']);
      const [sender, receiver] = await linkPair(network, a, b);
      const received: number[] = [];
      const arrivalsMs: number[] = [];
      receiver.on('message', (message) => {
        received.push(message[0] ?? -1);
        arrivalsMs.push(network.clock.nowMs());
      });
      for (let i = 0; i < 200; i++) {
        await sender.send(Uint8Array.of(i));
        if (i % 3 === 0) await network.advance(i % 7);
      }
      await network.runUntilIdle();
      expect(received, `seed ${seed}`).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
      const gaps = new Set(arrivalsMs.slice(1).map((atMs, i) => atMs - (arrivalsMs[i] ?? 0)));
      expect(gaps.size, `seed ${seed}: the latency should vary`).to.be.greaterThan(10);
    }
  });

  it('closing one end closes the other after in-flight messages, and later sends reject', async () => {
    const seed = 5;
    const network = seededNetwork(seed);
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const [mine, theirs] = await linkPair(network, a, b);
    const events: string[] = [];
    theirs.on('message', (message) => events.push(fromUtf8(message)));
    theirs.on('close', ({ reason }) => events.push(`close: ${reason}`));
    const myReasons = closeReasons(mine);
    await mine.send(utf8('last words'));
    mine.close('done');
    expect(mine.open, `seed ${seed}`).to.equal(false);
    expect(myReasons, `seed ${seed}`).to.deep.equal(['done']);
    expect(theirs.open, `seed ${seed}: the other end learns after a delay`).to.equal(true);
    await network.runUntilIdle();
    expect(events, `seed ${seed}`).to.deep.equal(['last words', 'close: closed by the other side']);
    expect(await rejectionOf(mine.send(utf8('too late'))), `seed ${seed}`).to.be.instanceOf(LinkClosedError);
    expect(await rejectionOf(theirs.send(utf8('too late'))), `seed ${seed}`).to.be.instanceOf(
      LinkClosedError,
    );
    expect(a.links.length + b.links.length, `seed ${seed}`).to.equal(0);
  });

  it('stop closes every link of the node, and the other ends hear it', async () => {
    const seed = 6;
    const network = seededNetwork(seed);
    const [hub, x, y] = await onlineNodes(network, ['hub', 'x', 'y']);
    const [hubToX, atX] = await linkPair(network, hub, x);
    const [atY, yToHub] = await linkPair(network, y, hub);
    const statuses: TransportStatus[] = [];
    hub.on('status', (status) => statuses.push(status));
    const farReasons = [closeReasons(atX), closeReasons(atY)];
    hub.stop();
    expect([hubToX.open, yToHub.open], `seed ${seed}`).to.deep.equal([false, false]);
    expect(statuses, `seed ${seed}`).to.deep.equal([{ state: 'offline', reason: 'stopped' }]);
    await network.runUntilIdle();
    expect(farReasons, `seed ${seed}`).to.deep.equal([
      ['closed by the other side'],
      ['closed by the other side'],
    ]);
    expect(await rejectionOf(atX.send(utf8('anyone?'))), `seed ${seed}`).to.be.instanceOf(LinkClosedError);
    expect(network.onlineNodeIds(), `seed ${seed}`).to.deep.equal(['x', 'y']);
  });

  it('refuses dials to unknown, stopped or own node ids, and cancelled dials, with DialError', async () => {
    const seed = 7;
    const network = seededNetwork(seed);
    const [a, gone] = await onlineNodes(network, ['a', 'gone']);
    gone.stop();
    // Each outcome is taken at once, so no rejection goes unhandled while the clock runs.
    const outcomes = [a.dial('nobody'), a.dial('gone'), a.dial('a'), gone.dial('a')].map(rejectionOf);
    const aborting = new AbortController();
    outcomes.push(rejectionOf(a.dial('gone', aborting.signal)));
    aborting.abort();
    outcomes.push(rejectionOf(a.dial('gone', aborting.signal)));
    await network.runUntilIdle();
    const errors = await Promise.all(outcomes);
    for (const error of errors) expect(error, `seed ${seed}`).to.be.instanceOf(DialError);
    expect(errors.map(String), `seed ${seed}`).to.deep.equal([
      'DialError: nobody is not online.',
      'DialError: gone is not online.',
      'DialError: A node cannot dial itself.',
      'DialError: This node is not online.',
      'DialError: Dialling gone was cancelled.',
      'DialError: Dialling gone was cancelled.',
    ]);
  });

  it('aborting a dial after the callee accepted closes the accepted end', async () => {
    const seed = 8;
    const network = seededNetwork(seed, { latencyMs: { minMs: 10, maxMs: 10 } });
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const accepted: Link[] = [];
    b.on('link', (link) => accepted.push(link));
    const aborting = new AbortController();
    const outcome = rejectionOf(a.dial('b', aborting.signal));
    await network.advance(15);
    expect(accepted.length, `seed ${seed}`).to.equal(1);
    aborting.abort();
    await network.runUntilIdle();
    expect(await outcome, `seed ${seed}`).to.be.instanceOf(DialError);
    expect(accepted[0]?.open, `seed ${seed}`).to.equal(false);
  });

  it('refuses a second start and a node id that is already online', async () => {
    const network = seededNetwork(9);
    const [first] = await onlineNodes(network, ['same']);
    expect(await rejectionOf(first.start())).to.be.instanceOf(BrokerError);
    const twin = network.createTransport('same');
    expect(await rejectionOf(twin.start())).to.be.instanceOf(BrokerError);
    expect(twin.status.state).to.equal('offline');
    first.stop();
    const comeback = network.createTransport('same');
    await comeback.start();
    expect(comeback.status).to.deep.equal({ state: 'online' });
  });
});
