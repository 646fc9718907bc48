import { sign } from '../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../src/core/crypto/namespaces.ts';
import { graphMessage, graphProtocol } from '../../src/core/graph/graph-messages.ts';
import type { ReconcileRejectReason } from '../../src/core/graph/reconcile/reconcile-messages.ts';
import {
  decodeRecord,
  recordHash,
  recordKey,
  recordToWire,
  signableBytes,
  storedRecord,
} from '../../src/core/graph/record-codec.ts';
import type { UnsignedRecord } from '../../src/core/graph/security.ts';
import { newRecordId } from '../../src/core/graph/signed-records.ts';
import type { GraphRecord, Link, StoredRecord } from '../../src/core/ports.ts';
import { encodeCbor, type WireValue } from '../../src/core/wire/cbor.ts';
import type { FrameKind } from '../../src/core/wire/frame.ts';
import { parse } from '../../src/core/wire/schema.ts';
import { equalBytes, utf8 } from '../../src/lib/bytes.ts';
import { openGraphOn, type GraphTestNode } from './graph-nodes.ts';
import { waitFor, type MeshTestNode } from './mesh-nodes.ts';

/** A graph body that reached the attacker, and from whom. */
export interface HeardBody {
  readonly from: string;
  readonly body: WireValue;
}

/**
 * A mesh node that speaks the graph protocol by hand, with no `GraphHub`, so it can send what
 * an honest graph never would: forged, stale, oversize or malformed parts. It sits on a real
 * authenticated session, so everything it sends crosses the victim's whole receive path.
 */
export class GraphAttacker {
  readonly node: MeshTestNode;
  /** Every graph body heard, in arrival order. */
  readonly heard: HeardBody[] = [];
  private readonly unhandle: () => void;

  constructor(node: MeshTestNode) {
    this.node = node;
    this.unhandle = node.mesh.handle(graphProtocol, (from, body) => {
      this.heard.push({ from: from.nodeId, body });
      return undefined;
    });
  }

  get nodeId(): string {
    return this.node.nodeId;
  }

  /** Sends one body of the graph protocol as it is. */
  send(to: string, body: WireValue, kind: FrameKind = 'control'): Promise<void> {
    return this.node.mesh.sendTo(to, graphProtocol, body, kind);
  }

  /** Greets `victim` for its graph and waits until the victim takes this node as a graph neighbour. */
  async join(victim: GraphTestNode): Promise<void> {
    await this.send(victim.nodeId, { g: victim.graph.graphId, t: 'hello', reply: false });
    await waitFor(
      () => victim.graph.graphNeighbors().includes(this.nodeId),
      'the victim to take the attacker into its graph',
    );
  }

  /** Pushes `payload` to `to` as a Plumtree GOSSIP of `graphId`, named `id` (its hash unless told). */
  gossip(
    to: string,
    graphId: string,
    payload: Uint8Array,
    id: Uint8Array = recordHash(payload),
  ): Promise<void> {
    const m = { type: 'gossip', id, root: this.nodeId, round: 0, payload };
    return this.send(to, { g: graphId, t: 'tree', m }, 'bulk');
  }

  /** Sends `records` as the last frame of an answer to want `seq`, asked for or not. */
  records(to: string, graphId: string, seq: number, records: readonly Uint8Array[]): Promise<void> {
    return this.send(to, { g: graphId, t: 'records', seq, records: [...records], last: true }, 'bulk');
  }

  /** Sends reconciliation message `m` in a round of this node's own, in a bulk frame so any size fits. */
  sync(to: string, graphId: string, round: number, m: WireValue): Promise<void> {
    return this.send(to, { g: graphId, t: 'sync', round, own: true, m }, 'bulk');
  }

  /**
   * Offers `offered` to `to` by synchronisation, waits for the want that asks for any of them
   * and answers it with `records` in one last frame (they need not be what was offered).
   * Resolves with the want's sequence number.
   */
  async serve(
    to: string,
    graphId: string,
    offered: readonly Uint8Array[],
    records: readonly Uint8Array[],
  ): Promise<number> {
    const since = this.heard.length;
    await this.send(to, { g: graphId, t: 'offer', ids: [...offered] });
    let seq: number | undefined;
    await waitFor(() => {
      seq = this.wantFrom(to, graphId, offered, since);
      return seq !== undefined;
    }, 'a want for the offered records');
    if (seq === undefined) throw new Error('no want');
    await this.records(to, graphId, seq, records);
    return seq;
  }

