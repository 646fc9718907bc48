import { concatBytes, equalBytes, utf8 } from '../../lib/bytes.ts';
import { MycelError, messageOf } from '../../lib/errors.ts';
import type { RecordCursor, RecordPage, RecordQuery } from '../ports.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import { WireDecodeError } from '../wire/errors.ts';
import { integer, object, parse, text } from '../wire/schema.ts';
import { encodeRecord, graphIdPattern, maxRecordBytes, maxTimeMs } from './record-codec.ts';
import type { IntakeVerdict } from './record-intake.ts';

// A graph's records in a file, as Windows Peer Graphing's PeerGraphExportDatabase: a backup,
// or a way to seed a graph on a node that cannot reach the others. The layout (big-endian):
//
//   8 bytes   magic `MYCELGR1`
//   u16       format version (1)
//   u16       header length H, at most `maxHeaderBytes`
//   H bytes   deterministic CBOR {g: graph id, t: exported at (epoch ms), n: record count}
//   n times:  u32 length L (at most `maxRecordBytes`), then L bytes of `encodeRecord`
//
// Records are kept exactly as signed, so an import checks each one like a record from a peer:
// a file is no more trusted than the network, and a record changed in it fails its signature.

/** The first bytes of every graph export. */
export const graphExportMagic = utf8('MYCELGR1');

/** The layout version this code writes and reads. */
export const graphExportFormatVersion = 1;

/** The media type of a graph export, for downloads. */
export const graphExportMediaType = 'application/x-mycel-graph';

/** A header is a graph id and two numbers: far below this; more means the file is damaged. */
const maxHeaderBytes = 1024;

/** Bytes before the CBOR header: magic, version, header length. */
const prefixBytes = graphExportMagic.length + 4;

/** Records per query page while exporting: the most a store serves at once. */
const exportPageSize = 1000;

/**
 * Records offered to the graph at once while importing: enough for the commit queue to put
 * many into one IndexedDB transaction, few enough that a huge file is not held in memory.
 */
const importWindow = 64;

/** Bytes read from a file at a time: a record is at most 64 KiB, a read is many records. */
const readChunkBytes = 1024 * 1024;

/** A header is one flat map of three entries; the caps leave room and refuse anything else. */
const headerDecodeLimits = { maxBytes: maxHeaderBytes, maxDepth: 1, maxItems: 8 } as const;

const headerSchema = object({
  g: text({ minLength: 1, maxLength: 64, pattern: graphIdPattern }),
  t: integer({ min: 0, max: maxTimeMs }),
  n: integer({ min: 0 }),
});

/** What an export reads of its graph. `Graph` is one. */
export interface GraphExportSource {
  readonly graphId: string;
  query(query: RecordQuery): Promise<RecordPage>;
}

/** Where an import puts records: the graph's receive path, which checks each one. */
export interface GraphImportTarget {
  readonly graphId: string;
  /** Judges and, if valid, commits one encoded record, as for a record from a peer. */
  offer(encoded: Uint8Array): Promise<IntakeVerdict>;
}

/** What the header of a graph export says. */
export interface GraphExportHeader {
  readonly graphId: string;
  readonly exportedAtMs: number;
  readonly recordCount: number;
}

/**
 * What an import did with the file's records: new or newer ones `imported`; `duplicates`
 * already here; `superseded` by a newer version here, or expired; `refused` by reason
 * (`bad-signature`, `bad-encoding`, ...): they break a rule and were not stored.
 */
export interface ImportSummary {
  readonly imported: number;
  readonly duplicates: number;
  readonly superseded: number;
  readonly refused: Readonly<Record<string, number>>;
}

/** Called as records are judged: `done` of the `total` the file holds. */
export type ImportProgress = (done: number, total: number) => void;

