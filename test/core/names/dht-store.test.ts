import { expect } from 'chai';
import { DhtStore, type DhtStoreLimits } from '../../../src/core/names/dht-store.ts';

const limits: DhtStoreLimits = { maxSlotsPerKey: 32, maxValueBytes: 2048, maxValues: 20_000 };

function key(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

function value(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function texts(values: readonly { readonly value: Uint8Array }[]): string[] {
  return values.map((held) => new TextDecoder().decode(held.value)).sort();
}

describe('DHT store', () => {
  it('holds one value per key and slot; a higher version replaces, the same or lower is stale', () => {
    const store = new DhtStore(limits);
    expect(store.put(key(1), value('a1'), { slot: 'a', version: 1, expiresAtMs: 1000 }, 0)).to.equal(
      'stored',
    );
    expect(store.put(key(1), value('b1'), { slot: 'b', version: 1, expiresAtMs: 1000 }, 0)).to.equal(
      'stored',
    );
    expect(store.put(key(1), value('a2'), { slot: 'a', version: 2, expiresAtMs: 1000 }, 0)).to.equal(
      'replaced',
    );
    expect(store.put(key(1), value('a2x'), { slot: 'a', version: 2, expiresAtMs: 1000 }, 0)).to.equal(
      'stale',
    );
    expect(store.put(key(1), value('a0'), { slot: 'a', version: 0, expiresAtMs: 1000 }, 0)).to.equal('stale');
    expect(texts(store.get(key(1), 0))).to.deep.equal(['a2', 'b1']);
    expect(store.get(key(2), 0)).to.deep.equal([]);
    expect(store.size).to.equal(2);
  });

  it('never returns an expired value and sweeps it out', () => {
    const store = new DhtStore(limits);
    store.put(key(1), value('short'), { slot: 'a', version: 1, expiresAtMs: 100 }, 0);
    store.put(key(1), value('long'), { slot: 'b', version: 1, expiresAtMs: 1000 }, 0);
    expect(texts(store.get(key(1), 99))).to.deep.equal(['long', 'short']);
    expect(texts(store.get(key(1), 100))).to.deep.equal(['long']);
    expect(store.keys(100).map((entry) => texts(entry.values))).to.deep.equal([['long']]);
    expect(store.size).to.equal(2);
    expect(store.sweep(100)).to.equal(1);
    expect(store.size).to.equal(1);
    expect(store.sweep(1000)).to.equal(1);
    expect(store.size).to.equal(0);
    expect(store.keys(1000)).to.deep.equal([]);
  });

  it('refuses a value that is already expired, and takes a lower version once the old one expired', () => {
    const store = new DhtStore(limits);
    expect(store.put(key(1), value('x'), { slot: 'a', version: 5, expiresAtMs: 10 }, 10)).to.equal('expired');
    expect(store.size).to.equal(0);
    store.put(key(1), value('v5'), { slot: 'a', version: 5, expiresAtMs: 100 }, 0);
    expect(store.put(key(1), value('v3'), { slot: 'a', version: 3, expiresAtMs: 500 }, 200)).to.equal(
      'stored',
    );
    expect(texts(store.get(key(1), 200))).to.deep.equal(['v3']);
    expect(store.size).to.equal(1);
  });

  it('caps value size, slots per key and values in all; a refused value changes nothing', () => {
    const store = new DhtStore({ maxSlotsPerKey: 32, maxValueBytes: 2048, maxValues: 40 });
    const meta = (slot: string) => ({ slot, version: 1, expiresAtMs: 1000 });
    expect(store.put(key(1), new Uint8Array(2049), meta('big'), 0)).to.equal('value-too-large');
    expect(store.put(key(1), new Uint8Array(2048), meta('max'), 0)).to.equal('stored');
    for (let slot = 1; slot < 32; slot++) store.put(key(1), value(`s${slot}`), meta(`s${slot}`), 0);
    expect(store.get(key(1), 0).length).to.equal(32);
    expect(store.put(key(1), value('one too many'), meta('s32'), 0)).to.equal('too-many-slots');
    // A new version of a slot that exists is no new slot.
    expect(store.put(key(1), value('s1 v2'), { slot: 's1', version: 2, expiresAtMs: 1000 }, 0)).to.equal(
      'replaced',
    );
    for (let slot = 0; slot < 8; slot++) store.put(key(2), value(`k2 ${slot}`), meta(`t${slot}`), 0);
    expect(store.size).to.equal(40);
    expect(store.put(key(3), value('full'), meta('u'), 0)).to.equal('store-full');
    expect(store.size).to.equal(40);
    expect(store.get(key(3), 0)).to.deep.equal([]);
    // Room comes back as values expire: a full store sweeps before refusing.
    expect(store.put(key(3), value('later'), { slot: 'u', version: 1, expiresAtMs: 5000 }, 1000)).to.equal(
      'stored',
    );
    expect(store.size).to.equal(1);
  });

  it('renews an identical value it holds, and only that', () => {
    const store = new DhtStore(limits);
    store.put(key(1), value('same'), { slot: 'a', version: 1, expiresAtMs: 1000 }, 0);
    expect(store.renew(key(1), value('same'), 50)).to.equal(true);
    expect(store.get(key(1), 50)[0]?.receivedAtMs).to.equal(50);
    expect(store.renew(key(1), value('other'), 60)).to.equal(false);
    expect(store.renew(key(2), value('same'), 60)).to.equal(false);
    expect(store.renew(key(1), value('same'), 1000)).to.equal(false);
    expect(store.size).to.equal(1);
  });
});
