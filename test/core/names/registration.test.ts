import { expect } from 'chai';
import { toBase64Url } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { generateSigningKeyPair, sign, verify } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { nameKey } from '../../../src/core/names/peer-name.ts';
import {
  InvalidRegistrationError,
  decodeRegistration,
  maxLifetimeMs,
  signRegistration,
  signTombstone,
  verifyRegistration,
  type RegistrationContent,
  type RegistrationSigner,
} from '../../../src/core/names/registration.ts';
import { fromHex, hex } from '../wire/hex.ts';

const nowMs = 1_700_000_000_000;
const minuteMs = 60_000;

interface Registrant extends RegistrationSigner {
  readonly identityId: string;
}

async function registrant(): Promise<Registrant> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  return { publicKey, signingKey: privateKey, identityId: await identityIdOf(publicKey) };
}

function nodeId(n: number): string {
  return 'm' + 'abcdefghijklmnopqrstuvwxyz234567'.charAt(n % 32).repeat(32);
}

function content(name: string, overrides: Partial<RegistrationContent> = {}): RegistrationContent {
  return {
    name,
    endpoints: [nodeId(1)],
    payload: Uint8Array.of(1, 2, 3),
    versionMs: nowMs,
    expiresAtMs: nowMs + 10 * minuteMs,
    deleted: false,
    ...overrides,
  };
}

/**
 * A registration signed by hand over the documented layout, bypassing `signRegistration`'s
 * checks: what a hostile or buggy peer could send. `map` is every field but `s`.
 */
async function handSigned(
  signer: RegistrationSigner,
  map: { [key: string]: WireValue },
): Promise<Uint8Array> {
  const signature = await sign(signer.signingKey, SigningNamespaces.nameRegistration, encodeCbor(map));
  return encodeCbor({ ...map, s: signature });
}

function fields(name: string, signer: RegistrationSigner, overrides: { [key: string]: WireValue } = {}) {
  return {
    n: name,
    e: [nodeId(1)],
    p: Uint8Array.of(1, 2, 3),
    v: nowMs,
    x: nowMs + 10 * minuteMs,
    k: signer.publicKey,
    ...overrides,
  };
}

async function verdict(bytes: Uint8Array, name: string, atMs = nowMs): Promise<unknown> {
  const result = await verifyRegistration(bytes, await nameKey(name), atMs);
  return typeof result === 'string' ? result : 'accepted';
}

