import { toBase64Url } from '../../lib/bytes.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type { Random } from '../../lib/random.ts';
import { publicKeyBytes } from '../crypto/ed25519.ts';
import { identityIdOf } from '../identity/ids.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import { parseCollabMessage } from './collab-messages.ts';
import type {
  CollabCarrier,
  CollabIdentity,
  CollabPart,
  CollabPeer,
  CollabPreferences,
  NearbyNames,
  ResolveContact,
} from './collab-types.ts';
import { cardColourPattern, createCard, type VerifiedCard } from './contact-card.ts';
import { Contacts } from './contacts.ts';
import { DirectInvitations, type IncomingInvitation } from './direct-invitations.ts';
import { Nearby } from './nearby.ts';
import { PresenceHub } from './presence-hub.ts';

// The collaboration core in one place, as Windows Peer Collaboration is one API: contacts,
// presence, direct invitations and people nearby, built from the ports they need, with one
// receive path for `mycel/collab/1` that counts every refusal by reason and never throws.

/** Events of `Collab`. */
export interface CollabEvents {
  /** Something the UI shows changed: which part. */
  changed: { readonly part: CollabPart };
  /** An invitation arrived (to notify the user). */
  'invitation-received': IncomingInvitation;
  /** Someone sent this node their contact card from "people nearby". */
  'card-received': VerifiedCard;
}

/** What a `Collab` is built from. */
export interface CollabComponents {
  readonly identity: CollabIdentity;
  /** The colour of this identity's card, `#rrggbb`. */
  readonly colour: string;
  readonly preferences: CollabPreferences;
  readonly carrier: CollabCarrier;
  readonly resolveContact: ResolveContact;
  readonly names: NearbyNames;
  readonly timers: Timers;
  readonly random: Random;
  /** This node's id once it has one: the hint on this node's card. */
  readonly nodeId?: () => string | undefined;
}

/** Peer keys whose identity id is remembered, so a busy contact costs one hash, not one per message. */
const maxKnownKeys = 1024;

/**
 * Contacts, presence, direct invitations and people nearby for one identity. `start` loads
 * the contacts and starts watching; `receive` takes every `mycel/collab/1` body the carrier
 * delivers; `stop` says goodbye (offline to watchers, out of people nearby).
 */
export class Collab extends TypedEventTarget<CollabEvents> {
  readonly contacts: Contacts;
  readonly presence: PresenceHub;
  readonly invitations: DirectInvitations;
  readonly nearby: Nearby;
  private readonly components: CollabComponents;
  private colour: string;
  private card: { readonly key: string; readonly card: VerifiedCard } | undefined;
  private making: { readonly key: string; readonly card: Promise<VerifiedCard> } | undefined;
  private readonly rejectionCounts = new Map<string, number>();
  private readonly failureCounts = new Map<string, number>();
  private readonly identities = new Map<string, string>();
  private running = false;

  /** Throws `RangeError` for a colour that is not `#rrggbb`. */
  constructor(components: CollabComponents) {
    super();
    this.components = components;
    this.colour = checkColour(components.colour);
    const { identity, preferences, carrier, resolveContact, timers } = components;
    const countFailure = (what: string): void => increment(this.failureCounts, what);
    const myCard = (): Promise<VerifiedCard> => this.freshCard();
    this.contacts = new Contacts({
      identityId: identity.identityId,
      preferences,
      nowMs: () => timers.nowMs(),
    });
    this.presence = new PresenceHub({
      contacts: this.contacts,
      carrier,
      resolveContact,
      timers,
      countFailure,
    });
    this.invitations = new DirectInvitations({
      contacts: this.contacts,
      carrier,
      resolveContact,
      timers,
      random: components.random.fork('collab-invitations'),
      myCard,
      countFailure,
    });
    this.nearby = new Nearby({
      names: components.names,
      carrier,
      timers,
      myIdentityId: identity.identityId,
      myCard,
      isContact: (identityId) => this.contacts.get(identityId) !== undefined,
      countRejection: (reason) => increment(this.rejectionCounts, reason),
      countFailure,
    });
    this.forwardEvents();
  }

  /**
   * This node's signed card (display name, key, colour, node id), as of `start`. When the
   * node id or colour changed since, a new card is being made: `changed` (part `me`) follows.
   * Throws before `start`.
   */
  myCard(): VerifiedCard {
    if (this.card === undefined) throw new Error('Collab.myCard() needs start() first.');
    if (this.card.key !== this.cardKey()) {
      void this.freshCard().catch(() => increment(this.failureCounts, 'card-failed'));
    }
    return this.card.card;
  }

