import { expect } from 'chai';
import { toBase64Url, utf8 } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import {
  acceptInvitation,
  checkCertificate,
  checkInvitation,
  invitationPayload,
  readJoinLink,
  type SignedInvitation,
} from '../../../src/core/groups/invitation.ts';
import {
  accept,
  baseMs,
  dayMs,
  invite,
  newIdentity,
  newTestGroup,
  type TestGroup,
  type TestIdentity,
} from './group-fixtures.ts';

/** What `readJoinLink` says of `link`, or how it threw: it must never throw. */
async function verdictOf(link: string): Promise<string> {
  try {
    const read = await readJoinLink(link);
    return read.ok ? 'ok' : read.reason;
  } catch (error) {
    return `threw ${String(error)}`;
  }
}

/** A join link payload of any envelope value, as a hostile link would carry it. */
function payloadOf(value: WireValue): string {
  return toBase64Url(encodeCbor(value));
}

function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('group invitations', () => {
  let owner: TestIdentity;
  let joiner: TestIdentity;
  let other: TestIdentity;
  let group: TestGroup;
  let otherGroup: TestGroup;
  let signed: SignedInvitation;

  before(async () => {
    owner = await newIdentity('Olga');
    joiner = await newIdentity('Jun');
    other = await newIdentity('Omar');
    group = await newTestGroup(owner);
    otherGroup = await newTestGroup(other);
    signed = await invite(group, owner, {
      role: 'admin',
      maxUses: 3,
      note: 'flip-me-note',
      broker: 'https://broker.example/peerjs',
    });
  });

  describe('join links', () => {
    it('round-trip through a whole URL, a bare fragment and a bare payload', async () => {
      const payload = invitationPayload(signed);
      for (const link of [
        `https://x/#join=${payload}`,
        `#join=${payload}`,
        `join=${payload}`,
        payload,
        `  https://mycel.example/app#other=1&join=${payload}  `,
      ]) {
        const read = await readJoinLink(link);
        if (!read.ok) throw new Error(`${link.slice(0, 30)}: ${read.reason}`);
        expect(read.signed.invitation, link.slice(0, 30)).to.deep.equal(signed.invitation);
        expect(read.signed.inviterId).to.equal(owner.identityId);
        expect(read.signed.body).to.deep.equal(signed.body);
        expect(read.signed.signature).to.deep.equal(signed.signature);
      }
    });

    it('carry every field of the invitation, and leave out a broker that was not given', async () => {
      const plain = await invite(group, owner);
      const read = await readJoinLink(invitationPayload(plain));
      if (!read.ok) throw new Error(read.reason);
      expect(read.signed.invitation).to.deep.equal(plain.invitation);
      expect('broker' in read.signed.invitation).to.equal(false);
      expect(signed.invitation.broker).to.equal('https://broker.example/peerjs');
    });

    it('refuse garbage, empty and huge strings as malformed', async () => {
      const links = [
        '',
        '   ',
        '#join=',
        'https://x/#join=',
        'hello world',
        'https://x/#join=ab$cd',
        'abc$def',
        'abc+/def=',
        'ÿÿÿÿ',
        '\u0000\u0000\u0000\u0000',
        'A'.repeat(100_000),
        `https://x/#join=${'A'.repeat(100_000)}`,
        'x'.repeat(100_000) + '!',
      ];
      for (const link of links)
        expect(await verdictOf(link), JSON.stringify(link.slice(0, 40))).to.equal('malformed');
    });

    it('refuse a payload whose length no base64 text can have (4n + 1) as malformed, without throwing', async () => {
      for (const link of ['A', 'AAAAA', `#join=${'A'.repeat(9)}`]) {
        expect(await verdictOf(link), link).to.equal('malformed');
      }
    });

    it('refuse valid base64 of random bytes as malformed', async () => {
      const seed = 20_240_501;
      const random = createRandom(seed);
      for (let round = 0; round < 200; round++) {
        const length = 1 + random.int(600);
        const bytes = new Uint8Array(length);
        for (let i = 0; i < length; i++) bytes[i] = random.int(256);
        expect(await verdictOf(toBase64Url(bytes)), `seed ${seed}, round ${round}`).to.equal('malformed');
      }
    });

    it('refuse CBOR of the wrong shape as malformed', async () => {
      const signature = signed.signature;
      const wrongBody = (changes: { [key: string]: WireValue }): Uint8Array =>
        encodeCbor({ ...(decodeBody(signed) as { [key: string]: WireValue }), ...changes });
      const shapes: WireValue[] = [
        [1, 2, 3],
        'join',
        42,
        {},
        { i: signed.body },
        { i: 'text', s: signature },
        { i: signed.body, s: signature.subarray(0, 63) },
        { i: signed.body, s: signature, x: 1 },
        { i: new Uint8Array(), s: signature },
        { i: encodeCbor([1, 2]), s: signature },
        { i: wrongBody({ v: 2 }), s: signature },
        { i: wrongBody({ r: 'owner' }), s: signature },
        { i: wrongBody({ id: new Uint8Array(15) }), s: signature },
        { i: wrongBody({ gn: '' }), s: signature },
        { i: wrongBody({ u: -1 }), s: signature },
        { i: wrongBody({ p: ['not a node id'] }), s: signature },
        { i: wrongBody({ extra: true }), s: signature },
        { i: encodeCbor({ nested: { deeper: { deeper: { deeper: { deepest: 1 } } } } }), s: signature },
      ];
      for (const shape of shapes) {
        expect(await verdictOf(payloadOf(shape)), JSON.stringify(shape, replacer)).to.equal('malformed');
      }
    });
  });

  describe('signatures', () => {
    it('a flipped byte of the signature is a bad signature', async () => {
      for (const index of [0, 31, 32, 63]) {
        const result = await checkInvitation(signed.body, flipped(signed.signature, index));
        expect(result, `byte ${index}`).to.deep.equal({ ok: false, reason: 'bad-signature' });
      }
    });

    it('a flipped byte in a field the group id does not cover is a bad signature', async () => {
      const note = indexOfBytes(signed.body, utf8('flip-me-note'));
      expect(note).to.be.greaterThan(0);
      const result = await checkInvitation(flipped(signed.body, note), signed.signature);
      expect(result).to.deep.equal({ ok: false, reason: 'bad-signature' });
    });

    it('no flipped byte of the body passes, and none throws', async () => {
      const reasons = new Set<string>();
      for (let index = 0; index < signed.body.length; index++) {
        const result = await checkInvitation(flipped(signed.body, index), signed.signature);
        if (result.ok) throw new Error(`byte ${index} flipped still passes`);
        // A flip inside the group id, owner key or nonce breaks the id's derivation first.
        expect(['bad-signature', 'malformed', 'wrong-group'], `byte ${index}`).to.include(result.reason);
        reasons.add(result.reason);
      }
      expect(reasons.has('bad-signature')).to.equal(true);
      expect(reasons.has('malformed')).to.equal(true);
    });

    it('an invitation signed with another key than its inviter key is a bad signature', async () => {
      const forged = await invite(group, owner, {});
      const byOther = await invite(group, other, { ...forged.invitation, inviterKey: owner.publicKey });
      const result = await checkInvitation(byOther.body, byOther.signature);
      expect(result).to.deep.equal({ ok: false, reason: 'bad-signature' });
    });

    it('a group id that is not derived from the owner key and nonce is the wrong group', async () => {
      const mixed = await invite(group, owner, { groupId: otherGroup.id });
      expect(await checkInvitation(mixed.body, mixed.signature)).to.deep.equal({
        ok: false,
        reason: 'wrong-group',
      });
      const otherKey = await invite(group, owner, { groupKey: otherGroup.key });
      expect(await verdictOf(invitationPayload(otherKey))).to.equal('wrong-group');
    });

    it('an invitation that expires before it was made is malformed', async () => {
      const backwards = await invite(group, owner, { createdAtMs: baseMs, expiresAtMs: baseMs - 1 });
      expect(await checkInvitation(backwards.body, backwards.signature)).to.deep.equal({
        ok: false,
        reason: 'malformed',
      });
    });
  });

  describe('membership certificates', () => {
    it('an acceptance made while the invitation is valid certifies its signer', async () => {
      const certificate = await accept(signed, joiner, 60_000);
      const result = await checkCertificate(certificate, group.id);
      if (!result.ok) throw new Error(result.reason);
      expect(result.checked.memberId).to.equal(joiner.identityId);
      expect(result.checked.acceptedAtMs).to.equal(baseMs + 60_000);
      expect(result.checked.signed.inviterId).to.equal(owner.identityId);
      expect(result.checked.signed.invitation).to.deep.equal(signed.invitation);
    });

    it('accepts at the very first and the very last valid millisecond', async () => {
      for (const offsetMs of [0, dayMs]) {
        const result = await checkCertificate(await accept(signed, joiner, offsetMs), group.id);
        expect(result.ok, `offset ${offsetMs}`).to.equal(true);
      }
    });

    it('an acceptance before the invitation was made or after it expired is not in time', async () => {
      for (const offsetMs of [-1, -dayMs, dayMs + 1, 30 * dayMs]) {
        const result = await checkCertificate(await accept(signed, joiner, offsetMs), group.id);
        expect(result, `offset ${offsetMs}`).to.deep.equal({ ok: false, reason: 'not-accepted-in-time' });
      }
    });

    it('a certificate checked against another group is the wrong group', async () => {
      const certificate = await accept(signed, joiner, 1);
      expect(await checkCertificate(certificate, otherGroup.id)).to.deep.equal({
        ok: false,
        reason: 'wrong-group',
      });
    });

    it('an acceptance swapped in from a different invitation is malformed', async () => {
      const second = await invite(group, owner);
      const ofFirst = await accept(signed, joiner, 1);
      const ofSecond = await accept(second, joiner, 1);
      const swapped = { ...ofFirst, a: ofSecond.a, as: ofSecond.as };
      expect(await checkCertificate(swapped, group.id)).to.deep.equal({ ok: false, reason: 'malformed' });
    });

    it('a tampered acceptance or acceptance signature does not pass', async () => {
      const certificate = await accept(signed, joiner, 1);
      const badSignature = { ...certificate, as: flipped(certificate.as, 5) };
      expect(await checkCertificate(badSignature, group.id)).to.deep.equal({
        ok: false,
        reason: 'bad-signature',
      });
      for (let index = 0; index < certificate.a.length; index++) {
        const result = await checkCertificate({ ...certificate, a: flipped(certificate.a, index) }, group.id);
        if (result.ok) throw new Error(`acceptance byte ${index} flipped still passes`);
        expect(['bad-signature', 'malformed'], `byte ${index}`).to.include(result.reason);
      }
      const garbage = { ...certificate, a: Uint8Array.of(0xff, 0xfe, 0xfd) };
      expect(await checkCertificate(garbage, group.id)).to.deep.equal({ ok: false, reason: 'malformed' });
    });

    it('an acceptance signed by one key but naming another is a bad signature', async () => {
      const certificate = await acceptInvitation(
        signed,
        { publicKey: other.publicKey, signingKey: joiner.signingKey },
        baseMs + 1,
      );
      expect(await checkCertificate(certificate, group.id)).to.deep.equal({
        ok: false,
        reason: 'bad-signature',
      });
    });

    it('a certificate of a tampered invitation fails as the invitation does', async () => {
      const certificate = await accept(signed, joiner, 1);
      const tampered = { ...certificate, s: flipped(certificate.s, 0) };
      expect(await checkCertificate(tampered, group.id)).to.deep.equal({
        ok: false,
        reason: 'bad-signature',
      });
    });
  });
});

/** The decoded invitation body of `signed`, to rebuild wrong variants of it. */
function decodeBody(signed: SignedInvitation): WireValue {
  return decodeCbor(signed.body, { maxBytes: 8192, maxDepth: 8, maxItems: 64 });
}

/** JSON of wire values for failure messages: byte strings by length. */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `bytes(${value.length})` : value;
}
