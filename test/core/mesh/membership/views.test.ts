import { expect } from 'chai';
import { ActiveView } from '../../../../src/core/mesh/membership/active-view.ts';
import { PassiveView } from '../../../../src/core/mesh/membership/passive-view.ts';
import { createRandom } from '../../../../src/lib/random.ts';

const never = (): boolean => false;

describe('membership views', () => {
  it('an active view evicts a random other neighbour when full, and swaps links in place', () => {
    const seed = 21;
    const view = new ActiveView<string>(2, createRandom(seed));
    expect(view.add('a', 'link-a'), `seed ${seed}`).to.deep.equal({});
    expect(view.add('b', 'link-b'), `seed ${seed}`).to.deep.equal({});
    expect(view.add('a', 'link-a2'), `seed ${seed}`).to.deep.equal({ replaced: 'link-a' });
    expect(view.add('a', 'link-a2'), `seed ${seed}`).to.deep.equal({});
    const { evicted } = view.add('c', 'link-c');
    expect(['a', 'b'], `seed ${seed}`).to.include(evicted?.id);
    expect(view.size, `seed ${seed}`).to.equal(2);
    expect(view.has('c'), `seed ${seed}`).to.equal(true);
    expect(view.has(evicted?.id ?? ''), `seed ${seed}`).to.equal(false);
    expect(view.randomId(view.ids()), `seed ${seed}`).to.equal(undefined);
  });

  it('a passive view refuses itself, duplicates and excluded ids, and stays within capacity', () => {
    const seed = 22;
    const view = new PassiveView('me', 3, createRandom(seed));
    view.add('me', never);
    view.add('a', never);
    view.add('a', never);
    view.add('active', (id) => id === 'active');
    expect(view.ids(), `seed ${seed}`).to.deep.equal(['a']);
    view.integrate(['b', 'c', 'd', 'e'], never, []);
    expect(view.size, `seed ${seed}`).to.equal(3);
    expect(new Set(view.ids()).size, `seed ${seed}`).to.equal(3);
    expect(view.sample(10).sort(), `seed ${seed}`).to.deep.equal(view.ids().sort());
  });

  it('a full passive view evicts the ids it just sent away first', () => {
    const seed = 23;
    const view = new PassiveView('me', 3, createRandom(seed));
    view.integrate(['a', 'b', 'c'], never, []);
    view.integrate(['x', 'y'], never, ['b', 'c']);
    expect(view.ids().sort(), `seed ${seed}`).to.deep.equal(['a', 'x', 'y']);
  });
});
