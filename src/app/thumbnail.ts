import { maxThumbnailBytes } from '../core/groups/group-records.ts';

/** Longest side of a thumbnail, in pixels. */
const thumbnailSide = 320;

/**
 * A small WebP (or JPEG) preview of an image file for its record, under the record's cap;
 * undefined for anything that is not an image this browser can decode.
 */
export async function makeThumbnail(file: Blob): Promise<Uint8Array | undefined> {
  if (!file.type.startsWith('image/') || typeof OffscreenCanvas === 'undefined') return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    for (const side of [thumbnailSide, 200, 120]) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = new OffscreenCanvas(
        Math.max(1, Math.round(bitmap.width * scale)),
        Math.max(1, Math.round(bitmap.height * scale)),
      );
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      for (const quality of [0.7, 0.45]) {
        const blob = await canvas.convertToBlob({ type: 'image/webp', quality });
        if (blob.size <= maxThumbnailBytes) return new Uint8Array(await blob.arrayBuffer());
      }
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}
