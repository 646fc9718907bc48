import { decodeCbor, encodeCbor, type CborDecodeLimits, type WireValue } from './cbor.ts';
import { WireDecodeError, WireEncodeError, type WireDecodeReason } from './errors.ts';

// The envelope every protocol shares on one data channel, after Trystero's named actions with a
// fixed header: [version u8][kind u8][name length u8][protocol name, ASCII][CBOR body].
// The header is read byte by byte before anything else, so a frame's size and addressee are
// known before a single byte of its body is decoded (DESIGN.md, Frames).

/** The envelope version this code writes and reads; any other is refused. */
export const frameVersion = 1;

/** Control and gossip frames: small, so a flood of them cannot crowd out the channel. */
export const maxControlFrameBytes = 16 * 1024;

/**
 * Bulk frames carry one 64 KiB content block or one 64 KiB record at most (DESIGN.md), plus
 * the envelope that says what it is: a cap of exactly 64 KiB could carry neither whole.
 */
export const maxBulkFrameBytes = 65 * 1024;

/** The longest protocol name: long enough for `mycel/graph/sync/1`, short enough to be cheap. */
export const maxProtocolNameLength = 32;

/** Which cap a frame is held to: `control` for protocol chatter, `bulk` for content blocks. */
export type FrameKind = 'control' | 'bulk';

/** One frame: which protocol it is for, its kind, and its decoded body. */
export interface Frame {
  readonly protocol: string;
  readonly kind: FrameKind;
  readonly body: WireValue;
}

/** Why `decodeFrame` refused bytes. `bad-body` comes with the CBOR decoder's own reason. */
export type FrameRejectReason =
  'truncated' | 'oversize' | 'bad-version' | 'bad-kind' | 'bad-protocol' | 'bad-body';

/** The outcome of `decodeFrame`: a frame, or a reason to drop the bytes. */
export type FrameDecodeResult =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: false; readonly reason: Exclude<FrameRejectReason, 'bad-body'> }
  | { readonly ok: false; readonly reason: 'bad-body'; readonly bodyReason: WireDecodeReason };

const kindCodes: Readonly<Record<FrameKind, number>> = { control: 0, bulk: 1 };
const headerBytes = 3;
const protocolNamePattern = /^[a-z0-9/._-]{1,32}$/;

/** The size cap of a frame of `kind`, header included. */
export function maxFrameBytes(kind: FrameKind): number {
  return kind === 'control' ? maxControlFrameBytes : maxBulkFrameBytes;
}

/** Whether `name` can name a protocol: 1 to 32 characters of `[a-z0-9/._-]`. */
export function isProtocolName(name: string): boolean {
  return protocolNamePattern.test(name);
}

/**
 * The bytes of a frame. Throws `WireEncodeError` when the protocol name is invalid, the body is
 * outside `WireValue`, or the whole frame would be over the cap of its kind: better to fail at
 * the sender than to have every receiver drop it.
 */
export function encodeFrame(frame: Frame): Uint8Array<ArrayBuffer> {
  const { protocol, kind, body } = frame;
  if (!isProtocolName(protocol)) {
    throw new WireEncodeError(`"${protocol}" is not a protocol name: use 1 to 32 of [a-z0-9/._-].`);
  }
  const cap = maxFrameBytes(kind);
  const prefixBytes = headerBytes + protocol.length;
  const encodedBody = encodeCbor(body, { maxBytes: cap - prefixBytes });
  const out = new Uint8Array(prefixBytes + encodedBody.length);
  out[0] = frameVersion;
  out[1] = kindCodes[kind];
  out[2] = protocol.length;
  for (let i = 0; i < protocol.length; i++) out[headerBytes + i] = protocol.charCodeAt(i);
  out.set(encodedBody, prefixBytes);
  return out;
}

function kindOf(code: number): FrameKind | undefined {
  if (code === kindCodes.control) return 'control';
  if (code === kindCodes.bulk) return 'bulk';
  return undefined;
}

function isProtocolNameByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2f || // /
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x2d // -
  );
}

/**
 * Reads a frame received from a peer. Never throws: a refusal is a result with a reason, so the
 * receive path can drop and count it. Checks run cheapest first and before the body is touched:
 * the length against the bulk cap, the version, the kind, the length against the kind's own
 * cap, the protocol name; only then is the body decoded, under `bodyLimits` and the frame's cap.
 */
export function decodeFrame(
  bytes: Uint8Array,
  bodyLimits: Omit<CborDecodeLimits, 'maxBytes'> = {},
): FrameDecodeResult {
  if (bytes.length > maxBulkFrameBytes) return { ok: false, reason: 'oversize' };
  if (bytes.length < headerBytes) return { ok: false, reason: 'truncated' };
  if (bytes[0] !== frameVersion) return { ok: false, reason: 'bad-version' };
  const kind = kindOf(bytes[1] ?? -1);
  if (kind === undefined) return { ok: false, reason: 'bad-kind' };
  if (bytes.length > maxFrameBytes(kind)) return { ok: false, reason: 'oversize' };
  const nameLength = bytes[2] ?? 0;
  if (nameLength < 1 || nameLength > maxProtocolNameLength) return { ok: false, reason: 'bad-protocol' };
  const bodyStart = headerBytes + nameLength;
  if (bytes.length < bodyStart) return { ok: false, reason: 'truncated' };
  const nameBytes = bytes.subarray(headerBytes, bodyStart);
  if (!nameBytes.every(isProtocolNameByte)) return { ok: false, reason: 'bad-protocol' };
  const protocol = String.fromCharCode(...nameBytes);
  try {
    const body = decodeCbor(bytes.subarray(bodyStart), { ...bodyLimits, maxBytes: maxFrameBytes(kind) });
    return { ok: true, frame: { protocol, kind, body } };
  } catch (error) {
    if (error instanceof WireDecodeError) return { ok: false, reason: 'bad-body', bodyReason: error.reason };
    throw error; // only a RangeError for bad bodyLimits: a bug in the caller, not the peer
  }
}
