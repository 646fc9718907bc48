import { expect } from 'chai';
import { joinMesh } from '../../helpers/graph-nodes.ts';
import {
  createMeshNodes,
  destroyMeshNodes,
  moveMeshNode,
  type MeshTestNode,
} from '../../helpers/mesh-nodes.ts';
import { describeNames, namesNodeOf, stopNames, type NamesTestNode } from '../../helpers/names-nodes.ts';
import { forgedRegistration } from './forgeries.ts';

const nodeCount = 16;

describe('peer names over 16 real nodes (WebRTC, the harness broker)', function () {
  this.timeout(300_000);
  let meshNodes: MeshTestNode[] = [];
  let nodes: NamesTestNode[] = [];

  afterEach(async () => {
    stopNames(nodes);
    await destroyMeshNodes(meshNodes);
    meshNodes = [];
    nodes = [];
  });

  it('a secured name is resolved by all, a forgery is refused, and a new endpoint replaces the old', async () => {
    meshNodes = await createMeshNodes(nodeCount);
    await joinMesh(meshNodes, 7);
    nodes = meshNodes.map((node, i) => namesNodeOf(node, 700 + i));
    const owner = nodes[0] as NamesTestNode;
    const own = await owner.names.register('contact', { secured: true });
    const name = own.name;
    expect(name).to.equal(`${owner.identity.id}.contact`);

    const hops: number[] = [];
    for (const node of nodes.slice(1)) {
      const found = await node.names.resolve(name, { fresh: true });
      expect(
        found.records.map((record) => record.endpoints),
        describeNames(nodes),
      ).to.deep.equal([[owner.nodeId]]);
      expect(found.records[0]?.identityId).to.equal(owner.identity.id);
      hops.push(found.hops);
    }
    console.log(`16 nodes: hops per resolve ${JSON.stringify(hops)}`);

    // Another node signs a registration of the owner's name with its own key, pointing at itself.
    const attacker = nodes[5] as NamesTestNode;
    const stored = await forgedRegistration(attacker, name);
    expect(stored.stored, 'replicas that took the forgery').to.equal(0);
    const refusals = nodes.reduce((sum, node) => sum + (node.dht.rejections()['wrong-authority'] ?? 0), 0);
    expect(refusals, describeNames(nodes)).to.be.greaterThan(0);
    for (const node of nodes.slice(1, 6)) {
      const found = await node.names.resolve(name, { fresh: true });
      expect(found.records.map((record) => record.endpoints)).to.deep.equal([[owner.nodeId]]);
    }

    // The owner comes back in another profile of the same identity: a new node id.
    stopNames([owner]);
    owner.mesh.stop();
    owner.transport.stop();
    const moved = await moveMeshNode(meshNodes[0] as MeshTestNode, 99);
    meshNodes.push(moved);
    await moved.mesh.connect([(nodes[3] as NamesTestNode).nodeId]);
    const back = namesNodeOf(moved, 799);
    nodes = [back, ...nodes.slice(1)];
    await back.names.register('contact', { secured: true });
    for (const node of nodes.slice(1)) {
      const found = await node.names.resolve(name, { fresh: true });
      expect(
        found.records.map((record) => record.endpoints),
        describeNames(nodes),
      ).to.deep.equal([[moved.nodeId]]);
    }
  });
});
