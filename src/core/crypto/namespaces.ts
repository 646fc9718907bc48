/**
 * Purpose namespaces for signatures. Every signature covers `utf8(namespace) || 0x00 || bytes`
 * (see `signedMessage`), so a signature made for one purpose is useless for any other, as in
 * Hypercore's `lib/caps.js`. A namespace never contains a NUL byte, which keeps the prefix
 * unambiguous. Bump the trailing version when a purpose's byte layout changes.
 */
export const SigningNamespaces = {
  /** The link handshake: both sides sign a challenge that includes both DTLS fingerprints. */
  link: 'mycel/link/1',
  /** A graph record (type, id, version, data, ...). */
  record: 'mycel/record/1',
  /** A group invitation signed by an admin. */
  invite: 'mycel/invite/1',
  /** A joiner's acceptance of an invitation, completing a membership certificate. */
  membership: 'mycel/membership/1',
  /** A peer name registration (secured or not: every registration is signed by its registrant). */
  nameRegistration: 'mycel/name/1',
  /** A contact card: display name, key and colour, as its owner shares them. */
  contactCard: 'mycel/card/1',
  /** A throw-away probe proving that a private key matches a public key. */
  identityCheck: 'mycel/identity-check/1',
} as const;

/** One of the registered signing namespaces; add new purposes to `SigningNamespaces`. */
export type SigningNamespace = (typeof SigningNamespaces)[keyof typeof SigningNamespaces];

/**
 * Domains for hashes that derive ids, kept apart from signing namespaces so no hash input can
 * be mistaken for a signed message. Hashed as `utf8(domain) || 0x00 || bytes` like signatures.
 */
export const HashDomains = {
  /** The node id (PeerJS id) of an identity in one browser profile. */
  nodeId: 'mycel/node/1',
  /** A group id, from the owner's public key and a random nonce. */
  groupId: 'mycel/group/1',
  /** An invitation's id as a membership certificate names it. */
  invitation: 'mycel/invitation/1',
  /** A file's content id, from its size and Merkle root. */
  content: 'mycel/content/1',
  /** A peer name's DHT key, from its normalized text. */
  peerName: 'mycel/peer-name/1',
  /** A node's DHT id, from its node id. */
  dhtNode: 'mycel/dht/1',
} as const;

/** One of the registered hash domains. */
export type HashDomain = (typeof HashDomains)[keyof typeof HashDomains];