  /** A new record of this node's identity in `graphId`, unsigned, with `changes` applied. */
  draft(graphId: string, changes: Partial<UnsignedRecord> = {}): UnsignedRecord {
    const { id, publicKey } = this.node.identity;
    const nowMs = Math.floor(Date.now());
    return {
      graphId,
      type: 'test/note',
      id: newRecordId(),
      version: 1,
      creator: id,
      modifiedBy: id,
      signerKey: publicKey,
      createdAtMs: nowMs,
      modifiedAtMs: nowMs,
      expiresAtMs: nowMs + 3_600_000,
      deleted: false,
      attributes: {},
      data: utf8('from the attacker'),
      ...changes,
    };
  }

  /**
   * Signs `unsigned` with this node's key (or `signingKey`) whoever it claims as author, and
   * encodes it with no size check: what `signRecord` and `encodeRecord` would refuse to make.
   */
  async forge(
    unsigned: UnsignedRecord,
    signingKey: CryptoKey = this.node.identity.signingKey,
  ): Promise<Uint8Array> {
    const signature = await sign(signingKey, SigningNamespaces.record, signableBytes(unsigned));
    return encodeCbor(recordToWire({ ...unsigned, signature }));
  }

  /**
   * The link `victimId` dialled to this node through the broker: bytes sent on it skip this
   * node's session, so they can be frames no session would encode.
   */
  rawLinkFrom(victimId: string): Link {
    const link = this.node.incoming.find(
      (candidate) => candidate.remoteNodeId === victimId && candidate.open,
    );
    if (link === undefined) throw new Error(`no open broker link from ${victimId}`);
    return link;
  }

  /** The rounds this node started that `victimId` answered (`sync` or `synced` back), in order. */
  answeredRounds(victimId: string): number[] {
    return this.heard.flatMap(({ from, body }) => {
      const parsed = parse(graphMessage, body);
      if (from !== victimId || !parsed.ok) return [];
      const part = parsed.value;
      return (part.t === 'sync' || part.t === 'synced') && !part.own ? [part.round] : [];
    });
  }

  /** Stops listening to the graph protocol. */
  stop(): void {
    this.unhandle();
  }

  private wantFrom(
    from: string,
    graphId: string,
    ids: readonly Uint8Array[],
    since: number,
  ): number | undefined {
    for (const { from: sender, body } of this.heard.slice(since)) {
      const parsed = parse(graphMessage, body);
      if (sender !== from || !parsed.ok || parsed.value.g !== graphId || parsed.value.t !== 'want') continue;
      const asked = parsed.value.ids;
      if (asked.some((id) => ids.some((offered) => equalBytes(id, offered)))) return parsed.value.seq;
    }
    return undefined;
  }
}

/** A victim and an honest node with the test graph open, and an attacker in the victim's graph. */
export interface HostileScene {
  readonly victim: GraphTestNode;
  readonly honest: GraphTestNode;
  readonly attacker: GraphAttacker;
}

/**
 * Joins three started mesh nodes (victim, honest, attacker) and opens the test graph on the
 * first two; the attacker joins the victim's graph by hand. The victim dials the attacker
 * first, while it has no link yet, so that link goes through the broker and the attacker holds
 * its raw end (`rawLinkFrom`).
 */
export async function hostileScene(nodes: readonly MeshTestNode[]): Promise<HostileScene> {
  const [a, b, m] = nodes;
  if (a === undefined || b === undefined || m === undefined) throw new Error('three mesh nodes');
  // A failed connect keeps retrying the same ids by itself, so waiting is enough.
  await a.mesh.connect([m.nodeId]);
  await waitFor(() => a.mesh.neighbors().includes(m.nodeId), 'the victim to reach the attacker');
  await b.mesh.connect([a.nodeId]);
  await waitFor(() => a.mesh.neighbors().includes(b.nodeId), 'the honest node to reach the victim');
  // Before the graphs open, so their hellos to the attacker find a handler.
  const attacker = new GraphAttacker(m);
  const victim = await openGraphOn(a);
  const honest = await openGraphOn(b);
  await waitFor(
    () =>
      victim.graph.graphNeighbors().includes(b.nodeId) && honest.graph.graphNeighbors().includes(a.nodeId),
    'the honest pair to share the graph',
  );
  await attacker.join(victim);
  return { victim, honest, attacker };
}

/** Every record of `node`'s graph as `key@version`, sorted: what its store holds. */
export async function storedVersions(node: GraphTestNode): Promise<string[]> {
  const all = await node.store.loadAll(node.graph.graphId);
  return all.map(({ key, record }) => `${key}@${record.version}`).sort();
}

