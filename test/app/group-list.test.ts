import { expect } from 'chai';
import { GroupList, type GroupEntry } from '../../src/app/group-list.ts';
import { toBase32, toBase64Url } from '../../src/lib/bytes.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';
import {
  deleteProfileDatabase,
  IdbPreferenceStore,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/index.ts';
import { randomName } from '../helpers/ids.ts';

// The list of groups is what lets a profile reopen its groups after a reload, so it is tested
// over a real IndexedDB preference store, with a new `GroupList` standing for the reload.

const identityId = 'a'.repeat(52);

function bytesFrom(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A well-formed group id (`g` + 32 base32 characters), drawn from `random`. */
function groupIdFrom(random: Random): string {
  return 'g' + toBase32(bytesFrom(random, 20));
}

/** A well-formed node id (`m` + 32 base32 characters), drawn from `random`. */
function nodeIdFrom(random: Random): string {
  return 'm' + toBase32(bytesFrom(random, 20));
}

function entryFrom(random: Random, change: Partial<GroupEntry> = {}): GroupEntry {
  return {
    id: groupIdFrom(random),
    key: { owner: bytesFrom(random, 32), nonce: bytesFrom(random, 16) },
    name: `Group ${random.int(1000)}`,
    nodes: [nodeIdFrom(random)],
    readUpToMs: random.int(2 ** 31),
    left: random.chance(0.5),
    ...change,
  };
}

/** What a well-formed entry looks like in the preference store. */
function storedForm(entry: GroupEntry): Record<string, unknown> {
  return {
    id: entry.id,
    owner: toBase64Url(entry.key.owner),
    nonce: toBase64Url(entry.key.nonce),
    name: entry.name,
    nodes: [...entry.nodes],
    readUpToMs: entry.readUpToMs,
    left: entry.left,
  };
}

function byId(entries: readonly GroupEntry[]): GroupEntry[] {
  return [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('GroupList over a real IndexedDB preference store', () => {
  let name: string;
  let db: ProfileDatabase;
  beforeEach(async () => {
    name = randomName('test-group-list-');
    db = await openProfileDatabase(name);
  });
  afterEach(async () => {
    db.close();
    await deleteProfileDatabase(name);
  });

  /** A list as a freshly loaded page would build it: nothing cached. */
  const reloaded = (id = identityId): GroupList => new GroupList(new IdbPreferenceStore(db), id);

  it('is empty for an identity that has no groups yet', async () => {
    expect(await reloaded().all()).to.deep.equal([]);
    expect(await reloaded().get(groupIdFrom(createRandom(1)))).to.equal(undefined);
  });

  it('keeps put, update and remove across a reload, keys byte for byte', async () => {
    const random = createRandom(0x67726f75);
    const first = entryFrom(random, { left: false, readUpToMs: 0 });
    const second = entryFrom(random);
    const third = entryFrom(random);
    const list = reloaded();
    await list.put(first);
    await list.put(second);
    await list.put(third);
    await list.update(first.id, { readUpToMs: 1234, left: true, name: 'Renamed' });
    await list.remove(second.id);

    const after = reloaded();
    expect(await after.get(second.id)).to.equal(undefined);
    const firstAfter = await after.get(first.id);
    expect(firstAfter).to.deep.equal({ ...first, readUpToMs: 1234, left: true, name: 'Renamed' });
    expect(firstAfter?.key.owner).to.be.instanceOf(Uint8Array);
    expect(await after.get(third.id)).to.deep.equal(third);
    expect(byId(await after.all())).to.deep.equal(
      byId([third, { ...first, readUpToMs: 1234, left: true, name: 'Renamed' }]),
    );
  });

  it('replaces the entry of the same id on put, and ignores an update of an unknown id', async () => {
    const random = createRandom(7);
    const entry = entryFrom(random);
    const list = reloaded();
    await list.put(entry);
    await list.put({ ...entry, name: 'Second name', nodes: [] });
    await list.update(groupIdFrom(random), { name: 'Nobody' });
    expect(await reloaded().all()).to.deep.equal([{ ...entry, name: 'Second name', nodes: [] }]);
  });

  it('keeps each identity’s groups apart', async () => {
    const random = createRandom(11);
    const other = 'b'.repeat(52);
    const mine = entryFrom(random);
    const theirs = entryFrom(random);
    await reloaded().put(mine);
    await reloaded(other).put(theirs);
    expect(await reloaded().all()).to.deep.equal([mine]);
    expect(await reloaded(other).all()).to.deep.equal([theirs]);
  });

  it('reads a stored value that is not an array as no groups, without throwing', async () => {
    const preferences = new IdbPreferenceStore(db);
    const values: [string, unknown][] = [
      ['undefined', undefined],
      ['null', null],
      ['a string', 'groups'],
      ['a number', 42],
      ['a boolean', true],
      ['an object', { id: 'g', 0: { id: 'g' }, length: 1 }],
      ['bytes', new Uint8Array(8)],
    ];
    for (const [label, value] of values) {
      await preferences.set(`groups.${identityId}`, value);
      expect(await reloaded().all(), label).to.deep.equal([]);
    }
  });

  it('skips malformed stored entries and keeps the good ones', async () => {
    const random = createRandom(0x6d616c66);
    const good = entryFrom(random);
    const base = storedForm(entryFrom(random));
    const malformed: unknown[] = [
      null,
      7,
      'entry',
      [],
      { ...base, id: 42 },
      { ...base, id: 'not-a-group-id' },
      { ...base, id: `G${String(base.id).slice(1)}` },
      { ...base, id: `${String(base.id)}a` },
      { ...base, owner: toBase64Url(bytesFrom(random, 31)) },
      { ...base, owner: toBase64Url(bytesFrom(random, 33)) },
      { ...base, nonce: toBase64Url(bytesFrom(random, 8)) },
      { ...base, owner: undefined },
      { ...base, nonce: 12345 },
      { ...base, owner: 'not base64url!' },
      { ...base, nonce: 'abcde' },
    ];
    await new IdbPreferenceStore(db).set(`groups.${identityId}`, [
      ...malformed.slice(0, 8),
      storedForm(good),
      ...malformed.slice(8),
    ]);
    expect(await reloaded().all()).to.deep.equal([good]);
  });

  it('fills in defaults for wrongly typed optional fields and drops bad node ids', async () => {
    const random = createRandom(3);
    const entry = entryFrom(random);
    const goodNode = nodeIdFrom(random);
    await new IdbPreferenceStore(db).set(`groups.${identityId}`, [
      {
        ...storedForm(entry),
        name: 12,
        nodes: [goodNode, 'not-a-node', 5, null, `M${goodNode.slice(1)}`],
        readUpToMs: '99',
        left: 'yes',
      },
    ]);
    expect(await reloaded().all()).to.deep.equal([
      { ...entry, name: 'Group', nodes: [goodNode], readUpToMs: 0, left: false },
    ]);
    await new IdbPreferenceStore(db).set(`groups.${identityId}`, [{ ...storedForm(entry), nodes: 'x' }]);
    expect((await reloaded().get(entry.id))?.nodes).to.deep.equal([]);
  });

  it('agrees with a model after random puts, updates, removes and reloads', async () => {
    for (const seed of [1, 0x5eed, 20250101]) {
      const random = createRandom(seed);
      const model = new Map<string, GroupEntry>();
      const ids: string[] = [];
      let list = reloaded(`seed${seed}`);
      for (let step = 0; step < 40; step++) {
        const roll = random.int(10);
        if (roll < 4 || ids.length === 0) {
          const entry =
            ids.length > 0 && random.chance(0.3)
              ? entryFrom(random, { id: random.pick(ids) })
              : entryFrom(random);
          if (!ids.includes(entry.id)) ids.push(entry.id);
          model.set(entry.id, entry);
          await list.put(entry);
        } else if (roll < 7) {
          const id = random.pick(ids);
          const change = { readUpToMs: random.int(1000), left: random.chance(0.5) };
          const before = model.get(id);
          if (before !== undefined) model.set(id, { ...before, ...change });
          await list.update(id, change);
        } else if (roll < 9) {
          const id = random.pick(ids);
          model.delete(id);
          await list.remove(id);
        } else {
          list = reloaded(`seed${seed}`);
        }
        expect(byId(await list.all()), `seed ${seed}, step ${step}`).to.deep.equal(byId([...model.values()]));
      }
      expect(await reloaded(`seed${seed}`).all(), `seed ${seed} after reload`).to.deep.equal(
        await list.all(),
      );
    }
  });
});
