import { authenticateLink, type AuthenticatedLink } from '../../src/core/mesh/authenticate-link.ts';
import type { LinkSelf } from '../../src/core/mesh/link-handshake.ts';
import type { Link } from '../../src/core/ports.ts';
import type { TestNode } from './nodes.ts';
import { nextIncomingLink } from './transports.ts';

/** A test node as the link handshake sees itself. */
export function linkSelfOf(node: TestNode): LinkSelf {
  const { publicKey, nodeSalt, signingKey } = node.identity;
  return { nodeId: node.nodeId, publicKey, nodeSalt, signingKey };
}

/** `from` dials `to` through the broker; returns [dialled end, accepted end], not authenticated. */
export async function rawLink(from: TestNode, to: TestNode): Promise<[Link, Link]> {
  const accepted = nextIncomingLink(to.transport);
  const dialled = await from.transport.dial(to.nodeId);
  return [dialled, await accepted];
}

/** `from` dials `to` and both ends authenticate; returns [dialled end, accepted end]. */
export async function authenticatedPair(
  from: TestNode,
  to: TestNode,
): Promise<[AuthenticatedLink, AuthenticatedLink]> {
  const [dialled, accepted] = await rawLink(from, to);
  const [a, b] = await Promise.all([
    authenticateLink(dialled, linkSelfOf(from)),
    authenticateLink(accepted, linkSelfOf(to)),
  ]);
  if (!a.ok || !b.ok) throw new Error(`refused: ${JSON.stringify([a, b])}`);
  return [a.value, b.value];
}
