import type { Link } from '../../src/core/ports.ts';
import { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import { brokerAddress } from './broker.ts';
import { randomName } from './ids.ts';

/** A PeerJS transport on the harness broker with no ICE servers (nothing leaves the machine). */
export async function brokerTransport(nodeId = randomName('mtest')): Promise<PeerJsTransport> {
  const address = await brokerAddress();
  return new PeerJsTransport({
    nodeId,
    broker: { host: address.host, port: address.port, path: address.path, secure: false },
    iceServers: [],
    reconnectDelayMs: 200,
  });
}

/** The next message on a link. */
export function nextMessage(link: Link): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const off = link.on('message', (message) => {
      off();
      resolve(message);
    });
  });
}

/** The next link a transport accepts. */
export function nextIncomingLink(transport: PeerJsTransport): Promise<Link> {
  return new Promise((resolve) => {
    const off = transport.on('link', (link) => {
      off();
      resolve(link);
    });
  });
}
