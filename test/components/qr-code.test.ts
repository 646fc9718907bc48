import { expect } from 'chai';
import { encode } from 'uqr';
import '../../src/components/qr-code.ts';
import { qrRuns, type QrCode } from '../../src/components/qr-code.ts';

async function mount(text: string): Promise<QrCode> {
  const code = document.createElement('mycel-qr-code');
  code.text = text;
  document.body.append(code);
  await code.updateComplete;
  return code;
}

describe('mycel-qr-code', () => {
  it('encodes a short text as a version 1 code (21 × 21 modules)', () => {
    expect(qrRuns('HELLO WORLD').size).to.equal(21);
  });

  it('draws exactly the dark modules of the matrix', () => {
    const text = 'https://mycel.example/#join=abc123';
    const { size, runs } = qrRuns(text);
    const drawn = Array.from({ length: size }, () => Array.from({ length: size }, () => false));
    for (const [x, y, width] of runs) for (let i = 0; i < width; i++) (drawn[y] as boolean[])[x + i] = true;
    expect(drawn).to.deep.equal(encode(text, { ecc: 'L', border: 0 }).data);
  });

  it('renders an SVG image named for the join link with dark modules inside a quiet zone', async () => {
    const code = await mount('https://mycel.example/#join=abc123');
    const svg = code.shadowRoot?.querySelector('svg');
    expect(svg?.getAttribute('role')).to.equal('img');
    expect(svg?.getAttribute('aria-label')).to.equal('QR code of the join link');
    const { size, runs } = qrRuns('https://mycel.example/#join=abc123');
    expect(svg?.getAttribute('viewBox')).to.equal(`0 0 ${size + 8} ${size + 8}`);
    const dark = svg?.querySelectorAll('rect[fill="#000000"]') ?? [];
    expect(dark.length).to.equal(runs.length).and.to.be.above(0);
    const xs = [...dark].map((rect) => Number(rect.getAttribute('x')));
    expect(Math.min(...xs)).to.equal(4);
    code.label = 'QR code of the invitation';
    await code.updateComplete;
    expect(svg?.getAttribute('aria-label')).to.equal('QR code of the invitation');
    code.remove();
  });
});
