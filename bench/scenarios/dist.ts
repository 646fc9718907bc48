/**
 * File download figures, measured in one page: a group of members over real WebRTC on the
 * bench broker, each with its own IndexedDB profile and a `Distribution`. The publisher shares
 * a file of random bytes; `seeders - 1` other members fetch it first, so that many hold it;
 * then the last member fetches it `runs` times, each from nothing (removed in between), timed
 * from `distribution.download` until the file is complete (every block verified and stored).
 * Every node shares the page's one renderer thread, as the raw data channel baseline does.
 * Imported by the harness (bench/dist.ts) from the bench dev server.
 */
import type { Distribution } from '../../src/core/dist/distribution.ts';
import type { Group } from '../../src/core/groups/group.ts';
import { createRandom } from '../../src/lib/random.ts';
import { describeGroups } from './chat-nodes.ts';
import {
  closeFileGroup,
  distRejectionsOf,
  formFileGroup,
  type DistNode,
  type FileGroup,
} from './dist-nodes.ts';
import { waitUntil } from './graph-nodes.ts';
import type { BenchBroker } from './mesh-reports.ts';
import { withTimeout } from './timeout.ts';

export interface DistDownloadOptions {
  readonly broker: BenchBroker;
  /** Nodes holding the whole file when the timed downloads start: the publisher and `seeders - 1` others. */
  readonly seeders: number;
  readonly fileBytes: number;
  /** Timed downloads by the one downloader, each from nothing. */
  readonly runs: number;
  /** Seeds the file's bytes, who joins the mesh through whom, and every node's randomness. */
  readonly seed: number;
  /** Limit for forming the group, sharing, each seeder's fetch and each timed download. */
  readonly timeoutMs: number;
}

/** One timed download. */
export interface DownloadRun {
  /** `distribution.download` called → the file's state is `complete`. */
  readonly elapsedMs: number;
  /** The `download` call itself (file row, holding record), inside the clock. */
  readonly downloadCallMs: number;
  /** `download` called → the first blocks stored. */
  readonly firstBlockMs: number;
  /** Blocks stored from each seeder: `publisher`, `seeder1`, …. */
  readonly sources: Record<string, number>;
}

export interface DistDownloadReport {
  readonly bytes: number;
  readonly members: number;
  /** First node started → every member sees every member (mesh formed). */
  readonly groupReadyMs: number;
  /** `group.shareFile` at the publisher: both hashing passes, storing every block, the record. */
  readonly shareMs: number;
  /** Then until every member holds the file record. */
  readonly recordSpreadMs: number;
  /** The extra seeders' own fetches, at once, until all hold the file (0 without any). */
  readonly seedersFetchMs: number;
  readonly runs: DownloadRun[];
  readonly rejections: Record<string, number>;
}

/** The module's shape as the harness imports it. */
export interface DistModule {
  runDistDownload(options: DistDownloadOptions): Promise<DistDownloadReport>;
}

function randomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const random = createRandom(seed);
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer, 0, Math.floor(length / 4));
  for (let i = 0; i < words.length; i += 1) words[i] = random.uint32();
  for (let i = words.length * 4; i < length; i += 1) bytes[i] = random.int(256);
  return bytes;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index}`);
  return item;
}

function describeFile(nodes: readonly DistNode[], contentId: string): string {
  return nodes
    .map(
      (node, i) =>
        `#${i} ${JSON.stringify(node.distribution.progress(contentId))} refused ${JSON.stringify(node.distribution.rejections())}`,
    )
    .join('\n');
}

/** Resolves with when `contentId` became complete on `distribution` and when its first blocks were stored. */
function whenComplete(
  distribution: Distribution,
  contentId: string,
): { done: Promise<number>; firstBlockAt: () => number | undefined } {
  let firstBlockAtMs: number | undefined;
  let off: (() => void) | undefined;
  const done = new Promise<number>((resolve) => {
    off = distribution.on('progress', ({ contentId: changed, progress }) => {
      if (changed !== contentId || progress === undefined) return;
      if (firstBlockAtMs === undefined && progress.doneBytes > 0) firstBlockAtMs = performance.now();
      if (progress.state === 'complete') resolve(performance.now());
    });
  }).finally(() => off?.());
  return { done, firstBlockAt: () => firstBlockAtMs };
}

