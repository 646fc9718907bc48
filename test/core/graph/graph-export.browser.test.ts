import { expect } from 'chai';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import {
  exportGraph,
  GraphImportError,
  importGraph,
  readGraphExportHeader,
  type GraphExportSource,
  type GraphImportTarget,
  type ImportSummary,
} from '../../../src/core/graph/graph-export.ts';
import {
  compareVersions,
  decodeRecord,
  maxRecordBytes,
  storedRecord,
} from '../../../src/core/graph/record-codec.ts';
import type { IntakeVerdict } from '../../../src/core/graph/record-intake.ts';
import {
  signRecord,
  verifyRecordSignature,
  type RecordAuthor,
} from '../../../src/core/graph/signed-records.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import type { StoredRecord } from '../../../src/core/ports.ts';
import { concatBytes, equalBytes, toBase32, utf8 } from '../../../src/lib/bytes.ts';
import { closeGraphs, openGraphOn, type GraphTestNode } from '../../helpers/graph-nodes.ts';
import { createMeshNodes, destroyMeshNodes } from '../../helpers/mesh-nodes.ts';

const graphId = 'team.notes';

/** The marker written into record `i`'s data, so a test can find that record in a file. */
const marker = (i: number): Uint8Array => utf8(`note #${String(i).padStart(3, '0')} of the export`);

/**
 * `count` records signed by a new author, with `padBytes` more data each; the last is a
 * tombstone and every fifth a second version.
 */
async function signedRecords(count: number, padBytes = 0): Promise<StoredRecord[]> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const author: RecordAuthor = {
    identityId: await identityIdOf(publicKey),
    publicKey,
    signingKey: privateKey,
  };
  const nowMs = Date.now();
  const records: StoredRecord[] = [];
  for (let i = 0; i < count; i++) {
    const deleted = i === count - 1;
    const record = await signRecord(author, {
      graphId,
      type: 'app/note',
      id: `note-${i}`,
      version: i % 5 === 0 ? 2 : 1,
      creator: author.identityId,
      modifiedBy: author.identityId,
      signerKey: publicKey,
      createdAtMs: nowMs + i,
      modifiedAtMs: nowMs + i,
      expiresAtMs: nowMs + 3_600_000,
      deleted,
      attributes: deleted ? {} : { n: i },
      data: deleted ? new Uint8Array(0) : concatBytes(marker(i), new Uint8Array(padBytes).fill(i)),
    });
    records.push(storedRecord(record));
  }
  return records;
}

/** A source serving `records` seven at a time, whatever the limit, so exports page. */
function pagedSource(records: readonly StoredRecord[], id = graphId): GraphExportSource {
  return {
    graphId: id,
    query: (query) => {
      const start =
        query.after === undefined ? 0 : records.findIndex(({ key }) => key === query.after?.key) + 1;
      const page = records.slice(start, start + 7);
      const last = page.at(-1);
      const more = start + 7 < records.length && last !== undefined;
      return Promise.resolve(
        more
          ? { records: page, next: { createdAtMs: last.record.createdAtMs, key: last.key } }
          : { records: page },
      );
    },
  };
}

/** A graph's receive path in miniature: decode, graph id, signature, versions. Counts offers. */
class FakeGraph implements GraphImportTarget {
  readonly graphId = graphId;
  readonly records = new Map<string, StoredRecord>();
  offers = 0;

  async offer(encoded: Uint8Array): Promise<IntakeVerdict> {
    this.offers++;
    const decoded = decodeRecord(encoded);
    if (!decoded.ok) return { outcome: 'refused', reason: decoded.reason };
    if (decoded.record.graphId !== this.graphId) return { outcome: 'refused', reason: 'wrong-graph' };
    const invalid = await verifyRecordSignature(decoded.record);
    if (invalid !== undefined) return { outcome: 'refused', reason: invalid };
    const stored = storedRecord(decoded.record, decoded.encoded);
    const previous = this.records.get(stored.key);
    if (previous !== undefined && compareVersions(stored, previous) <= 0) {
      return { outcome: compareVersions(stored, previous) === 0 ? 'duplicate' : 'superseded' };
    }
    this.records.set(stored.key, stored);
    return { outcome: 'accepted', stored, previous };
  }
}

async function bytesOf(file: Blob): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await file.arrayBuffer());
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (equalBytes(haystack.subarray(i, i + needle.length), needle)) return i;
  }
  return -1;
}

/** Where each record's length prefix starts in an export, by walking the layout. */
function recordOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const offsets: number[] = [];
  for (let at = 12 + view.getUint16(10); at < file.length; at += 4 + view.getUint32(at)) offsets.push(at);
  return offsets;
}

