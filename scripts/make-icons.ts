import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/**
 * Draws Mycel's icon (a small mesh of linked nodes) and writes the PNGs the manifest names.
 * Run with `npx tsx scripts/make-icons.ts`; the outputs are committed under public/icons.
 */
const background: Rgb = [0x1f, 0x6f, 0x5c];
const foreground: Rgb = [0xf4, 0xf1, 0xe8];
type Rgb = [number, number, number];

/** Node positions in a unit square, and the links between them. */
const nodes: [number, number][] = [
  [0.5, 0.28],
  [0.27, 0.5],
  [0.73, 0.5],
  [0.38, 0.74],
  [0.62, 0.74],
];
const links: [number, number][] = [
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
  [3, 4],
  [1, 2],
  [0, 3],
];

function segmentDistance(px: number, py: number, a: [number, number], b: [number, number]): number {
  const [ax, ay] = a;
  const [bx, by] = b;
  const t = Math.max(
    0,
    Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
  );
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

/** Coverage of the mark at (x, y) in unit coordinates, with a one-pixel soft edge. */
function coverage(x: number, y: number, pixel: number): number {
  let distance = Infinity;
  for (const [a, b] of links)
    distance = Math.min(distance, segmentDistance(x, y, nodes[a]!, nodes[b]!) - 0.022);
  for (const [nx, ny] of nodes) distance = Math.min(distance, Math.hypot(x - nx, y - ny) - 0.075);
  return Math.max(0, Math.min(1, 0.5 - distance / pixel));
}

/** RGBA pixels: `scale` shrinks the mark toward the centre (maskable icons keep a safe zone). */
function draw(size: number, scale: number, rounded: boolean): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      const corner = rounded ? roundedMask(u, v, 1 / size) : 1;
      const mark = coverage(0.5 + (u - 0.5) / scale, 0.5 + (v - 0.5) / scale, 1 / size / scale);
      const offset = (y * size + x) * 4;
      for (let c = 0; c < 3; c++)
        pixels[offset + c] = Math.round(background[c]! + (foreground[c]! - background[c]!) * mark);
      pixels[offset + 3] = Math.round(255 * corner);
    }
  }
  return pixels;
}

function roundedMask(u: number, v: number, pixel: number): number {
  const radius = 0.2;
  const dx = Math.max(radius - u, u - (1 - radius), 0);
  const dy = Math.max(radius - v, v - (1 - radius), 0);
  return Math.max(0, Math.min(1, 0.5 - (Math.hypot(dx, dy) - radius) / pixel));
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

function png(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++)
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

for (const size of [192, 512]) writeFileSync(`public/icons/icon-${size}.png`, png(size, draw(size, 1, true)));
writeFileSync('public/icons/maskable-512.png', png(512, draw(512, 0.72, false)));
writeFileSync('public/icons/apple-touch-icon.png', png(180, draw(180, 0.85, false)));
console.log('wrote public/icons');
