import { literal, object, oneOf, parse } from '../wire/schema.ts';
import type { LinkSession } from './link-session.ts';

/** The protocol by which two nodes agree to keep a session open for direct use. */
export const directProtocol = 'mycel/direct';

const directMessage = oneOf(object({ t: literal('open') }), object({ t: literal('close') }));

/** Who holds one session open: this node's users (a count) and the other end. */
interface Holds {
  readonly session: LinkSession;
  local: number;
  remote: boolean;
}

/**
 * Sessions held open for direct connections (Windows Peer Graphing's direct connections):
 * a private link between two nodes, whether or not they are neighbours. Membership may drop
 * such a link from its view, but the session stays while anyone holds it: each user on this
 * node (a group's link, a file download) or the other end. When all have let go and it
 * carries no neighbour, it closes.
 */
export class DirectSessions {
  private readonly holds = new Map<string, Holds>();
  private readonly isNeighborSession: (session: LinkSession) => boolean;

  constructor(isNeighborSession: (session: LinkSession) => boolean) {
    this.isNeighborSession = isNeighborSession;
  }

  /** Listens for the peer's open and close on `session`. */
  attach(session: LinkSession): void {
    session.handle(directProtocol, (body) => {
      const message = parse(directMessage, body);
      if (!message.ok) return 'direct:bad-message';
      if (message.value.t === 'open') this.entry(session).remote = true;
      else this.release(session.peer.nodeId, (holds) => (holds.remote = false));
      return undefined;
    });
    session.on('closed', () => {
      if (this.holds.get(session.peer.nodeId)?.session === session) this.holds.delete(session.peer.nodeId);
    });
  }

  /** Adds one local hold on `session` and tells the peer to keep it too. */
  hold(session: LinkSession): void {
    this.entry(session).local += 1;
    session.send(directProtocol, { t: 'open' }).catch(() => undefined);
  }

  /** Whether anyone holds `session` for direct use. */
  held(session: LinkSession): boolean {
    return this.holds.get(session.peer.nodeId)?.session === session;
  }

  /** The open session held for direct use with `nodeId`. */
  get(nodeId: string): LinkSession | undefined {
    const session = this.holds.get(nodeId)?.session;
    return session?.open === true ? session : undefined;
  }

  /**
   * Drops one local hold on the session with `nodeId`. With none left, the peer is told, and
   * the session closes unless the peer still holds it or it is also a neighbour's link.
   */
  letGo(nodeId: string): void {
    const holds = this.holds.get(nodeId);
    if (holds === undefined || holds.local === 0) return;
    holds.local -= 1;
    if (holds.local > 0) return;
    holds.session.send(directProtocol, { t: 'close' }).catch(() => undefined);
    this.release(nodeId, () => undefined);
  }

  /** Forgets every direct session. */
  clear(): void {
    this.holds.clear();
  }

  private entry(session: LinkSession): Holds {
    const current = this.holds.get(session.peer.nodeId);
    if (current?.session === session) return current;
    const fresh: Holds = { session, local: 0, remote: false };
    this.holds.set(session.peer.nodeId, fresh);
    return fresh;
  }

  private release(nodeId: string, change: (holds: Holds) => void): void {
    const holds = this.holds.get(nodeId);
    if (holds === undefined) return;
    change(holds);
    if (holds.local > 0 || holds.remote) return;
    this.holds.delete(nodeId);
    if (!this.isNeighborSession(holds.session)) holds.session.close('direct connection closed');
  }
}