/** Fetches the file on `node` and waits until it is complete. */
async function fetchFile(node: DistNode, group: Group, contentId: string, key: string): Promise<void> {
  const { done } = whenComplete(node.distribution, contentId);
  await node.distribution.download(group.id, contentId, key);
  await done;
}

/** One timed download from nothing; the file is removed from the downloader afterwards. */
async function timedDownload(
  nodes: readonly DistNode[],
  groups: readonly Group[],
  file: { contentId: string; key: string },
  timeoutMs: number,
): Promise<DownloadRun> {
  const downloader = at(nodes, nodes.length - 1);
  const group = at(groups, groups.length - 1);
  const { distribution } = downloader;
  const { done, firstBlockAt } = whenComplete(distribution, file.contentId);
  const startedAt = performance.now();
  await distribution.download(group.id, file.contentId, file.key);
  const downloadCallMs = performance.now() - startedAt;
  const doneAt = await withTimeout(
    done,
    timeoutMs,
    `downloading the file:\n${describeFile(nodes, file.contentId)}`,
  );
  const labels = new Map(nodes.map((node, i) => [node.nodeId, i === 0 ? 'publisher' : `seeder${i}`]));
  const sources: Record<string, number> = {};
  for (const [nodeId, blocks] of distribution.sources(file.contentId)) {
    sources[labels.get(nodeId) ?? nodeId] = blocks;
  }
  await distribution.remove(file.contentId);
  return {
    elapsedMs: doneAt - startedAt,
    downloadCallMs,
    firstBlockMs: (firstBlockAt() ?? doneAt) - startedAt,
    sources,
  };
}

/** Forms a group of `seeders + 1`, shares the file, makes the seeders, then times the downloads. */
export async function runDistDownload(options: DistDownloadOptions): Promise<DistDownloadReport> {
  const members = options.seeders + 1;
  const fileGroup: FileGroup = { nodes: [], groups: [] };
  const { nodes, groups } = fileGroup;
  try {
    const groupReadyMs = await formFileGroup(
      options.broker,
      members,
      options.seed,
      options.timeoutMs,
      fileGroup,
    );
    const bytes = randomBytes(options.fileBytes, options.seed);
    const shareAt = performance.now();
    const message = await at(groups, 0).shareFile(new Blob([bytes]), {
      name: 'bench.bin',
      mime: 'application/octet-stream',
    });
    const shareMs = performance.now() - shareAt;
    const key = message.file ?? '';
    await waitUntil(
      () => groups.every((group) => group.files.fileByKey(key) !== undefined),
      options.timeoutMs,
      'every member to hold the file record',
      () => describeGroups(groups),
    );
    const recordSpreadMs = performance.now() - shareAt - shareMs;
    const contentId = at(groups, 0).files.fileByKey(key)?.contentId ?? '';
    const seedersAt = performance.now();
    const fetching = nodes
      .slice(1, options.seeders)
      .map((node, i) => fetchFile(node, at(groups, i + 1), contentId, key));
    await withTimeout(
      Promise.all(fetching),
      options.timeoutMs,
      `the seeders fetching the file:\n${describeFile(nodes, contentId)}`,
    );
    const seedersFetchMs = fetching.length === 0 ? 0 : performance.now() - seedersAt;
    const downloaderGroup = at(groups, groups.length - 1);
    const runs: DownloadRun[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      // The seeders' holding records must have reached the downloader, or it would ask fewer.
      await waitUntil(
        () => downloaderGroup.files.holders(contentId).length === options.seeders,
        options.timeoutMs,
        `the downloader to know ${options.seeders} holders`,
        () => JSON.stringify(downloaderGroup.files.holders(contentId)),
      );
      runs.push(await timedDownload(nodes, groups, { contentId, key }, options.timeoutMs));
    }
    return {
      bytes: bytes.length,
      members,
      groupReadyMs,
      shareMs,
      recordSpreadMs,
      seedersFetchMs,
      runs,
      rejections: distRejectionsOf(fileGroup),
    };
  } finally {
    await closeFileGroup(fileGroup);
  }
}
