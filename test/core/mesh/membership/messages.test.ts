import { expect } from 'chai';
import {
  decodeMembershipFrame,
  encodeMembershipFrame,
  isNodeId,
  maxShuffleSampleSize,
  membershipProtocol,
  type MembershipMessage,
} from '../../../../src/core/mesh/membership/messages.ts';
import type { WireValue } from '../../../../src/core/wire/cbor.ts';
import { encodeFrame } from '../../../../src/core/wire/frame.ts';

/** A membership control frame around any body, including ones no honest node would send. */
function frameOf(
  body: WireValue,
  protocol = membershipProtocol,
  kind: 'control' | 'bulk' = 'control',
): Uint8Array {
  return encodeFrame({ protocol, kind, body });
}

function reasonOf(bytes: Uint8Array): string {
  const result = decodeMembershipFrame(bytes);
  return result.ok ? 'ok' : result.reason;
}

const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => `node-${i}`);

describe('membership messages', () => {
  it('round-trip every message type', () => {
    const messages: MembershipMessage[] = [
      { type: 'join' },
      { type: 'forward-join', node: 'new_node-1', ttl: 6 },
      { type: 'neighbor', priority: 'high' },
      { type: 'neighbor', priority: 'low' },
      { type: 'neighbor-reply', accepted: false },
      { type: 'disconnect' },
      { type: 'shuffle', origin: 'A', ttl: 0, nonce: 0xffff_ffff, sample: ids(maxShuffleSampleSize) },
      { type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: [] },
    ];
    for (const message of messages) {
      expect(decodeMembershipFrame(encodeMembershipFrame(message)), message.type).to.deep.equal({
        ok: true,
        message,
      });
    }
  });

  it('refuse bytes that are not a membership control frame', () => {
    expect(reasonOf(new Uint8Array([1]))).to.equal('truncated');
    expect(reasonOf(new Uint8Array([9, 0, 1, 0x61, 0xa0]))).to.equal('bad-version');
    expect(
      reasonOf(Uint8Array.from([1, 0, 16, ...new TextEncoder().encode(membershipProtocol), 0xff])),
    ).to.equal('bad-body');
    expect(reasonOf(frameOf({ type: 'join' }, 'mycel/other'))).to.equal('wrong-protocol');
    expect(reasonOf(frameOf({ type: 'join' }, membershipProtocol, 'bulk'))).to.equal('wrong-kind');
  });

  it('refuse unknown types and bodies that are not maps', () => {
    expect(reasonOf(frameOf({ type: 'takeover' }))).to.equal('unknown-type');
    expect(reasonOf(frameOf({ type: 'toString' }))).to.equal('unknown-type');
    expect(reasonOf(frameOf({ kind: 'join' }))).to.equal('unknown-type');
    expect(reasonOf(frameOf(['join']))).to.equal('bad-message:wrong-type');
    expect(reasonOf(frameOf('join'))).to.equal('bad-message:wrong-type');
    expect(reasonOf(frameOf(null))).to.equal('bad-message:wrong-type');
  });

  it('refuse bad node ids', () => {
    for (const bad of ['', 'a b', 'x'.repeat(65), 'évian', 'a/b', 'a.b']) {
      expect(isNodeId(bad), JSON.stringify(bad)).to.equal(false);
      expect(reasonOf(frameOf({ type: 'forward-join', node: bad, ttl: 1 })), JSON.stringify(bad)).to.match(
        /^bad-message:(no-match|too-long|too-short)$/,
      );
      expect(
        reasonOf(frameOf({ type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: ['ok', bad] })),
        JSON.stringify(bad),
      ).to.match(/^bad-message:/);
    }
    expect(isNodeId('x'.repeat(64))).to.equal(true);
  });

  it('refuse oversize samples, out-of-range walks and wrong field types', () => {
    const oversize = ids(maxShuffleSampleSize + 1);
    expect(reasonOf(frameOf({ type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: oversize }))).to.equal(
      'bad-message:too-long',
    );
    expect(reasonOf(frameOf({ type: 'shuffle', origin: 'a', ttl: 1, nonce: 1, sample: oversize }))).to.equal(
      'bad-message:too-long',
    );
    expect(reasonOf(frameOf({ type: 'forward-join', node: 'a', ttl: 17 }))).to.equal(
      'bad-message:out-of-range',
    );
    expect(reasonOf(frameOf({ type: 'forward-join', node: 'a', ttl: -1 }))).to.equal(
      'bad-message:out-of-range',
    );
    expect(reasonOf(frameOf({ type: 'forward-join', node: 'a', ttl: '3' }))).to.equal(
      'bad-message:wrong-type',
    );
    expect(reasonOf(frameOf({ type: 'forward-join', node: 7, ttl: 3 }))).to.equal('bad-message:wrong-type');
    expect(reasonOf(frameOf({ type: 'neighbor-reply', accepted: 1 }))).to.equal('bad-message:wrong-type');
    expect(reasonOf(frameOf({ type: 'neighbor', priority: 'urgent' }))).to.equal('bad-message:no-match');
    expect(reasonOf(frameOf({ type: 'shuffle-reply', origin: 'n0', nonce: 7, sample: 'a,b' }))).to.equal(
      'bad-message:wrong-type',
    );
    expect(reasonOf(frameOf({ type: 'join', extra: true }))).to.equal('bad-message:unknown-key');
    expect(reasonOf(frameOf({ type: 'forward-join', node: 'a' }))).to.equal('bad-message:missing-key');
  });
});
