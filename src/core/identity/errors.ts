import { MycelError } from '../../lib/errors.ts';

/** Options every identity error accepts: the underlying error, when there is one. */
interface CauseOption {
  cause?: unknown;
}

function withCause(hint: string, options: CauseOption): { hint: string; cause?: unknown } {
  return options.cause === undefined ? { hint } : { hint, cause: options.cause };
}

/** A display name was empty, too long or contained control characters. */
export class InvalidDisplayNameError extends MycelError {
  override name = 'InvalidDisplayNameError';

  constructor(message: string, options: CauseOption = {}) {
    super(
      message,
      withCause('Choose a name of 1 to 64 characters, letters, digits, spaces or symbols.', options),
    );
  }
}

/** No identity with this id in this browser profile. */
export class IdentityNotFoundError extends MycelError {
  override name = 'IdentityNotFoundError';
  readonly id: string;

  constructor(id: string, options: CauseOption = {}) {
    super(
      'This identity is not in this browser.',
      withCause('Pick one from the list of identities.', options),
    );
    this.id = id;
  }
}

/** A passphrase chosen for an identity file is too short to protect it. */
export class WeakPassphraseError extends MycelError {
  override name = 'WeakPassphraseError';

  constructor(minLength: number, options: CauseOption = {}) {
    super(
      `The passphrase is too short: use at least ${minLength} characters.`,
      withCause('A few unrelated words make a passphrase that is long and easy to remember.', options),
    );
  }
}

/** The identity file could not be opened: the passphrase is wrong or the file was altered. */
export class IdentityFileError extends MycelError {
  override name = 'IdentityFileError';

  constructor(options: CauseOption = {}) {
    super(
      'The passphrase is wrong, or the file was changed.',
      withCause(
        'Check the passphrase and try again, or export the identity again from the browser that has it.',
        options,
      ),
    );
  }
}

/** The file is not a Mycel identity file at all (not JSON, another format or a broken field). */
export class NotAnIdentityFileError extends MycelError {
  override name = 'NotAnIdentityFileError';

  constructor(options: CauseOption = {}) {
    super(
      'This file is not a Mycel identity file.',
      withCause('Choose the file Mycel saved when you exported your identity.', options),
    );
  }
}

/** The file is larger than any identity file can be, so it was not read. */
export class IdentityFileTooLargeError extends MycelError {
  override name = 'IdentityFileTooLargeError';

  constructor(maxBytes: number, options: CauseOption = {}) {
    super(
      `This file is too large to be a Mycel identity file (more than ${Math.round(maxBytes / 1024)} KiB).`,
      withCause('Choose the file Mycel saved when you exported your identity.', options),
    );
  }
}

/** The identity file has a version this Mycel does not know, probably from a newer Mycel. */
export class UnsupportedIdentityFileError extends MycelError {
  override name = 'UnsupportedIdentityFileError';
  readonly version: number;

  constructor(version: number, options: CauseOption = {}) {
    super(
      `This identity file has version ${version}, which this version of Mycel cannot read.`,
      withCause('Update Mycel (reload the app) and try again.', options),
    );
    this.version = version;
  }
}

/** The identity file decrypted, but its private key does not belong to its public key. */
export class IdentityKeyMismatchError extends MycelError {
  override name = 'IdentityKeyMismatchError';

  constructor(options: CauseOption = {}) {
    super(
      'The keys in this identity file do not belong together, so it cannot be used.',
      withCause('Export the identity again from the browser that has it.', options),
    );
  }
}

/** The identity being imported is already in this browser profile. */
export class DuplicateIdentityError extends MycelError {
  override name = 'DuplicateIdentityError';
  readonly id: string;

  constructor(id: string, options: CauseOption = {}) {
    super(
      'This identity is already in this browser.',
      withCause('Pick it from the list of identities.', options),
    );
    this.id = id;
  }
}

/**
 * The identity's sealed private key cannot be opened with this profile's device key (the
 * device key is missing or the stored identity was damaged), so it cannot be exported.
 */
export class SealedKeyUnavailableError extends MycelError {
  override name = 'SealedKeyUnavailableError';

  constructor(options: CauseOption = {}) {
    super(
      "This identity's private key cannot be read in this browser, so it cannot be exported.",
      withCause('If you have an identity file for it, import that file in another browser profile.', options),
    );
  }
}
