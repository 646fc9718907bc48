import type { SigningNamespace } from './namespaces.ts';
import { labelledBytes } from './hash.ts';

const ed25519 = { name: 'Ed25519' } as const;

/** Length of a raw Ed25519 public key. */
export const publicKeyBytes = 32;
/** Length of an Ed25519 signature. */
export const signatureBytes = 64;

/** A freshly generated Ed25519 key pair. */
export interface SigningKeyPair {
  /** Raw public key, 32 bytes. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** The private key; extractable only if asked for at generation. */
  readonly privateKey: CryptoKey;
}

/**
 * Generates an Ed25519 key pair with Web Crypto. Keep `extractable` false unless the private
 * key must be exported (as PKCS#8), for example to seal it for an identity file.
 */
export async function generateSigningKeyPair(
  options: { extractable?: boolean } = {},
): Promise<SigningKeyPair> {
  const pair = await crypto.subtle.generateKey(ed25519, options.extractable ?? false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey };
}

/** PKCS#8 encoding of an extractable Ed25519 private key; rejects if the key is not extractable. */
export async function exportPrivateKey(privateKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
}

/**
 * Imports a PKCS#8 Ed25519 private key for signing only. Non-extractable unless asked, so the
 * key can sign but never leave Web Crypto. Rejects on malformed input.
 */
export async function importPrivateKey(
  pkcs8: Uint8Array<ArrayBuffer>,
  options: { extractable?: boolean } = {},
): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', pkcs8, ed25519, options.extractable ?? false, ['sign']);
}

/** The exact bytes a signature under `namespace` covers: `utf8(namespace) || 0x00 || bytes`. */
export function signedMessage(namespace: SigningNamespace, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return labelledBytes(namespace, bytes);
}

/** Signs `bytes` under `namespace` with an Ed25519 private key; returns the 64-byte signature. */
export async function sign(
  privateKey: CryptoKey,
  namespace: SigningNamespace,
  bytes: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign(ed25519, privateKey, signedMessage(namespace, bytes)));
}

/**
 * Imports a raw Ed25519 public key for verifying, for callers that check many signatures by
 * one key; undefined if Web Crypto refuses it (not a point of the curve).
 */
export async function importVerifyKey(publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  if (publicKey.length !== publicKeyBytes) return undefined;
  try {
    return await crypto.subtle.importKey('raw', new Uint8Array(publicKey), ed25519, false, ['verify']);
  } catch {
    // Not a valid key: every signature by it is simply not valid.
    return undefined;
  }
}

/** `verify` with a key from `importVerifyKey`. Never throws. */
export async function verifyWithKey(
  key: CryptoKey,
  namespace: SigningNamespace,
  bytes: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== signatureBytes) return false;
  try {
    return await crypto.subtle.verify(
      ed25519,
      key,
      new Uint8Array(signature),
      signedMessage(namespace, bytes),
    );
  } catch {
    return false;
  }
}

/**
 * Whether `signature` is a valid Ed25519 signature by `publicKey` (raw, 32 bytes) over `bytes`
 * under `namespace`. Never throws: a key or signature of the wrong length, or one Web Crypto
 * refuses, is simply not valid.
 */
export async function verify(
  publicKey: Uint8Array,
  namespace: SigningNamespace,
  bytes: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== publicKeyBytes || signature.length !== signatureBytes) return false;
  try {
    // Copies, so a shared or resizable buffer passed in cannot change under Web Crypto.
    const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), ed25519, false, ['verify']);
    return await crypto.subtle.verify(
      ed25519,
      key,
      new Uint8Array(signature),
      signedMessage(namespace, bytes),
    );
  } catch {
    // Web Crypto rejects keys that are not valid curve points: such a signature is simply not
    // valid, and callers on the receive path want a verdict, never an exception.
    return false;
  }
}
