import { MycelError } from '../../lib/errors.ts';
import type { BlockStore } from '../ports.ts';
import { blockCount, isBlock, type ContentInfo } from './content-info.ts';

/** A stored block that is missing or damaged: the file cannot be read whole. */
export class ContentDamagedError extends MycelError {
  override name = 'ContentDamagedError';
}

/**
 * The bytes of a stored file as a stream that reads one block from the store each time it is
 * pulled, checked against its hash, so a save never holds the whole file in memory.
 */
export function readContent(
  store: BlockStore,
  contentId: string,
  info: ContentInfo,
): ReadableStream<Uint8Array> {
  const count = blockCount(info.size);
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (next >= count) {
          controller.close();
          return;
        }
        const index = next;
        next += 1;
        const bytes = await store.getBlock(contentId, index);
        if (bytes === undefined || !(await isBlock(bytes, index, info.size, info.hashes))) {
          controller.error(new ContentDamagedError(`Block ${index + 1} of ${count} is missing or damaged.`));
          return;
        }
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 2 },
  );
}
