import { expect } from 'chai';
import { toBase64Url } from '../../../src/lib/bytes.ts';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import type { DhtValuePolicy } from '../../../src/core/names/dht-types.ts';
import {
  currentRecords,
  currentRegistrations,
  namePolicy,
  verifyValues,
} from '../../../src/core/names/name-policy.ts';
import { nameKey } from '../../../src/core/names/peer-name.ts';
import {
  signRegistration,
  signTombstone,
  verifyRegistration,
  type RegistrationSigner,
  type VerifiedRegistration,
} from '../../../src/core/names/registration.ts';

const nowMs = 1_700_000_000_000;
const lifetimeMs = 10 * 60_000;

interface Registrant extends RegistrationSigner {
  readonly identityId: string;
}

async function registrant(): Promise<Registrant> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  return { publicKey, signingKey: privateKey, identityId: await identityIdOf(publicKey) };
}

async function registration(
  signer: RegistrationSigner,
  versionMs: number,
  payload: number[] = [],
): Promise<Uint8Array> {
  return signRegistration(signer, {
    name: '0.printer',
    endpoints: [],
    payload: Uint8Array.from(payload),
    versionMs,
    expiresAtMs: versionMs + lifetimeMs,
    deleted: false,
  });
}

async function verified(bytes: Uint8Array): Promise<VerifiedRegistration> {
  const result = await verifyRegistration(bytes, await nameKey('0.printer'), nowMs);
  if (typeof result === 'string') throw new Error(`refused: ${result}`);
  return result;
}

describe('the name value policy', () => {
  let alice: Registrant;

  before(async () => {
    alice = await registrant();
  });

  it('has the shape of the DHT value policy', () => {
    // Compiles only while the two interfaces agree.
    const policy: DhtValuePolicy = namePolicy;
    expect(typeof policy.check).to.equal('function');
  });

  it("gives a registration's slot (the key), version (v) and expiry (x)", async () => {
    const bytes = await registration(alice, nowMs - 1000);
    const verdict = await namePolicy.check(await nameKey('0.printer'), bytes, nowMs);
    expect(verdict).to.deep.equal({
      ok: true,
      slot: toBase64Url(alice.publicKey),
      version: nowMs - 1000,
      expiresAtMs: nowMs - 1000 + lifetimeMs,
    });
  });

  it('refuses with the kebab-case reason of the registration check', async () => {
    const bytes = await registration(alice, nowMs);
    expect(await namePolicy.check(await nameKey('0.scanner'), bytes, nowMs)).to.deep.equal({
      ok: false,
      reason: 'wrong-key',
    });
    expect(await namePolicy.check(await nameKey('0.printer'), bytes, nowMs + lifetimeMs)).to.deep.equal({
      ok: false,
      reason: 'expired',
    });
    expect(await namePolicy.check(await nameKey('0.printer'), Uint8Array.of(1, 2), nowMs)).to.deep.equal({
      ok: false,
      reason: 'malformed',
    });
  });

  it('verifies a batch of values, keeping the good and listing why the others failed', async () => {
    const good = await registration(alice, nowMs);
    const { verified: kept, refused } = await verifyValues(
      await nameKey('0.printer'),
      [good, Uint8Array.of(0), good.subarray(1)],
      nowMs,
    );
    expect(kept.map((entry) => entry.identityId)).to.deep.equal([alice.identityId]);
    expect(refused).to.deep.equal(['malformed', 'malformed']);
  });
});

describe('current registrations of a name', () => {
  let alice: Registrant;
  let bob: Registrant;

  before(async () => {
    alice = await registrant();
    bob = await registrant();
  });

  it('keeps the highest version per registrant, in any order of arrival', async () => {
    const old = await verified(await registration(alice, nowMs - 2000, [1]));
    const newer = await verified(await registration(alice, nowMs - 1000, [2]));
    const other = await verified(await registration(bob, nowMs - 3000, [3]));
    for (const order of [
      [old, newer, other],
      [newer, other, old],
      [other, old, newer],
    ]) {
      const current = currentRegistrations(order);
      expect(current).to.have.length(2);
      const byAlice = current.find((entry) => entry.identityId === alice.identityId);
      expect(byAlice?.versionMs).to.equal(nowMs - 1000);
      expect([...(byAlice?.payload ?? [])]).to.deep.equal([2]);
    }
  });

  it('sorts the registrants by identity id', async () => {
    const records = currentRecords([
      await verified(await registration(alice, nowMs)),
      await verified(await registration(bob, nowMs)),
    ]);
    const ids = [alice.identityId, bob.identityId].sort();
    expect(records.map((record) => record.identityId)).to.deep.equal(ids);
    expect(records[0]?.secured).to.equal(false);
  });

  it('lets a tombstone hide every lower version of its registrant, and only those', async () => {
    const live = await verified(await registration(alice, nowMs - 1000));
    const tombstone = await verified(await signTombstone(alice, '0.printer', nowMs));
    const other = await verified(await registration(bob, nowMs - 1000));
    const current = currentRegistrations([live, other, tombstone]);
    expect(current.map((entry) => entry.identityId)).to.deep.equal([bob.identityId]);
    const reregistered = await verified(await registration(alice, nowMs + 1));
    expect(currentRegistrations([tombstone, reregistered, live])).to.have.length(1);
  });

  it('breaks a tie between two values of one version the same way whatever the order', async () => {
    const first = await verified(await registration(alice, nowMs, [1]));
    const second = await verified(await registration(alice, nowMs, [2]));
    const a = currentRegistrations([first, second])[0];
    const b = currentRegistrations([second, first])[0];
    expect(a).to.not.equal(undefined);
    expect(a).to.equal(b);
  });
});
