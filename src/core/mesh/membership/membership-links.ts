import type { Link } from '../../ports.ts';
import { decodeMembershipFrame, encodeMembershipFrame, type MembershipMessage } from './messages.ts';
import type { MembershipRejection, MembershipStats } from './membership-types.ts';
import type { Timers } from '../timers.ts';

/** What `MembershipLinks` needs to open and vet links. */
export interface MembershipLinksInit {
  readonly nodeId: string;
  readonly clock: Timers;
  readonly dial: (nodeId: string, signal: AbortSignal) => Promise<Link>;
  readonly authenticate: (link: Link) => Promise<boolean>;
  readonly dialTimeoutMs: number;
  readonly idleLinkTimeoutMs: number;
}

/** The protocol side that `MembershipLinks` hands valid messages and closes to. */
export interface MembershipLinkHandler {
  /** Whether frames should still be handled (false once the node stopped). */
  readonly running: () => boolean;
  /** Whether `link` is an active link or awaits a NEIGHBOR reply: such links are kept open. */
  readonly isInUse: (link: Link) => boolean;
  /** A schema-checked message from `link`'s remote node. */
  readonly receive: (link: Link, message: MembershipMessage) => void;
  /** `link` closed. */
  readonly closed: (link: Link) => void;
}

/**
 * The link plumbing of a `MembershipNode`: dials with a timeout, runs the `authenticate` hook,
 * decodes every frame under its caps and schema, counts refusals by reason, and never lets a
 * peer's input throw out of a link listener.
 */
export class MembershipLinks {
  private readonly init: MembershipLinksInit;
  private readonly handler: MembershipLinkHandler;
  private readonly rejectionCounts = new Map<MembershipRejection, number>();
  private readonly counters = { dialFailures: 0, sendFailures: 0 };

  /** Links for the node `init.nodeId`, handing vetted messages to `handler`. */
  constructor(init: MembershipLinksInit, handler: MembershipLinkHandler) {
    this.init = init;
    this.handler = handler;
  }

  /** How many received frames were refused, by reason. */
  rejections(): Readonly<Partial<Record<MembershipRejection, number>>> {
    return Object.fromEntries(this.rejectionCounts);
  }

  /** Counters of failed dials and sends. */
  stats(): MembershipStats {
    return { ...this.counters };
  }

  /** Counts one refusal. */
  reject(reason: MembershipRejection): void {
    this.rejectionCounts.set(reason, (this.rejectionCounts.get(reason) ?? 0) + 1);
  }

  /**
   * Listens on `link`; resolves whether it passed `authenticate`, and frames wait until then.
   * An `accepted` link (opened by the peer) that is still unused after the idle timeout closes.
   */
  adopt(link: Link, accepted: boolean): Promise<boolean> {
    const trusted = this.init.authenticate(link).then(
      (ok) => ok,
      () => false,
    );
    const vetted = trusted.then((ok) => {
      if (!ok) {
        this.reject('unauthenticated');
        link.close('not authenticated');
      }
      return ok;
    });
    // Chaining every event on `vetted` keeps frames and the close in the order they came.
    link.on('message', (bytes) => {
      void vetted.then((ok) => {
        if (ok && this.handler.running()) this.receive(link, bytes);
      });
    });
    link.on('close', () => {
      void vetted.then(() => this.handler.closed(link));
    });
    if (accepted) {
      this.init.clock.schedule(this.init.idleLinkTimeoutMs, () => {
        if (link.open && !this.handler.isInUse(link)) link.close('idle');
      });
    }
    return vetted;
  }

  /** Dials and authenticates `nodeId`; undefined if either fails. */
  async open(nodeId: string): Promise<Link | undefined> {
    const controller = new AbortController();
    const cancel = this.init.clock.schedule(this.init.dialTimeoutMs, () => controller.abort());
    let link: Link;
    try {
      link = await this.init.dial(nodeId, controller.signal);
    } catch {
      // Every dial error means the same here: the candidate is unreachable.
      this.counters.dialFailures++;
      return undefined;
    } finally {
      cancel();
    }
    return (await this.adopt(link, false)) ? link : undefined;
  }

  /** Sends `message` on `link`; a failure is counted (the link's `close` says the rest). */
  send(link: Link, message: MembershipMessage): void {
    link.send(encodeMembershipFrame(message)).catch((error: unknown) => {
      this.counters.sendFailures++;
      return error;
    });
  }

  private receive(link: Link, bytes: Uint8Array): void {
    const decoded = decodeMembershipFrame(bytes);
    if (!decoded.ok) {
      this.reject(decoded.reason);
      // A link nobody needs that carries garbage is not worth keeping open.
      if (!this.handler.isInUse(link)) link.close('refused');
      return;
    }
    if (link.remoteNodeId === this.init.nodeId) {
      this.reject('self-reference');
      return;
    }
    try {
      this.handler.receive(link, decoded.message);
    } catch {
      // Counted: a bug in a handler must not take the receive path down with it.
      this.reject('internal-error');
    }
  }
}