  /** Changes the colour of this identity's card (`#rrggbb`; `RangeError` otherwise) and signs it again. */
  async setColour(colour: string): Promise<void> {
    this.colour = checkColour(colour);
    await this.freshCard();
  }

  /**
   * Makes this node's card and loads the contacts, then starts presence. Rejects when the
   * contacts cannot be read, or with `InvalidDisplayNameError` for a name no card may carry.
   */
  async start(): Promise<void> {
    if (this.running) return;
    await this.freshCard();
    await this.contacts.load();
    this.running = true;
    this.presence.start();
  }

  /** Tells watchers `offline`, leaves people nearby, and drops pending invitations. Never rejects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all([this.presence.stop(), this.nearby.stop()]);
    this.invitations.stop();
  }

  /**
   * Handles one `mycel/collab/1` body from `from`. Resolves with the reason it was refused
   * (also counted in `rejections()`), or undefined when it was taken. Never rejects, and a
   * refused message changes nothing stored.
   */
  async receive(from: CollabPeer, body: WireValue): Promise<string | undefined> {
    let reason: string | undefined;
    try {
      reason = await this.route(from, body);
    } catch (error) {
      // A bug of this node, not the peer's doing: counted and logged, never thrown at the link.
      console.error('collab: a message could not be handled', error);
      reason = 'internal-error';
    }
    if (reason !== undefined) increment(this.rejectionCounts, reason);
    return reason;
  }

  /** How many received messages (and name records) were refused, by reason. */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.rejectionCounts);
  }

  /** How many sends and look-ups failed, by kind. */
  failures(): Record<string, number> {
    return Object.fromEntries(this.failureCounts);
  }

  private async route(from: CollabPeer, body: WireValue): Promise<string | undefined> {
    if (!this.running) return 'not-started';
    const parsed = parseCollabMessage(body);
    if (!parsed.ok) return parsed.reason;
    if (from.publicKey.length !== publicKeyBytes) return 'bad-sender';
    const identityId = await this.identityOf(from.publicKey);
    if (identityId === this.components.identity.identityId) return 'from-self';
    const message = parsed.message;
    switch (message.t) {
      case 'watch':
      case 'unwatch':
      case 'presence':
      case 'refused':
        return this.presence.receive(from, identityId, message);
      case 'invite':
        return this.invitations.receiveInvite(from, message);
      case 'answer':
        return this.invitations.receiveAnswer(from, message);
      case 'nearby-bye':
        return this.nearby.receiveBye(identityId);
      case 'card':
        return this.nearby.receiveCard(from, message);
    }
  }

  /** The card for the current name, colour and node id, made (once) if it changed. */
  private freshCard(): Promise<VerifiedCard> {
    const key = this.cardKey();
    if (this.card?.key === key) return Promise.resolve(this.card.card);
    if (this.making?.key === key) return this.making.card;
    const { identity, nodeId, timers } = this.components;
    const made = createCard(identity, this.colour, nodeId?.(), Math.floor(timers.nowMs())).then((card) => {
      if (this.making?.card === made) this.making = undefined;
      this.card = { key, card };
      this.emit('changed', { part: 'me' });
      return card;
    });
    this.making = { key, card: made };
    // A card that could not be made is tried again at the next call rather than remembered.
    void made.catch(() => {
      if (this.making?.card === made) this.making = undefined;
    });
    return made;
  }

  private cardKey(): string {
    return `${this.components.nodeId?.() ?? ''}|${this.colour}|${this.components.identity.displayName}`;
  }

  private async identityOf(publicKey: Uint8Array): Promise<string> {
    const key = toBase64Url(publicKey);
    const known = this.identities.get(key);
    if (known !== undefined) return known;
    const identityId = await identityIdOf(new Uint8Array(publicKey));
    if (this.identities.size >= maxKnownKeys) this.identities.clear();
    this.identities.set(key, identityId);
    return identityId;
  }

  private forwardEvents(): void {
    const changed = (part: CollabPart) => (): void => this.emit('changed', { part });
    this.contacts.on('changed', changed('contacts'));
    this.presence.on('presence', changed('presence'));
    this.presence.on('own', changed('presence'));
    this.invitations.on('changed', changed('invitations'));
    this.invitations.on('received', (invitation) => this.emit('invitation-received', invitation));
    this.nearby.on('changed', changed('nearby'));
    this.nearby.on('card-received', ({ card }) => {
      this.emit('card-received', card);
      this.emit('changed', { part: 'cards' });
    });
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function checkColour(colour: string): string {
  const lower = colour.toLowerCase();
  if (!cardColourPattern.test(lower)) throw new RangeError(`A card colour is #rrggbb, not ${colour}.`);
  return lower;
}
