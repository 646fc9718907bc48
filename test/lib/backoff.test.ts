import { expect } from 'chai';
import { Backoff } from '../../src/lib/backoff.ts';

describe('Backoff', () => {
  it('doubles each wait up to the cap, and starts over after a reset', () => {
    const backoff = new Backoff(1000, 5000);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).to.deep.equal([
      1000, 2000, 4000, 5000, 5000,
    ]);
    backoff.reset();
    expect(backoff.next()).to.equal(1000);
  });
});
