import { MycelError } from '../../lib/errors.ts';

/** A name was updated or unregistered that this node has not registered. */
export class NameNotOwnedError extends MycelError {
  override name = 'NameNotOwnedError';

  constructor(name: string) {
    super(`You have not registered the name ${name}.`, { hint: 'Pick one from the list of your names.' });
  }
}

/** A name was registered that this node already holds. */
export class NameAlreadyOwnedError extends MycelError {
  override name = 'NameAlreadyOwnedError';

  constructor(name: string) {
    super(`You have already registered the name ${name}.`, {
      hint: 'Update it, or unregister it first to register it again.',
    });
  }
}
