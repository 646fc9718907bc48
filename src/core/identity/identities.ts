import { utf8 } from '../../lib/bytes.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Clock, IdentityStore, StoredIdentity } from '../ports.ts';
import { generateSealingKey, randomBytes, seal, unseal } from '../crypto/aead.ts';
import {
  exportPrivateKey,
  generateSigningKeyPair,
  importPrivateKey,
  sign,
  verify,
} from '../crypto/ed25519.ts';
import { labelledBytes } from '../crypto/hash.ts';
import { SigningNamespaces } from '../crypto/namespaces.ts';
import { normalizeDisplayName } from './display-name.ts';
import {
  DuplicateIdentityError,
  IdentityKeyMismatchError,
  IdentityNotFoundError,
  NotAnIdentityFileError,
  SealedKeyUnavailableError,
} from './errors.ts';
import {
  allowedIterations,
  checkPassphrase,
  decryptIdentityFile,
  defaultExportIterations,
  encryptIdentityFile,
  maxExportIterations,
  minExportIterations,
  type IdentityFileContents,
} from './identity-file.ts';
import { identityIdOf, nodeSaltBytes } from './ids.ts';

/** Events of `Identities`. */
export interface IdentitiesEvents {
  /** Fired after any change to the list, a name, or which identity is current. */
  changed: undefined;
}

/** What `Identities` needs: the profile's store, a clock, and the export KDF cost. */
export interface IdentitiesInit {
  readonly store: IdentityStore;
  /** Source of `createdAtMs`; `Date.now` by default. */
  readonly clock?: Clock;
  /** PBKDF2 iterations written into exported files; 600,000 by default, 1,000 to 10,000,000. */
  readonly exportIterations?: number;
}

// Additional data binding a sealed private key to its identity, so a sealed key copied onto
// another identity's record does not open.
const sealedKeyLabel = 'mycel/sealed-key/1';

const systemClock: Clock = { nowMs: () => Date.now() };

function sealedKeyData(id: string): Uint8Array<ArrayBuffer> {
  return labelledBytes(sealedKeyLabel, utf8(id));
}

