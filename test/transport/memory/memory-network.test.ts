import { expect } from 'chai';
import { utf8 } from '../../../src/lib/bytes.ts';
import { DialError, LinkClosedError } from '../../../src/transport/errors.ts';
import { closeReasons, linkPair, onlineNodes, rejectionOf, seededNetwork } from '../../helpers/simulation.ts';

describe('in-memory network', () => {
  it('a partition closes the links that cross it and refuses dials across it until healed', async () => {
    const seed = 21;
    const network = seededNetwork(seed, { dialTimeoutMs: 5_000 });
    const [a1, a2, b1] = await onlineNodes(network, ['a1', 'a2', 'b1']);
    const [crossing, crossingFar] = await linkPair(network, a1, b1);
    const [inside] = await linkPair(network, a1, a2);
    const reasons = [closeReasons(crossing), closeReasons(crossingFar)];
    network.partition(['a1', 'a2'], ['b1']);
    expect(reasons, `seed ${seed}`).to.deep.equal([['network partition'], ['network partition']]);
    expect(inside.open, `seed ${seed}`).to.equal(true);
    expect(await rejectionOf(crossing.send(utf8('x'))), `seed ${seed}`).to.be.instanceOf(LinkClosedError);
    expect(network.isPartitioned('b1', 'a2'), `seed ${seed}`).to.equal(true);

    const startedAtMs = network.clock.nowMs();
    const across = rejectionOf(b1.dial('a2'));
    await network.runUntilIdle();
    const error = await across;
    expect(error, `seed ${seed}`).to.be.instanceOf(DialError);
    expect(String(error), `seed ${seed}`).to.contain('did not answer in time');
    expect(network.clock.nowMs() - startedAtMs, `seed ${seed}: a dial across a partition times out`).to.equal(
      5_000,
    );

    network.heal();
    const [healed] = await linkPair(network, b1, a2);
    expect(healed.open, `seed ${seed}`).to.equal(true);
    expect(network.stats().linksBroken, `seed ${seed}`).to.equal(1);
  });

  it('frames in flight when a partition starts are dropped, not delivered', async () => {
    const seed = 22;
    const network = seededNetwork(seed, { latencyMs: { minMs: 20, maxMs: 20 } });
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const [sender, receiver] = await linkPair(network, a, b);
    let received = 0;
    receiver.on('message', () => received++);
    await sender.send(utf8('in flight'));
    network.partition(['a'], ['b']);
    await network.runUntilIdle();
    expect(received, `seed ${seed}`).to.equal(0);
    expect(network.stats().framesDropped, `seed ${seed}`).to.equal(1);
  });

  it('by default models loss as a broken link: frames before the loss arrive, none after', async () => {
    const seed = 23;
    const network = seededNetwork(seed, { lossRate: 0.05 });
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const [sender, receiver] = await linkPair(network, a, b);
    const received: number[] = [];
    receiver.on('message', (message) => received.push(message[0] ?? -1));
    const reasons = [closeReasons(sender), closeReasons(receiver)];
    for (let i = 0; i < 200; i++) await sender.send(Uint8Array.of(i));
    await network.runUntilIdle();
    expect(reasons, `seed ${seed}`).to.deep.equal([['connection lost'], ['connection lost']]);
    expect(received.length, `seed ${seed}: loss 0.05 over 200 frames`).to.be.within(1, 150);
    expect(received, `seed ${seed}: a prefix, in order`).to.deep.equal(
      Array.from({ length: received.length }, (_, i) => i),
    );
    expect(network.stats().framesDropped, `seed ${seed}`).to.equal(200 - received.length);
  });

  it('in drop-message mode loses single frames and keeps the link open', async () => {
    const seed = 24;
    const network = seededNetwork(seed, { lossRate: 0.3, lossMode: 'drop-message' });
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const [sender, receiver] = await linkPair(network, a, b);
    const received: number[] = [];
    receiver.on('message', (message) => received.push(message[0] ?? -1));
    for (let i = 0; i < 200; i++) await sender.send(Uint8Array.of(i));
    await network.runUntilIdle();
    expect(receiver.open && sender.open, `seed ${seed}`).to.equal(true);
    expect(received.length, `seed ${seed}`).to.be.within(100, 180);
    expect(received, `seed ${seed}: still in order`).to.deep.equal([...received].sort((x, y) => x - y));
    network.setLoss(0);
    await sender.send(Uint8Array.of(255));
    await network.runUntilIdle();
    expect(received.at(-1), `seed ${seed}`).to.equal(255);
  });

  it('setLatency changes the delay of what is sent afterwards', async () => {
    const seed = 25;
    const network = seededNetwork(seed, { latencyMs: { minMs: 1, maxMs: 1 } });
    const [a, b] = await onlineNodes(network, ['a', 'b']);
    const [sender, receiver] = await linkPair(network, a, b);
    const arrivalsMs: number[] = [];
    receiver.on('message', () => arrivalsMs.push(network.clock.nowMs()));
    network.setLatency({ minMs: 300, maxMs: 300 });
    const sentAtMs = network.clock.nowMs();
    await sender.send(utf8('slow'));
    await network.runUntilIdle();
    expect(arrivalsMs, `seed ${seed}`).to.deep.equal([sentAtMs + 300]);
    expect(() => network.setLatency({ minMs: 5, maxMs: 1 })).to.throw(RangeError);
    expect(() => network.setLoss(2)).to.throw(RangeError);
  });
});
