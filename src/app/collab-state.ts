import type { Collab } from '../core/collab/collab.ts';
import { cardLink, contactPeerName } from '../core/collab/contact-card.ts';
import type { PeerNames, Resolution } from '../core/names/peer-names.ts';
import type { CollabState, NameResultView } from './collab-types.ts';

const payloadDecoder = new TextDecoder('utf-8', { fatal: false });

/** A name payload as text for people: decoded leniently (it came from anyone). */
function payloadText(payload: Uint8Array): string {
  return payloadDecoder.decode(payload);
}

/** The services behind a `CollabState`, while an identity is in use. */
export interface CollabParts {
  readonly collab: Collab;
  readonly names: PeerNames;
  readonly origin: URL;
}

/** What the views show, read from the services (or an empty state before any identity). */
export function collabStateOf(parts: CollabParts | undefined, online: boolean): CollabState {
  if (parts === undefined) {
    return {
      me: { link: '', peerName: '', colour: '#336699' },
      presence: { status: 'offline', text: '' },
      contacts: [],
      incoming: [],
      outgoing: [],
      nearby: { signedIn: false, people: [] },
      receivedCards: [],
      names: [],
      online,
    };
  }
  const { collab, names, origin } = parts;
  const card = collab.myCard();
  const own = collab.presence.current();
  const contactName = (identityId: string): string =>
    collab.contacts.get(identityId)?.displayName ?? identityId.slice(0, 8);
  return {
    me: {
      link: cardLink(card.bytes, origin),
      peerName: contactPeerName(card.identityId),
      colour: card.colour,
    },
    presence: { status: own.status, text: own.text },
    contacts: collab.contacts.list().map((contact) => {
      const presence = contact.watched ? collab.presence.presenceOf(contact.identityId) : undefined;
      return {
        identityId: contact.identityId,
        displayName: contact.displayName,
        cardName: contact.card.displayName,
        colour: contact.card.colour,
        presence: { status: presence?.status ?? 'offline', text: presence?.text ?? '' },
        watched: contact.watched,
        blocked: contact.blocked,
        addedAtMs: contact.addedAtMs,
      };
    }),
    incoming: collab.invitations.incoming().map((invitation) => ({
      id: invitation.id,
      groupName: invitation.groupName,
      fromName: invitation.fromContact
        ? contactName(invitation.from.identityId)
        : invitation.from.displayName,
      fromIdentityId: invitation.from.identityId,
      fromContact: invitation.fromContact,
      expiresAtMs: invitation.expiresAtMs,
    })),
    outgoing: collab.invitations.outgoing().map((invitation) => ({
      id: invitation.id,
      groupName: invitation.groupName,
      toIdentityId: invitation.toIdentityId,
      toName: contactName(invitation.toIdentityId),
      state: invitation.state,
      ...(invitation.error === undefined ? {} : { error: invitation.error }),
      expiresAtMs: invitation.expiresAtMs,
    })),
    nearby: {
      signedIn: collab.nearby.signedIn,
      people: collab.nearby.people().map((person) => ({
        identityId: person.identityId,
        displayName: person.card.displayName,
        colour: person.card.colour,
        isContact: person.isContact,
      })),
    },
    receivedCards: collab.nearby.receivedCards().map((received) => ({
      identityId: received.identityId,
      displayName: received.displayName,
      colour: received.colour,
      link: cardLink(received.bytes, origin),
    })),
    names: names.owned().map((name) => ({
      name: name.name,
      cloud: name.cloud,
      secured: name.secured,
      payloadText: payloadText(name.payload),
      expiresAtMs: name.expiresAtMs,
      published: name.published,
      ...(name.error === undefined ? {} : { error: name.error }),
    })),
    online,
  };
}

/** A resolution as the Names section shows it. */
export function nameResultOf(resolution: Resolution, elapsedMs: number): NameResultView {
  return {
    name: resolution.name,
    records: resolution.records.map((record) => ({
      identityId: record.identityId,
      secured: record.secured,
      endpoints: record.endpoints,
      payloadText: payloadText(record.payload),
      expiresAtMs: record.expiresAtMs,
    })),
    hops: resolution.hops,
    fromCache: resolution.fromCache,
    elapsedMs,
  };
}

/** An avatar colour of one's own, the same in every browser: a hue from the identity id. */
export function colourOf(identityId: string): string {
  let hash = 0;
  for (const char of identityId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  const [r, g, b] = [0, 8, 4].map((n) => {
    const k = (n + hue / 30) % 12;
    const lightness = 0.42;
    const a = 0.55 * Math.min(lightness, 1 - lightness);
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  });
  return `#${[r, g, b].map((value) => (value ?? 0).toString(16).padStart(2, '0')).join('')}`;
}
