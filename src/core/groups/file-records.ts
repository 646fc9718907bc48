import type { GraphRecord, StoredRecord } from '../ports.ts';
import { checkContentInfo, contentIdOf, contentIdPattern, type ContentInfo } from '../dist/content-info.ts';
import { fileData, GroupRecordTypes, holdingData, readData, type FileData } from './group-records.ts';

/** A shared file as its record describes it. */
export interface SharedFile {
  readonly contentId: string;
  /** The file record's key (`creator/id`). */
  readonly key: string;
  readonly publisher: string;
  readonly info: ContentInfo;
  readonly thumbnail?: Uint8Array;
}

/** Record ids are per creator, not per type: a holding record's id must differ from the file's. */
const holdingPrefix = 'holds-';

/** The id of this member's holding record of `contentId`. */
export function holdingId(contentId: string): string {
  return `${holdingPrefix}${contentId}`;
}

/** The content id a holding record's id names; undefined if it names none. */
export function heldContentOf(id: string): string | undefined {
  const contentId = id.slice(holdingPrefix.length);
  return id.startsWith(holdingPrefix) && contentIdPattern.test(contentId) ? contentId : undefined;
}

/** The content information a file record's data carries. */
export function contentInfoOf(data: FileData): ContentInfo {
  return {
    name: data.n,
    mime: data.m,
    size: data.s,
    hashes: new Uint8Array(data.h),
    root: new Uint8Array(data.r),
  };
}

/**
 * Why a file or holding record is refused: content information that does not hold together
 * (`file-bad-size`, `file-hash-count`, `file-bad-root`), or a record id that is not the content
 * id its data names (`file-wrong-id`, `holding-wrong-id`).
 */
export async function judgeFileRecord(record: GraphRecord): Promise<string | undefined> {
  if (record.type === GroupRecordTypes.holding) {
    if (heldContentOf(record.id) === undefined) return 'holding-wrong-id';
    return record.deleted || readData(holdingData, record.data) !== undefined ? undefined : 'bad-data';
  }
  if (!contentIdPattern.test(record.id)) return 'file-wrong-id';
  if (record.deleted) return undefined;
  const data = readData(fileData, record.data);
  if (data === undefined) return 'bad-data';
  const info = contentInfoOf(data);
  const problem = await checkContentInfo(info);
  if (problem !== undefined) return `file-${problem}`;
  return (await contentIdOf(info.size, info.root)) === record.id ? undefined : 'file-wrong-id';
}

/** The shared file a stored file record describes; undefined for a tombstone or bad data. */
export function sharedFileOf(stored: StoredRecord): SharedFile | undefined {
  const { record } = stored;
  if (record.deleted || record.type !== GroupRecordTypes.file) return undefined;
  const data = readData(fileData, record.data);
  if (data === undefined) return undefined;
  return {
    contentId: record.id,
    key: stored.key,
    publisher: record.creator,
    info: contentInfoOf(data),
    ...(data.th === undefined ? {} : { thumbnail: new Uint8Array(data.th) }),
  };
}
