import { expect } from 'chai';
import { graphProtocol } from '../../../src/core/graph/graph-messages.ts';
import {
  encodeRecord,
  maxRecordBytes,
  recordHash,
  recordKey,
  recordToWire,
} from '../../../src/core/graph/record-codec.ts';
import { encodeCbor } from '../../../src/core/wire/cbor.ts';
import { encodeFrame } from '../../../src/core/wire/frame.ts';
import { utf8 } from '../../../src/lib/bytes.ts';
import {
  expectReplicates,
  garbageGraphBodies,
  graphRefusals,
  hostileScene,
  keyOf,
  malformedReconcileMessages,
  storedOf,
  storedVersions,
  tally,
  tamper,
  total,
  unsignedOf,
  watchReports,
  type HostileScene,
} from '../../helpers/graph-attacker.ts';
import { closeGraphs, signedRecordsOf, testGraphId as graphId } from '../../helpers/graph-nodes.ts';
import { createMeshNodes, destroyMeshNodes, waitFor, type MeshTestNode } from '../../helpers/mesh-nodes.ts';

describe('a graph under a hostile neighbour, over real WebRTC and IndexedDB', function () {
  this.timeout(120_000);
  let nodes: MeshTestNode[] = [];
  let scene: HostileScene | undefined;

  async function setUp(): Promise<HostileScene> {
    nodes = await createMeshNodes(3);
    scene = await hostileScene(nodes);
    return scene;
  }

  /**
   * The honest pair refused nothing, still share the graph and replicate both ways, and the
   * honest node holds nothing the victim does not.
   */
  async function expectHonestUnaffected(): Promise<void> {
    if (scene === undefined) throw new Error('no scene');
    const { victim, honest } = scene;
    expect(honest.graph.rejections(), 'refusals of the honest node').to.deep.equal({});
    expect(victim.graph.graphNeighbors()).to.include(honest.nodeId);
    await expectReplicates(honest, victim);
    await expectReplicates(victim, honest);
    const victimHolds = new Set(await storedVersions(victim));
    const extra = (await storedVersions(honest)).filter((name) => !victimHolds.has(name));
    expect(extra, 'records only the honest node holds').to.deep.equal([]);
  }

  afterEach(async () => {
    if (scene !== undefined) {
      closeGraphs([scene.victim, scene.honest]);
      scene.attacker.stop();
    }
    await destroyMeshNodes(nodes);
    nodes = [];
    scene = undefined;
  });

  it('refuses forged and tampered signatures, by broadcast and by sync, and stores none of them', async () => {
    const { victim, honest, attacker } = await setUp();
    const original = await honest.graph.add({ type: 'test/note', data: utf8('honest') });
    await waitFor(() => victim.graph.recordCount === 1, 'the honest record to reach the victim');
    const before = await storedVersions(victim);
    const them = honest.identity;
    const claimsThem = { creator: them.id, modifiedBy: them.id };
    // Each forgery, and the reason it is refused for.
    const reasons = ['bad-signature', 'signer-mismatch', 'bad-signature', 'not-creator'];
    const forged = [
      // Their id and key, the attacker's signature.
      await attacker.forge(attacker.draft(graphId, { ...claimsThem, signerKey: them.publicKey })),
      // Their id, the attacker's key and signature.
      await attacker.forge(attacker.draft(graphId, claimsThem)),
      // A record of the attacker's own, changed after it was signed.
      tamper(await attacker.forge(attacker.draft(graphId)), { data: utf8('changed after signing') }),
      // A validly signed next version of someone else's record.
      await attacker.forge({
        ...unsignedOf(original.record),
        version: 2,
        modifiedBy: attacker.node.identity.id,
        signerKey: attacker.node.identity.publicKey,
        modifiedAtMs: original.record.modifiedAtMs + 1,
        data: utf8('taken over'),
      }),
    ];
    // The session holds against the link only what the sender could have checked itself:
    // whether someone else's record may change depends on the security provider's rules.
    const blamed = reasons.filter((reason) => reason !== 'not-creator').map((reason) => `graph:${reason}`);
    for (const record of forged) await attacker.gossip(victim.nodeId, graphId, record);
    await waitFor(() => total(victim.graph.rejections()) === 4, 'four refusals by broadcast');
    expect(victim.graph.rejections()).to.deep.equal(tally(reasons));
    await waitFor(() => total(graphRefusals(victim)) === 3, 'three blamed on the link by broadcast');
    // By sync, one want each.
    for (const record of forged) await attacker.serve(victim.nodeId, graphId, [recordHash(record)], [record]);
    await waitFor(
      () => total(graphRefusals(victim)) === 6 && total(victim.graph.rejections()) === 8,
      'four more refusals by sync, three of them blamed',
    );
    expect(graphRefusals(victim)).to.deep.equal(tally([...blamed, ...blamed]));
    expect(victim.graph.rejections()).to.deep.equal(tally([...reasons, ...reasons]));
    expect(await storedVersions(victim)).to.deep.equal(before);
    expect((await victim.graph.get(original.key))?.record.data).to.deep.equal(utf8('honest'));
    await expectHonestUnaffected();
  });

  it("keeps the newer version when an author's own older version is replayed, blaming nobody", async () => {
    const { victim, honest, attacker } = await setUp();
    const reports = watchReports(victim);
    const first = await honest.graph.add({ type: 'test/note', data: utf8('first') });
    const old = encodeRecord(first.record);
    await honest.graph.update(first.key, { data: utf8('second') });
    await waitFor(() => reports.get(`${first.key}@2`) === 1, 'version 2 to reach the victim');
    // Dropped as seen (the victim had version 1 once) or judged superseded: either way not blamed.
    const judged = (): number =>
      victim.graph.broadcastStats().rejected + victim.graph.broadcastStats().duplicates;
    const before = judged();
    await attacker.gossip(victim.nodeId, graphId, old);
    await waitFor(() => judged() > before, 'the replay to be judged');
    expect(victim.graph.rejections(), 'a superseded version is no offence').to.deep.equal({});
    // By sync, riding with a tampered record: once that one is counted, both were judged.
    const marker = tamper(await attacker.forge(attacker.draft(graphId)), { data: utf8('marker') });
    await attacker.serve(victim.nodeId, graphId, [recordHash(old)], [old, marker]);
    await waitFor(() => total(graphRefusals(victim)) === 1, 'the frame to be judged');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:bad-signature': 1 });
    expect(victim.graph.rejections()).to.deep.equal({ 'bad-signature': 1 });
    expect((await victim.graph.get(first.key))?.record.version).to.equal(2);
    expect(await storedVersions(victim)).to.deep.equal([`${first.key}@2`]);
    expect(Object.fromEntries(reports)).to.deep.equal({ [`${first.key}@1`]: 1, [`${first.key}@2`]: 1 });
    await expectHonestUnaffected();
  });

  it('refuses a next version that shortens the expiry, by broadcast and by sync', async () => {
    const { victim, attacker } = await setUp();
    const first = attacker.draft(graphId);
    await attacker.gossip(victim.nodeId, graphId, await attacker.forge(first));
    await waitFor(() => victim.graph.recordCount === 1, 'version 1 to be stored');
    const shorter = await attacker.forge({
      ...first,
      version: 2,
      modifiedAtMs: first.modifiedAtMs + 1,
      expiresAtMs: first.expiresAtMs - 1_800_000,
      data: utf8('expires sooner'),
    });
    await attacker.gossip(victim.nodeId, graphId, shorter);
    await waitFor(() => total(victim.graph.rejections()) === 1, 'the refusal by broadcast');
    await attacker.serve(victim.nodeId, graphId, [recordHash(shorter)], [shorter]);
    // Whether the sender is blamed as well is the business of the relay test below.
    await waitFor(() => total(victim.graph.rejections()) === 2, 'the refusal by sync');
    expect(victim.graph.rejections()).to.deep.equal({ 'expiry-shortened': 2 });
    const kept = await victim.graph.get(recordKey(first));
    expect(kept?.record.version).to.equal(1);
    expect(kept?.record.expiresAtMs).to.equal(first.expiresAtMs);
    await expectHonestUnaffected();
  });

  it('stores and reports a replayed record once, by broadcast and by sync', async () => {
    const { victim, honest, attacker } = await setUp();
    const reports = watchReports(victim);
    const honestReports = watchReports(honest);
    const record = await attacker.forge(attacker.draft(graphId));
    const name = `${keyOf(record)}@1`;
    const duplicates = victim.graph.broadcastStats().duplicates;
    await Promise.all([
      attacker.gossip(victim.nodeId, graphId, record),
      attacker.gossip(victim.nodeId, graphId, record),
    ]);
    await waitFor(() => reports.get(name) === 1, 'the record to be stored');
    await attacker.gossip(victim.nodeId, graphId, record);
    await waitFor(() => victim.graph.broadcastStats().duplicates === duplicates + 2, 'two duplicates');
    // By sync: offered with a new record, the old one comes along unasked.
    const fresh = await attacker.forge(attacker.draft(graphId));
    await attacker.serve(victim.nodeId, graphId, [recordHash(record), recordHash(fresh)], [record, fresh]);
    await waitFor(() => reports.get(`${keyOf(fresh)}@1`) === 1, 'the new record to be stored');
    await waitFor(() => honestReports.get(name) === 1, 'the broadcast record to reach the honest node');
    expect(reports.get(name)).to.equal(1);
    expect(honestReports.get(name)).to.equal(1);
    expect(victim.graph.rejections()).to.deep.equal({});
    expect(graphRefusals(victim)).to.deep.equal({});
    await expectHonestUnaffected();
  });

  it('refuses a record over 64 KiB inside a bulk frame, and drops frames over their cap', async () => {
    const { victim, attacker } = await setUp();
    const big = await attacker.forge(
      attacker.draft(graphId, { data: new Uint8Array(maxRecordBytes).fill(7) }),
    );
    expect(big.length).to.be.greaterThan(maxRecordBytes);
    await attacker.gossip(victim.nodeId, graphId, big);
    await attacker.serve(victim.nodeId, graphId, [recordHash(big)], [big]);
    await waitFor(() => total(graphRefusals(victim)) === 2, 'both oversize records to be refused');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:bad-message:too-long': 1, 'graph:bad-message': 1 });
    // Frames no session would encode, straight onto the link.
    const link = attacker.rawLinkFrom(victim.nodeId);
    const overBulkCap = new Uint8Array(70 * 1024).fill(1);
    const overControlCap = encodeFrame({
      protocol: graphProtocol,
      kind: 'bulk',
      body: { g: graphId, t: 'direct', data: new Uint8Array(20 * 1024) },
    });
    overControlCap[1] = 0; // relabelled as a control frame, whose cap is 16 KiB
    await link.send(overBulkCap);
    await link.send(overControlCap);
    await waitFor(() => victim.mesh.rejections().oversize === 2, 'both frames to be dropped as oversize');
    expect(victim.graph.rejections()).to.deep.equal({});
    expect(await storedVersions(victim)).to.deep.equal([]);
    expect(victim.graph.graphNeighbors()).to.include(attacker.nodeId);
    await expectHonestUnaffected();
  });

  it('counts records and sync for a graph it does not have open, and stores nothing', async () => {
    const { victim, attacker } = await setUp();
    const elsewhere = 'elsewhere';
    const record = await attacker.forge(attacker.draft(elsewhere));
    // A hello for a graph not open is how two nodes learn they share none: not an offence.
    await attacker.send(victim.nodeId, { g: elsewhere, t: 'hello', reply: false });
    await attacker.gossip(victim.nodeId, elsewhere, record);
    await attacker.records(victim.nodeId, elsewhere, 0, [record]);
    await attacker.sync(victim.nodeId, elsewhere, 0, { ranges: [{}] });
    await waitFor(() => total(graphRefusals(victim)) === 3, 'three refusals');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:unknown-graph': 3 });
    expect(victim.hub.rejections()).to.deep.equal({ 'graph:unknown-graph': 3, 'graph:not-open': 1 });
    expect(await victim.store.loadAll(elsewhere)).to.deep.equal([]);
    expect(await storedVersions(victim)).to.deep.equal([]);
    await expectHonestUnaffected();
  });

  it('refuses malformed reconciliation messages with their reasons, and answers none of them', async () => {
    const { victim, attacker } = await setUp();
    const malformed = malformedReconcileMessages();
    // All in one round, so only the message decides each refusal (see the next test for rounds).
    for (const [m] of malformed) await attacker.sync(victim.nodeId, graphId, 0, m);
    await waitFor(() => total(graphRefusals(victim)) === malformed.length, 'every refusal');
    const expected = tally(malformed.map(([, reason]) => `graph:reconcile-${reason}`));
    expect(graphRefusals(victim)).to.deep.equal(expected);
    // A valid message last: once it is answered, any answer to the others would have come first.
    await attacker.sync(victim.nodeId, graphId, 99, { ranges: [{}] });
    const answers = (): number[] => attacker.answeredRounds(victim.nodeId);
    await waitFor(() => answers().length > 0, 'the valid message to be answered');
    expect(answers()).to.deep.equal([99]);
    expect(await storedVersions(victim)).to.deep.equal([]);
    await expectHonestUnaffected();
  });

  it('keeps no round open for a refused reconciliation message', async () => {
    const { victim, attacker } = await setUp();
    for (let round = 0; round < 6; round++) await attacker.sync(victim.nodeId, graphId, round, 'garbage');
    await attacker.sync(victim.nodeId, graphId, 6, { ranges: [{}] });
    const answers = (): number[] => attacker.answeredRounds(victim.nodeId);
    await waitFor(() => answers().length > 0 || total(graphRefusals(victim)) > 6, 'a verdict on every round');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:reconcile-bad-schema': 6 });
    expect(answers()).to.deep.equal([6]);
    await expectHonestUnaffected();
  });

  it('refuses records that answer no outstanding want', async () => {
    const { victim, attacker } = await setUp();
    const unasked = await attacker.forge(attacker.draft(graphId));
    await attacker.records(victim.nodeId, graphId, 7, [unasked]);
    await waitFor(() => total(graphRefusals(victim)) === 1, 'the unsolicited records to be refused');
    const asked = await attacker.forge(attacker.draft(graphId));
    const seq = await attacker.serve(victim.nodeId, graphId, [recordHash(asked)], [asked]);
    await waitFor(() => victim.graph.recordCount === 1, 'the asked-for record to be stored');
    // The same want answered again, after its last frame.
    await attacker.records(victim.nodeId, graphId, seq, [unasked]);
    await waitFor(() => total(graphRefusals(victim)) === 2, 'the second unsolicited records to be refused');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:unsolicited-records': 2 });
    expect(victim.graph.rejections()).to.deep.equal({});
    expect(await storedVersions(victim)).to.deep.equal([`${keyOf(asked)}@1`]);
    await expectHonestUnaffected();
  });

  it('counts garbage bodies of the graph protocol as bad messages', async () => {
    const { victim, attacker } = await setUp();
    const garbage = garbageGraphBodies(graphId);
    for (const body of garbage) await attacker.send(victim.nodeId, body);
    // Tree parts go on to Plumtree, which has its own reasons.
    await attacker.send(victim.nodeId, { g: graphId, t: 'tree', m: 'x' });
    await attacker.send(victim.nodeId, { g: graphId, t: 'tree', m: { type: 'shout' } });
    await waitFor(() => total(graphRefusals(victim)) === garbage.length + 2, 'every refusal');
    expect(graphRefusals(victim)).to.deep.equal({
      'graph:bad-message': garbage.length,
      'graph:bad-message:wrong-type': 1,
      'graph:unknown-type': 1,
    });
    expect(victim.hub.rejections()).to.deep.equal({ 'graph:bad-message': garbage.length });
    expect(victim.graph.graphNeighbors()).to.include(attacker.nodeId);
    await expectHonestUnaffected();
  });

  it('refuses a record of another graph replayed into this one, as it is or renamed', async () => {
    const { victim, honest, attacker } = await setUp();
    const side = await honest.hub.openGraph('side-graph', signedRecordsOf(honest));
    const written = await side.add({ type: 'test/note', data: utf8('for the side graph') });
    const replayed = encodeRecord(written.record);
    // The graph id is under the signature, so renaming it breaks the signature.
    const renamed = encodeCbor(recordToWire({ ...written.record, graphId }));
    await attacker.gossip(victim.nodeId, graphId, replayed);
    await attacker.gossip(victim.nodeId, graphId, renamed);
    await waitFor(() => total(victim.graph.rejections()) === 2, 'both refusals by broadcast');
    await attacker.serve(victim.nodeId, graphId, [recordHash(replayed)], [replayed]);
    await attacker.serve(victim.nodeId, graphId, [recordHash(renamed)], [renamed]);
    await waitFor(() => total(graphRefusals(victim)) === 4, 'both refusals by broadcast and by sync');
    expect(victim.graph.rejections()).to.deep.equal({ 'wrong-graph': 2, 'bad-signature': 2 });
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:wrong-graph': 2, 'graph:bad-signature': 2 });
    expect(await storedVersions(victim)).to.deep.equal([]);
    expect(await victim.store.loadAll('side-graph')).to.deep.equal([]);
    await expectHonestUnaffected();
  });

  it("refuses a gossip named by another record's hash, so that record still gets through", async () => {
    const { victim, honest, attacker } = await setUp();
    const reports = watchReports(victim);
    const mine = attacker.draft(graphId);
    const { id, publicKey, signingKey } = honest.identity;
    // A record of the honest identity the attacker saw before the victim did.
    const theirs = await attacker.forge(
      attacker.draft(graphId, { creator: id, modifiedBy: id, signerKey: publicKey }),
      signingKey,
    );
    const stats = (): { delivered: number; rejected: number } => victim.graph.broadcastStats();
    const { delivered, rejected } = stats();
    await attacker.gossip(victim.nodeId, graphId, await attacker.forge(mine), recordHash(theirs));
    await waitFor(() => stats().delivered + stats().rejected > delivered + rejected, 'a verdict');
    expect(await victim.graph.get(recordKey(mine)), 'a record gossiped under another id').to.equal(undefined);
    expect(stats().rejected).to.equal(rejected + 1);
    await attacker.gossip(victim.nodeId, graphId, theirs);
    await waitFor(() => reports.get(`${keyOf(theirs)}@1`) === 1, 'the record the misnamed gossip named');
    expect(await storedVersions(victim)).to.deep.equal([`${keyOf(theirs)}@1`]);
    await expectHonestUnaffected();
  });

  it('closes the session of a neighbour after 20 refused frames and keeps the honest one', async () => {
    const { victim, honest, attacker } = await setUp();
    const downs: string[] = [];
    victim.mesh.on('neighbor-down', ({ nodeId }) => downs.push(nodeId));
    await Promise.all(
      Array.from({ length: 25 }, (_, n) =>
        attacker.send(victim.nodeId, { g: graphId, t: 'nonsense', n }).catch(() => undefined),
      ),
    );
    await waitFor(() => downs.includes(attacker.nodeId), 'the victim to drop the attacker');
    expect(graphRefusals(victim)).to.deep.equal({ 'graph:bad-message': 20 });
    expect(victim.hub.rejections()).to.deep.equal({ 'graph:bad-message': 20 });
    expect(downs).not.to.include(honest.nodeId);
    expect(victim.graph.graphNeighbors()).to.deep.equal([honest.nodeId]);
    await expectHonestUnaffected();
  });

  it('closes the session of a neighbour that keeps gossiping forged records', async () => {
    const { victim, honest, attacker } = await setUp();
    const downs: string[] = [];
    victim.mesh.on('neighbor-down', ({ nodeId }) => downs.push(nodeId));
    const signed = await attacker.forge(attacker.draft(graphId));
    for (let n = 0; n < 25 && !downs.includes(attacker.nodeId); n++) {
      const forged = tamper(signed, { data: utf8(`forged ${n}`) });
      await attacker.gossip(victim.nodeId, graphId, forged).catch(() => undefined);
    }
    await waitFor(() => total(victim.graph.rejections()) >= 20, 'twenty forgeries to be refused');
    await waitFor(
      () => downs.includes(attacker.nodeId),
      'the victim to drop a neighbour gossiping forgeries',
    );
    expect(downs).not.to.include(honest.nodeId);
    expect(await storedVersions(victim)).to.deep.equal([]);
    await expectHonestUnaffected();
  });

  it("does not blame an honest neighbour that relays an author's shortened version", async () => {
    const { victim, honest, attacker } = await setUp();
    const first = attacker.draft(graphId);
    const shorter = await attacker.forge({
      ...first,
      version: 2,
      expiresAtMs: first.expiresAtMs - 1_800_000,
    });
    // The attacker showed each side one version, as across a partition: the victim version 1,
    // the honest node (out of the graph meanwhile) version 2 only.
    honest.hub.closeGraph(graphId);
    await attacker.gossip(victim.nodeId, graphId, await attacker.forge(first));
    await waitFor(() => victim.graph.recordCount === 1, 'version 1 on the victim');
    await attacker.send(victim.nodeId, { g: graphId, t: 'bye' });
    await honest.store.commit(graphId, { put: [storedOf(shorter)], remove: [] });
    await waitFor(() => victim.graph.graphNeighbors().length === 0, 'the victim to be alone in the graph');
    const reopened = await honest.hub.openGraph(graphId, signedRecordsOf(honest));
    await waitFor(() => victim.graph.status.synchronized, 'the victim to reconcile with the honest node');
    expect(victim.graph.rejections()).to.deep.equal({ 'expiry-shortened': 1 });
    expect((await victim.graph.get(recordKey(first)))?.record.version).to.equal(1);
    expect(graphRefusals(victim), 'refusals charged to the honest session').to.deep.equal({});
    await expectReplicates({ ...honest, graph: reopened }, victim);
  });
});
