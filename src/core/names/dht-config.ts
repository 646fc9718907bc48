import type { DhtConfig } from './dht-types.ts';
import { maxContactsPerReply, maxDhtValueBytes, maxValuesPerReply } from './dht-messages.ts';

/**
 * The defaults. Replication 5 and k = 8 are smaller than Kademlia's k = 20: browser meshes
 * are hundreds of nodes, not millions, and b = 4 digits keep 15 buckets per level, so the
 * table still holds far more contacts than plain Kademlia's. Republish every 5 minutes (not
 * the paper's hour) because browser tabs come and go within minutes; names live 10 minutes
 * and their owners refresh them well before that.
 */
export const defaultDhtConfig: DhtConfig = {
  replication: 5,
  readQuorum: 3,
  bucketSize: 8,
  bitsPerDigit: 4,
  parallelism: 3,
  requestTimeoutMs: 2_000,
  maxLookupRequests: 64,
  refreshIntervalMs: 15 * 60_000,
  republishIntervalMs: 5 * 60_000,
  sweepIntervalMs: 60_000,
  maintenanceConcurrency: 4,
  maxValueBytes: 2048,
  maxSlotsPerKey: 32,
  maxStoredValues: 20_000,
  storesPerSecond: 5,
  storeBurst: 20,
  lookupsPerSecond: 20,
  lookupBurst: 50,
};

function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`DHT setting ${name} must be an integer in ${min}..${max}, not ${value}.`);
  }
}

/** `init` over the defaults, checked; throws `RangeError` on a setting that cannot work. */
export function resolveDhtConfig(init: Partial<DhtConfig> = {}): DhtConfig {
  const config = { ...defaultDhtConfig, ...init };
  // A reply carries at most `maxContactsPerReply` contacts, so a larger k could never fill up.
  checkInteger('bucketSize', config.bucketSize, 1, maxContactsPerReply);
  checkInteger('replication', config.replication, 1, config.bucketSize);
  checkInteger('readQuorum', config.readQuorum, 1, config.replication);
  if (![1, 2, 4, 8].includes(config.bitsPerDigit)) {
    throw new RangeError(`DHT setting bitsPerDigit must be 1, 2, 4 or 8, not ${config.bitsPerDigit}.`);
  }
  checkInteger('parallelism', config.parallelism, 1, 16);
  checkInteger('maxLookupRequests', config.maxLookupRequests, config.parallelism);
  checkInteger('maintenanceConcurrency', config.maintenanceConcurrency, 1);
  checkInteger('maxValueBytes', config.maxValueBytes, 1, maxDhtValueBytes);
  checkInteger('maxSlotsPerKey', config.maxSlotsPerKey, 1, maxValuesPerReply);
  checkInteger('maxStoredValues', config.maxStoredValues, 1);
  for (const name of [
    'requestTimeoutMs',
    'refreshIntervalMs',
    'republishIntervalMs',
    'sweepIntervalMs',
    'storesPerSecond',
    'storeBurst',
    'lookupsPerSecond',
    'lookupBurst',
  ] as const) {
    checkInteger(name, config[name], 1);
  }
  return config;
}
