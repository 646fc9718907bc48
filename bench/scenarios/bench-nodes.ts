/**
 * Nodes for the link and mesh page scenarios: an Ed25519 identity made on the spot (no
 * IndexedDB profile: the handshake needs the keys, not their storage) and a PeerJS transport
 * registered on the bench broker.
 */
import { generateSigningKeyPair } from '../../src/core/crypto/ed25519.ts';
import { nodeIdOf, nodeSaltBytes } from '../../src/core/identity/ids.ts';
import { authenticateLink, type AuthenticatedLink } from '../../src/core/mesh/authenticate-link.ts';
import type { LinkSelf } from '../../src/core/mesh/link-handshake.ts';
import type { Link, Transport } from '../../src/core/ports.ts';
import { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import type { BenchBroker } from './mesh-reports.ts';

export interface BenchNode {
  readonly self: LinkSelf;
  readonly nodeId: string;
  readonly transport: PeerJsTransport;
}

class LinkRefusedError extends Error {
  override name = 'LinkRefusedError';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fresh identity, as the link handshake needs it. */
export async function createLinkSelf(): Promise<LinkSelf> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  const nodeSalt = crypto.getRandomValues(new Uint8Array(nodeSaltBytes));
  return { nodeId: await nodeIdOf(publicKey, nodeSalt), publicKey, nodeSalt, signingKey: privateKey };
}

/**
 * A node online on the broker. Create nodes one after another, not all at once: Chromium
 * throttles a burst of WebSocket handshakes.
 */
export async function createBenchNode(broker: BenchBroker): Promise<BenchNode> {
  const self = await createLinkSelf();
  const transport = new PeerJsTransport({
    nodeId: self.nodeId,
    broker: { host: broker.host, port: broker.port, path: broker.path, secure: false },
    iceServers: [],
  });
  await transport.start();
  return { self, nodeId: self.nodeId, transport };
}

/** The next link `transport` accepts. */
export function nextLink(transport: Transport): Promise<Link> {
  return new Promise((resolve) => {
    const off = transport.on('link', (link) => {
      off();
      resolve(link);
    });
  });
}

/** Runs the handshake on `link`; throws if it was refused, since a bench link must not be. */
export async function authenticated(link: Link, self: LinkSelf): Promise<AuthenticatedLink> {
  const result = await authenticateLink(link, self);
  if (!result.ok) throw new LinkRefusedError(`the link handshake was refused: ${result.reason}`);
  return result.value;
}

/**
 * `dial` from one node and accept on `acceptor`, both ends through the handshake; resolves
 * with [dialled end, accepted end] once both passed.
 */
export function authenticatedPair(
  dial: () => Promise<Link>,
  dialler: LinkSelf,
  acceptor: { readonly transport: Transport; readonly self: LinkSelf },
): Promise<[AuthenticatedLink, AuthenticatedLink]> {
  const accepted = nextLink(acceptor.transport).then((link) => authenticated(link, acceptor.self));
  const dialled = dial().then((link) => authenticated(link, dialler));
  return Promise.all([dialled, accepted]);
}

/** RTCPeerConnections the page created, and those the browser refused to create. */
export interface PeerConnectionCount {
  created: number;
  refused: number;
}

const peerConnections: PeerConnectionCount = { created: 0, refused: 0 };

/**
 * Counts every RTCPeerConnection made in this page from now on (peerjs and RtcTransport look
 * the constructor up when they call it). Chromium refuses new ones past 500 per page, and
 * closed ones count until they are garbage collected, so churn shows up here as `refused`.
 */
export function countPeerConnections(): Readonly<PeerConnectionCount> {
  const native = globalThis.RTCPeerConnection;
  if (!Object.hasOwn(native, 'benchCounting')) {
    class CountingPeerConnection extends native {
      static benchCounting = true;
      constructor(configuration?: RTCConfiguration) {
        try {
          super(configuration);
        } catch (error) {
          peerConnections.refused += 1;
          throw error;
        }
        peerConnections.created += 1;
      }
    }
    globalThis.RTCPeerConnection = CountingPeerConnection;
  }
  return peerConnections;
}
