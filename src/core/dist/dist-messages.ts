import { bytes, integer, literal, object, oneOf, text, type Infer } from '../wire/schema.ts';
import { graphIdPattern } from '../graph/record-codec.ts';
import { blockBytes, contentIdPattern, maxBlocks } from './content-info.ts';

/** The mesh protocol of file distribution; every message names its group and content. */
export const distProtocol = 'mycel/dist/1';

/** A bitfield of `maxBlocks` bits. */
export const maxBitfieldBytes = Math.ceil(maxBlocks / 8);

const groupId = text({ maxLength: 64, pattern: graphIdPattern });
const contentId = text({ maxLength: 52, pattern: contentIdPattern });
const index = integer({ min: 0, max: maxBlocks - 1 });
const about = { g: groupId, c: contentId };

/**
 * The messages of a swarm, after BitTorrent's peer wire protocol:
 * - `want`: the sender is downloading the content; answer with `have` and keep it posted
 *   with `got` (BitTorrent's interested);
 * - `have`: every block the sender holds, as a bitfield (bit `i` = byte `i >> 3`, most
 *   significant bit first), empty when it holds none or will not serve;
 * - `got`: the sender now holds block `i`;
 * - `req`: please send block `i`; `cancel`: no longer needed (end-game);
 * - `block`: block `i` (a bulk frame); `none`: block `i` cannot be served now;
 * - `done`: the sender no longer wants anything of the content.
 */
export const distMessage = oneOf(
  object({ ...about, t: literal('want') }),
  object({ ...about, t: literal('have'), b: bytes({ maxLength: maxBitfieldBytes }) }),
  object({ ...about, t: literal('got'), i: index }),
  object({ ...about, t: literal('req'), i: index }),
  object({ ...about, t: literal('cancel'), i: index }),
  object({ ...about, t: literal('block'), i: index, d: bytes({ minLength: 1, maxLength: blockBytes }) }),
  object({ ...about, t: literal('none'), i: index }),
  object({ ...about, t: literal('done') }),
);

export type DistMessage = Infer<typeof distMessage>;
