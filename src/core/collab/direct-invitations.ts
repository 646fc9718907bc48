import { equalBytes, toBase64Url } from '../../lib/bytes.ts';
import { MycelError, messageOf } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import type { Timers } from '../mesh/timers.ts';
import { encodeCbor } from '../wire/cbor.ts';
import { codePointCount } from '../identity/display-name.ts';
import { oneLineTextPattern } from './presence-status.ts';
import {
  invitationIdBytes,
  maxCollabBodyBytes,
  maxInvitationLinkLength,
  maxInvitedGroupNameLength,
  sendToFirst,
  UnreachableError,
  type CollabMessageOf,
} from './collab-messages.ts';
import type { CollabCarrier, CollabPeer, ResolveContact } from './collab-types.ts';
import { checkCard, type VerifiedCard } from './contact-card.ts';
import { ContactNotFoundError, contactEndpoints, type Contacts } from './contacts.ts';

// Direct invitations, as in Windows Peer Collaboration (PeerCollabInviteContact): an
// invitation into a group goes straight to the contact's current node, carries the inviter's
// signed card, and lives five minutes. The invitee accepts or declines; the inviter sees which,
// or that it expired. A stranger's invitation is marked so the UI asks twice.

/** How long an invitation lasts, as in Windows (5 minutes). */
export const invitationLifetimeMs = 5 * 60_000;

/** Clock difference tolerated between inviter and invitee. */
const clockSkewMs = 60_000;
/** Pending invitations kept from one sender, and from everyone: a flood fills no screen. */
export const maxPendingPerSender = 5;
export const maxPendingInvitations = 20;
/** Settled outgoing invitations kept for the user to see, newest first. */
const maxSettledOutgoing = 50;

/** What became of an invitation this node sent. */
export type OutgoingState = 'pending' | 'accepted' | 'declined' | 'expired' | 'failed';

/** An invitation this node sent. */
export interface OutgoingInvitation {
  /** The invitation id, base64url. */
  readonly id: string;
  readonly toIdentityId: string;
  readonly groupName: string;
  readonly link: string;
  readonly state: OutgoingState;
  /** Why it failed, for the user (state `failed` only). */
  readonly error?: string;
  readonly expiresAtMs: number;
}

/** An invitation another node sent this one, waiting for an answer. */
export interface IncomingInvitation {
  /** The invitation id, base64url. */
  readonly id: string;
  readonly groupName: string;
  /** The join link: what `accept` resolves with. */
  readonly link: string;
  /** The inviter's checked card (its key is the key of the link it came over). */
  readonly from: VerifiedCard;
  /** False when the inviter is not a contact: the UI asks for an extra confirmation. */
  readonly fromContact: boolean;
  readonly expiresAtMs: number;
}

/** Events of `DirectInvitations`. */
export interface DirectInvitationsEvents {
  /** An invitation arrived. */
  received: IncomingInvitation;
  /** An invitation, either way, was added, answered, expired or dropped. */
  changed: undefined;
}

/** What `DirectInvitations` is built from. */
export interface DirectInvitationsComponents {
  readonly contacts: Contacts;
  readonly carrier: CollabCarrier;
  readonly resolveContact: ResolveContact;
  readonly timers: Timers;
  /** Draws invitation ids (see `invite`). */
  readonly random: Random;
  /** This node's card, sent with every invitation. */
  readonly myCard: () => Promise<VerifiedCard>;
  /** Counts a send that failed. */
  readonly countFailure: (what: string) => void;
}

/** The invitation is not (or no longer) waiting for an answer. */
export class InvitationNotFoundError extends MycelError {
  override name = 'InvitationNotFoundError';

  constructor() {
    super('This invitation has expired or was already answered.', {
      hint: 'Ask the person to invite you again.',
    });
  }
}

/** An invitation's group name or link cannot be sent. */
export class InvalidInvitationError extends MycelError {
  override name = 'InvalidInvitationError';

  constructor(message: string) {
    super(message, { hint: 'Invite from the group page, which makes a fresh join link.' });
  }
}

interface Incoming {
  readonly invitation: Omit<IncomingInvitation, 'fromContact'>;
  readonly idBytes: Uint8Array;
  /** The node it came from: where the answer goes. */
  readonly fromNodeId: string;
  readonly cancelExpiry: () => void;
}

interface Outgoing {
  invitation: OutgoingInvitation;
  readonly inviteeKey: Uint8Array;
  cancelExpiry: (() => void) | undefined;
}

/** Direct invitations into groups, both ways. */
export class DirectInvitations extends TypedEventTarget<DirectInvitationsEvents> {
  private readonly components: DirectInvitationsComponents;
  private readonly incomingById = new Map<string, Incoming>();
  private readonly outgoingById = new Map<string, Outgoing>();

