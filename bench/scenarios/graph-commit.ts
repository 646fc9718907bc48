/**
 * IndexedDB commit rate of accepted records, in one page: signed records committed as the
 * graph's intake commits them (one `CommitQueue.commit` per record, a frame's worth at once,
 * so they group into one `IdbRecordStore.commit` transaction), against plain `idb` puts of the
 * same records, one transaction per batch, into an object store without indexes.
 */
import { deleteDB, openDB, type DBSchema } from 'idb';
import { generateSigningKeyPair } from '../../src/core/crypto/ed25519.ts';
import { CommitQueue } from '../../src/core/graph/commit-queue.ts';
import { encodeRecord, storedRecord } from '../../src/core/graph/record-codec.ts';
import { newRecordId, signRecord, type RecordAuthor } from '../../src/core/graph/signed-records.ts';
import { identityIdOf } from '../../src/core/identity/ids.ts';
import type { StoredRecord } from '../../src/core/ports.ts';
import { deleteProfileDatabase, openProfileDatabase } from '../../src/storage/idb/profile-database.ts';
import { IdbRecordStore } from '../../src/storage/idb/record-store.ts';
import { benchGraphId, uniqueRunName } from './graph-nodes.ts';
import type { CommitOptions, CommitReport } from './graph-reports.ts';
import { withTimeout } from './timeout.ts';

/** The baseline's database: the records by `[graphId, key]`, as the profile keys them, no indexes. */
interface PlainSchema extends DBSchema {
  records: { key: [graphId: string, key: string]; value: StoredRecord };
}

/** Records signed at once while preparing: their signatures run together. */
const signBatch = 256;

const itemType = 'bench/item';

/** A year, the graph's default lifetime. */
const lifetimeMs = 365 * 24 * 3_600_000;

/** Data bytes that make an encoding of about `recordBytes`: a signed probe without data measures the rest. */
async function dataBytesFor(author: RecordAuthor, recordBytes: number): Promise<number> {
  const probe = await signedRecord(author, new Uint8Array(0));
  return Math.max(0, recordBytes - encodeRecord(probe.record).length);
}

async function signedRecord(author: RecordAuthor, data: Uint8Array): Promise<StoredRecord> {
  const nowMs = Date.now();
  const record = await signRecord(author, {
    graphId: benchGraphId,
    type: itemType,
    id: newRecordId(),
    version: 1,
    creator: author.identityId,
    modifiedBy: author.identityId,
    signerKey: author.publicKey,
    createdAtMs: nowMs,
    modifiedAtMs: nowMs,
    expiresAtMs: nowMs + lifetimeMs,
    deleted: false,
    attributes: {},
    data,
  });
  return storedRecord(record);
}

/** `count` records signed by a fresh author, each encoding about `recordBytes`. */
async function prepareRecords(count: number, recordBytes: number): Promise<StoredRecord[]> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const author: RecordAuthor = {
    identityId: await identityIdOf(publicKey),
    publicKey,
    signingKey: privateKey,
  };
  const dataBytes = await dataBytesFor(author, recordBytes);
  const records: StoredRecord[] = [];
  while (records.length < count) {
    const size = Math.min(signBatch, count - records.length);
    const batch = Array.from({ length: size }, () =>
      signedRecord(author, crypto.getRandomValues(new Uint8Array(dataBytes))),
    );
    records.push(...(await Promise.all(batch)));
  }
  return records;
}

function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/** Records/s committing `records` through a `CommitQueue` on an `IdbRecordStore`, fresh database. */
async function storeRun(records: readonly StoredRecord[], batchRecords: number): Promise<number> {
  const name = uniqueRunName('bench-graph-commit-store');
  const database = await openProfileDatabase(name);
  try {
    const queue = new CommitQueue(new IdbRecordStore(database), benchGraphId);
    const startedAt = performance.now();
    for (const batch of batchesOf(records, batchRecords)) {
      // One commit per record, as the intake asks for them; the queue makes one transaction.
      await Promise.all(batch.map((stored) => queue.commit({ put: [stored], remove: [] })));
    }
    return records.length / ((performance.now() - startedAt) / 1000);
  } finally {
    database.close();
    await deleteProfileDatabase(name);
  }
}

/** Records/s putting the same records with plain `idb`, one transaction per batch, fresh database. */
async function plainRun(records: readonly StoredRecord[], batchRecords: number): Promise<number> {
  const name = uniqueRunName('bench-graph-commit-plain');
  const database = await openDB<PlainSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('records');
    },
  });
  try {
    const startedAt = performance.now();
    for (const batch of batchesOf(records, batchRecords)) {
      const tx = database.transaction('records', 'readwrite');
      const puts = batch.map((stored) => tx.store.put(stored, [benchGraphId, stored.key]));
      await Promise.all([...puts, tx.done]);
    }
    return records.length / ((performance.now() - startedAt) / 1000);
  } finally {
    database.close();
    await deleteDB(name);
  }
}

/** Prepares the records, then alternates store and plain runs, each into a fresh database. */
export async function runCommit(options: CommitOptions): Promise<CommitReport> {
  const preparedAt = performance.now();
  const records = await withTimeout(
    prepareRecords(options.records, options.recordBytes),
    options.timeoutMs,
    `signing ${options.records} records`,
  );
  const prepareMs = performance.now() - preparedAt;
  const storeRecordsPerSecond: number[] = [];
  const plainRecordsPerSecond: number[] = [];
  for (let run = 0; run < options.runs; run += 1) {
    storeRecordsPerSecond.push(
      await withTimeout(storeRun(records, options.batchRecords), options.timeoutMs, `store run ${run}`),
    );
    plainRecordsPerSecond.push(
      await withTimeout(plainRun(records, options.batchRecords), options.timeoutMs, `plain run ${run}`),
    );
  }
  const meanRecordBytes = records.reduce((sum, stored) => sum + stored.bytes, 0) / records.length;
  return { storeRecordsPerSecond, plainRecordsPerSecond, prepareMs, meanRecordBytes };
}
