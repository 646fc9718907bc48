import { expect } from 'chai';
import type { GraphRecord, RecordQuery, RecordStore, StoredRecord } from '../../src/core/ports.ts';
import { toBase64Url } from '../../src/lib/bytes.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';

/** A store under test and how to dispose of it. */
export interface OpenRecordStore {
  readonly store: RecordStore;
  close(): Promise<void>;
}

const alice = 'a'.repeat(52);
const bob = 'b'.repeat(52);
const carol = 'c'.repeat(52);
const graph = 'graph-one';
const otherGraph = 'graph-two';

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A well-formed stored record with random hash, id and key bytes and a zero signature. */
export function makeRecord(random: Random, fields: Partial<GraphRecord> = {}): StoredRecord {
  const creator = fields.creator ?? alice;
  const record: GraphRecord = {
    graphId: graph,
    type: 'app/note',
    id: toBase64Url(randomBytes(random, 16)),
    version: 1,
    creator,
    modifiedBy: creator,
    signerKey: randomBytes(random, 32),
    createdAtMs: 1_000,
    modifiedAtMs: fields.createdAtMs ?? 1_000,
    expiresAtMs: 1_000_000,
    deleted: false,
    attributes: {},
    data: randomBytes(random, 24),
    signature: new Uint8Array(64),
    ...fields,
  };
  return { key: `${record.creator}/${record.id}`, record, hash: randomBytes(random, 16), bytes: 300 };
}

/** The same record, changed as a later version would be. */
function revise(stored: StoredRecord, fields: Partial<GraphRecord>): StoredRecord {
  return { ...stored, record: { ...stored.record, version: stored.record.version + 1, ...fields } };
}

function keys(records: readonly StoredRecord[]): string[] {
  return records.map((stored) => stored.key);
}

/** Reference order of every query: createdAtMs, then key by code units. */
function byPosition(a: StoredRecord, b: StoredRecord): number {
  if (a.record.createdAtMs !== b.record.createdAtMs) return a.record.createdAtMs - b.record.createdAtMs;
  if (a.key === b.key) return 0;
  return a.key < b.key ? -1 : 1;
}

/** What a query returns over all its pages, by a plain filter and sort of every record. */
function reference(records: Iterable<StoredRecord>, query: RecordQuery): string[] {
  const { type, creator, attribute, fromMs = -Infinity, toMs = Infinity } = query;
  const matching = [...records].filter(
    ({ record }) =>
      (query.includeDeleted === true || !record.deleted) &&
      (type === undefined || record.type === type) &&
      (creator === undefined || record.creator === creator) &&
      (attribute === undefined || record.attributes[attribute.name] === attribute.value) &&
      record.createdAtMs >= fromMs &&
      record.createdAtMs < toMs,
  );
  matching.sort(byPosition);
  return keys(query.order === 'descending' ? matching.reverse() : matching);
}

/** Every page of a query, following `next`; checks each page's size along the way. */
async function pageAll(
  store: RecordStore,
  graphId: string,
  query: RecordQuery,
  limit: number,
): Promise<string[]> {
  const seen: string[] = [];
  let page = await store.query(graphId, { ...query, limit });
  for (let pages = 1; ; pages++) {
    expect(page.records.length, `page ${pages}`).to.be.at.most(limit);
    seen.push(...keys(page.records));
    if (page.next === undefined) return seen;
    expect(page.records.length, `page ${pages} is full when another follows`).to.equal(limit);
    expect(pages, 'pages').to.be.below(10_000);
    page = await store.query(graphId, { ...query, limit, after: page.next });
  }
}

/**
 * The `RecordStore` contract (ports.ts), run against any adapter. `makeStore` opens a fresh,
 * empty store for each test.
 */
