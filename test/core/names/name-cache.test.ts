import { expect } from 'chai';
import { NameCache, defaultNameCacheConfig } from '../../../src/core/names/name-cache.ts';

interface Entry {
  readonly id: string;
  readonly expiresAtMs: number;
}

function entry(id: string, expiresAtMs: number): Entry {
  return { id, expiresAtMs };
}

describe('the name cache', () => {
  it('defaults to 256 names kept at most 10 minutes', () => {
    expect(defaultNameCacheConfig).to.deep.equal({ maxNames: 256, maxAgeMs: 600_000 });
  });

  it('keeps the records of a name until the earliest of them expires', () => {
    const cache = new NameCache<Entry>();
    const records = [entry('a', 1_000), entry('b', 500)];
    cache.set('0.printer', records, 0);
    expect(cache.get('0.printer', 499)).to.equal(records);
    expect(cache.get('0.printer', 500)).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });

  it('keeps them at most maxAgeMs, however long they live', () => {
    const cache = new NameCache<Entry>({ maxAgeMs: 100 });
    cache.set('0.printer', [entry('a', 10_000)], 1_000);
    expect(cache.get('0.printer', 1_099)).to.have.length(1);
    expect(cache.get('0.printer', 1_100)).to.equal(undefined);
  });

  it('does not keep empty results or records that already expired', () => {
    const cache = new NameCache<Entry>();
    cache.set('0.nobody', [], 0);
    cache.set('0.late', [entry('a', 50)], 50);
    expect(cache.get('0.nobody', 0)).to.equal(undefined);
    expect(cache.get('0.late', 50)).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });

  it('forgets the least recently used name past maxNames', () => {
    const cache = new NameCache<Entry>({ maxNames: 2 });
    cache.set('0.a', [entry('a', 1_000)], 0);
    cache.set('0.b', [entry('b', 1_000)], 0);
    expect(cache.get('0.a', 1)).to.have.length(1); // 0.a is now the most recently used
    cache.set('0.c', [entry('c', 1_000)], 2);
    expect(cache.size).to.equal(2);
    expect(cache.get('0.b', 3)).to.equal(undefined);
    expect(cache.get('0.a', 3)).to.have.length(1);
    expect(cache.get('0.c', 3)).to.have.length(1);
  });

  it('replaces, deletes and clears', () => {
    const cache = new NameCache<Entry>();
    cache.set('0.a', [entry('old', 1_000)], 0);
    cache.set('0.a', [entry('new', 1_000)], 0);
    expect(cache.get('0.a', 1)?.[0]?.id).to.equal('new');
    cache.set('0.a', [], 1);
    expect(cache.get('0.a', 1)).to.equal(undefined);
    cache.set('0.a', [entry('a', 1_000)], 0);
    cache.set('0.b', [entry('b', 1_000)], 0);
    cache.delete('0.a');
    expect(cache.get('0.a', 1)).to.equal(undefined);
    cache.clear();
    expect(cache.size).to.equal(0);
  });

  it('refuses settings that cannot work', () => {
    expect(() => new NameCache({ maxNames: 0 })).to.throw(RangeError);
    expect(() => new NameCache({ maxNames: 1.5 })).to.throw(RangeError);
    expect(() => new NameCache({ maxAgeMs: -1 })).to.throw(RangeError);
  });
});