describe('name registrations', () => {
  let alice: Registrant;
  let bob: Registrant;

  before(async () => {
    alice = await registrant();
    bob = await registrant();
  });

  it('signs and verifies a secured registration with real Ed25519', async () => {
    const name = `${alice.identityId}.chat`;
    const bytes = await signRegistration(alice, content(name));
    const verified = await verifyRegistration(bytes, await nameKey(name), nowMs);
    if (typeof verified === 'string') throw new Error(`refused: ${verified}`);
    expect(verified.name).to.equal(name);
    expect(verified.peerName.secured).to.equal(true);
    expect(verified.identityId).to.equal(alice.identityId);
    expect(verified.slot).to.equal(toBase64Url(alice.publicKey));
    expect(verified.endpoints).to.deep.equal([nodeId(1)]);
    expect([...verified.payload]).to.deep.equal([1, 2, 3]);
    expect(verified.versionMs).to.equal(nowMs);
    expect(verified.expiresAtMs).to.equal(nowMs + 10 * minuteMs);
    expect(verified.deleted).to.equal(false);
    expect(hex(verified.bytes)).to.equal(hex(bytes));
  });

  it('signs the documented byte layout: the CBOR map without s, under mycel/name/1', async () => {
    const bytes = await signRegistration(bob, content('0.printer'));
    const map = decodeCbor(bytes) as { [key: string]: WireValue };
    expect(Object.keys(map)).to.deep.equal(['e', 'k', 'n', 'p', 's', 'v', 'x']);
    const { s, ...signed } = map;
    expect(s).to.be.instanceOf(Uint8Array);
    const valid = await verify(
      bob.publicKey,
      SigningNamespaces.nameRegistration,
      encodeCbor(signed),
      s as Uint8Array,
    );
    expect(valid).to.equal(true);
  });

  it('lets any key register an unsecured name, each in its own slot', async () => {
    for (const someone of [alice, bob]) {
      const verified = await verifyRegistration(
        await signRegistration(someone, content('0.printer')),
        await nameKey('0.printer'),
        nowMs,
      );
      if (typeof verified === 'string') throw new Error(`refused: ${verified}`);
      expect(verified.peerName.secured).to.equal(false);
      expect(verified.slot).to.equal(toBase64Url(someone.publicKey));
    }
  });

  it('makes tombstones that outlive every earlier registration', async () => {
    const bytes = await signTombstone(alice, '0.printer', nowMs + 1);
    const verified = await verifyRegistration(bytes, await nameKey('0.printer'), nowMs);
    if (typeof verified === 'string') throw new Error(`refused: ${verified}`);
    expect(verified.deleted).to.equal(true);
    expect(verified.endpoints).to.deep.equal([]);
    expect(verified.payload).to.have.length(0);
    expect(verified.expiresAtMs).to.equal(nowMs + 1 + maxLifetimeMs);
  });

  it('refuses a flipped signature byte, and a flipped payload byte under a good signature', async () => {
    const bytes = await signRegistration(alice, content('0.printer'));
    const badSignature = Uint8Array.from(bytes);
    badSignature[bytes.length - 1] = (badSignature[bytes.length - 1] ?? 0) ^ 1;
    expect(await verdict(badSignature, '0.printer')).to.equal('bad-signature');
    const marked = await handSigned(alice, fields('0.printer', alice, { p: new Uint8Array(16).fill(0xab) }));
    const tampered = Uint8Array.from(marked);
    const at = tampered.findIndex((_, i) => tampered.subarray(i, i + 16).every((byte) => byte === 0xab));
    expect(at).to.be.greaterThan(0);
    tampered[at] = 0xac;
    expect(await verdict(tampered, '0.printer')).to.equal('bad-signature');
  });

  it("refuses a forgery: key B signing a secured name under A's fingerprint", async () => {
    const name = `${alice.identityId}.chat`;
    const forged = await handSigned(bob, fields(name, bob));
    expect(await verdict(forged, name)).to.equal('wrong-authority');
    const error: unknown = await signRegistration(bob, content(name)).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(InvalidRegistrationError);
    expect((error as InvalidRegistrationError).reason).to.equal('wrong-authority');
  });

  it('refuses a payload of 513 bytes and accepts one of 512', async () => {
    const big = await handSigned(alice, fields('0.printer', alice, { p: new Uint8Array(513) }));
    expect(await verdict(big, '0.printer')).to.equal('payload-too-large');
    const fits = await handSigned(alice, fields('0.printer', alice, { p: new Uint8Array(512) }));
    expect(await verdict(fits, '0.printer')).to.equal('accepted');
    const error: unknown = await signRegistration(
      alice,
      content('0.printer', { payload: new Uint8Array(513) }),
    ).catch((caught: unknown) => caught);
    expect((error as InvalidRegistrationError).reason).to.equal('payload-too-large');
    expect((error as Error).message).to.contain('512 bytes');
  });

  it('refuses 9 endpoints and accepts 8; refuses endpoints that are not node ids', async () => {
    const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => nodeId(i));
    const nine = await handSigned(alice, fields('0.printer', alice, { e: ids(9) }));
    expect(await verdict(nine, '0.printer')).to.equal('too-many-endpoints');
    const eight = await handSigned(alice, fields('0.printer', alice, { e: ids(8) }));
    expect(await verdict(eight, '0.printer')).to.equal('accepted');
    const notIds = await handSigned(alice, fields('0.printer', alice, { e: ['not-a-node'] }));
    expect(await verdict(notIds, '0.printer')).to.equal('bad-endpoint');
    const twice = await handSigned(alice, fields('0.printer', alice, { e: [nodeId(1), nodeId(1)] }));
    expect(await verdict(twice, '0.printer')).to.equal('bad-endpoint');
  });

  it('refuses an expired registration', async () => {
    const old = await handSigned(alice, fields('0.printer', alice, { v: nowMs - 60 * minuteMs, x: nowMs }));
    expect(await verdict(old, '0.printer')).to.equal('expired');
    expect(await verdict(old, '0.printer', nowMs - 1)).to.equal('accepted');
  });

  it('refuses a lifetime over an hour', async () => {
    const long = await handSigned(alice, fields('0.printer', alice, { x: nowMs + 60 * minuteMs + 1 }));
    expect(await verdict(long, '0.printer')).to.equal('lifetime-too-long');
    const hour = await handSigned(alice, fields('0.printer', alice, { x: nowMs + 60 * minuteMs }));
    expect(await verdict(hour, '0.printer')).to.equal('accepted');
  });

  it('refuses a registration signed more than 5 minutes in the future', async () => {
    const early = { v: nowMs + 5 * minuteMs + 1, x: nowMs + 15 * minuteMs };
    expect(await verdict(await handSigned(alice, fields('0.printer', alice, early)), '0.printer')).to.equal(
      'from-the-future',
    );
    const skewed = { v: nowMs + 5 * minuteMs, x: nowMs + 15 * minuteMs };
    expect(await verdict(await handSigned(alice, fields('0.printer', alice, skewed)), '0.printer')).to.equal(
      'accepted',
    );
  });

  it("refuses a registration offered under another name's key", async () => {
    const bytes = await signRegistration(alice, content('0.printer'));
    expect(await verdict(bytes, '0.scanner')).to.equal('wrong-key');
  });

  it('refuses names that are not in normalized form', async () => {
    const upper = await handSigned(alice, fields('0.Printer', alice));
    expect(await verdict(upper, '0.printer')).to.equal('bad-name');
    const spaced = await handSigned(alice, fields('0.my printer', alice));
    expect(decodeRegistration(spaced)).to.equal('bad-name');
  });

  it('refuses garbage, wrong shapes and non-canonical encodings as malformed', async () => {
    const good = fields('0.printer', alice, { s: new Uint8Array(64) });
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(0xff),
      encodeCbor(42),
      encodeCbor('0.printer'),
      encodeCbor({ ...good, extra: 1 }),
      encodeCbor({ ...good, k: new Uint8Array(31) }),
      encodeCbor({ ...good, s: new Uint8Array(63) }),
      encodeCbor({ ...good, v: -1 }),
      encodeCbor({ ...good, d: false }),
      encodeCbor({ ...good, x: nowMs }),
      // A map whose keys are out of canonical order: {"s": h'', "e": []}.
      fromHex('a2 6173 40 6165 80'),
    ];
    for (const bytes of cases) expect(decodeRegistration(bytes), hex(bytes)).to.equal('malformed');
    const tombstoneWithPayload = await handSigned(alice, fields('0.printer', alice, { d: true, e: [] }));
    expect(await verdict(tombstoneWithPayload, '0.printer')).to.equal('malformed');
  });

  it('refuses oversized encodings, before decoding and after the field checks', async () => {
    expect(decodeRegistration(new Uint8Array(3000))).to.equal('too-large');
    // Every field within its own cap, yet 1.3 KiB in all: a long 4-byte classifier, a full
    // payload and eight endpoints.
    const name = `0.${'\u{1F344}'.repeat(100)}`;
    const ids = Array.from({ length: 8 }, (_, i) => nodeId(i));
    const heavy = await handSigned(alice, fields(name, alice, { p: new Uint8Array(512), e: ids }));
    expect(heavy.length).to.be.greaterThan(1024);
    expect(await verdict(heavy, name)).to.equal('too-large');
    const error: unknown = await signRegistration(
      alice,
      content(name, { payload: new Uint8Array(512), endpoints: ids }),
    ).catch((caught: unknown) => caught);
    expect((error as InvalidRegistrationError).reason).to.equal('too-large');
  });

  for (const seed of [0x6e616d65, 7, 20261125]) {
    it(`refuses every random input and every one-byte mutation of a valid one (seed ${seed})`, async () => {
      const random = createRandom(seed);
      const key = await nameKey('0.printer');
      const valid = await signRegistration(alice, content('0.printer'));
      for (let i = 0; i < 60; i++) {
        const noise = Uint8Array.from({ length: random.int(300) }, () => random.int(256));
        const mutated = Uint8Array.from(valid);
        const at = random.int(mutated.length);
        mutated[at] = ((mutated[at] ?? 0) + 1 + random.int(255)) & 0xff;
        for (const input of [noise, mutated]) {
          const result = await verifyRegistration(input, key, nowMs);
          expect(typeof result, `seed ${seed}, case ${i}, input ${hex(input)}`).to.equal('string');
        }
      }
    });
  }
});
