import { literal, object, oneOf, parse } from '../wire/schema.ts';
import type { LinkSession } from './link-session.ts';

/** The protocol by which two nodes agree to keep a session open for direct use. */
export const directProtocol = 'mycel/direct';

const directMessage = oneOf(object({ t: literal('open') }), object({ t: literal('close') }));

/**
 * Sessions held open for direct connections (Windows Peer Graphing's direct connections):
 * a private link between two nodes, whether or not they are neighbours. Membership may drop
 * such a link from its view, but the session stays while either end holds it; when both
 * have let go and it carries no neighbour, it closes.
 */
export class DirectSessions {
  private readonly sessions = new Map<string, LinkSession>();
  private readonly isNeighborSession: (session: LinkSession) => boolean;

  constructor(isNeighborSession: (session: LinkSession) => boolean) {
    this.isNeighborSession = isNeighborSession;
  }

  /** Listens for the peer's open and close on `session`. */
  attach(session: LinkSession): void {
    session.handle(directProtocol, (body) => {
      const message = parse(directMessage, body);
      if (!message.ok) return 'direct:bad-message';
      if (message.value.t === 'open') this.hold(session, false);
      else this.letGo(session.peer.nodeId, false);
      return undefined;
    });
    session.on('closed', () => {
      if (this.sessions.get(session.peer.nodeId) === session) this.sessions.delete(session.peer.nodeId);
    });
  }

  /** Keeps `session` open for direct use; `announce` tells the peer to keep it too. */
  hold(session: LinkSession, announce: boolean): void {
    this.sessions.set(session.peer.nodeId, session);
    if (announce) session.send(directProtocol, { t: 'open' }).catch(() => undefined);
  }

  /** Whether `session` is held for direct use. */
  holds(session: LinkSession): boolean {
    return this.sessions.get(session.peer.nodeId) === session;
  }

  /** The open session held for direct use with `nodeId`. */
  get(nodeId: string): LinkSession | undefined {
    const session = this.sessions.get(nodeId);
    return session?.open === true ? session : undefined;
  }

  /**
   * Lets go of the direct session with `nodeId`; `announce` tells the peer. The session closes
   * unless it is also a neighbour's link.
   */
  letGo(nodeId: string, announce: boolean): void {
    const session = this.sessions.get(nodeId);
    if (session === undefined) return;
    this.sessions.delete(nodeId);
    if (announce) session.send(directProtocol, { t: 'close' }).catch(() => undefined);
    if (!this.isNeighborSession(session)) session.close('direct connection closed');
  }

  /** Lets go of every direct session. */
  clear(): void {
    this.sessions.clear();
  }
}
