import { equalBytes } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import { repeatEvery, type Timers } from '../mesh/timers.ts';
import { sendToFirst, type CollabMessageOf } from './collab-messages.ts';
import type { CollabCarrier, CollabPeer, CountRejection, NearbyNames } from './collab-types.ts';
import { checkCard, maxCardBytes, type VerifiedCard } from './contact-card.ts';
import { SenderRateLimits } from '../mesh/rate-limit.ts';

// "People near me" of Windows Peer Collaboration, on the broker instead of the subnet: opt-in
// and off by default. Signing in registers this identity's card under the unsecured name
// `0.people-nearby`; everyone signed in polls that name and lists the cards it finds. Signing
// out unregisters and says goodbye to everyone listed, so this node vanishes from their lists
// at once rather than when its registration runs out.

/** The classifier "people nearby" registers under; the name is `0.people-nearby`. */
export const nearbyClassifier = 'people-nearby';

/** The unsecured peer name everyone signed in to "people nearby" registers. */
export const nearbyName = `0.${nearbyClassifier}`;

/** How often the list is looked up while signed in: new people show within 5 s. */
export const nearbyPollIntervalMs = 5_000;

/** The most people listed, and name records looked at per poll: the name is open to anyone. */
export const maxNearbyPeople = 100;
const maxRecordsPerPoll = 4 * maxNearbyPeople;
const maxEndpointsPerPerson = 8;

/**
 * How long someone who said goodbye stays off the list while their registration may linger
 * in the names layer (until a poll no longer finds it, at most this long).
 */
const byeQuietMs = 30_000;

/** Cards received and not yet dismissed, newest kept. */
const maxReceivedCards = 20;

/** `card` messages a node may send: one every 5 s, three at once. */
const cardRate = { framesPerSecond: 0.2, burstFrames: 3 } as const;

/** Someone signed in to "people nearby". */
export interface NearbyPerson {
  readonly identityId: string;
  readonly card: VerifiedCard;
  /** The nodes their registration names. */
  readonly endpoints: readonly string[];
  readonly isContact: boolean;
}

/** Events of `Nearby`. */
export interface NearbyEvents {
  /** Signed in or out, or the list of people or of received cards changed. */
  changed: undefined;
  /** Someone sent this node their contact card. */
  'card-received': { readonly card: VerifiedCard; readonly fromNodeId: string };
}

/** What `Nearby` is built from. */
export interface NearbyComponents {
  readonly names: NearbyNames;
  readonly carrier: CollabCarrier;
  readonly timers: Timers;
  readonly myIdentityId: string;
  readonly myCard: () => Promise<VerifiedCard>;
  readonly isContact: (identityId: string) => boolean;
  /** Counts a name record refused (a bad card, or a card of another key). */
  readonly countRejection: CountRejection;
  /** Counts a send or look-up that failed. */
  readonly countFailure: (what: string) => void;
}

/** The person is not (or no longer) listed in "people nearby". */
export class NearbyPersonNotFoundError extends MycelError {
  override name = 'NearbyPersonNotFoundError';

  constructor() {
    super('This person is no longer in "people nearby".', { hint: 'They may have signed out.' });
  }
}

interface Listed {
  readonly card: VerifiedCard;
  readonly endpoints: readonly string[];
}

/** "People nearby": off until `signIn`. */
export class Nearby extends TypedEventTarget<NearbyEvents> {
  private readonly components: NearbyComponents;
  private listed = new Map<string, Listed>();
  /** Who said goodbye, and when: kept off the list while their registration lingers. */
  private readonly departed = new Map<string, number>();
  private readonly cards = new Map<string, VerifiedCard>();
  private readonly limits = new SenderRateLimits(cardRate);
  /** One per sign-in, so a poll answered after signing out changes nothing. */
  private session: object | undefined;
  private cancelPoll: (() => void) | undefined;

  constructor(components: NearbyComponents) {
    super();
    this.components = components;
  }

  /** Whether this node is signed in to "people nearby". */
  get signedIn(): boolean {
    return this.session !== undefined;
  }

  /** The people signed in, this node's identity left out, by name. */
  people(): NearbyPerson[] {
    return [...this.listed.values()]
      .map(({ card, endpoints }) => ({
        identityId: card.identityId,
        card,
        endpoints,
        isContact: this.components.isContact(card.identityId),
      }))
      .sort((a, b) => a.card.displayName.localeCompare(b.card.displayName));
  }

  /** Cards people sent this node, newest first, one per identity. */
  receivedCards(): VerifiedCard[] {
    return [...this.cards.values()].reverse();
  }

  /** Forgets a received card (added or dismissed). */
  dismissCard(identityId: string): void {
    if (this.cards.delete(identityId)) this.emit('changed', undefined);
  }

  /**
   * Registers this node's card under `0.people-nearby` and lists the others, looking again
   * every 5 s. Rejects (and stays signed out) when the registration fails.
   */
  async signIn(): Promise<void> {
    if (this.session !== undefined) return;
    const myCard = await this.components.myCard();
    await this.components.names.register(nearbyClassifier, { secured: false, payload: myCard.bytes });
    const session = {};
    this.session = session;
    this.cancelPoll = repeatEvery(this.components.timers, nearbyPollIntervalMs, () => void this.poll());
    this.emit('changed', undefined);
    await this.poll();
  }

