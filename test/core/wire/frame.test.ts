import { expect } from 'chai';
import { WireEncodeError } from '../../../src/core/wire/errors.ts';
import {
  decodeFrame,
  encodeFrame,
  isProtocolName,
  maxBulkFrameBytes,
  maxControlFrameBytes,
  type Frame,
  type FrameDecodeResult,
} from '../../../src/core/wire/frame.ts';
import { fromHex, hex } from './hex.ts';

/** A frame's bytes from its parts, so tests can build frames `encodeFrame` would refuse. */
function rawFrame(version: number, kind: number, name: string, body: Uint8Array): Uint8Array {
  const nameBytes = Uint8Array.from(name, (char) => char.charCodeAt(0));
  return Uint8Array.from([version, kind, nameBytes.length, ...nameBytes, ...body]);
}

/** A frame of exactly `total` bytes for `chat`, its body a byte string of filler. */
function frameOfSize(kind: number, total: number, filler = 0xff): Uint8Array {
  const out = new Uint8Array(total).fill(filler);
  out.set([1, kind, 4, ...'chat'.split('').map((char) => char.charCodeAt(0))]);
  return out;
}

function reasonOf(result: FrameDecodeResult): string {
  return result.ok ? 'ok' : result.reason;
}

describe('frames', () => {
  it('round-trips control and bulk frames', () => {
    const frames: Frame[] = [
      { protocol: 'mycel/hello/1', kind: 'control', body: { nonce: new Uint8Array(32), n: 3 } },
      { protocol: 'dist', kind: 'bulk', body: new Uint8Array(60 * 1024).fill(9) },
      { protocol: 'a', kind: 'control', body: null },
      { protocol: 'x'.repeat(32), kind: 'bulk', body: ['z', -1, true] },
    ];
    for (const frame of frames) {
      const decoded = decodeFrame(encodeFrame(frame));
      expect(decoded, frame.protocol).to.deep.equal({ ok: true, frame });
    }
  });

  it('lays out the header as version, kind, name length, name, then the CBOR body', () => {
    expect(hex(encodeFrame({ protocol: 'ab', kind: 'control', body: 1 }))).to.equal('0100026162' + '01');
    expect(hex(encodeFrame({ protocol: 'ab', kind: 'bulk', body: 'a' }))).to.equal('010102616261' + '61');
  });

  it('accepts a frame of exactly its cap and refuses one byte more as oversize', () => {
    // Header of 3 bytes, the name, and the byte-string head: 3 bytes for lengths 256 to 65535,
    // 5 bytes beyond.
    const bodyBytes = (total: number): number => {
      const head = total - 3 - 'chat'.length - 3 <= 0xffff ? 3 : 5;
      return total - 3 - 'chat'.length - head;
    };
    const control = encodeFrame({
      protocol: 'chat',
      kind: 'control',
      body: new Uint8Array(bodyBytes(maxControlFrameBytes)),
    });
    expect(control.length).to.equal(maxControlFrameBytes);
    expect(reasonOf(decodeFrame(control))).to.equal('ok');
    const bulkBody = new Uint8Array(bodyBytes(maxBulkFrameBytes));
    const bulk = encodeFrame({ protocol: 'chat', kind: 'bulk', body: bulkBody });
    expect(bulk.length).to.equal(maxBulkFrameBytes);
    expect(reasonOf(decodeFrame(bulk))).to.equal('ok');
  });

  it('refuses oversize frames before decoding their body', () => {
    // The bodies are 0xff bytes, which the decoder would refuse as malformed: "oversize" proves
    // that the size was checked first and the body never reached the decoder.
    expect(reasonOf(decodeFrame(frameOfSize(0, maxControlFrameBytes + 1)))).to.equal('oversize');
    expect(reasonOf(decodeFrame(frameOfSize(1, maxBulkFrameBytes + 1)))).to.equal('oversize');
    expect(reasonOf(decodeFrame(frameOfSize(7, maxBulkFrameBytes + 1)))).to.equal('oversize');
    // The same garbage under the cap does reach the decoder.
    const underCap = decodeFrame(frameOfSize(0, maxControlFrameBytes));
    expect(underCap).to.deep.equal({ ok: false, reason: 'bad-body', bodyReason: 'malformed' });
    // A control-sized cap does not apply to bulk frames.
    expect(reasonOf(decodeFrame(frameOfSize(1, maxControlFrameBytes + 1)))).to.equal('bad-body');
  });

  it('refuses a bad version, a bad kind and a short header', () => {
    const body = fromHex('f6');
    expect(reasonOf(decodeFrame(rawFrame(2, 0, 'chat', body)))).to.equal('bad-version');
    expect(reasonOf(decodeFrame(rawFrame(0, 0, 'chat', body)))).to.equal('bad-version');
    expect(reasonOf(decodeFrame(rawFrame(1, 2, 'chat', body)))).to.equal('bad-kind');
    expect(reasonOf(decodeFrame(rawFrame(1, 255, 'chat', body)))).to.equal('bad-kind');
    expect(reasonOf(decodeFrame(new Uint8Array(0)))).to.equal('truncated');
    expect(reasonOf(decodeFrame(fromHex('01')))).to.equal('truncated');
    expect(reasonOf(decodeFrame(fromHex('01 00')))).to.equal('truncated');
    expect(reasonOf(decodeFrame(fromHex('01 00 05 6162')))).to.equal('truncated');
  });

  it('refuses empty, too long and invalid protocol names', () => {
    const body = fromHex('f6');
    for (const name of ['', 'x'.repeat(33), 'Chat', 'my chat', 'chat!', 'caf\u00e9', 'a\u0000']) {
      expect(reasonOf(decodeFrame(rawFrame(1, 0, name, body))), JSON.stringify(name)).to.equal(
        'bad-protocol',
      );
      expect(() => encodeFrame({ protocol: name, kind: 'control', body: null }), name).to.throw(
        WireEncodeError,
      );
      expect(isProtocolName(name)).to.equal(false);
    }
    for (const name of ['chat', 'mycel/graph/sync/1', 'a.b_c-d', '0'])
      expect(isProtocolName(name)).to.equal(true);
  });

  it('refuses a body that is not one canonical CBOR item, naming the decoder reason', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['', 'truncated'],
      ['1c', 'malformed'],
      ['f6 f6', 'trailing-bytes'],
      ['18 01', 'non-canonical'],
      ['fb 3ff0000000000000', 'unsupported-type'],
    ];
    for (const [body, bodyReason] of cases) {
      expect(decodeFrame(rawFrame(1, 0, 'chat', fromHex(body))), body).to.deep.equal({
        ok: false,
        reason: 'bad-body',
        bodyReason,
      });
    }
  });

  it('passes body limits on to the decoder', () => {
    const bytes = encodeFrame({ protocol: 'chat', kind: 'control', body: [[1]] });
    expect(reasonOf(decodeFrame(bytes))).to.equal('ok');
    expect(decodeFrame(bytes, { maxDepth: 1 })).to.deep.equal({
      ok: false,
      reason: 'bad-body',
      bodyReason: 'too-deep',
    });
  });

  it('refuses to encode a frame over the cap of its kind', () => {
    const body = new Uint8Array(maxControlFrameBytes);
    expect(() => encodeFrame({ protocol: 'chat', kind: 'control', body })).to.throw(WireEncodeError);
    expect(encodeFrame({ protocol: 'chat', kind: 'bulk', body }).length).to.be.greaterThan(
      maxControlFrameBytes,
    );
    const tooBig = new Uint8Array(maxBulkFrameBytes);
    expect(() => encodeFrame({ protocol: 'chat', kind: 'bulk', body: tooBig })).to.throw(WireEncodeError);
    expect(() => encodeFrame({ protocol: 'chat', kind: 'control', body: 0.5 })).to.throw(WireEncodeError);
  });
});
