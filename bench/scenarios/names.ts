/**
 * Peer name figures, measured in one page: lookup hops in a seeded 500-node simulation over the
 * memory transport, and, over 16 real nodes (WebRTC through the bench broker), fresh resolves
 * of a secured name and the time from a contact's presence change to its watcher's event.
 * Imported by the harness (bench/names.ts) from the bench dev server.
 */
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { startMeshDht, type MeshDht } from '../../src/core/names/mesh-dht.ts';
import { PeerNames } from '../../src/core/names/peer-names.ts';
import { createRandom } from '../../src/lib/random.ts';
import { simulateNames } from '../../test/helpers/names-simulation.ts';
import { formMesh } from './chat-nodes.ts';
import {
  createGraphIdentity,
  deleteDatabases,
  startGraphNode,
  stopGraphNode,
  uniqueRunName,
  type GraphNode,
} from './graph-nodes.ts';
import type {
  NamesMeshOptions,
  NamesMeshReport,
  NamesSimulationOptions,
  NamesSimulationReport,
} from './names-reports.ts';
import { presenceTimes } from './presence.ts';
import { withTimeout } from './timeout.ts';

export async function runNamesSimulation(options: NamesSimulationOptions): Promise<NamesSimulationReport> {
  const startedAt = performance.now();
  const result = await simulateNames({
    seed: options.seed,
    nodes: options.nodes,
    churn: true,
    lookups: options.lookups,
  });
  return {
    hops: result.hops,
    found: result.found,
    missed: result.missed,
    expiredGone: result.expiredGone,
    liveNodes: result.liveNodes,
    meanContacts: result.meanContacts,
    virtualMs: result.virtualMs,
    wallMs: performance.now() - startedAt,
  };
}

/** A bench node with the app's name stack on its mesh. */
export interface NamesNode {
  readonly node: GraphNode;
  readonly meshDht: MeshDht;
  readonly names: PeerNames;
}

function startNames(node: GraphNode, seed: number): NamesNode {
  const timers = realTimeTimers();
  const meshDht = startMeshDht(node.mesh, { timers, random: createRandom(seed) });
  const { identityId, self } = node.identity;
  const names = new PeerNames({
    identity: { identityId, publicKey: self.publicKey, signingKey: self.signingKey },
    timers,
  });
  names.attach(meshDht.dht, node.nodeId);
  return { node, meshDht, names };
}

function stopNames(entry: NamesNode): void {
  entry.names.stop();
  entry.meshDht.stop();
}

const echoProtocol = 'bench/echo/1';

/**
 * Round trips of a small frame from `from` to `to` and back, each way through the nodes' link
 * pools as names and presence send: the baseline of one exchange between two nodes.
 */
async function echoRoundTrips(from: NamesNode, to: NamesNode, count: number): Promise<number[]> {
  let answered: (() => void) | undefined;
  const offs = [
    to.node.mesh.handle(echoProtocol, (peer, body) => {
      void to.meshDht.pool.send(peer.nodeId, echoProtocol, body);
      return undefined;
    }),
    from.node.mesh.handle(echoProtocol, () => {
      answered?.();
      return undefined;
    }),
  ];
  try {
    const times: number[] = [];
    for (let round = 0; round < count; round += 1) {
      const back = new Promise<void>((resolve) => (answered = resolve));
      const startedAt = performance.now();
      await from.meshDht.pool.send(to.node.nodeId, echoProtocol, { n: round });
      await withTimeout(back, 10_000, 'an echo');
      times.push(performance.now() - startedAt);
    }
    return times;
  } finally {
    for (const off of offs) off();
  }
}

export async function runNamesMesh(options: NamesMeshOptions): Promise<NamesMeshReport> {
  const runName = uniqueRunName('bench-names');
  const identities = await Promise.all(
    Array.from({ length: options.nodes }, (_, i) => createGraphIdentity(runName, i)),
  );
  const graphNodes: GraphNode[] = [];
  const entries: NamesNode[] = [];
  try {
    for (const [i, identity] of identities.entries()) {
      graphNodes.push(await startGraphNode(identity, { broker: options.broker, seed: options.seed + i }));
    }
    const meshReadyMs = await formMesh(graphNodes, createRandom(options.seed), options.timeoutMs);
    for (const [i, node] of graphNodes.entries()) entries.push(startNames(node, options.seed * 100 + i));
    const owner = entries[0] as NamesNode;
    const own = await withTimeout(
      owner.names.register('contact', { secured: true }),
      options.timeoutMs,
      'registering the secured name',
    );
    const lookupMs: number[] = [];
    const lookupHops: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      for (const entry of entries.slice(1)) {
        const startedAt = performance.now();
        const found = await withTimeout(
          entry.names.resolve(own.name, { fresh: true }),
          options.timeoutMs,
          'a fresh resolve',
        );
        if (found.records[0]?.endpoints[0] !== owner.node.nodeId)
          throw new Error('a resolve missed the owner');
        lookupMs.push(performance.now() - startedAt);
        lookupHops.push(found.hops);
      }
    }
    const linkRttMs = await echoRoundTrips(entries[2] as NamesNode, owner, options.rounds * 10);
    const presenceMs = await presenceTimes(entries, options);
    const rejections: Record<string, number> = {};
    for (const entry of entries) {
      for (const [reason, count] of Object.entries(entry.meshDht.dht.rejections())) {
        rejections[reason] = (rejections[reason] ?? 0) + count;
      }
    }
    return { lookupMs, lookupHops, linkRttMs, presenceMs, meshReadyMs, rejections };
  } finally {
    for (const entry of entries) stopNames(entry);
    for (const node of graphNodes) stopGraphNode(node);
    await deleteDatabases(identities);
  }
}