  /**
   * Unregisters, and tells everyone listed `nearby-bye` so they drop this node at once.
   * Signed out whatever happens; rejects when the registration could not be withdrawn.
   */
  async signOut(): Promise<void> {
    if (this.session === undefined) return;
    this.session = undefined;
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    const people = [...this.listed.values()];
    this.listed = new Map();
    this.departed.clear();
    this.emit('changed', undefined);
    const byes = people.flatMap((person) => person.endpoints.map((nodeId) => this.bye(nodeId)));
    await Promise.all([...byes, this.components.names.unregister(nearbyName)]);
  }

  /** Looks the name up once and replaces the list. Never rejects. */
  async poll(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    let records: Awaited<ReturnType<NearbyNames['resolve']>>['records'];
    try {
      records = (await this.components.names.resolve(nearbyName, { fresh: true })).records;
    } catch {
      // The names layer could not answer now: the list stays as it was until the next poll.
      this.components.countFailure('resolve-failed');
      return;
    }
    const found = await this.peopleOf(records.slice(0, maxRecordsPerPoll));
    if (this.session !== session) return;
    const nowMs = this.components.timers.nowMs();
    for (const [identityId, leftAtMs] of [...this.departed]) {
      if (!found.has(identityId) || nowMs - leftAtMs >= byeQuietMs) this.departed.delete(identityId);
      else found.delete(identityId);
    }
    const changed = !sameListing(this.listed, found);
    this.listed = found;
    if (changed) this.emit('changed', undefined);
  }

  /**
   * Sends this node's card to someone listed. Rejects with `NearbyPersonNotFoundError` for
   * someone not listed and `UnreachableError` when none of their nodes takes it.
   */
  async sendCard(identityId: string): Promise<void> {
    const person = this.listed.get(identityId);
    if (person === undefined) throw new NearbyPersonNotFoundError();
    const myCard = await this.components.myCard();
    await sendToFirst(this.components.carrier, person.endpoints, { t: 'card', c: myCard.bytes });
  }

  /** Handles `nearby-bye`: the sender leaves the list at once. */
  receiveBye(identityId: string): string | undefined {
    if (this.session === undefined) return 'not-signed-in';
    if (!this.listed.delete(identityId)) return 'not-nearby';
    this.departed.set(identityId, this.components.timers.nowMs());
    this.emit('changed', undefined);
    return undefined;
  }

  /** Handles `card`: a card from its own key, while signed in, within the rate limit. */
  async receiveCard(from: CollabPeer, message: CollabMessageOf<'card'>): Promise<string | undefined> {
    if (this.session === undefined) return 'not-signed-in';
    if (!this.limits.allow(from.nodeId, this.components.timers.nowMs())) return 'rate-limited';
    const checked = await checkCard(message.c);
    if (!checked.ok) return 'bad-card';
    const card = checked.card;
    if (!equalBytes(card.publicKey, from.publicKey)) return 'card-mismatch';
    if (card.identityId === this.components.myIdentityId) return 'own-card';
    this.cards.delete(card.identityId);
    this.cards.set(card.identityId, card);
    for (const identityId of [...this.cards.keys()].slice(
      0,
      Math.max(0, this.cards.size - maxReceivedCards),
    )) {
      this.cards.delete(identityId);
    }
    this.emit('card-received', { card, fromNodeId: from.nodeId });
    this.emit('changed', undefined);
    return undefined;
  }

  /** Signs out if signed in. Never rejects. */
  async stop(): Promise<void> {
    try {
      await this.signOut();
    } catch {
      // Stopping anyway: the registration runs out by itself in the names layer.
      this.components.countFailure('unregister-failed');
    }
  }

  /** The people in `records`: valid cards of the record's own key, this node left out. */
  private async peopleOf(
    records: Awaited<ReturnType<NearbyNames['resolve']>>['records'],
  ): Promise<Map<string, Listed>> {
    const found = new Map<string, Listed>();
    for (const record of records) {
      if (record.payload.length > maxCardBytes) {
        this.components.countRejection('nearby-bad-card');
        continue;
      }
      const checked = await checkCard(record.payload);
      if (!checked.ok) {
        this.components.countRejection('nearby-bad-card');
        continue;
      }
      const card = checked.card;
      if (!equalBytes(card.publicKey, record.publicKey)) {
        this.components.countRejection('nearby-card-mismatch');
        continue;
      }
      if (card.identityId === this.components.myIdentityId) continue;
      const known = found.get(card.identityId);
      if (known === undefined && found.size >= maxNearbyPeople) continue;
      const endpoints = [...new Set([...(known?.endpoints ?? []), ...record.endpoints])];
      const newest = known === undefined || card.issuedAtMs > known.card.issuedAtMs ? card : known.card;
      found.set(card.identityId, { card: newest, endpoints: endpoints.slice(0, maxEndpointsPerPerson) });
    }
    return found;
  }

  private async bye(nodeId: string): Promise<void> {
    try {
      await this.components.carrier.send(nodeId, { t: 'nearby-bye' });
    } catch {
      // They drop this node at their next poll anyway, once the registration is gone.
      this.components.countFailure('send-failed');
    }
  }
}

function sameListing(a: ReadonlyMap<string, Listed>, b: ReadonlyMap<string, Listed>): boolean {
  if (a.size !== b.size) return false;
  for (const [identityId, listed] of a) {
    const other = b.get(identityId);
    if (other === undefined || other.card.issuedAtMs !== listed.card.issuedAtMs) return false;
    if (other.endpoints.join(' ') !== listed.endpoints.join(' ')) return false;
  }
  return true;
}