/** Writes a record on `from` and waits until `to` reports it: the pair still replicates. */
export async function expectReplicates(from: GraphTestNode, to: GraphTestNode): Promise<void> {
  const seen = new Set<string>();
  const off = to.graph.on('record-changed', ({ record }) => seen.add(record.key));
  try {
    const written = await from.graph.add({ type: 'test/note', data: utf8('written after the attack') });
    await waitFor(() => seen.has(written.key), 'an honest record to replicate after the attack');
  } finally {
    off();
  }
}

/** The refusals of the graph protocol that `node`'s sessions counted, by reason. */
export function graphRefusals(node: MeshTestNode): Record<string, number> {
  return Object.fromEntries(
    Object.entries(node.mesh.rejections()).filter(([reason]) => reason.startsWith('graph:')),
  );
}

/** How many times each name occurs in `names`. */
export function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** The sum of `counts`. */
export function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** Counts, from now on, each `key@version` that `node` reports as changed. */
export function watchReports(node: GraphTestNode): Map<string, number> {
  const reports = new Map<string, number>();
  node.graph.on('record-changed', ({ record }) => {
    const name = `${record.key}@${record.record.version}`;
    reports.set(name, (reports.get(name) ?? 0) + 1);
  });
  return reports;
}

function decoded(encoded: Uint8Array): GraphRecord {
  const result = decodeRecord(encoded);
  if (!result.ok) throw new Error(`not a record: ${result.reason}`);
  return result.record;
}

/** `encoded` with `changes` and its old signature: what a tampering relay would send. */
export function tamper(encoded: Uint8Array, changes: Partial<GraphRecord>): Uint8Array {
  return encodeCbor(recordToWire({ ...decoded(encoded), ...changes }));
}

/** The key an encoded record is stored under. */
export function keyOf(encoded: Uint8Array): string {
  return recordKey(decoded(encoded));
}

/** An encoded record as a store keeps it, to put in a store directly. */
export function storedOf(encoded: Uint8Array): StoredRecord {
  return storedRecord(decoded(encoded), encoded);
}

/** `record` without its signature, to sign again as someone else. */
export function unsignedOf(record: GraphRecord): UnsignedRecord {
  const { signature, ...unsigned } = record;
  return unsigned;
}

/**
 * Reconciliation messages a peer must refuse, each with the reason `parseReconcileMessage`
 * gives. One is over 16 KiB: send them in bulk frames.
 */
export function malformedReconcileMessages(): (readonly [WireValue, ReconcileRejectReason])[] {
  const id = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff, ...new Uint8Array(14));
  return [
    ['garbage', 'bad-schema'],
    [{ ranges: [] }, 'bad-schema'],
    [{ ranges: [{ t: -5 }, {}] }, 'bad-schema'],
    [{ ranges: [{ q: 1 }] }, 'bad-schema'],
    [{ ranges: [{ t: 5 }] }, 'bad-bounds'], // stops short of the end of the space
    [{ ranges: [{ t: 5 }, { t: 0 }, {}] }, 'bad-bounds'], // a bound equal to the one before
    // Bounds out of order: (5, 09) then (5, 01).
    [{ ranges: [{ t: 5, p: Uint8Array.of(9) }, { t: 0, p: Uint8Array.of(1) }, {}] }, 'bad-bounds'],
    [{ ranges: [{}, {}] }, 'bad-bounds'], // a range after the end
    [{ ranges: [{ p: Uint8Array.of(1) }, {}] }, 'bad-bounds'], // an id prefix with no time
    [{ ranges: [{ i: [id(1), id(1)] }] }, 'duplicate-ids'],
    [{ ranges: [{ i: Array.from({ length: 1001 }, (_, n) => id(n)) }] }, 'too-many-ids'],
    [{ ranges: [...Array.from({ length: 1000 }, () => ({ t: 1 })), {}] }, 'too-many-ranges'],
  ];
}

/** Bodies of the graph protocol that fit none of its messages. */
export function garbageGraphBodies(graphId: string): WireValue[] {
  return [
    42,
    'hello',
    null,
    [1, 2, 3],
    Uint8Array.of(1, 2),
    {},
    { g: graphId },
    { t: 'hello', reply: false },
    { g: 'Not A Graph!', t: 'hello', reply: false },
    { g: graphId, t: 'shout' },
    { g: graphId, t: 'hello', reply: 'yes' },
    { g: graphId, t: 'bye', extra: 1 },
    { g: graphId, t: 'want', seq: 0, ids: [] },
    { g: graphId, t: 'offer', ids: [Uint8Array.of(1)] },
    { g: graphId, t: 'records', seq: -1, records: [], last: true },
  ];
}
