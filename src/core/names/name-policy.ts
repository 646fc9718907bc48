import { verifyRegistration, type RegistrationRejection, type VerifiedRegistration } from './registration.ts';

/** One verified registration, as `resolve` returns it. */
export interface NameRecord {
  readonly name: string;
  readonly secured: boolean;
  /** The registrant's identity id (for a secured name, its authority). */
  readonly identityId: string;
  readonly publicKey: Uint8Array;
  /** Node ids where the registrant can be reached. */
  readonly endpoints: readonly string[];
  readonly payload: Uint8Array;
  readonly versionMs: number;
  readonly expiresAtMs: number;
}

/** The record `resolve` shows for a verified registration. */
export function toNameRecord(registration: VerifiedRegistration): NameRecord {
  return {
    name: registration.name,
    secured: registration.peerName.secured,
    identityId: registration.identityId,
    publicKey: registration.publicKey,
    endpoints: registration.endpoints,
    payload: registration.payload,
    versionMs: registration.versionMs,
    expiresAtMs: registration.expiresAtMs,
  };
}

// How the DHT treats name registrations, in its own terms: which slot a value fills under its
// key (the registrant's public key), which version wins (the signing time), and when it goes.
// The DHT stores only what this policy accepts, so a forged or stale registration costs a
// storing node one check and nothing more.

/**
 * The policy's verdict on one value, shaped like the DHT's `DhtValueVerdict` so this policy
 * can be handed to the DHT as is.
 */
export type NameValueVerdict =
  | { readonly ok: true; readonly slot: string; readonly version: number; readonly expiresAtMs: number }
  | { readonly ok: false; readonly reason: string };

/** A value policy for the DHT, structurally the DHT's `DhtValuePolicy`. */
export interface NameValuePolicy {
  /** Checks `value` offered for `key` at `nowMs`; never throws. */
  check(key: Uint8Array, value: Uint8Array, nowMs: number): Promise<NameValueVerdict>;
}

/**
 * The DHT value policy for peer names: a value is a signed registration (see
 * `verifyRegistration`) that hashes to the key it is offered under; its slot is base64url of the
 * registrant's public key, its version the signing time `v`, and it expires at `x`. Refusals
 * carry the registration's kebab-case reason (`bad-signature`, `wrong-authority`, ...).
 * Stateless, so one object serves every node.
 */
export const namePolicy: NameValuePolicy = {
  async check(key, value, nowMs) {
    const verified = await verifyRegistration(value, key, nowMs);
    if (typeof verified === 'string') return { ok: false, reason: verified };
    return { ok: true, slot: verified.slot, version: verified.versionMs, expiresAtMs: verified.expiresAtMs };
  },
};

function compareEncodings(a: Uint8Array, b: Uint8Array): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * What a set of verified registrations for one name says now: per slot the highest version
 * (a tie, which only a registrant signing twice in one millisecond can cause, goes to the
 * bytewise larger encoding, so every resolver picks the same), then without tombstones. A
 * stale copy that some replica still serves therefore never outlives its registrant's
 * unregistration. Sorted by identity id (one per slot), for a stable order.
 */
export function currentRegistrations(registrations: readonly VerifiedRegistration[]): VerifiedRegistration[] {
  const latest = new Map<string, VerifiedRegistration>();
  for (const registration of registrations) {
    const held = latest.get(registration.slot);
    const wins =
      held === undefined ||
      registration.versionMs > held.versionMs ||
      (registration.versionMs === held.versionMs && compareEncodings(registration.bytes, held.bytes) > 0);
    if (wins) latest.set(registration.slot, registration);
  }
  return [...latest.values()]
    .filter((registration) => !registration.deleted)
    .sort((a, b) => (a.identityId < b.identityId ? -1 : a.identityId > b.identityId ? 1 : 0));
}

/** `currentRegistrations` as the records `resolve` returns. */
export function currentRecords(registrations: readonly VerifiedRegistration[]): NameRecord[] {
  return currentRegistrations(registrations).map(toNameRecord);
}

/**
 * Verifies each of `values` offered under `key` at `nowMs`, as `namePolicy` does: what a
 * resolver does with every value a replica or a tab sent, since any of them may be forged.
 */
export async function verifyValues(
  key: Uint8Array,
  values: Iterable<Uint8Array>,
  nowMs: number,
): Promise<{ verified: VerifiedRegistration[]; refused: RegistrationRejection[] }> {
  const verified: VerifiedRegistration[] = [];
  const refused: RegistrationRejection[] = [];
  for (const value of values) {
    const checked = await verifyRegistration(value, key, nowMs);
    if (typeof checked === 'string') refused.push(checked);
    else verified.push(checked);
  }
  return { verified, refused };
}
