import { MycelError } from '../../lib/errors.ts';

/**
 * The part of the DHT that peer names use: store a value under a key, and get every value
 * held under a key. The mesh's `Dht` satisfies it; tests use an in-memory map. Values are
 * opaque here: the DHT checks them with `namePolicy` before storing, and `PeerNames` verifies
 * every value it gets again, since a replica may be hostile.
 */
export interface NameDht {
  /** Stores `value` on the nodes closest to `key`; `stored` counts their acknowledgements. */
  put(
    key: Uint8Array,
    value: Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ readonly stored: number; readonly hops: number }>;
  /** Every value found under `key` (raw, possibly stale or forged) and the hops to the first. */
  get(
    key: Uint8Array,
    options?: { signal?: AbortSignal },
  ): Promise<{ readonly values: readonly Uint8Array[]; readonly hops: number }>;
}

/** A global name was resolved while no `NameDht` is attached: this node is not in a mesh. */
export class NamesOfflineError extends MycelError {
  override name = 'NamesOfflineError';

  constructor() {
    super('Not connected: names can be resolved once this node is in the mesh.', {
      hint: 'Wait until the Network page shows a connection, or resolve in the local cloud.',
    });
  }
}
