import { expect } from 'chai';
import { labelledBytes, sha256 } from '../../../src/core/crypto/hash.ts';
import {
  blockBytes,
  blockCount,
  blockLength,
  checkContentInfo,
  contentIdOf,
  contentIdPattern,
  hashBytes,
  isBlock,
  maxBlocks,
  maxFileBytes,
  merkleRoot,
  type ContentInfo,
} from '../../../src/core/dist/content-info.ts';
import { concatBytes, equalBytes, toBase32 } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';

const seed = 4_052_026;

/** A distinct 32-byte leaf: every byte is `n`. */
function leaf(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hashBytes).fill(n);
}

const zero = new Uint8Array(hashBytes);

/** SHA-256 of two nodes joined, as an interior node of the tree. */
function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(concatBytes(left, right));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const random = createRandom(seed);
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A file of `size` random bytes and its valid content information. */
async function fileOf(size: number): Promise<{ bytes: Uint8Array<ArrayBuffer>; info: ContentInfo }> {
  const bytes = randomBytes(size);
  const leaves: Uint8Array[] = [];
  for (let start = 0; start < size; start += blockBytes) {
    leaves.push(await sha256(bytes.slice(start, start + blockBytes)));
  }
  const hashes = concatBytes(...leaves);
  return {
    bytes,
    info: { name: 'a.bin', mime: 'application/octet-stream', size, hashes, root: await merkleRoot(hashes) },
  };
}

function flipped(bytes: Uint8Array<ArrayBuffer>, index: number, bit = 1): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ bit;
  return copy;
}