/**
 * Why an import stopped:
 * - `not-a-graph-export`: the file does not start with the magic;
 * - `unsupported-version`: a format version this code does not read;
 * - `bad-header`: the header cannot be read;
 * - `other-graph`: the file holds another graph's records;
 * - `truncated`: the file ends before its last record;
 * - `oversize-record`: a length over `maxRecordBytes`, so the file is damaged;
 * - `trailing-data`: bytes after the last record;
 * - `not-stored`: the graph could not store records (storage full, graph closed).
 */
export type GraphImportFailure =
  | 'not-a-graph-export'
  | 'unsupported-version'
  | 'bad-header'
  | 'other-graph'
  | 'truncated'
  | 'oversize-record'
  | 'trailing-data'
  | 'not-stored';

/** An import of a graph export stopped; records judged before that point stay imported. */
export class GraphImportError extends MycelError {
  override name = 'GraphImportError';
  readonly reason: GraphImportFailure;
  /** What was done with the records before the import stopped; undefined if it stopped at the header. */
  readonly summary: ImportSummary | undefined;

  constructor(
    reason: GraphImportFailure,
    message: string,
    options: { hint: string; summary?: ImportSummary; cause?: unknown },
  ) {
    super(message, { hint: options.hint, cause: options.cause });
    this.reason = reason;
    this.summary = options.summary;
  }
}

