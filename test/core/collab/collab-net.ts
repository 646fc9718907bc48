import { toBase64Url } from '../../../src/lib/bytes.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { generateSigningKeyPair } from '../../../src/core/crypto/ed25519.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import { Collab } from '../../../src/core/collab/collab.ts';
import type {
  CollabCarrier,
  CollabIdentity,
  CollabPeer,
  CollabPreferences,
  NearbyNames,
} from '../../../src/core/collab/collab-types.ts';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';

// An in-memory world for collab tests: nodes with real Ed25519 identities, a carrier that
// hands each body (re-encoded, as the wire would) to the addressee's `receive` with the
// sender's key, a directory standing in for secured names, a shared table standing in for
// the `0.people-nearby` registrations, and one virtual clock for every timer.

/** The epoch every test timeline starts from. */
export const baseMs = 1_700_000_000_000;

/** Preferences in a Map, values copied as IndexedDB would; writes can be made to fail. */
export class MemoryPreferences implements CollabPreferences {
  readonly values = new Map<string, unknown>();
  failWrites = false;

  get(key: string): Promise<unknown> {
    return Promise.resolve(structuredClone(this.values.get(key)));
  }

  set(key: string, value: unknown): Promise<void> {
    if (this.failWrites) return Promise.reject(new Error('QuotaExceededError (test)'));
    this.values.set(key, structuredClone(value));
    return Promise.resolve();
  }
}

/** One registration under a name. */
export interface NameRecord {
  readonly publicKey: Uint8Array;
  readonly endpoints: readonly string[];
  readonly payload: Uint8Array;
}

/** Unsecured names as one shared table: name → registrant key → record. */
export class MemoryNames {
  readonly table = new Map<string, Map<string, NameRecord>>();

  /** The `NearbyNames` of one node, registering with its key and node id. */
  forNode(publicKey: Uint8Array, nodeId: string): NearbyNames {
    const registrant = toBase64Url(publicKey);
    return {
      register: (classifier, options) => {
        this.put(`0.${classifier}`, registrant, { publicKey, endpoints: [nodeId], payload: options.payload });
        return Promise.resolve(`0.${classifier}`);
      },
      unregister: (name) => {
        this.table.get(name)?.delete(registrant);
        return Promise.resolve();
      },
      resolve: (name) => Promise.resolve({ records: [...(this.table.get(name)?.values() ?? [])] }),
    };
  }

  /** Adds a record as anyone could (a hostile one, say). */
  put(name: string, registrant: string, record: NameRecord): void {
    let records = this.table.get(name);
    if (records === undefined) {
      records = new Map();
      this.table.set(name, records);
    }
    records.set(registrant, record);
  }
}

/** A test identity: the collab identity plus its node id. */
export interface TestIdentity extends CollabIdentity {
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly nodeId: string;
}

/** A fresh Ed25519 identity called `name`, with a well-formed node id of its own. */
export async function newIdentity(name: string): Promise<TestIdentity> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const identityId = await identityIdOf(publicKey);
  return {
    identityId,
    publicKey,
    signingKey: privateKey,
    displayName: name,
    nodeId: `m${identityId.slice(0, 32)}`,
  };
}

/** One node of the test world. */
export interface TestNode {
  readonly name: string;
  readonly identity: TestIdentity;
  readonly nodeId: string;
  readonly collab: Collab;
  readonly preferences: MemoryPreferences;
  /** How this node appears to others as a sender. */
  readonly peer: CollabPeer;
}

/** One delivered message and what the receiver said of it. */
export interface Delivery {
  readonly from: string;
  readonly to: string;
  readonly body: WireValue;
  readonly reason: string | undefined;
}

/** Several `Collab` nodes over an in-memory carrier, on one virtual clock. */
export class CollabNet {
  readonly clock = new VirtualClock(baseMs);
  readonly names = new MemoryNames();
  /** Identity id → node ids: what `ResolveContact` answers. */
  readonly directory = new Map<string, string[]>();
  readonly deliveries: Delivery[] = [];
  private readonly nodes = new Map<string, TestNode>();
  private readonly unreachable = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();

