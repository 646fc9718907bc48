import type { Random } from '../../lib/random.ts';
import { DirectPool } from '../mesh/direct-pool.ts';
import type { Mesh } from '../mesh/mesh.ts';
import type { Timers } from '../mesh/timers.ts';
import { Dht } from './dht.ts';
import type { DhtConfig } from './dht-types.ts';
import { MeshCarrier } from './mesh-carrier.ts';
import { namePolicy } from './name-policy.ts';

/** The names DHT of one mesh: the pool of direct links it shares, its carrier, and the DHT. */
export interface MeshDht {
  /** Direct links opened on demand; other protocols (contacts, presence) may send through it. */
  readonly pool: DirectPool;
  readonly carrier: MeshCarrier;
  readonly dht: Dht;
  /** Stops the DHT, removes its handler, and lets go of the pool's links. */
  readonly stop: () => void;
}

/** Starts the peer-name DHT on `mesh` (a new one per mesh: its contacts and links are that mesh's). */
export function startMeshDht(
  mesh: Mesh,
  components: { readonly timers: Timers; readonly random: Random },
  config: Partial<DhtConfig> = {},
): MeshDht {
  const { timers, random } = components;
  const pool = new DirectPool(mesh, timers);
  const carrier = new MeshCarrier(mesh, timers, pool);
  const dht = new Dht({ carrier, timers, random, policy: namePolicy }, config);
  carrier.bind(dht);
  dht.start();
  return {
    pool,
    carrier,
    dht,
    stop: () => {
      dht.stop();
      carrier.stop();
      pool.stop();
    },
  };
}