describe('content information', () => {
  it('cuts a file into 64 KiB blocks, the last one short', () => {
    expect([0, 1, blockBytes, blockBytes + 1, 3.5 * blockBytes].map(blockCount)).to.deep.equal([
      0, 1, 1, 2, 4,
    ]);
    expect(blockLength(3.5 * blockBytes, 0)).to.equal(blockBytes);
    expect(blockLength(3.5 * blockBytes, 3)).to.equal(blockBytes / 2);
    expect(maxFileBytes).to.equal(maxBlocks * blockBytes);
  });

  describe('the Merkle root', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(leaf) as [
      Uint8Array<ArrayBuffer>,
      Uint8Array<ArrayBuffer>,
      Uint8Array<ArrayBuffer>,
      Uint8Array<ArrayBuffer>,
      Uint8Array<ArrayBuffer>,
    ];

    it('of one leaf is the leaf', async () => {
      expect(hex(await merkleRoot(a))).to.equal(hex(a));
    });

    it('of two leaves is the hash of both', async () => {
      expect(hex(await merkleRoot(concatBytes(a, b)))).to.equal(hex(await node(a, b)));
    });

    it('of three leaves pads the fourth with a zero hash', async () => {
      const expected = await node(await node(a, b), await node(c, zero));
      expect(hex(await merkleRoot(concatBytes(a, b, c)))).to.equal(hex(expected));
    });

    it('of four leaves is a full tree of two levels', async () => {
      const expected = await node(await node(a, b), await node(c, d));
      expect(hex(await merkleRoot(concatBytes(a, b, c, d)))).to.equal(hex(expected));
    });

    it('of five leaves pads to eight with zero hashes', async () => {
      const left = await node(await node(a, b), await node(c, d));
      const right = await node(await node(e, zero), await node(zero, zero));
      expect(hex(await merkleRoot(concatBytes(a, b, c, d, e)))).to.equal(hex(await node(left, right)));
    });

    it('depends on the order of the leaves', async () => {
      const forward = await merkleRoot(concatBytes(a, b, c));
      const swapped = await merkleRoot(concatBytes(b, a, c));
      expect(hex(forward)).to.not.equal(hex(swapped));
    });
  });

  describe('the content id', () => {
    const root = leaf(7);

    it('is base32 of the domain hash of the 8-byte big-endian size and the root', async () => {
      const size = 3 * blockBytes + 5;
      const sizeBytes = Uint8Array.of(0, 0, 0, 0, 0, 3, 0, 5);
      const expected = toBase32(await sha256(labelledBytes('mycel/content/1', sizeBytes, root)));
      const id = await contentIdOf(size, root);
      expect(id).to.equal(expected);
      expect(id).to.match(contentIdPattern);
    });

    it('changes with the size and with the root', async () => {
      const id = await contentIdOf(1000, root);
      expect(await contentIdOf(1001, root)).to.not.equal(id);
      expect(await contentIdOf(1000, flipped(root, 31))).to.not.equal(id);
      expect(await contentIdOf(1000, root.slice())).to.equal(id);
    });
  });

  describe('checkContentInfo', () => {
    it('accepts content information that holds together, up to the cap', async () => {
      const { info } = await fileOf(3.5 * blockBytes);
      expect(await checkContentInfo(info)).to.equal(undefined);
      const hashes = concatBytes(...Array<Uint8Array>(maxBlocks).fill(leaf(9)));
      const atCap = { ...info, size: maxFileBytes, hashes, root: await merkleRoot(hashes) };
      expect(await checkContentInfo(atCap)).to.equal(undefined);
    });

    it('refuses a size that is not a whole number of bytes from 1 to the cap', async () => {
      const { info } = await fileOf(3.5 * blockBytes);
      for (const size of [0, -1, -blockBytes, 1.5, maxFileBytes + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(await checkContentInfo({ ...info, size }), `size ${size}`).to.equal('bad-size');
      }
    });

    it('refuses one hash too many or too few', async () => {
      const { info } = await fileOf(3.5 * blockBytes);
      const more = concatBytes(info.hashes, leaf(1));
      const fewer = info.hashes.slice(0, info.hashes.length - hashBytes);
      expect(await checkContentInfo({ ...info, hashes: more, root: await merkleRoot(more) })).to.equal(
        'hash-count',
      );
      expect(await checkContentInfo({ ...info, hashes: fewer, root: await merkleRoot(fewer) })).to.equal(
        'hash-count',
      );
      expect(await checkContentInfo({ ...info, hashes: info.hashes.slice(1) })).to.equal('hash-count');
    });

    it('refuses a root with a flipped bit or the wrong length', async () => {
      const { info } = await fileOf(3.5 * blockBytes);
      expect(await checkContentInfo({ ...info, root: flipped(info.root, 0, 0x80) })).to.equal('bad-root');
      expect(await checkContentInfo({ ...info, root: info.root.slice(0, 31) })).to.equal('bad-root');
      expect(await checkContentInfo({ ...info, root: concatBytes(info.root, Uint8Array.of(0)) })).to.equal(
        'bad-root',
      );
      expect(await checkContentInfo({ ...info, hashes: flipped(info.hashes, 40) })).to.equal('bad-root');
    });
  });

  describe('isBlock', () => {
    const size = 3.5 * blockBytes;

    it('accepts every block of the file, the short last one included', async () => {
      const { bytes, info } = await fileOf(size);
      for (let index = 0; index < blockCount(size); index++) {
        const block = bytes.slice(index * blockBytes, (index + 1) * blockBytes);
        expect(await isBlock(block, index, size, info.hashes), `block ${index}, seed ${seed}`).to.equal(true);
      }
    });

    it('refuses a flipped byte, a wrong length, a block under another index, and no block at all', async () => {
      const { bytes, info } = await fileOf(size);
      const first = bytes.slice(0, blockBytes);
      const last = bytes.slice(3 * blockBytes);
      expect(await isBlock(flipped(first, 100), 0, size, info.hashes)).to.equal(false);
      expect(await isBlock(first.slice(0, blockBytes - 1), 0, size, info.hashes)).to.equal(false);
      expect(await isBlock(first, 1, size, info.hashes)).to.equal(false);
      expect(await isBlock(flipped(last, last.length - 1), 3, size, info.hashes)).to.equal(false);
      // The last block padded to full length, as a careless sender might send it.
      expect(
        await isBlock(concatBytes(last, new Uint8Array(blockBytes - last.length)), 3, size, info.hashes),
      ).to.equal(false);
      expect(await isBlock(new Uint8Array(0), 4, 4 * blockBytes, info.hashes)).to.equal(false);
      expect(await isBlock(first, -1, size, info.hashes)).to.equal(false);
    });

    it('compares with the hash of that very block', async () => {
      const { bytes, info } = await fileOf(size);
      const second = bytes.slice(blockBytes, 2 * blockBytes);
      const hash = info.hashes.subarray(hashBytes, 2 * hashBytes);
      expect(equalBytes(await sha256(second), hash)).to.equal(true);
      const otherHashes = info.hashes.slice();
      otherHashes.set(leaf(0), hashBytes);
      expect(await isBlock(second, 1, size, otherHashes)).to.equal(false);
    });
  });
});
