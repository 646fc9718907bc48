import type { TypedEventTarget } from '../lib/events.ts';

/** A presence status, as Windows Peer Collaboration names them. */
export type PresenceStatus = 'online' | 'away' | 'busy' | 'brb' | 'offline';

/** A status and its free text (at most 255 characters). */
export interface PresenceView {
  readonly status: PresenceStatus;
  readonly text: string;
}

/** One contact as the Contacts page lists it. */
export interface ContactView {
  readonly identityId: string;
  /** The nickname given here, or else the name on their card. */
  readonly displayName: string;
  /** The name on their card. */
  readonly cardName: string;
  readonly colour: string;
  /** Their presence as last heard; `offline` when unreachable or not watched. */
  readonly presence: PresenceView;
  /** Whether this node watches their presence. */
  readonly watched: boolean;
  /** Whether they are blocked from watching this node's presence. */
  readonly blocked: boolean;
  readonly addedAtMs: number;
}

/** A contact card read from a link, before it is added. */
export interface CardPreview {
  readonly identityId: string;
  readonly displayName: string;
  readonly colour: string;
  /** Whether this identity is already a contact (adding again updates the card). */
  readonly known: boolean;
  /** Whether the card is this node's own. */
  readonly own: boolean;
}

/** An invitation into a group that a contact (or a stranger) sent straight to this node. */
export interface IncomingInvitationView {
  readonly id: string;
  readonly groupName: string;
  readonly fromName: string;
  readonly fromIdentityId: string;
  /** False when the sender is not a contact: the UI asks for an extra confirmation. */
  readonly fromContact: boolean;
  readonly expiresAtMs: number;
}

/** An invitation this node sent, and what became of it. */
export interface OutgoingInvitationView {
  readonly id: string;
  readonly groupName: string;
  readonly toIdentityId: string;
  readonly toName: string;
  readonly state: 'pending' | 'accepted' | 'declined' | 'expired' | 'failed';
  /** Why it failed, for the user. */
  readonly error?: string;
  readonly expiresAtMs: number;
}

/** Someone signed in to "people nearby". */
export interface NearbyPersonView {
  readonly identityId: string;
  readonly displayName: string;
  readonly colour: string;
  readonly isContact: boolean;
}

/** A contact card someone sent this node (from "people nearby"). */
export interface ReceivedCardView {
  readonly identityId: string;
  readonly displayName: string;
  readonly colour: string;
  /** The card's link, to add the contact. */
  readonly link: string;
}

/** Where a name lives: every node reachable through the mesh, or the tabs of this browser. */
export type NameCloud = 'global' | 'local';

/** A name this node registered. */
export interface OwnNameView {
  readonly name: string;
  readonly cloud: NameCloud;
  readonly secured: boolean;
  readonly payloadText: string;
  readonly expiresAtMs: number;
  readonly published: boolean;
  readonly error?: string;
}

/** One registration a resolve returned. */
export interface NameRecordView {
  readonly identityId: string;
  readonly secured: boolean;
  readonly endpoints: readonly string[];
  readonly payloadText: string;
  readonly expiresAtMs: number;
}

/** What a resolve found. */
export interface NameResultView {
  readonly name: string;
  readonly records: readonly NameRecordView[];
  readonly hops: number;
  readonly fromCache: boolean;
  readonly elapsedMs: number;
}

/** Everything the Contacts page, the presence selector and the Names section show. */
export interface CollabState {
  /** This node's card as a link (to copy or show as a QR code), and its secured peer name. */
  readonly me: { readonly link: string; readonly peerName: string; readonly colour: string };
  readonly presence: PresenceView;
  readonly contacts: readonly ContactView[];
  readonly incoming: readonly IncomingInvitationView[];
  readonly outgoing: readonly OutgoingInvitationView[];
  readonly nearby: { readonly signedIn: boolean; readonly people: readonly NearbyPersonView[] };
  readonly receivedCards: readonly ReceivedCardView[];
  readonly names: readonly OwnNameView[];
  /** Whether the node is in the mesh (names resolve, invitations can be sent). */
  readonly online: boolean;
}

/**
 * The app layer of contacts, presence, invitations, people nearby and peer names: what views
 * call. Emits `changed` with a new `CollabState` after anything changes. Methods reject with an
 * error whose message is written for the user.
 */
export interface CollabApi extends TypedEventTarget<{ changed: CollabState }> {
  readonly state: CollabState;
  setPresence(status: PresenceStatus, text: string): Promise<void>;
  previewCard(link: string): Promise<CardPreview>;
  addContact(link: string): Promise<ContactView>;
  renameContact(identityId: string, nickname: string): Promise<void>;
  deleteContact(identityId: string): Promise<void>;
  setBlocked(identityId: string, blocked: boolean): Promise<void>;
  setWatched(identityId: string, watched: boolean): Promise<void>;
  exportContacts(): Promise<{ readonly name: string; readonly bytes: Uint8Array<ArrayBuffer> }>;
  /** Sends a contact an invitation into one of this identity's groups. */
  inviteToGroup(identityId: string, groupId: string): Promise<void>;
  /** Accepts (joining the group; resolves its id) or declines an incoming invitation. */
  answerInvitation(id: string, accept: boolean): Promise<string | undefined>;
  dismissOutgoing(id: string): void;
  signInNearby(): Promise<void>;
  signOutNearby(): Promise<void>;
  sendCardTo(identityId: string): Promise<void>;
  dismissCard(identityId: string): void;
  /** Registers a name in the `global` cloud (the DHT) or the `local` one (this browser's tabs). */
  registerName(
    classifier: string,
    options: { secured: boolean; payloadText: string; cloud: NameCloud },
  ): Promise<void>;
  unregisterName(name: string): Promise<void>;
  resolveName(name: string, cloud: NameCloud): Promise<NameResultView>;
}
