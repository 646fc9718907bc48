import { expect } from 'chai';
import { utf8 } from '../../../src/lib/bytes.ts';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { sha256 } from '../../../src/core/crypto/hash.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import {
  InvalidPeerNameError,
  formatPeerName,
  maxClassifierLength,
  nameKey,
  normalizeClassifier,
  parsePeerName,
  tryParsePeerName,
} from '../../../src/core/names/peer-name.ts';
import { hex } from '../wire/hex.ts';

/** The error `parsePeerName(input)` throws, or 'accepted'. */
function failure(input: string): unknown {
  try {
    parsePeerName(input);
    return 'accepted';
  } catch (error) {
    return error;
  }
}

describe('peer names', () => {
  it('parses an unsecured name: authority 0, anyone may register it', () => {
    expect(parsePeerName('0.printer')).to.deep.equal({
      authority: '0',
      classifier: 'printer',
      secured: false,
      text: '0.printer',
    });
  });

  it('parses a secured name whose authority is an identity id, in any letter case', async () => {
    const id = await identityIdOf((await generateSigningKeyPair()).publicKey);
    const name = parsePeerName(`${id.toUpperCase()}.Chat`);
    expect(name).to.deep.equal({ authority: id, classifier: 'chat', secured: true, text: `${id}.chat` });
  });

  it('normalizes the classifier: trimmed, NFC, lower case', () => {
    expect(parsePeerName('  0.Cafe\u0301 ').text).to.equal('0.caf\u00e9');
    expect(normalizeClassifier('PRINTER')).to.equal('printer');
    // Lower case of U+0130 decomposes; the result is composed again.
    expect(normalizeClassifier('\u0130')).to.equal('i\u0307'.normalize('NFC'));
    expect(formatPeerName('0', 'Printer')).to.equal('0.printer');
  });

  it('splits at the first dot, so a classifier may contain dots', () => {
    const name = parsePeerName('0.printer.office');
    expect(name.authority).to.equal('0');
    expect(name.classifier).to.equal('printer.office');
  });

  it('accepts emoji, including sequences joined by a zero-width joiner', () => {
    expect(parsePeerName('0.\u{1F469}\u200D\u{1F4BB}').classifier).to.equal('\u{1F469}\u200D\u{1F4BB}');
  });

  it('accepts a classifier of 100 code points and refuses one of 101', () => {
    const emoji = '\u{1F344}';
    expect(parsePeerName(`0.${emoji.repeat(maxClassifierLength)}`).classifier).to.have.length(200);
    const error = failure(`0.${emoji.repeat(maxClassifierLength + 1)}`);
    expect(error).to.be.instanceOf(InvalidPeerNameError);
    expect((error as Error).message).to.contain('too long');
  });

  it('refuses malformed names with a message a person understands', () => {
    const cases: [string, string][] = [
      ['printer', 'needs a dot'],
      ['0.', 'empty'],
      ['0.   ', 'empty'],
      ['1.printer', 'must be 0 or an identity id'],
      ['.printer', 'must be 0 or an identity id'],
      [`${'a'.repeat(51)}.printer`, 'must be 0 or an identity id'],
      [`${'a'.repeat(51)}1.printer`, 'must be 0 or an identity id'],
      ['0.my printer', 'spaces'],
      ['0.tab\there', 'spaces'],
      ['0.line\nbreak', 'spaces'],
      ['0.bell\u0007', 'spaces'],
      ['0.no\u00a0break', 'spaces'],
      ['0.abc\u202Egnp', 'invisible'],
      ['0.zero\u200Bwidth', 'invisible'],
      ['0.lone\uD800', 'invisible'],
    ];
    for (const [input, words] of cases) {
      const error = failure(input);
      expect(error, JSON.stringify(input)).to.be.instanceOf(InvalidPeerNameError);
      expect((error as InvalidPeerNameError).name).to.equal('InvalidPeerNameError');
      expect((error as Error).message, JSON.stringify(input)).to.contain(words);
      expect((error as InvalidPeerNameError).hint).to.be.a('string');
      expect(tryParsePeerName(input)).to.equal(undefined);
    }
  });

  it('derives a 32-byte DHT key from the normalized name under its own hash domain', async () => {
    const key = await nameKey('0.printer');
    expect(key).to.have.length(32);
    const expected = await sha256(new Uint8Array([...utf8('mycel/peer-name/1'), 0, ...utf8('0.printer')]));
    expect(hex(key)).to.equal(hex(expected));
  });

  it('gives every spelling of a name the same key, and another name another key', async () => {
    const key = hex(await nameKey('0.printer'));
    expect(hex(await nameKey(' 0.PRINTER'))).to.equal(key);
    expect(hex(await nameKey(parsePeerName('0.Printer')))).to.equal(key);
    expect(hex(await nameKey('0.printers'))).to.not.equal(key);
  });

  it('refuses to derive a key for text that is not a name', async () => {
    const error: unknown = await nameKey('no dot here').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(InvalidPeerNameError);
  });
});