  constructor(components: DirectInvitationsComponents) {
    super();
    this.components = components;
  }

  /** Invitations waiting for this user's answer, oldest first. */
  incoming(): IncomingInvitation[] {
    return [...this.incomingById.values()].map(({ invitation }) => ({
      ...invitation,
      fromContact: this.components.contacts.get(invitation.from.identityId) !== undefined,
    }));
  }

  /** Invitations this node sent, newest first. */
  outgoing(): OutgoingInvitation[] {
    return [...this.outgoingById.values()].map((entry) => entry.invitation).reverse();
  }

  /**
   * Invites a contact into a group: sends `{t:'invite'}` to the first of its nodes that takes
   * it. Resolves with the outgoing invitation, `failed` (with a message) if no node of the
   * contact could be reached. Rejects with `ContactNotFoundError` for someone not a contact
   * and `InvalidInvitationError` for a group name or link that cannot be sent.
   */
  async invite(
    contactIdentityId: string,
    options: { groupName: string; link: string; expiresAtMs?: number },
  ): Promise<OutgoingInvitation> {
    const contact = this.components.contacts.get(contactIdentityId);
    if (contact === undefined) throw new ContactNotFoundError(contactIdentityId);
    const groupName = options.groupName.trim();
    const link = options.link.trim();
    checkInvitationText(groupName, link);
    const nowMs = this.nowMs();
    const latestMs = nowMs + invitationLifetimeMs;
    const expiresAtMs = Math.min(options.expiresAtMs ?? latestMs, latestMs);
    if (expiresAtMs <= nowMs) throw new InvalidInvitationError('This invitation would expire at once.');
    const idBytes = this.newId();
    const id = toBase64Url(idBytes);
    const myCard = await this.components.myCard();
    const message = {
      t: 'invite',
      i: idBytes,
      g: groupName,
      l: link,
      x: expiresAtMs,
      c: myCard.bytes,
    } as const;
    if (encodeCbor(message).length > maxCollabBodyBytes) {
      throw new InvalidInvitationError('This join link is too long to send in an invitation.');
    }
    const entry: Outgoing = {
      invitation: { id, toIdentityId: contactIdentityId, groupName, link, state: 'pending', expiresAtMs },
      inviteeKey: contact.card.publicKey,
      cancelExpiry: this.components.timers.schedule(expiresAtMs - nowMs, () => this.settle(id, 'expired')),
    };
    this.outgoingById.set(id, entry);
    this.trimOutgoing();
    this.emit('changed', undefined);
    try {
      const endpoints = await contactEndpoints(this.components.resolveContact, contact.card);
      await sendToFirst(this.components.carrier, endpoints, message);
    } catch (error) {
      this.components.countFailure('send-failed');
      const why = error instanceof UnreachableError ? 'they may be offline' : messageOf(error);
      this.settle(id, 'failed', `${contact.displayName} could not be reached (${why}). Try again later.`);
    }
    return entry.invitation;
  }

  /** Forgets a settled outgoing invitation (the user dismissed it). */
  dismiss(id: string): void {
    const entry = this.outgoingById.get(id);
    if (entry === undefined || entry.invitation.state === 'pending') return;
    this.outgoingById.delete(id);
    this.emit('changed', undefined);
  }

  /**
   * The join link of a pending incoming invitation, to join before `accept`. Throws
   * `InvitationNotFoundError` once it expired or was answered.
   */
  incomingLink(id: string): string {
    const entry = this.incomingById.get(id);
    if (entry === undefined || entry.invitation.expiresAtMs <= this.nowMs())
      throw new InvitationNotFoundError();
    return entry.invitation.link;
  }

  /**
   * Accepts an incoming invitation: resolves with its join link (the app joins the group with
   * it) and tells the inviter. Rejects with `InvitationNotFoundError` once it expired.
   */
  async accept(id: string): Promise<string> {
    const entry = this.take(id);
    await this.answer(entry, 'accepted');
    return entry.invitation.link;
  }

  /** Declines an incoming invitation and tells the inviter. */
  async decline(id: string): Promise<void> {
    await this.answer(this.take(id), 'declined');
  }

