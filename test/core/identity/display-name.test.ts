import { expect } from 'chai';
import { normalizeDisplayName } from '../../../src/core/identity/display-name.ts';
import { InvalidDisplayNameError } from '../../../src/core/identity/errors.ts';

describe('display names', () => {
  it('trims a name and keeps letters, symbols and emoji', () => {
    expect(normalizeDisplayName('  Ada Lovelace ')).to.equal('Ada Lovelace');
    expect(normalizeDisplayName('Zoë 🍄 #1')).to.equal('Zoë 🍄 #1');
  });

  it('accepts 64 characters, counting emoji as one each, and refuses 65', () => {
    expect(normalizeDisplayName('🍄'.repeat(64))).to.equal('🍄'.repeat(64));
    expect(() => normalizeDisplayName('a'.repeat(65))).to.throw(InvalidDisplayNameError, /too long/);
  });

  it('refuses empty names and names with control characters', () => {
    expect(() => normalizeDisplayName('')).to.throw(InvalidDisplayNameError, 'The name is empty.');
    expect(() => normalizeDisplayName(' \t ')).to.throw(InvalidDisplayNameError, 'The name is empty.');
    for (const name of ['Ada\nLovelace', 'Ada\u0000', 'Ada\u0085x', 'evil\u202eeman']) {
      expect(() => normalizeDisplayName(name)).to.throw(InvalidDisplayNameError, /control characters/);
    }
  });
});
