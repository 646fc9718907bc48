import { expect } from 'chai';
import {
  blockBytes,
  contentIdOf,
  hashBytes,
  maxBlocks,
  maxFileBytes,
  merkleRoot,
} from '../../../src/core/dist/content-info.ts';
import { holdingId } from '../../../src/core/groups/file-records.ts';
import { GroupProvider } from '../../../src/core/groups/group-provider.ts';
import { GroupRecordTypes, maxThumbnailBytes, writeData } from '../../../src/core/groups/group-records.ts';
import type { GraphRecord, StoredRecord } from '../../../src/core/ports.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { createRandom } from '../../../src/lib/random.ts';
import {
  groupRecord,
  invite,
  join,
  memberRecord,
  newIdentity,
  newTestGroup,
  removalRecord,
  stateOf,
  toStored,
  type TestGroup,
  type TestIdentity,
} from './group-fixtures.ts';

// The provider's judgement of `mycel/file` and `mycel/holding` records: content information
// that does not hold together, or a record id that is not what its data names, is refused
// with its own reason before anything is stored (the receive path then counts it).

const seed = 20_261_125;

/** `count` seeded 32-byte block hashes: any bytes do, the provider never sees the blocks. */
function hashesOf(count: number, salt = 0): Uint8Array<ArrayBuffer> {
  const random = createRandom(seed + salt);
  return Uint8Array.from({ length: count * hashBytes }, () => random.int(256));
}

/** What a test may choose of a file record; the rest holds together. */
interface FileChoice {
  readonly size: number;
  readonly hashes: Uint8Array;
  /** The Merkle root of `hashes` unless told. */
  readonly root?: Uint8Array;
  /** The content id of `size` and the root unless told. */
  readonly id?: string;
  readonly thumbnail?: Uint8Array;
  /** Data to use as it is, instead of the fields above. */
  readonly data?: Uint8Array;
}

