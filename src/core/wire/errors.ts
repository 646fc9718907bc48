import { MycelError } from '../../lib/errors.ts';

/**
 * Why bytes from a peer were refused by the CBOR decoder. A code rather than free text, so the
 * receive path can count and log rejections without parsing messages.
 *
 * - `truncated`: the input ends inside a head or a declared length runs past its end.
 * - `trailing-bytes`: bytes follow the single top-level item.
 * - `non-canonical`: valid CBOR, but not the one deterministic encoding (a longer head than
 *   needed, an indefinite length, map keys out of order).
 * - `malformed`: not well-formed CBOR at all (reserved additional information, a stray break).
 * - `unsupported-type`: well-formed, but outside the wire subset (tags, floats, simple values
 *   other than false, true and null, map keys that are not text).
 * - `too-deep`, `too-many-items`, `too-large`: a decoding limit was reached.
 * - `bad-utf8`: a text string is not valid UTF-8.
 * - `duplicate-key`: a map names the same key twice.
 * - `integer-range`: an integer outside JavaScript's safe integer range.
 */
export type WireDecodeReason =
  | 'truncated'
  | 'trailing-bytes'
  | 'non-canonical'
  | 'malformed'
  | 'unsupported-type'
  | 'too-deep'
  | 'too-many-items'
  | 'too-large'
  | 'bad-utf8'
  | 'duplicate-key'
  | 'integer-range';

/**
 * A value could not be put on the wire: it is outside the wire subset (a float, `undefined`, a
 * class instance, a lone surrogate) or the encoding is over its size cap. A bug in the sender,
 * never a peer's doing.
 */
export class WireEncodeError extends MycelError {
  override name = 'WireEncodeError';

  constructor(message: string) {
    super(message, { hint: 'This is a bug in Mycel; please report it with the steps that led here.' });
  }
}

/**
 * Bytes received from a peer are not a valid wire encoding. The receive path drops the frame and
 * may count the peer's faults; it never shows this to a person as their mistake.
 */
export class WireDecodeError extends MycelError {
  override name = 'WireDecodeError';
  /** What was wrong, as a stable code. */
  readonly reason: WireDecodeReason;
  /** Offset in the input where the problem was found. */
  readonly offset: number;

  constructor(reason: WireDecodeReason, offset: number) {
    super(`A peer sent a message that could not be read (${reason} at byte ${offset}).`, {
      hint: 'The peer may run another version of Mycel; the message was ignored.',
    });
    this.reason = reason;
    this.offset = offset;
  }
}
