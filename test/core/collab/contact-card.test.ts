import { expect } from 'chai';
import { equalBytes, fromBase64Url, toBase64Url } from '../../../src/lib/bytes.ts';
import { sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { InvalidDisplayNameError } from '../../../src/core/identity/errors.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import {
  CardError,
  cardLink,
  checkCard,
  contactPeerName,
  createCard,
  readCardLink,
  type VerifiedCard,
} from '../../../src/core/collab/contact-card.ts';
import { baseMs, newIdentity, type TestIdentity } from './collab-net.ts';

const origin = new URL('https://mycel.example/app/?tab=1#/groups');

/** The `CardProblem` `readCardLink` reports for `link`, 'ok', or how else it failed. */
async function verdictOf(link: string): Promise<string> {
  try {
    await readCardLink(link);
    return 'ok';
  } catch (error) {
    return error instanceof CardError ? error.problem : `threw ${String(error)}`;
  }
}

function cardMap(card: VerifiedCard): { [key: string]: WireValue } {
  return { ...(decodeCbor(card.bytes) as { readonly [key: string]: WireValue }) };
}

describe('contact cards', () => {
  let ann: TestIdentity;
  let bob: TestIdentity;
  let card: VerifiedCard;

  before(async () => {
    ann = await newIdentity('Ann');
    bob = await newIdentity('Bob');
    card = await createCard(ann, '#3366CC', ann.nodeId, baseMs);
  });

  it('round-trips through a link and through its bare payload', async () => {
    const link = cardLink(card.bytes, origin);
    expect(link.startsWith('https://mycel.example/app/#/contact/')).to.equal(true);
    for (const input of [link, link.slice(link.indexOf('#/contact/') + '#/contact/'.length), `  ${link}\n`]) {
      const read = await readCardLink(input);
      expect(read.identityId).to.equal(ann.identityId);
      expect(read.displayName).to.equal('Ann');
      expect(read.colour).to.equal('#3366cc');
      expect(read.nodeHint).to.equal(ann.nodeId);
      expect(read.issuedAtMs).to.equal(baseMs);
      expect(equalBytes(read.publicKey, ann.publicKey)).to.equal(true);
      expect(equalBytes(read.bytes, card.bytes)).to.equal(true);
    }
  });

  it('leaves the node hint out when there is none, and names the secured peer name', async () => {
    const bare = await createCard(bob, '#00ff00', undefined, baseMs);
    expect(bare.nodeHint).to.equal(undefined);
    expect(Object.keys(cardMap(bare)).sort()).to.deep.equal(['c', 'k', 'n', 's', 't']);
    expect(contactPeerName(bob.identityId)).to.equal(`${bob.identityId}.contact`);
  });

  it('refuses to make a card with a bad colour, node id or name', async () => {
    let error: unknown;
    try {
      await createCard(ann, 'blue');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
    error = undefined;
    try {
      await createCard(ann, '#000000', 'not-a-node');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
    error = undefined;
    try {
      await createCard({ ...ann, displayName: '   ' }, '#000000');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidDisplayNameError);
  });

  it('refuses a card with any byte flipped', async () => {
    let refused = 0;
    for (let index = 0; index < card.bytes.length; index++) {
      const flipped = new Uint8Array(card.bytes);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      const checked = await checkCard(flipped);
      if (!checked.ok) refused++;
      else expect.fail(`byte ${index} flipped was accepted`);
    }
    expect(refused).to.equal(card.bytes.length);
    const signatureFlipped = cardMap(card);
    const s = new Uint8Array(signatureFlipped['s'] as Uint8Array);
    s[10] = (s[10] ?? 0) ^ 0x80;
    signatureFlipped['s'] = s;
    expect(await verdictOf(toBase64Url(encodeCbor(signatureFlipped)))).to.equal('bad-signature');
  });

  it("refuses a card whose key was swapped for another's", async () => {
    const swapped = cardMap(card);
    swapped['k'] = bob.publicKey;
    expect(await verdictOf(toBase64Url(encodeCbor(swapped)))).to.equal('bad-signature');
  });

  it('refuses a validly signed card whose name is not in normal form', async () => {
    const unsigned = { n: ' Ann ', k: ann.publicKey, c: '#3366cc', t: baseMs };
    const s = await sign(ann.signingKey, SigningNamespaces.contactCard, encodeCbor(unsigned));
    expect(await verdictOf(toBase64Url(encodeCbor({ ...unsigned, s })))).to.equal('malformed');
  });

  it('refuses oversize input before decoding it', async () => {
    const big = cardMap(card);
    big['n'] = 'A'.repeat(1100);
    expect(await verdictOf(toBase64Url(encodeCbor(big)))).to.equal('too-large');
    expect(await verdictOf('A'.repeat(20_000))).to.equal('too-large');
    expect((await checkCard(new Uint8Array(2000))).ok).to.equal(false);
  });

  it('refuses garbage and links that are not card links', async () => {
    const joinLink = `https://mycel.example/#join=${toBase64Url(encodeCbor({ i: new Uint8Array(4), s: 1 }))}`;
    const cases = [
      '',
      'hello world',
      'not base64!',
      toBase64Url(new Uint8Array([1, 2, 3, 4, 5])),
      toBase64Url(encodeCbor({ t: 'watch' })),
      toBase64Url(encodeCbor([card.bytes])),
      joinLink,
      'https://mycel.example/#/contact/',
      'https://mycel.example/#/contact/A',
    ];
    for (const input of cases) expect(await verdictOf(input), input).to.equal('malformed');
  });

  it('explains the refusal to a person', async () => {
    let error: unknown;
    try {
      await readCardLink('hello');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(CardError);
    expect((error as CardError).message).to.match(/contact card/);
    expect((error as CardError).hint).to.match(/share their card again/);
    expect(fromBase64Url(cardLink(card.bytes, origin).split('#/contact/')[1] ?? '')).to.deep.equal(
      card.bytes,
    );
  });
});
