/**
 * The interfaces the core needs from the outside world. Adapters in `src/transport/*` and
 * `src/storage/*` implement them; `src/main.ts` wires the concrete ones in.
 */

/** Events of a `Link`. */
export interface LinkEvents {
  /** A whole message arrived from the remote node. */
  message: Uint8Array;
  /** The link closed, from either side; `reason` says why when known. */
  close: { reason: string };
}

/**
 * The DTLS certificate fingerprints of a WebRTC link as each side's SDP announced them
 * (`sha-256 AB:CD:…`). The link handshake signs both, so a broker that swapped them to sit
 * in the middle is caught.
 */
export interface DtlsFingerprints {
  readonly local: string;
  readonly remote: string;
}

/** A reliable, ordered, message-oriented link to one remote node. */
export interface Link extends EventTarget {
  /** Node id of the other end, as the transport was told (not yet authenticated). */
  readonly remoteNodeId: string;
  /** The link's DTLS fingerprints, for transports that have them (WebRTC). */
  readonly dtlsFingerprints?: DtlsFingerprints;
  /** Whether the link is open. */
  readonly open: boolean;
  /**
   * Sends one message. Resolves once the message is queued within the link's high-water
   * mark, so a sender that awaits every call is paced by `bufferedamountlow`.
   */
  send(message: Uint8Array): Promise<void>;
  /** Closes the link; a `close` event follows. */
  close(reason?: string): void;
  on<K extends keyof LinkEvents>(type: K, listener: (detail: LinkEvents[K]) => void): () => void;
}

/** Events of a `Transport`. */
export interface TransportEvents {
  /** A remote node opened a link to this one. */
  link: Link;
  /** The transport's own status changed. */
  status: TransportStatus;
}

/** `online`: reachable for new links; `connecting`; `offline`: not reachable, with a reason. */
export type TransportStatus =
  { state: 'connecting' } | { state: 'online' } | { state: 'offline'; reason: string };

/** Something that opens links to nodes by node id. */
export interface Transport extends EventTarget {
  readonly nodeId: string;
  readonly status: TransportStatus;
  /** Starts listening; resolves once reachable, rejects with a readable error otherwise. */
  start(): Promise<void>;
  /** Opens a link to `nodeId`; rejects if it cannot be opened before `signal` aborts. */
  dial(nodeId: string, signal?: AbortSignal): Promise<Link>;
  /** Closes every link and stops listening. */
  stop(): void;
  /** Signals or offers refused, by reason, for transports that check what peers send them. */
  rejections?(): Record<string, number>;
  on<K extends keyof TransportEvents>(type: K, listener: (detail: TransportEvents[K]) => void): () => void;
}

/** An identity as kept in the profile's store. */
export interface StoredIdentity {
  /** Identity id: lower-case base32 of SHA-256 of `publicKey`. */
  readonly id: string;
  readonly displayName: string;
  /** Raw Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** The Ed25519 private key as a non-extractable CryptoKey: signs, never leaves. */
  readonly signingKey: CryptoKey;
  /**
   * PKCS#8 of the private key sealed (AES-GCM) under the profile's device key, kept only so
   * the user can export the identity; nothing else reads it.
   */
  readonly sealedPrivateKey: {
    readonly iv: Uint8Array<ArrayBuffer>;
    readonly ciphertext: Uint8Array<ArrayBuffer>;
  };
  /** 16 random bytes of this profile, so the same identity has another node id in another browser. */
  readonly nodeSalt: Uint8Array<ArrayBuffer>;
  readonly createdAtMs: number;
}

/** The profile's identities, which one is in use, and the profile's device key. */
export interface IdentityStore {
  list(): Promise<StoredIdentity[]>;
  get(id: string): Promise<StoredIdentity | undefined>;
  put(identity: StoredIdentity): Promise<void>;
  /** Deletes the identity, and clears the current id if it was this one. */
  delete(id: string): Promise<void>;
  currentId(): Promise<string | undefined>;
  setCurrentId(id: string | undefined): Promise<void>;
  /** The profile's non-extractable AES-GCM key that seals private keys for export. */
  deviceKey(): Promise<CryptoKey | undefined>;
  /**
   * In one transaction: stores `newDeviceKey` (the profile's first), the identity, and makes
   * it current; all or nothing. Writes nothing and answers `device-key-exists` if
   * `newDeviceKey` is given but the profile already has one (another tab made it first).
   */
  addAndUse(identity: StoredIdentity, newDeviceKey?: CryptoKey): Promise<'added' | 'device-key-exists'>;
}

/** Small structured-clonable values by name (settings and the like). */
export interface PreferenceStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** Wall-clock time, injectable so simulations and tests control it. */
export interface Clock {
  nowMs(): number;
}

/** One step of a WebRTC negotiation, carried between two nodes over the mesh. */
export type SignalMessage =
  | { readonly type: 'offer'; readonly call: string; readonly sdp: string }
  | { readonly type: 'answer'; readonly call: string; readonly sdp: string }
  | {
      readonly type: 'candidate';
      readonly call: string;
      readonly candidate: string;
      readonly sdpMid?: string;
      readonly sdpMLineIndex?: number;
    };

/** Events of a `Signaller`. */
export interface SignallerEvents {
  /**
   * A schema-checked signal addressed to this node. `from` is what the relays say: it is not
   * proven, so the link it leads to must pass the link handshake before it carries anything.
   */
  signal: { readonly from: string; readonly message: SignalMessage };
}

/** Carries signals to nodes that may be several hops away. */
export interface Signaller extends EventTarget {
  /** Sends `message` towards `to`; false if there is no way to send it now. Never throws. */
  send(to: string, message: SignalMessage): boolean;
  on<K extends keyof SignallerEvents>(type: K, listener: (detail: SignallerEvents[K]) => void): () => void;
}
