import { utf8 } from '../../lib/bytes.ts';

// AES-GCM sealing and passphrase key derivation, by Web Crypto. Used to keep private keys
// sealed under a profile's device key and to encrypt identity files under a passphrase.

/** Length of an AES-GCM nonce: 96 bits, the size GCM is specified for. */
export const aesGcmIvBytes = 12;
/** Length of the AES-GCM authentication tag appended to every ciphertext (128 bits). */
export const aesGcmTagBytes = 16;

/** A ciphertext and the nonce it was sealed with. */
export interface Sealed {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
}

/** `n` bytes from the platform's cryptographic random source. */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Generates a non-extractable AES-GCM 256 key that can seal and open but never leave Web Crypto. */
export async function generateSealingKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * Encrypts and authenticates `plaintext` under `key`. `additionalData` is authenticated but not
 * encrypted: unsealing fails unless the same bytes are given again. The nonce is fresh and random
 * unless `iv` is given, for callers that must name it before sealing; never reuse one with a key.
 */
export async function seal(
  key: CryptoKey,
  plaintext: Uint8Array<ArrayBuffer>,
  additionalData: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer> = randomBytes(aesGcmIvBytes),
): Promise<Sealed> {
  if (iv.length !== aesGcmIvBytes) throw new RangeError('an AES-GCM nonce has 12 bytes');
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext),
  );
  return { iv, ciphertext };
}

/**
 * Decrypts what `seal` produced. Returns `undefined` when the key, nonce, ciphertext or
 * additional data differ from those sealed: AES-GCM cannot tell these cases apart.
 */
export async function unseal(
  key: CryptoKey,
  sealed: Sealed,
  additionalData: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    const { iv, ciphertext } = sealed;
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, ciphertext),
    );
  } catch (error) {
    // Web Crypto reports a failed tag check as OperationError; anything else is a real fault.
    if (error instanceof DOMException && error.name === 'OperationError') return undefined;
    throw error;
  }
}

/**
 * Derives a non-extractable AES-GCM 256 key from a passphrase with PBKDF2-HMAC-SHA-256.
 * The caller chooses `iterations` (OWASP suggests 600,000 for PBKDF2-SHA-256) and keeps it with
 * the salt so the same key can be derived again.
 */
export async function deriveKeyFromPassphrase(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
