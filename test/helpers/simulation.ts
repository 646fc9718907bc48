import { createRandom } from '../../src/lib/random.ts';
import type { MemoryLink } from '../../src/transport/memory/memory-link.ts';
import { MemoryNetwork, type MemoryNetworkInit } from '../../src/transport/memory/memory-network.ts';
import type { MemoryTransport } from '../../src/transport/memory/memory-transport.ts';

/** A network seeded with `seed`; `init` overrides the rest. */
export function seededNetwork(seed: number, init: Omit<MemoryNetworkInit, 'random'> = {}): MemoryNetwork {
  return new MemoryNetwork({ random: createRandom(seed), ...init });
}

/** Started transports for `nodeIds`, one per id, in the same order. */
export async function onlineNodes<const Ids extends readonly string[]>(
  network: MemoryNetwork,
  nodeIds: Ids,
): Promise<{ [K in keyof Ids]: MemoryTransport }> {
  const transports: MemoryTransport[] = [];
  for (const nodeId of nodeIds) {
    const transport = network.createTransport(nodeId);
    await transport.start();
    transports.push(transport);
  }
  // The loop made exactly one transport per id, in order.
  return transports as { [K in keyof Ids]: MemoryTransport };
}

/** Dials `to` from `from`, runs the network until idle, and returns [dialled end, accepted end]. */
export async function linkPair(
  network: MemoryNetwork,
  from: MemoryTransport,
  to: MemoryTransport,
): Promise<[MemoryLink, MemoryLink]> {
  let accepted: MemoryLink | undefined;
  const off = to.on('link', (link) => {
    if (link.remoteNodeId === from.nodeId) accepted = link;
  });
  const dialling = from.dial(to.nodeId);
  await network.runUntilIdle();
  off();
  const dialled = await dialling;
  if (accepted === undefined) throw new Error(`${to.nodeId} accepted no link from ${from.nodeId}.`);
  return [dialled, accepted];
}

/** What `promise` rejected with, or undefined if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Reasons the link reports on `close`, in order. */
export function closeReasons(link: MemoryLink): string[] {
  const reasons: string[] = [];
  link.on('close', ({ reason }) => reasons.push(reason));
  return reasons;
}