/** 4 bytes of `value` (an unsigned 32-bit integer), big-endian. */
function u32(value: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

function encodeHeader(graphId: string, exportedAtMs: number, recordCount: number): Uint8Array<ArrayBuffer> {
  const body = encodeCbor({ g: graphId, t: exportedAtMs, n: recordCount });
  const prefix = new Uint8Array(prefixBytes);
  prefix.set(graphExportMagic);
  const view = new DataView(prefix.buffer);
  view.setUint16(graphExportMagic.length, graphExportFormatVersion);
  view.setUint16(graphExportMagic.length + 2, body.length);
  return concatBytes(prefix, body);
}

/**
 * Every record of `source`, tombstones included, in one file (see the layout at the top of
 * this module). A `Blob`, not bytes: each page of records becomes a part the browser may keep
 * out of the JavaScript heap, and the whole goes to a download or a file handle without
 * ever being one array. Records written while the export runs may or may not be in it.
 */
export async function exportGraph(source: GraphExportSource, exportedAtMs: number): Promise<Blob> {
  const pages: Blob[] = [];
  let recordCount = 0;
  const base: RecordQuery = { includeDeleted: true, limit: exportPageSize };
  let after: RecordCursor | undefined;
  do {
    const page = await source.query(after === undefined ? base : { ...base, after });
    const parts = page.records.flatMap(({ record }) => {
      const encoded = encodeRecord(record);
      return [u32(encoded.length), encoded];
    });
    pages.push(new Blob([concatBytes(...parts)]));
    recordCount += page.records.length;
    after = page.next;
  } while (after !== undefined);
  const header = encodeHeader(source.graphId, Math.floor(exportedAtMs), recordCount);
  return new Blob([header, ...pages], { type: graphExportMediaType });
}

/** Reads a file front to back, a chunk at a time, so only the part being read is in memory. */
class ExportReader {
  private readonly file: Blob | Uint8Array;
  private buffer: Uint8Array;
  /** Where `buffer` starts in the file. */
  private bufferOffset = 0;
  private position = 0;

  constructor(file: Blob | Uint8Array) {
    this.file = file;
    this.buffer = file instanceof Uint8Array ? file : new Uint8Array(0);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.size - this.position;
  }

  private get size(): number {
    return this.file instanceof Uint8Array ? this.file.length : this.file.size;
  }

  /** The next `length` bytes; the caller checks `remaining` first. */
  async read(length: number): Promise<Uint8Array> {
    const end = this.position + length;
    if (end > this.bufferOffset + this.buffer.length && !(this.file instanceof Uint8Array)) {
      const chunkEnd = Math.min(this.size, this.position + Math.max(length, readChunkBytes));
      this.buffer = new Uint8Array(await this.file.slice(this.position, chunkEnd).arrayBuffer());
      this.bufferOffset = this.position;
    }
    const start = this.position - this.bufferOffset;
    this.position = end;
    // A view: buffers are replaced, never written to, so it stays valid.
    return this.buffer.subarray(start, start + length);
  }
}

const notAnExport = (): GraphImportError =>
  new GraphImportError('not-a-graph-export', 'This file is not a Mycel graph export.', {
    hint: 'Choose a file made with “Export records” in Mycel.',
  });

const damagedHeader = (): GraphImportError =>
  new GraphImportError('bad-header', 'This graph export is damaged: its header cannot be read.', {
    hint: 'Export the graph again from a node that has it, and import the new file.',
  });

async function readHeaderFrom(reader: ExportReader): Promise<GraphExportHeader> {
  if (reader.remaining < prefixBytes) throw notAnExport();
  const prefix = await reader.read(prefixBytes);
  if (!equalBytes(prefix.subarray(0, graphExportMagic.length), graphExportMagic)) throw notAnExport();
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const version = view.getUint16(graphExportMagic.length);
  if (version !== graphExportFormatVersion) {
    throw new GraphImportError(
      'unsupported-version',
      `This graph export has format ${version}, which this version of Mycel cannot read (it reads format ${graphExportFormatVersion}).`,
      { hint: 'Update Mycel on this device, or export the graph again with the version running here.' },
    );
  }
  const headerLength = view.getUint16(graphExportMagic.length + 2);
  if (headerLength > maxHeaderBytes || headerLength > reader.remaining) throw damagedHeader();
  let value: WireValue;
  try {
    value = decodeCbor(await reader.read(headerLength), headerDecodeLimits);
  } catch (error) {
    if (error instanceof WireDecodeError) throw damagedHeader();
    throw error;
  }
  const parsed = parse(headerSchema, value);
  if (!parsed.ok) throw damagedHeader();
  return { graphId: parsed.value.g, exportedAtMs: parsed.value.t, recordCount: parsed.value.n };
}

/**
 * The header of a graph export: which graph, when, how many records, to show before
 * importing. Throws `GraphImportError` if the file is not a readable graph export.
 */
export function readGraphExportHeader(file: Blob | Uint8Array): Promise<GraphExportHeader> {
  return readHeaderFrom(new ExportReader(file));
}

const retryHint =
  'Export the graph again from a node that has it and import the new file: records already imported count as duplicates.';

/** Which count of `ImportSummary` each verdict adds to. */
const countOf = { accepted: 'imported', duplicate: 'duplicates', superseded: 'superseded' } as const;

/** Offers records a window at a time and counts the verdicts. */
class ImportTally {
  private readonly target: GraphImportTarget;
  private readonly total: number;
  private readonly onProgress: ImportProgress | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly counts = { imported: 0, duplicates: 0, superseded: 0 };
  private readonly refused = new Map<string, number>();
  /** Records judged so far. */
  done = 0;
  /** The first commit that failed; the import stops there. */
  failure: { readonly error: unknown } | undefined;

  constructor(target: GraphImportTarget, total: number, onProgress: ImportProgress | undefined) {
    this.target = target;
    this.total = total;
    this.onProgress = onProgress;
  }

  /** Offers one record; resolves once the window has room for the next. */
  async offer(encoded: Uint8Array): Promise<void> {
    const judged: Promise<void> = this.target
      .offer(encoded)
      .then(
        (verdict) => this.count(verdict),
        // Offers never reject by contract; if one does, stop as for a failed commit.
        (error: unknown) => this.count({ outcome: 'failed', error }),
      )
      .finally(() => this.pending.delete(judged));
    this.pending.add(judged);
    while (this.pending.size >= importWindow) await Promise.race(this.pending);
  }

  /** Waits for every record offered to be judged. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  summary(): ImportSummary {
    return { ...this.counts, refused: Object.fromEntries(this.refused) };
  }

  /** The error of an import stopped by `what`, once every record offered is judged. */
  async stopped(reason: GraphImportFailure, what: string, hint = retryHint): Promise<GraphImportError> {
    await this.settle();
    const summary = this.summary();
    const kept = `The ${this.done} record${this.done === 1 ? '' : 's'} before that point went through the import (${summary.imported} new).`;
    return new GraphImportError(reason, `${what} ${kept}`, { hint, summary, cause: this.failure?.error });
  }

  private count(verdict: IntakeVerdict): void {
    if (verdict.outcome === 'failed') {
      this.failure ??= { error: verdict.error };
      return;
    }
    if (verdict.outcome === 'refused') {
      this.refused.set(verdict.reason, (this.refused.get(verdict.reason) ?? 0) + 1);
    } else {
      this.counts[countOf[verdict.outcome]]++;
    }
    this.done++;
    this.onProgress?.(this.done, this.total);
  }
}

/** The next record's bytes, or why the file cannot give them. */
async function nextRecord(
  reader: ExportReader,
): Promise<{ bytes: Uint8Array } | { damage: 'truncated' | 'oversize-record'; length?: number }> {
  if (reader.remaining < 4) return { damage: 'truncated' };
  const prefix = await reader.read(4);
  const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
  // Checked before reading: a damaged length must not make the reader allocate gigabytes.
  if (length > maxRecordBytes) return { damage: 'oversize-record', length };
  if (length > reader.remaining) return { damage: 'truncated' };
  return { bytes: await reader.read(length) };
}

/**
 * Imports a graph export into `target`: the header first (magic, version, and the graph id,
 * which must be the target's), then every record through `target.offer`, the graph's normal
 * receive path, so each is decoded, checked against the rules and its signature, and
 * committed like a record from a peer. A record that fails is counted in `refused` and the
 * rest go on. Throws `GraphImportError` on a file that is not this graph's export, on a
 * damaged one (cut short, a record length over the cap, bytes after the end), and when the
 * graph cannot store records: the records before that point stay imported, and the error's
 * `summary` counts them.
 */
export async function importGraph(
  target: GraphImportTarget,
  file: Blob | Uint8Array,
  onProgress?: ImportProgress,
): Promise<ImportSummary> {
  const reader = new ExportReader(file);
  const header = await readHeaderFrom(reader);
  if (header.graphId !== target.graphId) {
    throw new GraphImportError(
      'other-graph',
      `This file holds the records of graph “${header.graphId}”, not of “${target.graphId}”.`,
      { hint: `Open graph “${header.graphId}” and import the file there.` },
    );
  }
  const total = header.recordCount;
  const tally = new ImportTally(target, total, onProgress);
  for (let read = 0; read < total && tally.failure === undefined; read++) {
    const next = await nextRecord(reader);
    if ('damage' in next && next.damage === 'truncated') {
      throw await tally.stopped(
        'truncated',
        `The file ends inside record ${read + 1} of ${total}: it was cut short.`,
      );
    }
    if ('damage' in next) {
      const what = `Record ${read + 1} of ${total} claims ${next.length ?? 0} bytes, more than the ${maxRecordBytes / 1024} KiB a record may take: the file is damaged.`;
      throw await tally.stopped('oversize-record', what);
    }
    await tally.offer(next.bytes);
  }
  await tally.settle();
  if (tally.failure !== undefined) {
    throw await tally.stopped(
      'not-stored',
      `The import stopped: the graph could not store more records (${messageOf(tally.failure.error)})`,
      'Make room or open the graph again, then import the file again: records already imported count as duplicates.',
    );
  }
  if (reader.remaining > 0) {
    const what = `The file goes on after its last record (${reader.remaining} bytes more than its header announced): it is damaged.`;
    throw await tally.stopped('trailing-data', what);
  }
  return tally.summary();
}
