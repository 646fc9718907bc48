import type { Link, StoredIdentity } from '../../src/core/ports.ts';
import { Identities } from '../../src/core/identity/identities.ts';
import { nodeIdOf } from '../../src/core/identity/ids.ts';
import {
  deleteProfileDatabase,
  IdbIdentityStore,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/index.ts';
import { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import { brokerAddress } from './broker.ts';
import { randomName } from './ids.ts';

/** One node of a test page: its own IndexedDB profile, identity and broker transport. */
export interface TestNode {
  readonly profileName: string;
  readonly db: ProfileDatabase;
  readonly identities: Identities;
  readonly identity: StoredIdentity;
  readonly nodeId: string;
  readonly transport: PeerJsTransport;
  /** Links this node accepted, in arrival order. */
  readonly incoming: Link[];
}

/**
 * Creates `count` isolated nodes in this page, each with its own IndexedDB database, a new
 * identity and a transport online on the harness broker. Nodes start one after another:
 * Chromium throttles a burst of WebSocket handshakes.
 */
export async function createTestNodes(count: number): Promise<TestNode[]> {
  const broker = await brokerAddress();
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const profileName = randomName(`test-node-${i}-`);
    const db = await openProfileDatabase(profileName);
    const identities = new Identities({ store: new IdbIdentityStore(db), exportIterations: 1000 });
    const identity = await identities.create(`Node ${i}`);
    const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
    const transport = new PeerJsTransport({
      nodeId,
      broker: { host: broker.host, port: broker.port, path: broker.path, secure: false },
      iceServers: [],
    });
    const incoming: Link[] = [];
    transport.on('link', (link) => incoming.push(link));
    await transport.start();
    nodes.push({ profileName, db, identities, identity, nodeId, transport, incoming });
  }
  return nodes;
}

/** Stops every node and deletes its database. */
export async function destroyTestNodes(nodes: readonly TestNode[]): Promise<void> {
  for (const node of nodes) {
    node.transport.stop();
    node.db.close();
    await deleteProfileDatabase(node.profileName);
  }
}