/** The `GraphImportError` `promise` rejects with. */
async function importFailure(promise: Promise<unknown>): Promise<GraphImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphImportError) return error;
    throw error;
  }
  throw new Error('the import did not fail');
}

const none: ImportSummary = { imported: 0, duplicates: 0, superseded: 0, refused: {} };

describe('graph export files', () => {
  let records: StoredRecord[] = [];
  let file = new Blob();

  before(async () => {
    records = await signedRecords(25);
    file = await exportGraph(pagedSource(records), 1_700_000_000_123.6);
  });

  it('round trip: the header says what the file holds, and every record comes back as it was', async () => {
    expect(await readGraphExportHeader(file)).to.deep.equal({
      graphId,
      exportedAtMs: 1_700_000_000_123,
      recordCount: 25,
    });
    const target = new FakeGraph();
    const progress: string[] = [];
    const summary = await importGraph(target, file, (done, total) => progress.push(`${done}/${total}`));
    expect(summary).to.deep.equal({ ...none, imported: 25 });
    expect(progress).to.deep.equal(records.map((_, i) => `${i + 1}/25`));
    for (const original of records) {
      const back = target.records.get(original.key);
      expect(back?.record.version, original.key).to.equal(original.record.version);
      expect(toBase32(back?.hash ?? new Uint8Array()), original.key).to.equal(toBase32(original.hash));
    }
    expect(target.records.get(records[24]?.key ?? '')?.record.deleted, 'tombstone kept').to.equal(true);
  });

  it('a file larger than one read reads whole, records spanning the reads included', async () => {
    const big = await signedRecords(40, 30_000);
    const bigFile = await exportGraph(pagedSource(big), 0);
    expect(bigFile.size, 'over the 1 MiB read size').to.be.greaterThan(1024 * 1024);
    const target = new FakeGraph();
    expect(await importGraph(target, bigFile)).to.deep.equal({ ...none, imported: 40 });
    expect([...target.records.values()].map(({ hash }) => toBase32(hash))).to.deep.equal(
      big.map(({ hash }) => toBase32(hash)),
    );
  });

  it('importing the same file twice finds only duplicates the second time', async () => {
    const target = new FakeGraph();
    await importGraph(target, file);
    expect(await importGraph(target, file)).to.deep.equal({ ...none, duplicates: 25 });
  });

  it('a record changed in the file is refused for its signature; the others are imported', async () => {
    const bytes = await bytesOf(file);
    const at = indexOfBytes(bytes, marker(7));
    expect(at, 'marker found').to.be.greaterThan(0);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    const target = new FakeGraph();
    expect(await importGraph(target, bytes)).to.deep.equal({
      ...none,
      imported: 24,
      refused: { 'bad-signature': 1 },
    });
    expect(target.records.has(records[7]?.key ?? '')).to.equal(false);
  });

  it('refuses a file that is not an export, or has another version, a damaged header or another graph', async () => {
    const bytes = await bytesOf(file);
    const cases: [string, Uint8Array, string][] = [
      ['not-a-graph-export', concatBytes(utf8('MYCELGR2'), bytes.subarray(8)), 'not a Mycel graph export'],
      ['not-a-graph-export', bytes.subarray(0, 5), 'not a Mycel graph export'],
      [
        'unsupported-version',
        concatBytes(bytes.subarray(0, 8), new Uint8Array([0, 2]), bytes.subarray(10)),
        'format 2',
      ],
      [
        'bad-header',
        concatBytes(bytes.subarray(0, 10), new Uint8Array([0xff, 0xff]), bytes.subarray(12)),
        'damaged',
      ],
      ['other-graph', await bytesOf(await exportGraph(pagedSource([], 'other.notes'), 0)), '“other.notes”'],
    ];
    for (const [reason, damaged, words] of cases) {
      const target = new FakeGraph();
      const error = await importFailure(importGraph(target, damaged));
      expect(error.reason, reason).to.equal(reason);
      expect(error.message, reason).to.contain(words);
      expect(error.hint?.length ?? 0, reason).to.be.greaterThan(10);
      expect(error.summary, reason).to.equal(undefined);
      expect(target.offers, `${reason}: nothing offered`).to.equal(0);
    }
  });

  it('a file cut short keeps the records before the cut and says so', async () => {
    const bytes = await bytesOf(file);
    const cut = (recordOffsets(bytes)[9] ?? 0) + 10;
    const target = new FakeGraph();
    const error = await importFailure(importGraph(target, new Blob([bytes.subarray(0, cut)])));
    expect(error.reason).to.equal('truncated');
    expect(error.message).to.contain('record 10 of 25').and.contain('9 records before that point');
    expect(error.summary).to.deep.equal({ ...none, imported: 9 });
    expect([...target.records.keys()]).to.deep.equal(records.slice(0, 9).map(({ key }) => key));
  });

  it('stops when the graph cannot store more, keeping what it stored', async () => {
    const target = new FakeGraph();
    const full = new Error('The storage of this browser is full.');
    let offered = 0;
    const filling: GraphImportTarget = {
      graphId,
      offer: (encoded) =>
        ++offered > 4 ? Promise.resolve({ outcome: 'failed', error: full }) : target.offer(encoded),
    };
    const error = await importFailure(importGraph(filling, file));
    expect(error.reason).to.equal('not-stored');
    expect(error.cause).to.equal(full);
    expect(error.message)
      .to.contain('storage of this browser is full')
      .and.contain('4 records before that point');
    expect(error.summary).to.deep.equal({ ...none, imported: 4 });
    expect(target.records.size).to.equal(4);
  });

  it('bytes after the last record are reported once every record is imported', async () => {
    const target = new FakeGraph();
    const error = await importFailure(
      importGraph(target, concatBytes(await bytesOf(file), new Uint8Array(3))),
    );
    expect(error.reason).to.equal('trailing-data');
    expect(error.summary).to.deep.equal({ ...none, imported: 25 });
  });

  it('a length prefix over the record cap stops the import before that record is read', async () => {
    const bytes = await bytesOf(file);
    const at = recordOffsets(bytes)[3] ?? 0;
    for (const claimed of [maxRecordBytes + 1, 0xffff_ffff]) {
      // Enough bytes behind the prefix that only the cap, not the file's end, can refuse it.
      const damaged = concatBytes(
        bytes.subarray(0, at),
        new Uint8Array(4),
        new Uint8Array(maxRecordBytes + 8),
      );
      new DataView(damaged.buffer).setUint32(at, claimed);
      const target = new FakeGraph();
      const error = await importFailure(importGraph(target, new Blob([damaged])));
      expect(error.reason, `${claimed}`).to.equal('oversize-record');
      expect(error.message)
        .to.contain(`Record 4 of 25 claims ${claimed} bytes`)
        .and.contain('3 records before');
      expect(target.offers, 'records offered').to.equal(3);
      expect(error.summary).to.deep.equal({ ...none, imported: 3 });
    }
  });
});