describe('file and holding records', () => {
  let owner: TestIdentity;
  let member: TestIdentity;
  let stranger: TestIdentity;
  let group: TestGroup;
  let base: StoredRecord[];
  /** A content id that is some file's, for records whose own id cannot be computed. */
  let someContentId: string;

  /** What the owner's node says of `record` once it holds `records`. */
  function judge(record: GraphRecord, records: readonly StoredRecord[] = base): Promise<string | undefined> {
    const provider = new GroupProvider({
      author: owner,
      state: stateOf(group, records),
      credential: () => Promise.resolve(undefined),
    });
    return provider.validateRecord(record, undefined);
  }

  /** A file record by `author` (the member unless told) as `choice` describes it. */
  async function fileRecord(choice: FileChoice, author: TestIdentity = member): Promise<GraphRecord> {
    const root = choice.root ?? (await merkleRoot(choice.hashes));
    const id = choice.id ?? (await contentIdOf(choice.size, root));
    const fields: Record<string, WireValue> = {
      n: 'report.pdf',
      m: 'application/pdf',
      s: choice.size,
      h: choice.hashes,
      r: root,
      ...(choice.thumbnail === undefined ? {} : { th: choice.thumbnail }),
    };
    const data = choice.data ?? writeData(fields);
    return groupRecord(group, author, { type: GroupRecordTypes.file, id, data });
  }

  /** A holding record by the member with `id` and `data`. */
  function holdingRecord(id: string, data: Uint8Array): Promise<GraphRecord> {
    return groupRecord(group, member, { type: GroupRecordTypes.holding, id, data });
  }

  before(async () => {
    owner = await newIdentity('Olga');
    member = await newIdentity('Mia');
    stranger = await newIdentity('Eve');
    group = await newTestGroup(owner);
    base = [
      toStored(await memberRecord(group, owner)),
      await join(group, await invite(group, owner), member, 20),
    ];
    const hashes = hashesOf(1, 99);
    someContentId = await contentIdOf(100, await merkleRoot(hashes));
  });

  describe('file records', () => {
    it('a member’s file whose content information holds together passes', async () => {
      expect(await judge(await fileRecord({ size: 1, hashes: hashesOf(1) }))).to.equal(undefined);
      expect(await judge(await fileRecord({ size: 3 * blockBytes + 5, hashes: hashesOf(4) }))).to.equal(
        undefined,
      );
      const thumbnail = new Uint8Array(maxThumbnailBytes).fill(9);
      expect(await judge(await fileRecord({ size: blockBytes, hashes: hashesOf(1), thumbnail }))).to.equal(
        undefined,
      );
    });

    it('the largest file, 1600 blocks of 64 KiB, passes', async () => {
      expect(await judge(await fileRecord({ size: maxFileBytes, hashes: hashesOf(maxBlocks) }))).to.equal(
        undefined,
      );
    });

    it('a size of zero, below zero or over the cap is refused by the data schema', async () => {
      const id = someContentId;
      expect(await judge(await fileRecord({ size: 0, hashes: hashesOf(1), id }))).to.equal('bad-data');
      expect(await judge(await fileRecord({ size: -1, hashes: hashesOf(1), id }))).to.equal('bad-data');
      expect(await judge(await fileRecord({ size: -blockBytes, hashes: hashesOf(1), id }))).to.equal(
        'bad-data',
      );
      // One byte over 100 MiB, with the hashes of 1600 blocks so that only the size is wrong.
      expect(
        await judge(await fileRecord({ size: maxFileBytes + 1, hashes: hashesOf(maxBlocks), id })),
      ).to.equal('bad-data');
    });

    it('one hash too many or too few, or a torn hash, is a hash-count refusal', async () => {
      expect(await judge(await fileRecord({ size: blockBytes, hashes: hashesOf(2) }))).to.equal(
        'file-hash-count',
      );
      expect(await judge(await fileRecord({ size: blockBytes + 1, hashes: hashesOf(1) }))).to.equal(
        'file-hash-count',
      );
      expect(await judge(await fileRecord({ size: 10 * blockBytes, hashes: hashesOf(11) }))).to.equal(
        'file-hash-count',
      );
      expect(await judge(await fileRecord({ size: 10 * blockBytes, hashes: hashesOf(9) }))).to.equal(
        'file-hash-count',
      );
      const torn = hashesOf(2).subarray(0, hashBytes + 1);
      expect(
        await judge(await fileRecord({ size: 2 * blockBytes, hashes: torn, id: someContentId })),
      ).to.equal('file-hash-count');
    });

    it('no hash at all, or more than 1600, is refused by the data schema', async () => {
      const id = someContentId;
      expect(await judge(await fileRecord({ size: 1, hashes: new Uint8Array(0), id }))).to.equal('bad-data');
      expect(
        await judge(await fileRecord({ size: maxFileBytes, hashes: hashesOf(maxBlocks + 1), id })),
      ).to.equal('bad-data');
    });

    it('a root that is not the Merkle root of the hashes is refused', async () => {
      const hashes = hashesOf(3);
      // The root of other hashes, the first leaf, all zeros: each names some other content.
      const roots = [await merkleRoot(hashesOf(3, 1)), hashes.slice(0, hashBytes), new Uint8Array(hashBytes)];
      for (const root of roots) {
        expect(await judge(await fileRecord({ size: 3 * blockBytes, hashes, root }))).to.equal(
          'file-bad-root',
        );
      }
      const flipped = await merkleRoot(hashes);
      flipped[31] = (flipped[31] ?? 0) ^ 1;
      expect(await judge(await fileRecord({ size: 3 * blockBytes, hashes, root: flipped }))).to.equal(
        'file-bad-root',
      );
    });

    it('a root that is not 32 bytes long is refused by the data schema', async () => {
      const hashes = hashesOf(1);
      const short = (await merkleRoot(hashes)).subarray(0, 31);
      expect(await judge(await fileRecord({ size: 1, hashes, root: short, id: someContentId }))).to.equal(
        'bad-data',
      );
    });

    it('a record id that is not the content id is refused', async () => {
      const hashes = hashesOf(2);
      const root = await merkleRoot(hashes);
      const size = 2 * blockBytes;
      // Another size with the same root names another content.
      const otherSize = await contentIdOf(size - 1, root);
      for (const id of [otherSize, someContentId, 'report', otherSize.toUpperCase()]) {
        expect(await judge(await fileRecord({ size, hashes, root, id })), id).to.equal('file-wrong-id');
      }
      expect(await judge(await fileRecord({ size: size - 1, hashes, root, id: otherSize }))).to.equal(
        undefined,
      );
    });

    it('a thumbnail over 16 KiB, or data that is not a file’s, is refused by the data schema', async () => {
      const thumbnail = new Uint8Array(maxThumbnailBytes + 1).fill(9);
      expect(await judge(await fileRecord({ size: 1, hashes: hashesOf(1), thumbnail }))).to.equal('bad-data');
      const hashes = hashesOf(1);
      const garbage = [
        new Uint8Array([0xff, 0x00, 0x13]),
        writeData({ n: 'x', m: 'text/plain', s: 1, h: hashes }),
        writeData({ n: '', m: 'text/plain', s: 1, h: hashes, r: new Uint8Array(hashBytes) }),
        writeData({ n: 'x', m: 'text/plain', s: 1, h: hashes, r: new Uint8Array(hashBytes), z: 1 }),
        writeData({ n: 'x', m: 'Not A Type', s: 1, h: hashes, r: new Uint8Array(hashBytes) }),
      ];
      for (const data of garbage) {
        expect(await judge(await fileRecord({ size: 1, hashes, id: someContentId, data }))).to.equal(
          'bad-data',
        );
      }
    });

    it('a file record by a non-member or a removed member is refused as any member write', async () => {
      const good: FileChoice = { size: 1, hashes: hashesOf(1) };
      expect(await judge(await fileRecord(good, stranger))).to.equal('unknown-member');
      const removed = [...base, await removalRecord(group, owner, member.identityId, 30)];
      expect(await judge(await fileRecord(good), removed)).to.equal('removed');
    });

    it('checks membership before content information: a non-member learns nothing of its mistakes', async () => {
      const inconsistent = await fileRecord({ size: blockBytes, hashes: hashesOf(2) }, stranger);
      expect(await judge(inconsistent)).to.equal('unknown-member');
    });
  });

  describe('holding records', () => {
    it('a member’s holding of a content, named holds-<content id>, passes in every state', async () => {
      for (const s of ['partial', 'complete', 'none']) {
        expect(await judge(await holdingRecord(holdingId(someContentId), writeData({ s }))), s).to.equal(
          undefined,
        );
      }
    });

    it('an id that is not holds-<content id> is refused', async () => {
      const data = writeData({ s: 'complete' });
      const ids = [
        someContentId,
        'holds-',
        'holds-report',
        `holds-${someContentId.slice(1)}`,
        `holds-${someContentId}a`,
        `holds-${someContentId.toUpperCase()}`,
        `held-${someContentId}`,
      ];
      for (const id of ids) {
        expect(await judge(await holdingRecord(id, data)), id).to.equal('holding-wrong-id');
      }
    });

    it('a state that is not partial, complete or none, or other data, is refused by the data schema', async () => {
      const id = holdingId(someContentId);
      const garbage = [
        writeData({ s: 'seeding' }),
        writeData({ s: 1 }),
        writeData({}),
        writeData({ s: 'complete', extra: true }),
        new Uint8Array([0xa1]),
      ];
      for (const data of garbage) expect(await judge(await holdingRecord(id, data))).to.equal('bad-data');
    });

    it('a non-member’s holding is refused', async () => {
      const record = await groupRecord(group, stranger, {
        type: GroupRecordTypes.holding,
        id: holdingId(someContentId),
        data: writeData({ s: 'complete' }),
      });
      expect(await judge(record)).to.equal('unknown-member');
    });
  });
});
