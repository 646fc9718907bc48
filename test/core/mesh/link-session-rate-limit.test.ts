import { expect } from 'chai';
import { FrameRateLimit, type RateVerdict } from '../../../src/core/mesh/rate-limit.ts';

/** The verdicts on `count` frames all arriving at `atMs`, tallied. */
function tally(limit: FrameRateLimit, atMs: number, count: number): Partial<Record<RateVerdict, number>> {
  const out: Partial<Record<RateVerdict, number>> = {};
  for (let i = 0; i < count; i++) {
    const verdict = limit.take(atMs);
    out[verdict] = (out[verdict] ?? 0) + 1;
  }
  return out;
}

describe('the frame rate limit of a link', () => {
  it('lets a burst through, then the steady rate, and drops the rest', () => {
    const limit = new FrameRateLimit({ framesPerSecond: 10, burstFrames: 20 });
    expect(tally(limit, 0, 25)).to.deep.equal({ pass: 20, drop: 5 });
    // One second earns 10 frames; the 5 dropped are paid off first.
    expect(tally(limit, 1_000, 6)).to.deep.equal({ pass: 5, drop: 1 });
  });

  it('forgives a flood that stops, at the pace it is served', () => {
    const limit = new FrameRateLimit({ framesPerSecond: 10, burstFrames: 20 });
    expect(tally(limit, 0, 60)).to.deep.equal({ pass: 20, drop: 40 });
    expect(tally(limit, 10_000, 20)).to.deep.equal({ pass: 20 });
  });

  it('calls a peer flooding once its overflow is more than twice the burst', () => {
    const limit = new FrameRateLimit({ framesPerSecond: 10, burstFrames: 20 });
    expect(tally(limit, 0, 61)).to.deep.equal({ pass: 20, drop: 40, flooding: 1 });
  });

  it('refuses settings that would let nothing through', () => {
    expect(() => new FrameRateLimit({ framesPerSecond: 0, burstFrames: 10 })).to.throw(RangeError);
    expect(() => new FrameRateLimit({ framesPerSecond: 10, burstFrames: 0 })).to.throw(RangeError);
  });
});
