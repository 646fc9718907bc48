import { TypedEventTarget } from '../../lib/events.ts';
import type { Link, LinkEvents } from '../ports.ts';
import type { LinkSession } from './link-session.ts';

/**
 * One protocol's view of a `LinkSession` as a `Link`: the frames of `protocol` come out as
 * their bytes, and what goes in is sent as already-encoded frames. It lets a protocol written
 * against links (membership) share an authenticated, rate-limited session with the others.
 * Closing the channel closes the session; `remoteNodeId` is the proven peer's.
 */
export class SessionChannel extends TypedEventTarget<LinkEvents> implements Link {
  readonly remoteNodeId: string;
  private readonly session: LinkSession;

  constructor(session: LinkSession, protocol: string) {
    super();
    this.session = session;
    this.remoteNodeId = session.peer.nodeId;
    session.handle(protocol, (_body, _frame, bytes) => {
      this.emit('message', bytes);
      return undefined;
    });
    session.on('closed', ({ reason }) => this.emit('close', { reason }));
  }

  get open(): boolean {
    return this.session.open;
  }

  send(message: Uint8Array): Promise<void> {
    return this.session.sendEncoded(message);
  }

  close(reason = 'closed'): void {
    this.session.close(reason);
  }
}
