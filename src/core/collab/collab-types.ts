import type { WireValue } from '../wire/cbor.ts';

// The ports of the collaboration core, as in Windows Peer Collaboration: contacts, presence,
// invitations and people nearby need a way to reach a node, a way to find where an identity
// is now, peer names for "people nearby", and a place to keep small values. The integrator
// connects them to the mesh, the names layer and the preference store; tests use in-memory ones.

/** Sends collab messages (protocol 'mycel/collab/1') to a node, opening a direct link if needed; rejects when unreachable. */
export interface CollabCarrier {
  send(nodeId: string, body: WireValue): Promise<void>;
}

/** Where an identity's node is now: resolves its secured name `${identityId}.contact` (fresh), [] when not found. */
export type ResolveContact = (identityId: string) => Promise<readonly string[]>;

/** The sender of a received message, as the authenticated link proved it. */
export interface CollabPeer {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
}

/** What `Nearby` needs of peer names (the integrator passes PeerNames). */
export interface NearbyNames {
  register(classifier: string, options: { secured: false; payload: Uint8Array }): Promise<unknown>;
  unregister(name: string): Promise<void>;
  resolve(
    name: string,
    options: { fresh: true },
  ): Promise<{
    readonly records: readonly {
      readonly publicKey: Uint8Array;
      readonly endpoints: readonly string[];
      readonly payload: Uint8Array;
    }[];
  }>;
}

/** Small structured-clonable values by name (the app's PreferenceStore). */
export interface CollabPreferences {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** The identity the collaboration core acts for (the current `StoredIdentity`). */
export interface CollabIdentity {
  /** Identity id: lower-case base32 of SHA-256 of `publicKey` (see `identityIdOf`). */
  readonly identityId: string;
  /** Raw Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** The private key that signs this identity's contact card. */
  readonly signingKey: CryptoKey;
  readonly displayName: string;
}

/**
 * Counts one refusal by reason, for refusals that happen outside `Collab.receive` (a name
 * record with a bad card, say), so they show in `Collab.rejections()` with the others.
 */
export type CountRejection = (reason: string) => void;

/** Which part of what the UI shows changed. */
export type CollabPart = 'me' | 'contacts' | 'presence' | 'invitations' | 'nearby' | 'cards';
