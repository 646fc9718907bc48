import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, LinkEvents } from '../ports.ts';
import { SessionClosedError, type LinkSession } from './link-session.ts';

/**
 * One protocol's view of a `LinkSession` as a `Link`: the frames of `protocol` come out as
 * their bytes, and what goes in is sent as already-encoded frames. It lets a protocol written
 * against links (membership) share an authenticated, rate-limited session with the others.
 * Closing the channel closes the session; `remoteNodeId` is the proven peer's.
 */
export class SessionChannel extends TypedEventTarget<LinkEvents> implements Link {
  readonly remoteNodeId: string;
  private readonly session: LinkSession;
  private readonly keepSession: () => boolean;
  private detached = false;

  /**
   * `keepSession`: whether closing the channel should leave the session open for its other
   * users (a direct connection); the channel then only stops carrying `protocol`.
   */
  constructor(session: LinkSession, protocol: string, keepSession: () => boolean = () => false) {
    super();
    this.session = session;
    this.keepSession = keepSession;
    this.remoteNodeId = session.peer.nodeId;
    session.handle(protocol, (_body, _frame, bytes) => {
      if (!this.detached) this.emit('message', bytes);
      return undefined;
    });
    session.on('closed', ({ reason }) => {
      if (!this.detached) this.emit('close', { reason });
    });
  }

  get open(): boolean {
    return !this.detached && this.session.open;
  }

  send(message: Uint8Array): Promise<void> {
    if (this.detached) return Promise.reject(new SessionClosedError(this.remoteNodeId));
    return this.session.sendEncoded(message);
  }

  close(reason = 'closed'): void {
    if (this.detached) return;
    if (!this.keepSession()) {
      this.session.close(reason);
      return;
    }
    this.detached = true;
    this.emit('close', { reason });
  }
}