  /** Handles `invite` from `from`: a rejection reason, or undefined when it is now pending. */
  async receiveInvite(from: CollabPeer, message: CollabMessageOf<'invite'>): Promise<string | undefined> {
    const nowMs = this.nowMs();
    if (message.x <= nowMs) return 'expired';
    if (message.x > nowMs + invitationLifetimeMs + clockSkewMs) return 'bad-expiry';
    const id = toBase64Url(message.i);
    if (this.incomingById.has(id)) return 'duplicate';
    const checked = await checkCard(message.c);
    if (!checked.ok) return 'bad-card';
    const card = checked.card;
    if (!equalBytes(card.publicKey, from.publicKey)) return 'card-mismatch';
    const fromSender = [...this.incomingById.values()].filter(
      (entry) => entry.invitation.from.identityId === card.identityId,
    );
    if (fromSender.length >= maxPendingPerSender || this.incomingById.size >= maxPendingInvitations) {
      return 'too-many-invitations';
    }
    // Checked again: another invitation with this id may have arrived during the card check.
    if (this.incomingById.has(id)) return 'duplicate';
    const expiresAtMs = message.x;
    const invitation = { id, groupName: message.g, link: message.l, from: card, expiresAtMs };
    const cancelExpiry = this.components.timers.schedule(expiresAtMs - nowMs, () => {
      if (this.incomingById.get(id)?.invitation !== invitation) return;
      this.incomingById.delete(id);
      this.emit('changed', undefined);
    });
    this.incomingById.set(id, { invitation, idBytes: message.i, fromNodeId: from.nodeId, cancelExpiry });
    const fromContact = this.components.contacts.get(card.identityId) !== undefined;
    this.emit('received', { ...invitation, fromContact });
    this.emit('changed', undefined);
    return undefined;
  }

  /** Handles `answer` from `from`: taken only from the invitee's key, and only while pending. */
  receiveAnswer(from: CollabPeer, message: CollabMessageOf<'answer'>): string | undefined {
    const id = toBase64Url(message.i);
    const entry = this.outgoingById.get(id);
    if (entry === undefined) return 'unknown-invitation';
    if (!equalBytes(entry.inviteeKey, from.publicKey)) return 'wrong-sender';
    if (entry.invitation.state !== 'pending') return 'not-pending';
    this.settle(id, message.a);
    return undefined;
  }

  /** Cancels every timer; pending invitations are forgotten. */
  stop(): void {
    for (const entry of this.incomingById.values()) entry.cancelExpiry();
    for (const entry of this.outgoingById.values()) entry.cancelExpiry?.();
    this.incomingById.clear();
    this.outgoingById.clear();
  }

  private take(id: string): Incoming {
    const entry = this.incomingById.get(id);
    if (entry === undefined || entry.invitation.expiresAtMs <= this.nowMs())
      throw new InvitationNotFoundError();
    entry.cancelExpiry();
    this.incomingById.delete(id);
    this.emit('changed', undefined);
    return entry;
  }

  private async answer(entry: Incoming, answer: 'accepted' | 'declined'): Promise<void> {
    const message = { t: 'answer', i: entry.idBytes, a: answer } as const;
    try {
      await this.components.carrier.send(entry.fromNodeId, message);
    } catch {
      // The answer is a courtesy: the inviter sees `expired` instead, and joining goes ahead.
      this.components.countFailure('send-failed');
    }
  }

  /** Moves a pending outgoing invitation to `state`; nothing if it is no longer pending. */
  private settle(id: string, state: Exclude<OutgoingState, 'pending'>, error?: string): void {
    const entry = this.outgoingById.get(id);
    if (entry?.invitation.state !== 'pending') return;
    entry.cancelExpiry?.();
    entry.cancelExpiry = undefined;
    entry.invitation = { ...entry.invitation, state, ...(error === undefined ? {} : { error }) };
    this.emit('changed', undefined);
  }

  private trimOutgoing(): void {
    const settled = [...this.outgoingById].filter(([, entry]) => entry.invitation.state !== 'pending');
    for (const [id] of settled.slice(0, Math.max(0, settled.length - maxSettledOutgoing))) {
      this.outgoingById.delete(id);
    }
  }

  /**
   * 16 bytes from the seeded generator: an id only names an invitation between two nodes,
   * and an answer counts only from the invitee's key, so guessing one gains nothing.
   */
  private newId(): Uint8Array {
    const id = new Uint8Array(invitationIdBytes);
    const view = new DataView(id.buffer);
    for (let offset = 0; offset < invitationIdBytes; offset += 4) {
      view.setUint32(offset, this.components.random.uint32());
    }
    return id;
  }

  private nowMs(): number {
    return Math.floor(this.components.timers.nowMs());
  }
}

function checkInvitationText(groupName: string, link: string): void {
  if (
    groupName.length === 0 ||
    codePointCount(groupName) > maxInvitedGroupNameLength ||
    !oneLineTextPattern.test(groupName)
  ) {
    throw new InvalidInvitationError(`A group name has 1 to ${maxInvitedGroupNameLength} characters.`);
  }
  if (link.length === 0 || link.length > maxInvitationLinkLength || /\s/.test(link)) {
    throw new InvalidInvitationError('This join link cannot be sent.');
  }
}
