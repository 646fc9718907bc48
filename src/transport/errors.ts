import { MycelError } from '../lib/errors.ts';

/** Sending on a link that has closed. */
export class LinkClosedError extends MycelError {
  override name = 'LinkClosedError';
  constructor(remoteNodeId: string) {
    super(`The link to ${remoteNodeId} is closed.`);
  }
}

/** A link could not be opened. */
export class DialError extends MycelError {
  override name = 'DialError';
}

/** The broker could not be reached or refused this node. */
export class BrokerError extends MycelError {
  override name = 'BrokerError';
}