  /** Makes and starts a node called `name`, listed in the directory. */
  async addNode(
    name: string,
    preferences = new MemoryPreferences(),
    identity?: TestIdentity,
  ): Promise<TestNode> {
    const id = identity ?? (await newIdentity(name));
    const carrier: CollabCarrier = { send: (to, body) => this.send(id, to, body) };
    const collab = new Collab({
      identity: id,
      colour: '#3366cc',
      preferences,
      carrier,
      resolveContact: (identityId) => Promise.resolve([...(this.directory.get(identityId) ?? [])]),
      names: this.names.forNode(id.publicKey, id.nodeId),
      timers: this.clock,
      random: createRandom(this.nodes.size + 1),
      nodeId: () => id.nodeId,
    });
    const node: TestNode = {
      name,
      identity: id,
      nodeId: id.nodeId,
      collab,
      preferences,
      peer: { nodeId: id.nodeId, publicKey: id.publicKey },
    };
    this.nodes.set(id.nodeId, node);
    this.directory.set(id.identityId, [id.nodeId]);
    await collab.start();
    return node;
  }

  /** Makes `a` and `b` contacts of each other. */
  async befriend(a: TestNode, b: TestNode): Promise<void> {
    await a.collab.contacts.add(b.collab.myCard());
    await b.collab.contacts.add(a.collab.myCard());
    await this.settle();
  }

  /** Cuts a node off: sends to it fail, and its name no longer resolves. */
  disconnect(node: TestNode): void {
    this.unreachable.add(node.nodeId);
    this.directory.delete(node.identity.identityId);
  }

  /** Lets a cut-off node reach and be reached again, and lists it in the directory. */
  reconnect(node: TestNode): void {
    this.unreachable.delete(node.nodeId);
    this.directory.set(node.identity.identityId, [node.nodeId]);
  }

  /** Messages delivered to `to` of type `t`, optionally only from `from`. */
  received(to: TestNode, t: string, from?: TestNode): Delivery[] {
    return this.deliveries.filter(
      (delivery) =>
        delivery.to === to.nodeId &&
        (from === undefined || delivery.from === from.nodeId) &&
        typeof delivery.body === 'object' &&
        delivery.body !== null &&
        !Array.isArray(delivery.body) &&
        !(delivery.body instanceof Uint8Array) &&
        (delivery.body as { readonly [key: string]: WireValue })['t'] === t,
    );
  }

  /**
   * Waits until every message in flight was handled and nothing new started for a few turns
   * of the event loop (Web Crypto answers on real time, outside the virtual clock).
   */
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 3;) {
      if (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
        quiet = 0;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 0));
        quiet++;
      }
    }
  }

  /** Moves virtual time on by `durationMs` in steps, settling the messages after each. */
  async run(durationMs: number, stepMs = 1000): Promise<void> {
    for (let elapsed = 0; elapsed < durationMs; elapsed += stepMs) {
      await this.clock.advance(Math.min(stepMs, durationMs - elapsed));
      await this.settle();
    }
  }

  private send(from: TestIdentity, to: string, body: WireValue): Promise<void> {
    const target = this.nodes.get(to);
    if (target === undefined || this.unreachable.has(to) || this.unreachable.has(from.nodeId)) {
      return Promise.reject(new Error(`${to} is unreachable`));
    }
    // Through the codec, as on a real link: what arrives is a fresh decoded value.
    const wire = decodeCbor(encodeCbor(body));
    const delivery = Promise.resolve()
      .then(() => target.collab.receive({ nodeId: from.nodeId, publicKey: from.publicKey }, wire))
      .then((reason) => {
        this.deliveries.push({ from: from.nodeId, to, body: wire, reason });
      })
      .finally(() => this.inflight.delete(delivery));
    this.inflight.add(delivery);
    return Promise.resolve();
  }
}
