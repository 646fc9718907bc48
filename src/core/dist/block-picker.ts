import type { Random } from '../../lib/random.ts';
import { Bitfield } from './bitfield.ts';

/** What one peer of a download has and has been asked for. */
export interface PickerPeer {
  readonly nodeId: string;
  readonly has: Bitfield;
  /** Blocks asked of this peer and not yet answered. */
  readonly asked: Set<number>;
}

/**
 * Chooses which block to ask a peer for, as BitTorrent does: the rarest among the peers of
 * the download first (so every block stays available as long as possible), ties broken at
 * random so downloaders spread over the blocks. When every missing block is already asked of
 * someone, end-game: a block asked of one other peer only may be asked again.
 */
export class BlockPicker {
  private readonly size: number;
  private readonly random: Random;
  /** How many peers of the download have each block. */
  private readonly availability: Uint16Array;
  /** How many peers each block is asked of now. */
  private readonly askedCount: Uint8Array;

  constructor(size: number, random: Random) {
    this.size = size;
    this.random = random;
    this.availability = new Uint16Array(size);
    this.askedCount = new Uint8Array(size);
  }

  /** A peer's blocks join (or leave, `sign` -1) the availability counts. */
  count(has: Bitfield, sign: 1 | -1): void {
    for (let index = 0; index < this.size; index += 1) {
      if (has.has(index)) this.availability[index] = (this.availability[index] ?? 0) + sign;
    }
  }

  /** One more peer has block `index`. */
  gained(index: number): void {
    this.availability[index] = (this.availability[index] ?? 0) + 1;
  }

  asked(index: number): void {
    this.askedCount[index] = (this.askedCount[index] ?? 0) + 1;
  }

  answered(index: number): void {
    this.askedCount[index] = Math.max(0, (this.askedCount[index] ?? 0) - 1);
  }

  /**
   * The next block to ask `peer` for, skipping blocks in `done` (held or being stored) and
   * `refused` by this peer; undefined when it has nothing more to offer.
   */
  pick(peer: PickerPeer, done: Bitfield, refused: ReadonlySet<number>): number | undefined {
    const start = this.size === 0 ? 0 : this.random.int(this.size);
    let best: number | undefined;
    let bestRarity = Infinity;
    let endGame = true;
    let spare: number | undefined;
    for (let step = 0; step < this.size; step += 1) {
      const index = (start + step) % this.size;
      if (done.has(index)) continue;
      const asked = this.askedCount[index] ?? 0;
      if (asked === 0) endGame = false;
      if (!peer.has.has(index) || refused.has(index) || peer.asked.has(index)) continue;
      if (asked === 0) {
        const rarity = this.availability[index] ?? 0;
        if (rarity < bestRarity) {
          best = index;
          bestRarity = rarity;
        }
      } else if (asked === 1 && spare === undefined) {
        spare = index;
      }
    }
    return best ?? (endGame ? spare : undefined);
  }
}
