import { expect } from 'chai';
import { formatBytes } from '../../src/components/format-bytes.ts';
import { createRandom } from '../../src/lib/random.ts';

const unitBytes: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

/** Reads a formatted size back into bytes. */
function parse(text: string): { number: string; bytes: number } {
  const match = /^(\d+(?:\.\d)?) (B|KB|MB|GB|TB|PB)$/.exec(text);
  if (match === null) throw new Error(`not a size: "${text}"`);
  const [, number = '', unit = ''] = match;
  return { number, bytes: Number(number) * (unitBytes[unit] ?? Number.NaN) };
}

describe('formatBytes', () => {
  it('counts in decimal units with one decimal below 10 and whole units above', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1, '1 B'],
      [999, '999 B'],
      [1000, '1 KB'],
      [1500, '1.5 KB'],
      [512_000, '512 KB'],
      [3_100_000, '3.1 MB'],
      [4_240_000, '4.2 MB'],
      [20_000_000, '20 MB'],
      [20 * 1024 * 1024, '21 MB'],
      [1_200_000_000, '1.2 GB'],
      [2.5e12, '2.5 TB'],
      [7e15, '7 PB'],
    ];
    for (const [bytes, text] of cases) expect(formatBytes(bytes), `${bytes} bytes`).to.equal(text);
  });

  it('moves to the next unit where rounding would reach 1000 or 10.0', () => {
    expect(formatBytes(999_499)).to.equal('999 KB');
    expect(formatBytes(999_600)).to.equal('1 MB');
    expect(formatBytes(9_940_000)).to.equal('9.9 MB');
    expect(formatBytes(9_960_000)).to.equal('10 MB');
    expect(formatBytes(1_000_000)).to.equal('1 MB');
  });

  it('rounds fractional rates to whole bytes and shows nonsense as 0 B', () => {
    expect(formatBytes(512.7)).to.equal('513 B');
    for (const bad of [-1, -5e9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(formatBytes(bad), String(bad)).to.equal('0 B');
    }
  });

  it('stays within 5% of the size, below 1000 of its unit, and never shrinks as the size grows', () => {
    const seed = 0x5eed_b17e;
    const random = createRandom(seed);
    const sizes = Array.from({ length: 2000 }, () => Math.floor(10 ** (random.next() * 16)));
    sizes.sort((a, b) => a - b);
    let previous = 0;
    for (const bytes of sizes) {
      const shown = formatBytes(bytes);
      const { number, bytes: read } = parse(shown);
      const context = `seed ${seed}: ${bytes} bytes shown as "${shown}"`;
      expect(Number(number), context).to.be.below(1000);
      expect(Math.abs(read - bytes) / bytes, context).to.be.at.most(0.05);
      expect(read, context).to.be.at.least(previous);
      previous = read;
    }
  });
});
