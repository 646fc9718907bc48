import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../lib/bytes.ts';
import {
  aesGcmIvBytes,
  aesGcmTagBytes,
  deriveKeyFromPassphrase,
  randomBytes,
  seal,
  unseal,
} from '../crypto/aead.ts';
import { publicKeyBytes } from '../crypto/ed25519.ts';
import { codePointCount, normalizeDisplayName } from './display-name.ts';
import {
  IdentityFileError,
  IdentityFileTooLargeError,
  NotAnIdentityFileError,
  UnsupportedIdentityFileError,
  WeakPassphraseError,
} from './errors.ts';

/** The `format` field of every identity file. */
export const identityFileFormat = 'mycel-identity';
/** The file version this code writes and reads. */
export const identityFileVersion = 1;
/** Largest identity file read at all; a real one is well under 1 KiB. */
export const maxIdentityFileBytes = 64 * 1024;
/** Shortest passphrase accepted for export, in characters. */
export const minPassphraseLength = 8;
/** PBKDF2-SHA-256 iterations by default: OWASP's 2023 recommendation. */
export const defaultExportIterations = 600_000;
/** Fewest PBKDF2 iterations a file may ask for; below this a guessed passphrase is cheap to test. */
export const minExportIterations = 1_000;
/** Most PBKDF2 iterations a file may ask for, so a crafted file cannot hang the tab for minutes. */
export const maxExportIterations = 10_000_000;

/** Whether a file may carry this PBKDF2 iteration count: an integer from 1,000 to 10,000,000. */
export function allowedIterations(iterations: unknown): iterations is number {
  return (
    typeof iterations === 'number' &&
    Number.isSafeInteger(iterations) &&
    iterations >= minExportIterations &&
    iterations <= maxExportIterations
  );
}

const saltBytes = 16;
// Bounds for the decrypted private key: Chromium writes 48-byte PKCS#8 for Ed25519; other
// encoders may add the public key (RFC 8410 OneAsymmetricKey v2).
const minPkcs8Bytes = 48;
const maxPkcs8Bytes = 128;

/** What an identity file carries once decrypted. */
export interface IdentityFileContents {
  readonly displayName: string;
  /** Raw Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** PKCS#8 of the Ed25519 private key. */
  readonly privateKey: Uint8Array<ArrayBuffer>;
  readonly createdAtMs: number;
}

/** The unencrypted part of an identity file, authenticated as AES-GCM additional data. */
interface IdentityFileHeader {
  readonly format: typeof identityFileFormat;
  readonly version: typeof identityFileVersion;
  readonly kdf: {
    readonly name: 'PBKDF2';
    readonly hash: 'SHA-256';
    readonly iterations: number;
    readonly salt: string;
  };
  readonly cipher: { readonly name: 'AES-GCM'; readonly iv: string };
}

/**
 * The passphrase NFC-normalised (so every keyboard spells it the same); throws
 * `WeakPassphraseError` if it has fewer than 8 characters.
 */
export function checkPassphrase(passphrase: string): string {
  const normalized = passphrase.normalize('NFC');
  if (codePointCount(normalized) < minPassphraseLength) throw new WeakPassphraseError(minPassphraseLength);
  return normalized;
}

/**
 * The exact additional data for a header: its JSON with a fixed key order, rebuilt from the
 * validated fields so any change to format, version, KDF or cipher fails decryption.
 */
function headerBytes(header: IdentityFileHeader): Uint8Array<ArrayBuffer> {
  const { format, version, kdf, cipher } = header;
  return utf8(
    JSON.stringify({
      format,
      version,
      kdf: { name: kdf.name, hash: kdf.hash, iterations: kdf.iterations, salt: kdf.salt },
      cipher: { name: cipher.name, iv: cipher.iv },
    }),
  );
}

/**
 * Encrypts an identity into the bytes of an identity file (UTF-8 JSON) under `passphrase`,
 * with PBKDF2-SHA-256 (`iterations`, kept in the file) and AES-GCM. Throws
 * `WeakPassphraseError` for a passphrase shorter than 8 characters, and a RangeError for
 * iterations that `decryptIdentityFile` would refuse.
 */
export async function encryptIdentityFile(
  contents: IdentityFileContents,
  passphrase: string,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!allowedIterations(iterations)) {
    throw new RangeError(
      `iterations must be an integer from ${minExportIterations} to ${maxExportIterations}`,
    );
  }
  const normalized = checkPassphrase(passphrase);
  const salt = randomBytes(saltBytes);
  const key = await deriveKeyFromPassphrase(normalized, salt, iterations);
  // seal() draws its own nonce, but the header must name it before sealing: draw it here.
  const iv = randomBytes(aesGcmIvBytes);
  const header: IdentityFileHeader = {
    format: identityFileFormat,
    version: identityFileVersion,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64Url(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64Url(iv) },
  };
  const plaintext = utf8(
    JSON.stringify({
      displayName: contents.displayName,
      publicKey: toBase64Url(contents.publicKey),
      privateKey: toBase64Url(contents.privateKey),
      createdAtMs: contents.createdAtMs,
    }),
  );
  const { ciphertext } = await seal(key, plaintext, headerBytes(header), iv);
  return utf8(JSON.stringify({ ...header, ciphertext: toBase64Url(ciphertext) }, null, 2) + '\n');
}

