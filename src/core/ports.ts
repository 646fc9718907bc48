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
  /**
   * The link's DTLS fingerprints, for transports that have them (WebRTC); undefined for a
   * moment after open if the connection's descriptions are not readable yet.
   */
  readonly dtlsFingerprints?: DtlsFingerprints | undefined;
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

/**
 * A graph record as signed and sent (DESIGN.md, Records). A record is named by its creator and
 * id together (`recordKey`), so nobody can take over another author's record by reusing its id.
 */
export interface GraphRecord {
  /** The graph the record belongs to; signed, so a record cannot be replayed into another graph. */
  readonly graphId: string;
  /** What the record is, such as `mycel/presence` or an application type. */
  readonly type: string;
  /** Chosen by the creator: 22 base64url characters of 16 random bytes by default. */
  readonly id: string;
  /** 1 for a new record, one more for every update or deletion. */
  readonly version: number;
  /** Identity id of the record's author; never changes. */
  readonly creator: string;
  /** Identity id of whoever signed this version. */
  readonly modifiedBy: string;
  /** Raw Ed25519 public key of `modifiedBy` (32 bytes). */
  readonly signerKey: Uint8Array;
  readonly createdAtMs: number;
  readonly modifiedAtMs: number;
  /** When the record (or its tombstone) is purged; may be extended, never shortened. */
  readonly expiresAtMs: number;
  /** A tombstone: kept, with empty data, until it expires, so the deletion reaches every node. */
  readonly deleted: boolean;
  /** Small named values the record can be queried by. */
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly data: Uint8Array;
  /** Ed25519 signature by `signerKey` over the record's signable bytes. */
  readonly signature: Uint8Array;
}

/** A record as the store keeps it, with what the node derived from it on arrival. */
export interface StoredRecord {
  /** `recordKey(record)`: `creator/id`. */
  readonly key: string;
  readonly record: GraphRecord;
  /** The first 16 bytes of SHA-256 of the record's encoding: names this version on the wire. */
  readonly hash: Uint8Array;
  /** Size of the record's encoding in bytes. */
  readonly bytes: number;
}

/** A page of a query: records in order, and where the next page starts if there is one. */
export interface RecordPage {
  readonly records: readonly StoredRecord[];
  /** Pass as `after` to get the next page; undefined on the last page. */
  readonly next?: RecordCursor;
}

/** A position in a query's order: the last record of a page. */
export interface RecordCursor {
  readonly createdAtMs: number;
  readonly key: string;
}

/**
 * Which records a query returns, ordered by `createdAtMs` (then key). Every filter is optional;
 * all given ones must match. Tombstones are left out unless `includeDeleted`.
 */
export interface RecordQuery {
  readonly type?: string;
  readonly creator?: string;
  readonly attribute?: { readonly name: string; readonly value: string | number };
  /** Created at or after this time. */
  readonly fromMs?: number;
  /** Created before this time. */
  readonly toMs?: number;
  readonly includeDeleted?: boolean;
  /** Records per page; default 100, at most 1000. */
  readonly limit?: number;
  readonly order?: 'ascending' | 'descending';
  readonly after?: RecordCursor;
}

/**
 * The page size of a query, as every `RecordStore` reads `RecordQuery.limit`: 100 when it
 * names none (a screenful, cheap to read in one go), else clamped to 1..1000 (so one query
 * cannot hold a transaction for long).
 */
export function recordPageLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return 100;
  return Math.min(Math.max(Math.floor(limit), 1), 1000);
}

/** Writes to apply together: all or nothing. */
export interface RecordBatch {
  readonly put: readonly StoredRecord[];
  /** Keys of records to remove (purged after expiry). */
  readonly remove: readonly string[];
}

/** The records of every graph of a profile, kept in IndexedDB in the app. */
export interface RecordStore {
  /** Every record of a graph, for the cold load at open. */
  loadAll(graphId: string): Promise<StoredRecord[]>;
  get(graphId: string, key: string): Promise<StoredRecord | undefined>;
  /** The records of `keys` that exist, in the order of `keys`, read together. */
  getMany(graphId: string, keys: readonly string[]): Promise<StoredRecord[]>;
  /**
   * Applies `batch` in one transaction. Rejects with `StorageFullError` when the browser's
   * quota is exhausted, or with the store's own error; either way nothing of it was written.
   */
  commit(graphId: string, batch: RecordBatch): Promise<void>;
  query(graphId: string, query: RecordQuery): Promise<RecordPage>;
  /** Keys of up to `limit` records whose `expiresAtMs` is at or before `nowMs`, soonest first. */
  expired(graphId: string, nowMs: number, limit: number): Promise<string[]>;
  /** Removes every record of a graph. */
  deleteGraph(graphId: string): Promise<void>;
}

/** Why a download stopped: the user paused it, there was no room to start, storage filled up, or storing failed. */
export type PauseReason = 'user' | 'quota' | 'full' | 'failed';

/** Where a file stands in this browser. */
export type StoredFileState = 'downloading' | 'paused' | 'complete';

/** A file this browser holds blocks of, or wants to: its local state, not its content information. */
export interface StoredFile {
  /** `contentIdOf(size, root)` (`src/core/dist/content-info.ts`). */
  readonly contentId: string;
  /** The group whose `mycel/file` record describes it. */
  readonly groupId: string;
  /** That record's key (`creator/id`). */
  readonly recordKey: string;
  readonly state: StoredFileState;
  /** Why a paused download stopped. */
  readonly pauseReason?: PauseReason;
  readonly addedAtMs: number;
}

/** One block of a file's content. */
export interface StoredBlock {
  readonly index: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** The blocks of shared files and their local state, kept in IndexedDB in the app. */
export interface BlockStore {
  /**
   * Stores blocks of one content in one transaction. Rejects with `StorageFullError` when the
   * browser's quota is exhausted; either way nothing of it was written.
   */
  putBlocks(contentId: string, blocks: readonly StoredBlock[]): Promise<void>;
  getBlock(contentId: string, index: number): Promise<Uint8Array<ArrayBuffer> | undefined>;
  /** Indexes of the blocks held of `contentId`, ascending, read from keys only. */
  heldBlocks(contentId: string): Promise<number[]>;
  /** Deletes every block of `contentId` and its file state. */
  deleteContent(contentId: string): Promise<void>;
  putFile(file: StoredFile): Promise<void>;
  getFile(contentId: string): Promise<StoredFile | undefined>;
  files(): Promise<StoredFile[]>;
}

/** The browser's storage quota (`navigator.storage`), injectable so tests can run out of room. */
export interface StorageQuota {
  /** Bytes free for this origin, or undefined when the browser will not say. */
  available(): Promise<number | undefined>;
  /** Asks the browser to keep this origin's data (`persist()`); whether it will. */
  persist(): Promise<boolean>;
}
