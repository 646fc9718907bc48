import { expect } from 'chai';
import { browserQuota } from '../../src/app/storage-quota.ts';
import { makeThumbnail } from '../../src/app/thumbnail.ts';
import { saveStream } from '../../src/app/save-stream.ts';
import { maxThumbnailBytes } from '../../src/core/groups/group-records.ts';
import { createRandom, type Random } from '../../src/lib/random.ts';

/** Only the parts of `StorageManager` a test gives; `browserQuota` copes with the rest missing. */
function fakeStorage(parts: Partial<StorageManager>): StorageManager {
  return parts as StorageManager;
}

function randomBytes(random: Random, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random.int(256);
  return bytes;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** A stream of the chunks in order, recording whether its reader cancelled it. */
function streamOf(chunks: readonly Uint8Array[]): {
  stream: ReadableStream<Uint8Array>;
  cancelled: () => boolean;
} {
  let next = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

/** A few chunks of uneven sizes, as blocks read from storage would come. */
function unevenChunks(seed: number): Uint8Array[] {
  const random = createRandom(seed);
  return [65_536, 1, 40_000, 0, 65_536, 777].map((length) => randomBytes(random, length));
}

/** A PNG of `width` × `height` pixels of seeded noise, which compresses badly, as photos do. */
async function noisePng(seed: number, width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('no 2d context');
  const image = context.createImageData(width, height);
  image.data.set(randomBytes(createRandom(seed), image.data.length));
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  context.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

async function decodedSize(bytes: Uint8Array<ArrayBuffer>): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/webp' }));
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

function isWebp(bytes: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
}

describe('browserQuota', () => {
  it('reports the bytes left under the quota, and none when usage is over it', async () => {
    const left = browserQuota(
      fakeStorage({ estimate: () => Promise.resolve({ quota: 1_000_000, usage: 250_000 }) }),
    );
    expect(await left.available()).to.equal(750_000);
    const over = browserQuota(
      fakeStorage({ estimate: () => Promise.resolve({ quota: 1_000, usage: 1_500 }) }),
    );
    expect(await over.available()).to.equal(0);
  });

  it('says it does not know when the browser gives no estimate, half an estimate, or fails', async () => {
    expect(await browserQuota(fakeStorage({})).available()).to.equal(undefined);
    expect(
      await browserQuota(fakeStorage({ estimate: () => Promise.resolve({ usage: 10 }) })).available(),
    ).to.equal(undefined);
    expect(
      await browserQuota(fakeStorage({ estimate: () => Promise.resolve({ quota: 10 }) })).available(),
    ).to.equal(undefined);
    const failing = fakeStorage({
      estimate: () => Promise.reject(new DOMException('denied', 'SecurityError')),
    });
    expect(await browserQuota(failing).available()).to.equal(undefined);
  });

  it('does not ask again for persistent storage the browser already granted', async () => {
    let asked = 0;
    const storage = fakeStorage({
      persisted: () => Promise.resolve(true),
      persist: () => {
        asked++;
        return Promise.resolve(false);
      },
    });
    expect(await browserQuota(storage).persist()).to.equal(true);
    expect(asked).to.equal(0);
  });

  it('asks for persistent storage and passes on the answer, a failure being a no', async () => {
    let asked = 0;
    const answer = (granted: boolean) => () => {
      asked++;
      return Promise.resolve(granted);
    };
    const notYet = () => Promise.resolve(false);
    expect(await browserQuota(fakeStorage({ persisted: notYet, persist: answer(true) })).persist()).to.equal(
      true,
    );
    expect(await browserQuota(fakeStorage({ persisted: notYet, persist: answer(false) })).persist()).to.equal(
      false,
    );
    expect(asked).to.equal(2);
    const failing = fakeStorage({ persisted: notYet, persist: () => Promise.reject(new Error('blocked')) });
    expect(await browserQuota(failing).persist()).to.equal(false);
  });

  it('answers no where the browser cannot persist storage', async () => {
    expect(await browserQuota(fakeStorage({ persisted: () => Promise.resolve(true) })).persist()).to.equal(
      false,
    );
    expect(await browserQuota(fakeStorage({})).persist()).to.equal(false);
  });
});

describe('makeThumbnail', () => {
  it('turns a large photo into a WebP under the record cap, no more than 320 px on its long side', async () => {
    const seed = 7;
    const png = await noisePng(seed, 1200, 800);
    const thumbnail = await makeThumbnail(png);
    if (thumbnail === undefined) throw new Error(`no thumbnail (seed ${seed})`);
    expect(thumbnail.length, `seed ${seed}`).to.be.within(1, maxThumbnailBytes);
    expect(isWebp(thumbnail), `seed ${seed}`).to.equal(true);
    const { width, height } = await decodedSize(new Uint8Array(thumbnail));
    expect(Math.max(width, height), `seed ${seed}`).to.be.within(1, 320);
    // The shape is kept: 3:2 landscape stays 3:2 landscape, to the pixel.
    expect(Math.abs(width * 2 - height * 3), `seed ${seed}: ${width}×${height}`).to.be.at.most(3);
  });

  it('keeps a small image at its own size rather than blowing it up', async () => {
    const thumbnail = await makeThumbnail(await noisePng(8, 40, 30));
    if (thumbnail === undefined) throw new Error('no thumbnail (seed 8)');
    expect(await decodedSize(new Uint8Array(thumbnail))).to.deep.equal({ width: 40, height: 30 });
  });

  it('makes none for a file that is not an image', async () => {
    const png = await noisePng(9, 20, 20);
    expect(await makeThumbnail(new Blob(['just some notes'], { type: 'text/plain' }))).to.equal(undefined);
    // The bytes of a real image do not count when the file does not say it is one.
    expect(await makeThumbnail(new Blob([png], { type: 'application/octet-stream' }))).to.equal(undefined);
  });

  it('makes none for an image the browser cannot decode', async () => {
    const seed = 10;
    const garbage = new Blob([randomBytes(createRandom(seed), 4096)], { type: 'image/png' });
    expect(await makeThumbnail(garbage), `seed ${seed}`).to.equal(undefined);
    const png = new Uint8Array(await (await noisePng(seed, 64, 64)).arrayBuffer());
    const truncated = new Blob([png.subarray(0, 40)], { type: 'image/png' });
    expect(await makeThumbnail(truncated), `seed ${seed}`).to.equal(undefined);
  });
});

describe('saveStream', () => {
  type PickerGlobal = { showSaveFilePicker?: unknown };
  const clicks: { href: string; download: string }[] = [];
  let savedPicker: PropertyDescriptor | undefined;
  let savedClick: PropertyDescriptor | undefined;

  beforeEach(() => {
    savedPicker = Object.getOwnPropertyDescriptor(globalThis, 'showSaveFilePicker');
    delete (globalThis as PickerGlobal).showSaveFilePicker;
    savedClick = Object.getOwnPropertyDescriptor(HTMLAnchorElement.prototype, 'click');
    // A real click would start a download the test cannot see; record what it would fetch instead.
    Object.defineProperty(HTMLAnchorElement.prototype, 'click', {
      configurable: true,
      writable: true,
      value(this: HTMLAnchorElement) {
        clicks.push({ href: this.href, download: this.download });
      },
    });
  });

  afterEach(() => {
    clicks.length = 0;
    delete (globalThis as PickerGlobal).showSaveFilePicker;
    if (savedPicker !== undefined) Object.defineProperty(globalThis, 'showSaveFilePicker', savedPicker);
    if (savedClick === undefined) delete (HTMLAnchorElement.prototype as { click?: unknown }).click;
    else Object.defineProperty(HTMLAnchorElement.prototype, 'click', savedClick);
  });

  function fakePicker(picker: (options: { suggestedName: string }) => Promise<unknown>): void {
    Object.defineProperty(globalThis, 'showSaveFilePicker', {
      configurable: true,
      writable: true,
      value: picker,
    });
  }

  it('without a save picker, offers every byte of the stream as a download of the named file', async () => {
    const seed = 21;
    const chunks = unevenChunks(seed);
    const { stream } = streamOf(chunks);
    expect(await saveStream(stream, 'report 2024.pdf', 'application/pdf')).to.equal(true);
    expect(clicks).to.have.length(1);
    const [click] = clicks;
    if (click === undefined) throw new Error('no click');
    expect(click.download).to.equal('report 2024.pdf');
    expect(click.href).to.match(/^blob:/);
    const response = await fetch(click.href);
    expect(response.headers.get('content-type')).to.equal('application/pdf');
    const saved = new Uint8Array(await response.arrayBuffer());
    expect(saved, `seed ${seed}`).to.deep.equal(concat(chunks));
  });

  it('with a save picker, writes the stream to the chosen file as it reads it', async () => {
    const seed = 22;
    const chunks = unevenChunks(seed);
    const written: Uint8Array[] = [];
    const suggested: string[] = [];
    let closed = false;
    fakePicker((options) => {
      suggested.push(options.suggestedName);
      return Promise.resolve({
        createWritable: () =>
          Promise.resolve(
            new WritableStream<Uint8Array>({
              write(chunk) {
                written.push(chunk);
              },
              close() {
                closed = true;
              },
            }),
          ),
      });
    });
    const { stream } = streamOf(chunks);
    expect(await saveStream(stream, 'holiday.mp4', 'video/mp4')).to.equal(true);
    expect(suggested).to.deep.equal(['holiday.mp4']);
    expect(concat(written), `seed ${seed}`).to.deep.equal(concat(chunks));
    expect(closed).to.equal(true);
    expect(clicks).to.have.length(0);
  });

  it('resolves false and cancels the stream when the user closes the picker', async () => {
    fakePicker(() => Promise.reject(new DOMException('The user aborted a request.', 'AbortError')));
    const { stream, cancelled } = streamOf(unevenChunks(23));
    expect(await saveStream(stream, 'notes.txt', 'text/plain')).to.equal(false);
    expect(cancelled()).to.equal(true);
    expect(clicks).to.have.length(0);
  });

  it('passes on any other failure of the picker, still cancelling the stream', async () => {
    const refusal = new DOMException('Not allowed here.', 'SecurityError');
    fakePicker(() => Promise.reject(refusal));
    const { stream, cancelled } = streamOf(unevenChunks(24));
    let caught: unknown;
    try {
      await saveStream(stream, 'notes.txt', 'text/plain');
    } catch (error) {
      caught = error;
    }
    expect(caught).to.equal(refusal);
    expect(cancelled()).to.equal(true);
  });
});