/** A node's records as `key@version#hash`, sorted. */
async function digest(node: GraphTestNode): Promise<string[]> {
  const all = await node.store.loadAll(node.graph.graphId);
  return all.map(({ key, record, hash }) => `${key}@${record.version}#${toBase32(hash)}`).sort();
}

describe('graph export between two graphs on IndexedDB', function () {
  this.timeout(120_000);
  let nodes: GraphTestNode[] = [];

  afterEach(async () => {
    closeGraphs(nodes);
    await destroyMeshNodes(nodes);
    nodes = [];
  });

  it('records written on one node, exported and imported on another, arrive checked and identical', async () => {
    const meshNodes = await createMeshNodes(3);
    for (const node of meshNodes) nodes.push(await openGraphOn(node));
    const [a, b, c] = nodes;
    if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
    const written: StoredRecord[] = [];
    for (let i = 0; i < 50; i++) written.push(await a.graph.add({ type: 'app/note', data: marker(i) }));
    for (const stored of written.slice(0, 10))
      await a.graph.update(stored.key, { attributes: { edited: 1 } });
    await a.graph.delete(written[10]?.key ?? '');

    const file = await a.graph.exportRecords();
    const reported: string[] = [];
    b.graph.on('record-changed', ({ change }) => reported.push(change));
    expect(await b.graph.importRecords(file)).to.deep.equal({ ...none, imported: 50 });
    expect(await digest(b)).to.deep.equal(await digest(a));
    expect(b.graph.recordCount).to.equal(50);
    expect(reported.filter((change) => change === 'deleted')).to.have.length(1);
    expect(reported).to.have.length(50);

    expect(await b.graph.importRecords(file), 'again').to.deep.equal({ ...none, duplicates: 50 });

    const tampered = await bytesOf(file);
    const at = indexOfBytes(tampered, marker(30));
    tampered[at] = (tampered[at] ?? 0) ^ 0x20;
    expect(await c.graph.importRecords(tampered), 'tampered').to.deep.equal({
      ...none,
      imported: 49,
      refused: { 'bad-signature': 1 },
    });
    expect(c.graph.rejections()).to.deep.equal({ 'bad-signature': 1 });
    expect(await c.graph.get(written[30]?.key ?? '')).to.equal(undefined);
  });
});
