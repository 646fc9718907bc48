import { equalBytes, toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { publicKeyBytes, sign, signatureBytes, verify } from '../crypto/ed25519.ts';
import { SigningNamespaces } from '../crypto/namespaces.ts';
import { identityIdOf, nodeIdPattern } from '../identity/ids.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import { WireDecodeError, WireEncodeError } from '../wire/errors.ts';
import { array, bytes, integer, literal, object, optional, parse, text } from '../wire/schema.ts';
import { maxPeerNameLength, nameKey, tryParsePeerName, type PeerName } from './peer-name.ts';

// A name registration is the CBOR map
//   { n: name, e: endpoints, p: payload, v: versionMs, x: expiresAtMs, d?: true, k: publicKey, s: signature }
// where `s` is the registrant's Ed25519 signature under `mycel/name/1` over the deterministic
// CBOR encoding of the same map without `s`. The codec has one encoding per value and refuses
// every other on decoding, so the signed bytes are rebuilt exactly from a decoded registration.
// Every registration is signed, secured or not: the key is the registrant's slot under the
// name, so nobody can update or unregister a registration made with someone else's key.

/** Most endpoints (node ids) one registration lists. */
export const maxEndpoints = 8;
/** Largest payload: room for a short description or a few addresses, not for content. */
export const maxPayloadBytes = 512;
/** Largest encoded registration, so a DHT node can hold thousands of them cheaply. */
export const maxRegistrationBytes = 1024;
/** Longest lifetime (x − v): an owner who goes away is forgotten within the hour. */
export const maxLifetimeMs = 60 * 60_000;
/** How far a registration's version (its signing time) may be ahead of our clock. */
export const maxClockSkewMs = 5 * 60_000;

/**
 * Input decoded before the field checks: larger than `maxRegistrationBytes`, so a payload or an
 * endpoint list over its cap is refused as such rather than only as too large, yet bounded.
 */
const maxDecodeBytes = 2 * maxRegistrationBytes;

/** Why a registration was refused, as a stable kebab-case code for counting. */
export type RegistrationRejection =
  | 'too-large'
  | 'malformed'
  | 'bad-name'
  | 'bad-endpoint'
  | 'payload-too-large'
  | 'too-many-endpoints'
  | 'lifetime-too-long'
  | 'from-the-future'
  | 'expired'
  | 'wrong-key'
  | 'wrong-authority'
  | 'bad-signature';

/** What a registrant says about a name: everything signed except the key. */
export interface RegistrationContent {
  /** The normalized name (`authority.classifier`). */
  readonly name: string;
  /** Node ids where the registrant can be reached, at most 8; empty in a tombstone. */
  readonly endpoints: readonly string[];
  /** Opaque bytes for the application, at most 512; empty in a tombstone. */
  readonly payload: Uint8Array;
  /** The signing time in epoch ms; a higher version replaces a lower one of the same key. */
  readonly versionMs: number;
  /** When the registration stops being valid, at most an hour after `versionMs`. */
  readonly expiresAtMs: number;
  /** A tombstone: the registrant unregistered the name; hides every lower version. */
  readonly deleted: boolean;
}

/** A decoded registration whose fields are well formed (its signature not yet checked). */
export interface Registration extends RegistrationContent {
  /** The registrant's raw Ed25519 public key. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly signature: Uint8Array;
  /** The encoded registration, as it travels. */
  readonly bytes: Uint8Array;
}

/** A registration whose signature, authority, key and lifetime all checked out. */
export interface VerifiedRegistration extends Registration {
  readonly peerName: PeerName;
  /** The registrant's identity id (for a secured name, the name's authority). */
  readonly identityId: string;
  /** The registrant's slot under the name: base64url of its public key. */
  readonly slot: string;
}

/** The key that signs registrations: an identity's public key and private signing key. */
export interface RegistrationSigner {
  readonly publicKey: Uint8Array;
  readonly signingKey: CryptoKey;
}

const refusalMessages: Readonly<Record<RegistrationRejection, string>> = {
  'too-large': `The registration is too large: at most ${maxRegistrationBytes} bytes in all.`,
  malformed: 'The registration is not well formed.',
  'bad-name': 'The name is not a valid peer name.',
  'bad-endpoint': 'An endpoint is not a node id, or is listed twice.',
  'payload-too-large': `The payload is too large: at most ${maxPayloadBytes} bytes.`,
  'too-many-endpoints': `A name can list at most ${maxEndpoints} endpoints.`,
  'lifetime-too-long': `A registration can live at most ${maxLifetimeMs / 60_000} minutes.`,
  'from-the-future': 'The registration was signed in the future: check the computer clock.',
  expired: 'The registration has expired.',
  'wrong-key': 'The registration was offered under another name.',
  'wrong-authority': 'Only the identity named before the dot can register this name.',
  'bad-signature': 'The registration signature is not valid.',
};

/** A registration could not be made: a field is out of bounds or the key does not own the name. */
export class InvalidRegistrationError extends MycelError {
  override name = 'InvalidRegistrationError';
  /** What was wrong, as a stable code. */
  readonly reason: RegistrationRejection;

  constructor(reason: RegistrationRejection) {
    super(refusalMessages[reason], { hint: 'Change the name, endpoints or payload and try again.' });
    this.reason = reason;
  }
}

const registrationSchema = object({
  n: text({ minLength: 3, maxLength: maxPeerNameLength }),
  // Caps above the protocol limits, checked next, so an excess is refused by its own reason.
  e: array(text({ maxLength: 64 }), { maxItems: 4 * maxEndpoints }),
  p: bytes({ maxLength: maxDecodeBytes }),
  v: integer({ min: 0 }),
  x: integer({ min: 0 }),
  d: optional(literal(true)),
  k: bytes({ length: publicKeyBytes }),
  s: bytes({ length: signatureBytes }),
});

/** The registrant's slot under a name: base64url of its public key. */
export function registrationSlot(publicKey: Uint8Array): string {
  return toBase64Url(publicKey);
}

/** The map a registration signs: every field but `s`, with `d` only when set. */
function signedMap(content: RegistrationContent, publicKey: Uint8Array): { [key: string]: WireValue } {
  const map: { [key: string]: WireValue } = {
    n: content.name,
    e: [...content.endpoints],
    p: content.payload,
    v: content.versionMs,
    x: content.expiresAtMs,
    k: publicKey,
  };
  if (content.deleted) map['d'] = true;
  return map;
}

/** The first field-level fault of `content`, independent of time, keys and signatures. */
function contentFault(content: RegistrationContent): RegistrationRejection | undefined {
  const peerName = tryParsePeerName(content.name);
  if (peerName?.text !== content.name) return 'bad-name';
  if (content.payload.length > maxPayloadBytes) return 'payload-too-large';
  if (content.endpoints.length > maxEndpoints) return 'too-many-endpoints';
  if (!content.endpoints.every((endpoint) => nodeIdPattern.test(endpoint))) return 'bad-endpoint';
  if (new Set(content.endpoints).size !== content.endpoints.length) return 'bad-endpoint';
  // A tombstone only hides older versions: anything it carried would be served for nothing.
  if (content.deleted && (content.endpoints.length > 0 || content.payload.length > 0)) return 'malformed';
  if (!Number.isSafeInteger(content.versionMs) || !Number.isSafeInteger(content.expiresAtMs)) {
    return 'malformed';
  }
  if (content.versionMs < 0 || content.expiresAtMs <= content.versionMs) return 'malformed';
  if (content.expiresAtMs - content.versionMs > maxLifetimeMs) return 'lifetime-too-long';
  return undefined;
}

/**
 * Signs `content` with `signer`'s key and returns the encoded registration. Throws
 * `InvalidRegistrationError` when a field is out of bounds, when the encoding would be over
 * 1024 bytes, or for a secured name whose authority is not `signer`'s identity id.
 */
export async function signRegistration(
  signer: RegistrationSigner,
  content: RegistrationContent,
): Promise<Uint8Array<ArrayBuffer>> {
  const fault = contentFault(content);
  if (fault !== undefined) throw new InvalidRegistrationError(fault);
  const peerName = tryParsePeerName(content.name);
  if (
    peerName?.secured === true &&
    peerName.authority !== (await identityIdOf(new Uint8Array(signer.publicKey)))
  ) {
    throw new InvalidRegistrationError('wrong-authority');
  }
  const map = signedMap(content, signer.publicKey);
  const signature = await sign(signer.signingKey, SigningNamespaces.nameRegistration, encodeCbor(map));
  try {
    return encodeCbor({ ...map, s: signature }, { maxBytes: maxRegistrationBytes });
  } catch (error) {
    if (error instanceof WireEncodeError) throw new InvalidRegistrationError('too-large');
    throw error;
  }
}

/**
 * A signed tombstone for `name` at `versionMs`: it hides every lower version of `signer`'s
 * registration. It lives as long as any registration may, so it outlasts every earlier copy.
 */
export function signTombstone(
  signer: RegistrationSigner,
  name: string,
  versionMs: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return signRegistration(signer, {
    name,
    endpoints: [],
    payload: new Uint8Array(0),
    versionMs,
    expiresAtMs: versionMs + maxLifetimeMs,
    deleted: true,
  });
}

/**
 * Decodes a registration and checks every field that needs neither the clock nor a key:
 * sizes, counts, the name's form, the lifetime. Returns the reason when it is refused; never
 * throws, since the bytes come from peers.
 */
export function decodeRegistration(encoded: Uint8Array): Registration | RegistrationRejection {
  if (encoded.length > maxDecodeBytes) return 'too-large';
  let value: WireValue;
  try {
    value = decodeCbor(encoded, { maxBytes: maxDecodeBytes, maxDepth: 2, maxItems: 64 });
  } catch (error) {
    if (error instanceof WireDecodeError) return 'malformed';
    throw error;
  }
  const parsed = parse(registrationSchema, value);
  if (!parsed.ok) return 'malformed';
  const { n, e, p, v, x, d, k, s } = parsed.value;
  const content: RegistrationContent = {
    name: n,
    endpoints: e,
    payload: p,
    versionMs: v,
    expiresAtMs: x,
    deleted: d === true,
  };
  const fault = contentFault(content);
  if (fault !== undefined) return fault;
  if (encoded.length > maxRegistrationBytes) return 'too-large';
  return { ...content, publicKey: new Uint8Array(k), signature: s, bytes: encoded };
}

/**
 * Checks `encoded` as a registration offered under the DHT `key` at `nowMs`: decodes it (see
 * `decodeRegistration`), refuses it if signed more than 5 minutes ahead of `nowMs`, expired, offered
 * under another name's key, for a secured name not owned by its key, or badly signed. The cheap
 * checks come first, the signature last. Never throws.
 */
export async function verifyRegistration(
  encoded: Uint8Array,
  key: Uint8Array,
  nowMs: number,
): Promise<VerifiedRegistration | RegistrationRejection> {
  const registration = decodeRegistration(encoded);
  if (typeof registration === 'string') return registration;
  if (registration.versionMs > nowMs + maxClockSkewMs) return 'from-the-future';
  if (registration.expiresAtMs <= nowMs) return 'expired';
  const peerName = tryParsePeerName(registration.name);
  if (peerName === undefined) return 'bad-name';
  const expectedKey = await nameKey(peerName);
  if (!equalBytes(expectedKey, key)) return 'wrong-key';
  const identityId = await identityIdOf(registration.publicKey);
  if (peerName.secured && peerName.authority !== identityId) return 'wrong-authority';
  const signed = encodeCbor(signedMap(registration, registration.publicKey));
  const valid = await verify(
    registration.publicKey,
    SigningNamespaces.nameRegistration,
    signed,
    registration.signature,
  );
  if (!valid) return 'bad-signature';
  return { ...registration, peerName, identityId, slot: registrationSlot(registration.publicKey) };
}