export function recordStoreContract(name: string, makeStore: () => Promise<OpenRecordStore>): void {
  describe(`${name} keeps the RecordStore contract`, () => {
    let opened: OpenRecordStore;
    let store: RecordStore;
    let random: Random;

    const put = (graphId: string, ...records: StoredRecord[]): Promise<void> =>
      store.commit(graphId, { put: records, remove: [] });
    const found = async (query: RecordQuery, graphId = graph): Promise<string[]> =>
      keys((await store.query(graphId, query)).records);

    beforeEach(async () => {
      opened = await makeStore();
      store = opened.store;
      random = createRandom(20_240_501);
    });

    afterEach(async () => {
      await opened.close();
    });

    it('keeps a record, bytes included, through commit, get and loadAll', async () => {
      const stored = makeRecord(random, { attributes: { color: 'red', size: 3 }, deleted: false });
      await put(graph, stored);
      const read = await store.get(graph, stored.key);
      expect(read).to.deep.equal(stored);
      for (const bytes of [read?.hash, read?.record.data, read?.record.signature, read?.record.signerKey]) {
        expect(bytes).to.be.instanceOf(Uint8Array);
      }
      expect(await store.loadAll(graph)).to.deep.equal([stored]);
      expect(await store.get(graph, `${alice}/missing`)).to.equal(undefined);
      expect(await store.get(otherGraph, stored.key)).to.equal(undefined);
      expect(await store.loadAll(otherGraph)).to.deep.equal([]);
    });

    it('reads several records at once, in the order asked, skipping missing keys and other graphs', async () => {
      const [a, b, c] = [makeRecord(random), makeRecord(random), makeRecord(random)];
      for (const stored of [a, b, c]) await put(graph, stored);
      expect(await store.getMany(graph, [c.key, `${alice}/missing`, a.key])).to.deep.equal([c, a]);
      const none = [await store.getMany(graph, []), await store.getMany(otherGraph, [a.key, b.key])];
      expect(none).to.deep.equal([[], []]);
    });

    it('replaces a record committed again under its key, indexes included', async () => {
      const first = makeRecord(random, { type: 'app/draft', attributes: { state: 'open' } });
      await put(graph, first);
      const second = revise(first, { type: 'app/note', attributes: { state: 'done' } });
      await put(graph, second);
      expect(await store.get(graph, first.key)).to.deep.equal(second);
      expect(await store.loadAll(graph)).to.have.length(1);
      expect(await found({ type: 'app/draft' })).to.deep.equal([]);
      expect(await found({ type: 'app/note' })).to.deep.equal([first.key]);
      expect(await found({ attribute: { name: 'state', value: 'open' } })).to.deep.equal([]);
      expect(await found({ attribute: { name: 'state', value: 'done' } })).to.deep.equal([first.key]);
    });

    it('removes records by key; a key both put and removed in one batch ends up removed', async () => {
      const [kept, removed, both] = [makeRecord(random), makeRecord(random), makeRecord(random)];
      await put(graph, kept, removed);
      await store.commit(graph, { put: [both], remove: [removed.key, both.key, `${bob}/never-stored`] });
      expect(keys(await store.loadAll(graph))).to.deep.equal([kept.key]);
      expect(await store.get(graph, removed.key)).to.equal(undefined);
      expect(await found({})).to.deep.equal([kept.key]);
    });

    it('refuses a record of another graph and writes nothing of that batch', async () => {
      const existing = makeRecord(random);
      await put(graph, existing);
      const batch = {
        put: [makeRecord(random), makeRecord(random, { graphId: otherGraph })],
        remove: [existing.key],
      };
      const error: unknown = await store.commit(graph, batch).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(Error);
      expect(keys(await store.loadAll(graph))).to.deep.equal([existing.key]);
    });

    it('keeps graphs apart, even for the same key', async () => {
      const here = makeRecord(random, { expiresAtMs: 5 });
      const there = { ...here, record: { ...here.record, graphId: otherGraph, data: Uint8Array.of(2) } };
      await put(graph, here);
      await put(otherGraph, there);
      expect(await store.get(graph, here.key)).to.deep.equal(here);
      expect(await store.get(otherGraph, here.key)).to.deep.equal(there);
      await store.commit(graph, { put: [], remove: [here.key] });
      expect(await store.loadAll(graph)).to.deep.equal([]);
      expect(await found({}, otherGraph)).to.deep.equal([here.key]);
      expect(await store.expired(otherGraph, 10, 10)).to.deep.equal([here.key]);
      expect(await store.expired(graph, 10, 10)).to.deep.equal([]);
    });

    it('queries by type, by creator and by attribute, with every given filter applied', async () => {
      const note = makeRecord(random, { type: 'app/note', creator: alice, attributes: { tag: 'x' } });
      const task = makeRecord(random, { type: 'app/task', creator: alice, attributes: { tag: 'y' } });
      const bobNote = makeRecord(random, { type: 'app/note', creator: bob, attributes: { tag: 'x' } });
      await put(graph, note, task, bobNote);
      const elsewhere = makeRecord(random, { graphId: otherGraph, attributes: { tag: 'x' } });
      await put(otherGraph, elsewhere);
      // Every record here is created at the same time, so each answer comes in key order.
      expect(await found({ type: 'app/note' })).to.deep.equal([note.key, bobNote.key].sort());
      expect(await found({ creator: alice })).to.deep.equal([note.key, task.key].sort());
      expect(await found({ attribute: { name: 'tag', value: 'x' } })).to.deep.equal(
        [note.key, bobNote.key].sort(),
      );
      expect(await found({ type: 'app/note', creator: bob })).to.deep.equal([bobNote.key]);
      expect(await found({ creator: alice, attribute: { name: 'tag', value: 'y' } })).to.deep.equal([
        task.key,
      ]);
      expect(await found({ type: 'app/task', attribute: { name: 'tag', value: 'x' } })).to.deep.equal([]);
      expect(await found({ type: 'app/none' })).to.deep.equal([]);
      expect(await found({ creator: carol })).to.deep.equal([]);
    });

    it('tells a number attribute from a string with the same text', async () => {
      const number = makeRecord(random, { attributes: { rank: 1 } });
      const text = makeRecord(random, { attributes: { rank: '1' } });
      await put(graph, number, text);
      const rank = (value: string | number): Promise<string[]> =>
        found({ attribute: { name: 'rank', value } });
      expect(await rank(1)).to.deep.equal([number.key]);
      expect(await rank('1')).to.deep.equal([text.key]);
      expect(await rank(2)).to.deep.equal([]);
    });

    it('selects creation times in [fromMs, toMs)', async () => {
      const records = [10, 20, 30, 40].map((createdAtMs) => makeRecord(random, { createdAtMs }));
      await put(graph, ...records);
      const times = async (query: RecordQuery): Promise<number[]> =>
        (await store.query(graph, query)).records.map((stored) => stored.record.createdAtMs);
      expect(await times({ fromMs: 20, toMs: 40 })).to.deep.equal([20, 30]);
      expect(await times({ fromMs: 20 })).to.deep.equal([20, 30, 40]);
      expect(await times({ toMs: 20 })).to.deep.equal([10]);
      expect(await times({ fromMs: 30, toMs: 30 })).to.deep.equal([]);
      expect(await times({ fromMs: 35, toMs: 40, type: 'app/note' })).to.deep.equal([]);
      expect(await times({ fromMs: 15, toMs: 45, order: 'descending', creator: alice })).to.deep.equal([
        40, 30, 20,
      ]);
    });

    it('leaves tombstones out unless asked for them', async () => {
      const live = makeRecord(random, { createdAtMs: 1, attributes: { k: 'v' } });
      const tombstone = makeRecord(random, { createdAtMs: 2, deleted: true, attributes: { k: 'v' } });
      await put(graph, live, tombstone);
      for (const filter of [
        {},
        { type: 'app/note' },
        { creator: alice },
        { attribute: { name: 'k', value: 'v' } },
      ]) {
        const hidden = await store.query(graph, filter);
        expect(keys(hidden.records), JSON.stringify(filter)).to.deep.equal([live.key]);
        expect(hidden.next, JSON.stringify(filter)).to.equal(undefined);
        const shown = await store.query(graph, { ...filter, includeDeleted: true });
        expect(keys(shown.records), JSON.stringify(filter)).to.deep.equal([live.key, tombstone.key]);
      }
      expect(await store.get(graph, tombstone.key)).to.deep.equal(tombstone);
    });

    it('pages through 250 records with tied creation times, each exactly once, in both orders', async () => {
      const seed = 250;
      const pageRandom = createRandom(seed);
      const records = Array.from({ length: 250 }, () =>
        makeRecord(pageRandom, {
          createdAtMs: 1_000 + pageRandom.int(30),
          creator: bob,
          type: 'app/chat',
          attributes: { room: 'lobby' },
        }),
      );
      const others = Array.from({ length: 40 }, () =>
        makeRecord(pageRandom, { createdAtMs: 1_000 + pageRandom.int(30) }),
      );
      await put(graph, ...records, ...others);
      expect(keys(await store.loadAll(graph)), 'loadAll').to.deep.equal(keys([...records, ...others]).sort());
      const filters: RecordQuery[] = [
        { type: 'app/chat' },
        { creator: bob },
        { attribute: { name: 'room', value: 'lobby' } },
        {},
        { fromMs: 1_010, toMs: 1_020 },
      ];
      for (const filter of filters) {
        for (const order of ['ascending', 'descending'] as const) {
          const query = { ...filter, order };
          const expected = reference([...records, ...others], query);
          expect(expected.length).to.be.at.least(filter.fromMs === undefined ? 250 : 1);
          const label = `seed ${seed}, ${JSON.stringify(query)}`;
          expect(await pageAll(store, graph, query, 100), label).to.deep.equal(expected);
        }
      }
    });

    it('gives no next page when the last page is exactly full or only tombstones follow', async () => {
      const live = Array.from({ length: 4 }, (_, i) => makeRecord(random, { createdAtMs: i }));
      await put(graph, ...live, makeRecord(random, { createdAtMs: 10, deleted: true }));
      const first = await store.query(graph, { limit: 2 });
      expect(first.next).to.not.equal(undefined);
      const second = await store.query(graph, { limit: 2, ...(first.next ? { after: first.next } : {}) });
      expect(keys([...first.records, ...second.records])).to.deep.equal(keys(live));
      expect(second.next).to.equal(undefined);
    });

    it('resumes after a cursor whose record was removed in between', async () => {
      const records = Array.from({ length: 9 }, (_, i) => makeRecord(random, { createdAtMs: i % 3 }));
      await put(graph, ...records);
      const expected = keys([...records].sort(byPosition));
      for (const order of ['ascending', 'descending'] as const) {
        const inOrder = order === 'ascending' ? expected : [...expected].reverse();
        // A page of 5 ends inside a run of records created at the same time.
        const first = await store.query(graph, { limit: 5, order });
        const next = first.next;
        if (next === undefined) throw new Error('expected a second page');
        await store.commit(graph, { put: [], remove: [next.key] });
        const second = await store.query(graph, { limit: 10, order, after: next });
        expect(keys(second.records), order).to.deep.equal(inOrder.slice(5));
        await put(graph, ...records);
      }
    });

    it('returns 100 records per page by default and at most 1000', async () => {
      const records = Array.from({ length: 1_001 }, () => makeRecord(random, { createdAtMs: random.int(9) }));
      await put(graph, ...records);
      const byDefault = await store.query(graph, {});
      expect(byDefault.records).to.have.length(100);
      expect(byDefault.next).to.not.equal(undefined);
      const most = await store.query(graph, { limit: 5_000 });
      expect(keys(most.records)).to.deep.equal(keys([...records].sort(byPosition)).slice(0, 1_000));
      expect(most.next).to.not.equal(undefined);
    });

    it('lists expired keys soonest first, ties by key, up to the limit, tombstones included', async () => {
      const at = (expiresAtMs: number, deleted = false): StoredRecord =>
        makeRecord(random, { expiresAtMs, deleted, creator: random.pick([alice, bob]) });
      const records = [at(50), at(10), at(30, true), at(30), at(60), at(20)];
      await put(graph, ...records);
      const soonest = records
        .filter((stored) => stored.record.expiresAtMs <= 50)
        .sort((a, b) => a.record.expiresAtMs - b.record.expiresAtMs || (a.key < b.key ? -1 : 1));
      expect(await store.expired(graph, 50, 100)).to.deep.equal(keys(soonest));
      expect(await store.expired(graph, 50, 2)).to.deep.equal(keys(soonest).slice(0, 2));
      expect(await store.expired(graph, 9, 100)).to.deep.equal([]);
      expect(await store.expired(graph, 50, 0)).to.deep.equal([]);
    });

    it('deletes a whole graph and nothing else', async () => {
      const here = Array.from({ length: 5 }, () => makeRecord(random, { expiresAtMs: 1 }));
      const there = makeRecord(random, { graphId: otherGraph });
      await put(graph, ...here);
      await put(otherGraph, there);
      await store.deleteGraph(graph);
      expect(await store.loadAll(graph)).to.deep.equal([]);
      expect(await store.get(graph, here[0]?.key ?? '')).to.equal(undefined);
      expect((await store.query(graph, { includeDeleted: true })).records).to.deep.equal([]);
      expect(await store.expired(graph, 10, 10)).to.deep.equal([]);
      expect(await store.loadAll(otherGraph)).to.deep.equal([there]);
      await put(graph, here[1] ?? there);
      expect(await store.loadAll(graph)).to.have.length(1);
    });

    for (const seed of [1, 2, 3]) {
      it(`answers random queries as a plain filter and sort would (seed ${seed})`, async () => {
        const model = createRandom(seed);
        const values: (string | number)[] = ['red', 'blue', 1, '1', 2];
        // What a version may change; the creator and id, which make the key, never change.
        const fields = (): Partial<GraphRecord> => ({
          type: model.pick(['app/a', 'app/b', 'app/c']),
          createdAtMs: model.int(40),
          deleted: model.chance(0.2),
          attributes: model.chance(0.7) ? { color: model.pick(values) } : {},
        });
        const current = new Map<string, StoredRecord>();
        const initial = Array.from({ length: 300 }, () =>
          makeRecord(model, { ...fields(), creator: model.pick([alice, bob, carol]) }),
        );
        await put(graph, ...initial);
        for (const stored of initial) current.set(stored.key, stored);
        const changed = model.shuffle(initial).slice(0, 60);
        const revised = changed.slice(0, 40).map((stored) => revise(stored, fields()));
        const removed = keys(changed.slice(40));
        await store.commit(graph, { put: revised, remove: removed });
        for (const stored of revised) current.set(stored.key, stored);
        for (const key of removed) current.delete(key);
        for (let round = 0; round < 25; round++) {
          const query: RecordQuery = {
            ...(model.chance(0.3) ? { type: model.pick(['app/a', 'app/b', 'app/c']) } : {}),
            ...(model.chance(0.3) ? { creator: model.pick([alice, bob, carol]) } : {}),
            ...(model.chance(0.3) ? { attribute: { name: 'color', value: model.pick(values) } } : {}),
            ...(model.chance(0.3) ? { fromMs: model.int(40) } : {}),
            ...(model.chance(0.3) ? { toMs: model.int(40) } : {}),
            includeDeleted: model.chance(0.5),
            order: model.pick(['ascending', 'descending'] as const),
          };
          const limit = 1 + model.int(40);
          const label = `seed ${seed}, round ${round}, limit ${limit}, ${JSON.stringify(query)}`;
          expect(await pageAll(store, graph, query, limit), label).to.deep.equal(
            reference(current.values(), query),
          );
        }
      });
    }
  });
}