/**
 * Reads an identity file: checks its size and every field, derives the key from `passphrase`
 * and decrypts. Throws `IdentityFileTooLargeError`, `NotAnIdentityFileError`,
 * `UnsupportedIdentityFileError`, or `IdentityFileError` when the passphrase is wrong or the
 * file was altered. Does not check that the keys belong together; the caller does.
 */
export async function decryptIdentityFile(
  bytes: Uint8Array,
  passphrase: string,
): Promise<IdentityFileContents> {
  if (bytes.length > maxIdentityFileBytes) throw new IdentityFileTooLargeError(maxIdentityFileBytes);
  const json = parseJson(bytes);
  const header = parseHeader(json);
  const ciphertext = base64UrlField(recordOf(json)['ciphertext'], aesGcmTagBytes + 1, maxIdentityFileBytes);
  const salt = base64UrlField(header.kdf.salt, saltBytes, saltBytes);
  const iv = base64UrlField(header.cipher.iv, aesGcmIvBytes, aesGcmIvBytes);
  const normalized = passphrase.normalize('NFC');
  // No exported file has an empty passphrase; Web Crypto may refuse an empty PBKDF2 secret.
  if (normalized.length === 0) throw new IdentityFileError();
  const key = await deriveKeyFromPassphrase(normalized, salt, header.kdf.iterations);
  const plaintext = await unseal(key, { iv, ciphertext }, headerBytes(header));
  if (plaintext === undefined) throw new IdentityFileError();
  return parseContents(parseJson(plaintext));
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch (error) {
    throw new NotAnIdentityFileError({ cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object with exactly `keys`, or `NotAnIdentityFileError`. */
function recordOf(value: unknown, keys?: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new NotAnIdentityFileError();
  if (keys !== undefined) {
    const actual = Object.keys(value);
    if (actual.length !== keys.length || !keys.every((key) => Object.hasOwn(value, key))) {
      throw new NotAnIdentityFileError();
    }
  }
  return value;
}

function literalField<T extends string>(value: unknown, expected: T): T {
  if (value !== expected) throw new NotAnIdentityFileError();
  return expected;
}

/** Canonical unpadded base64url decoding to between `minBytes` and `maxBytes` bytes. */
function base64UrlField(value: unknown, minBytes: number, maxBytes: number): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string') throw new NotAnIdentityFileError();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(value);
  } catch (error) {
    throw new NotAnIdentityFileError({ cause: error });
  }
  // Non-canonical encodings (stray low bits) would let one file have many spellings.
  if (toBase64Url(bytes) !== value || bytes.length < minBytes || bytes.length > maxBytes) {
    throw new NotAnIdentityFileError();
  }
  return bytes;
}

function parseHeader(json: unknown): IdentityFileHeader {
  const file = recordOf(json);
  literalField(file['format'], identityFileFormat);
  const version = file['version'];
  if (version !== identityFileVersion) {
    if (Number.isSafeInteger(version) && typeof version === 'number' && version > identityFileVersion) {
      throw new UnsupportedIdentityFileError(version);
    }
    throw new NotAnIdentityFileError();
  }
  recordOf(file, ['format', 'version', 'kdf', 'cipher', 'ciphertext']);
  const kdf = recordOf(file['kdf'], ['name', 'hash', 'iterations', 'salt']);
  const cipher = recordOf(file['cipher'], ['name', 'iv']);
  const iterations = kdf['iterations'];
  if (!allowedIterations(iterations)) throw new NotAnIdentityFileError();
  const salt = kdf['salt'];
  const iv = cipher['iv'];
  if (typeof salt !== 'string' || typeof iv !== 'string') throw new NotAnIdentityFileError();
  return {
    format: identityFileFormat,
    version: identityFileVersion,
    kdf: {
      name: literalField(kdf['name'], 'PBKDF2'),
      hash: literalField(kdf['hash'], 'SHA-256'),
      iterations,
      salt,
    },
    cipher: { name: literalField(cipher['name'], 'AES-GCM'), iv },
  };
}

function parseContents(json: unknown): IdentityFileContents {
  const contents = recordOf(json, ['displayName', 'publicKey', 'privateKey', 'createdAtMs']);
  const { displayName, createdAtMs } = contents;
  if (typeof displayName !== 'string') throw new NotAnIdentityFileError();
  if (typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || createdAtMs < 0) {
    throw new NotAnIdentityFileError();
  }
  let name: string;
  try {
    name = normalizeDisplayName(displayName);
  } catch (error) {
    throw new NotAnIdentityFileError({ cause: error });
  }
  return {
    displayName: name,
    publicKey: base64UrlField(contents['publicKey'], publicKeyBytes, publicKeyBytes),
    privateKey: base64UrlField(contents['privateKey'], minPkcs8Bytes, maxPkcs8Bytes),
    createdAtMs,
  };
}