/** Oldest first; ties (same millisecond) by id so the order is the same everywhere. */
function byCreation(a: StoredIdentity, b: StoredIdentity): number {
  return a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The identities of one browser profile: create, rename, choose, delete, and move them between
 * browsers as passphrase-protected files. Private keys stay inside Web Crypto as
 * non-extractable keys; a copy sealed under the profile's device key exists only for export.
 * Changes are serialised, so two concurrent calls cannot, say, create two device keys.
 */
export class Identities extends TypedEventTarget<IdentitiesEvents> {
  readonly #store: IdentityStore;
  readonly #clock: Clock;
  readonly #exportIterations: number;
  #tail: Promise<unknown> = Promise.resolve();

  /** Throws a RangeError if `exportIterations` is outside 1,000 to 10,000,000. */
  constructor(init: IdentitiesInit) {
    super();
    const iterations = init.exportIterations ?? defaultExportIterations;
    if (!allowedIterations(iterations)) {
      throw new RangeError(
        `exportIterations must be an integer from ${minExportIterations} to ${maxExportIterations}`,
      );
    }
    this.#store = init.store;
    this.#clock = init.clock ?? systemClock;
    this.#exportIterations = iterations;
  }

  /** The identity in use, if any. */
  async current(): Promise<StoredIdentity | undefined> {
    const id = await this.#store.currentId();
    return id === undefined ? undefined : this.#store.get(id);
  }

  /** Every identity of this profile, oldest first. */
  async list(): Promise<StoredIdentity[]> {
    return (await this.#store.list()).sort(byCreation);
  }

  /** The identity with this id; throws `IdentityNotFoundError` if there is none. */
  async get(id: string): Promise<StoredIdentity> {
    const identity = await this.#store.get(id);
    if (identity === undefined) throw new IdentityNotFoundError(id);
    return identity;
  }

  /**
   * Creates an identity with a new Ed25519 key pair and makes it current. Throws
   * `InvalidDisplayNameError` unless the trimmed name has 1 to 64 characters and no controls.
   */
  async create(displayName: string): Promise<StoredIdentity> {
    const name = normalizeDisplayName(displayName);
    return this.#exclusive(async () => {
      const pair = await generateSigningKeyPair({ extractable: true });
      const privateKey = await exportPrivateKey(pair.privateKey);
      const contents = {
        displayName: name,
        publicKey: pair.publicKey,
        privateKey,
        createdAtMs: this.#clock.nowMs(),
      };
      return this.#add(contents);
    });
  }

  /** Renames an identity; throws `InvalidDisplayNameError` or `IdentityNotFoundError`. */
  async rename(id: string, displayName: string): Promise<StoredIdentity> {
    const name = normalizeDisplayName(displayName);
    return this.#exclusive(async () => {
      const renamed: StoredIdentity = { ...(await this.get(id)), displayName: name };
      await this.#store.put(renamed);
      this.emit('changed', undefined);
      return renamed;
    });
  }

  /** Makes an identity current; throws `IdentityNotFoundError`. */
  async use(id: string): Promise<StoredIdentity> {
    return this.#exclusive(async () => {
      const identity = await this.get(id);
      await this.#store.setCurrentId(id);
      this.emit('changed', undefined);
      return identity;
    });
  }

  /**
   * Deletes an identity and its keys from this profile; throws `IdentityNotFoundError`. If it
   * was current, the most recently created remaining identity becomes current, or none.
   */
  async delete(id: string): Promise<void> {
    return this.#exclusive(async () => {
      await this.get(id);
      const wasCurrent = (await this.#store.currentId()) === id;
      await this.#store.delete(id);
      if (wasCurrent) {
        const next = (await this.list()).at(-1);
        if (next !== undefined) await this.#store.setCurrentId(next.id);
      }
      this.emit('changed', undefined);
    });
  }

  /**
   * The identity as an identity file encrypted under `passphrase` (at least 8 characters).
   * Throws `WeakPassphraseError`, `IdentityNotFoundError`, or `SealedKeyUnavailableError`
   * when this profile cannot open the sealed private key.
   */
  async exportFile(id: string, passphrase: string): Promise<Uint8Array<ArrayBuffer>> {
    checkPassphrase(passphrase);
    const identity = await this.get(id);
    const deviceKey = await this.#store.deviceKey();
    if (deviceKey === undefined) throw new SealedKeyUnavailableError();
    const privateKey = await unseal(deviceKey, identity.sealedPrivateKey, sealedKeyData(identity.id));
    if (privateKey === undefined) throw new SealedKeyUnavailableError();
    const { displayName, publicKey, createdAtMs } = identity;
    return encryptIdentityFile(
      { displayName, publicKey, privateKey, createdAtMs },
      passphrase,
      this.#exportIterations,
    );
  }

  /**
   * Imports an identity file, gives the identity a node salt of this profile and makes it
   * current. On any failure the store is left as it was. Throws `IdentityFileTooLargeError`,
   * `NotAnIdentityFileError`, `UnsupportedIdentityFileError`, `IdentityFileError` (wrong
   * passphrase or altered file), `IdentityKeyMismatchError` or `DuplicateIdentityError`.
   */
  async importFile(bytes: Uint8Array, passphrase: string): Promise<StoredIdentity> {
    const contents = await decryptIdentityFile(bytes, passphrase);
    return this.#exclusive(async () => {
      const id = await identityIdOf(contents.publicKey);
      if ((await this.#store.get(id)) !== undefined) throw new DuplicateIdentityError(id);
      return this.#add(contents);
    });
  }

  /** Seals, stores and makes current an identity; all crypto runs before the first write. */
  async #add(contents: IdentityFileContents): Promise<StoredIdentity> {
    const id = await identityIdOf(contents.publicKey);
    const signingKey = await importSigningKey(contents.privateKey);
    if (!(await keysMatch(contents.publicKey, signingKey))) throw new IdentityKeyMismatchError();
    let deviceKey = await this.#store.deviceKey();
    let newDeviceKey: CryptoKey | undefined;
    if (deviceKey === undefined) {
      newDeviceKey = await generateSealingKey();
      deviceKey = newDeviceKey;
    }
    const identity: StoredIdentity = {
      id,
      displayName: contents.displayName,
      publicKey: contents.publicKey,
      signingKey,
      sealedPrivateKey: await seal(deviceKey, contents.privateKey, sealedKeyData(id)),
      nodeSalt: randomBytes(nodeSaltBytes),
      createdAtMs: contents.createdAtMs,
    };
    // One transaction, so a full disk cannot leave the identity stored but not in use. If
    // another tab made the profile's device key meanwhile, seal again under that one.
    if ((await this.#store.addAndUse(identity, newDeviceKey)) === 'device-key-exists')
      return this.#add(contents);
    this.emit('changed', undefined);
    return identity;
  }

  /** Runs `task` after every earlier change has settled, whatever its outcome. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** The private key as a non-extractable signing key; malformed PKCS#8 is not an identity file. */
async function importSigningKey(pkcs8: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await importPrivateKey(pkcs8);
  } catch (error) {
    throw new NotAnIdentityFileError({ cause: error });
  }
}

/** Whether `signingKey` is the private half of `publicKey`: sign a random probe and verify it. */
async function keysMatch(publicKey: Uint8Array<ArrayBuffer>, signingKey: CryptoKey): Promise<boolean> {
  const probe = randomBytes(32);
  const signature = await sign(signingKey, SigningNamespaces.identityCheck, probe);
  return verify(publicKey, SigningNamespaces.identityCheck, probe, signature);
}
