import { expect } from 'chai';
import { toBase64Url, utf8 } from '../../../src/lib/bytes.ts';
import { generateSigningKeyPair, sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import { realTimeTimers, type Timers } from '../../../src/core/mesh/timers.ts';
import { encodeCbor } from '../../../src/core/wire/cbor.ts';
import { broadcastLocalChannel } from '../../../src/core/names/local-cloud.ts';
import type { NameDht } from '../../../src/core/names/name-dht.ts';
import { InvalidPeerNameError, nameKey } from '../../../src/core/names/peer-name.ts';
import {
  LocalCloudUnavailableError,
  NameAlreadyOwnedError,
  NameNotOwnedError,
  NamesOfflineError,
  PeerNames,
  type PeerNamesEvents,
} from '../../../src/core/names/peer-names.ts';
import {
  InvalidRegistrationError,
  decodeRegistration,
  type Registration,
} from '../../../src/core/names/registration.ts';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';

const startMs = 1_700_000_000_000;
const lifetimeMs = 10 * 60_000;

interface Identity {
  readonly identityId: string;
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly signingKey: CryptoKey;
}

async function identity(): Promise<Identity> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  return { publicKey, signingKey: privateKey, identityId: await identityIdOf(publicKey) };
}

function nodeId(letter: string): string {
  return 'm' + letter.repeat(32);
}

/**
 * An in-memory DHT that keeps every value ever put under a key, as a stale replica would, and
 * serves them all with any values a test injects (forgeries, garbage).
 */
class FakeDht implements NameDht {
  gets = 0;
  failPuts = false;
  /** Nodes each put reports it reached. */
  storedPerPut = 3;
  private readonly held = new Map<string, Uint8Array[]>();
  private readonly putWaiters: ((value: Uint8Array) => void)[] = [];

  put(key: Uint8Array, value: Uint8Array): Promise<{ stored: number; hops: number }> {
    if (this.failPuts) return Promise.reject(new Error('No node could be reached.'));
    this.inject(key, value);
    for (const waiter of this.putWaiters.splice(0)) waiter(value);
    return Promise.resolve({ stored: this.storedPerPut, hops: 2 });
  }

  get(key: Uint8Array): Promise<{ values: readonly Uint8Array[]; hops: number }> {
    this.gets++;
    return Promise.resolve({ values: [...this.values(key)], hops: 2 });
  }

  /** Adds `value` under `key` as if some node held it. */
  inject(key: Uint8Array, value: Uint8Array): void {
    const id = toBase64Url(key);
    this.held.set(id, [...this.values(key), value]);
  }

  values(key: Uint8Array): readonly Uint8Array[] {
    return this.held.get(toBase64Url(key)) ?? [];
  }

  /** The next value put, decoded. */
  nextPut(): Promise<Registration> {
    return new Promise((resolve) => this.putWaiters.push((value) => resolve(decoded(value))));
  }
}

function decoded(value: Uint8Array | undefined): Registration {
  const registration = decodeRegistration(value ?? new Uint8Array(0));
  if (typeof registration === 'string') throw new Error(`refused: ${registration}`);
  return registration;
}

/** A registration of `name` signed by `signer` over the documented layout, whoever owns the name. */
async function forge(signer: Identity, name: string, nowMs: number): Promise<Uint8Array> {
  const map = { n: name, e: [], p: new Uint8Array(0), v: nowMs, x: nowMs + lifetimeMs, k: signer.publicKey };
  const signature = await sign(signer.signingKey, SigningNamespaces.nameRegistration, encodeCbor(map));
  return encodeCbor({ ...map, s: signature });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('PeerNames', () => {
  let alice: Identity;
  let bob: Identity;
  let carol: Identity;
  let clock: VirtualClock;
  let dht: FakeDht;
  let running: PeerNames[];

  function peerNames(who: Identity, timers: Timers = clock, extra: { local?: string } = {}): PeerNames {
    const local = extra.local === undefined ? {} : { local: broadcastLocalChannel(extra.local) };
    const names = new PeerNames({ identity: who, timers, ...local }, { localAnswerWindowMs: 500 });
    running.push(names);
    return names;
  }

  before(async () => {
    [alice, bob, carol] = await Promise.all([identity(), identity(), identity()]);
  });

  beforeEach(() => {
    clock = new VirtualClock(startMs);
    dht = new FakeDht();
    running = [];
  });

  afterEach(() => {
    for (const names of running) names.stop();
  });

  it('refuses to resolve a global name before it is in a mesh, saying so', async () => {
    const names = peerNames(alice);
    const error = await failure(names.resolve('0.printer'));
    expect(error).to.be.instanceOf(NamesOfflineError);
    expect((error as Error).message).to.equal(
      'Not connected: names can be resolved once this node is in the mesh.',
    );
  });

  it('registers a secured name that another node resolves, endpoint and payload included', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const own = await owner.register('Chat', { secured: true, payload: utf8('hello') });
    expect(own).to.deep.equal({
      name: `${alice.identityId}.chat`,
      cloud: 'global',
      secured: true,
      endpoints: 'self',
      payload: utf8('hello'),
      expiresAtMs: startMs + lifetimeMs,
      published: true,
    });
    expect(owner.owned()).to.deep.equal([own]);
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    const resolution = await reader.resolve(own.name.toUpperCase());
    expect(resolution).to.deep.include({ name: own.name, cloud: 'global', hops: 2, fromCache: false });
    expect(resolution.records).to.deep.equal([
      {
        name: own.name,
        secured: true,
        identityId: alice.identityId,
        publicKey: alice.publicKey,
        endpoints: [nodeId('a')],
        payload: utf8('hello'),
        versionMs: startMs,
        expiresAtMs: startMs + lifetimeMs,
      },
    ]);
  });

  it('serves the newest version after an update, though the old copy is still held', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const { name } = await owner.register('chat', { secured: true, payload: utf8('one') });
    const updated = await owner.update(name, { payload: utf8('two'), endpoints: [nodeId('c')] });
    expect(updated.endpoints).to.deep.equal([nodeId('c')]);
    expect(dht.values(await nameKey(name))).to.have.length(2);
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    const [record] = (await reader.resolve(name)).records;
    expect(record?.payload).to.deep.equal(utf8('two'));
    expect(record?.endpoints).to.deep.equal([nodeId('c')]);
    expect(record?.versionMs).to.equal(startMs + 1);
  });

  it('resolves an unsecured name registered by two identities to both', async () => {
    for (const [who, node] of [
      [alice, 'a'],
      [bob, 'b'],
    ] as const) {
      const names = peerNames(who);
      names.attach(dht, nodeId(node));
      await names.register('printer', { secured: false });
    }
    const reader = peerNames(carol);
    reader.attach(dht, nodeId('c'));
    const { records } = await reader.resolve('0.printer');
    expect(records.map((record) => record.identityId)).to.deep.equal(
      [alice.identityId, bob.identityId].sort(),
    );
    expect(records.every((record) => !record.secured)).to.equal(true);
  });

  it('drops a forged value for a secured name and garbage, counting each reason', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const { name } = await owner.register('chat', { secured: true });
    const key = await nameKey(name);
    dht.inject(key, await forge(bob, name, startMs + 1));
    dht.inject(key, Uint8Array.of(0xa1, 0x61));
    const reader = peerNames(carol);
    reader.attach(dht, nodeId('c'));
    const { records } = await reader.resolve(name);
    expect(records.map((record) => record.identityId)).to.deep.equal([alice.identityId]);
    expect(reader.rejections()).to.deep.equal({ 'wrong-authority': 1, malformed: 1 });
  });

  it('answers from the cache until the earliest record expires, and not when asked fresh', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const { name } = await owner.register('chat', { secured: true });
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    expect((await reader.resolve(name)).fromCache).to.equal(false);
    const cached = await reader.resolve(name);
    expect(cached).to.deep.include({ fromCache: true, hops: 0 });
    expect(cached.records).to.have.length(1);
    expect(dht.gets).to.equal(1);
    expect((await reader.resolve(name, { fresh: true })).fromCache).to.equal(false);
    expect(dht.gets).to.equal(2);
    owner.stop(); // no refresh: the record simply expires
    await clock.advance(lifetimeMs - 1);
    expect((await reader.resolve(name)).fromCache).to.equal(true);
    await clock.advance(1);
    const expired = await reader.resolve(name);
    expect(expired).to.deep.include({ fromCache: false, records: [] });
    expect(dht.gets).to.equal(3);
  });

  it('refreshes a name at half its lifetime with a higher version and a later expiry', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const { name } = await owner.register('chat', { secured: true });
    const refreshed = dht.nextPut();
    await clock.advance(lifetimeMs / 2 - 1);
    expect(dht.values(await nameKey(name))).to.have.length(1);
    await clock.advance(1);
    const registration = await refreshed;
    expect(registration.versionMs).to.equal(startMs + lifetimeMs / 2);
    expect(registration.expiresAtMs).to.equal(startMs + lifetimeMs * 1.5);
    expect(registration.endpoints).to.deep.equal([nodeId('a')]);
    const again = dht.nextPut();
    await clock.advance(lifetimeMs / 2);
    expect((await again).versionMs).to.equal(startMs + lifetimeMs);
    // The first registration has expired; of the two refreshes, the newer one counts.
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    const records = (await reader.resolve(name)).records;
    expect(records.map((record) => record.versionMs)).to.deep.equal([startMs + lifetimeMs]);
    expect(reader.rejections()).to.deep.equal({ expired: 1 });
  });

  it('publishes a name held only by itself again soon, backing off, until others hold it', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    // Just online and knowing nobody: the put reaches this node alone.
    dht.storedPerPut = 1;
    const { name } = await owner.register('chat', { secured: true });
    const key = await nameKey(name);
    await clock.advance(4_999);
    expect(dht.values(key)).to.have.length(1);
    await clock.advance(1);
    expect(dht.values(key), 'published again after 5 s').to.have.length(2);
    await clock.advance(9_999);
    expect(dht.values(key)).to.have.length(2);
    await clock.advance(1);
    expect(dht.values(key), 'and again 10 s later').to.have.length(3);
    // Now the mesh is there: the next put reaches three nodes, and the half-life refresh rules.
    dht.storedPerPut = 3;
    await clock.advance(20_000);
    expect(dht.values(key)).to.have.length(4);
    await clock.advance(lifetimeMs / 2 - 1);
    expect(dht.values(key), 'nothing before the refresh').to.have.length(4);
    await clock.advance(1);
    expect(dht.values(key)).to.have.length(5);
  });

  it('hides an unregistered name by its tombstone, though the old copy is still served', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const { name } = await owner.register('chat', { secured: true });
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    expect((await reader.resolve(name)).records).to.have.length(1);
    await owner.unregister(name);
    expect(owner.owned()).to.deep.equal([]);
    const held = dht.values(await nameKey(name)).map(decoded);
    expect(held.map((registration) => registration.deleted)).to.deep.equal([false, true]);
    expect((await reader.resolve(name, { fresh: true })).records).to.deep.equal([]);
    await clock.advance(lifetimeMs); // no refresh brings it back
    expect(dht.values(await nameKey(name))).to.have.length(2);
  });

  it('publishes names registered offline on attach, with self following the node id', async () => {
    const owner = peerNames(alice);
    const offline = await owner.register('chat', { secured: true });
    expect(offline.published).to.equal(false);
    const first = dht.nextPut();
    owner.attach(dht, nodeId('a'));
    expect((await first).endpoints).to.deep.equal([nodeId('a')]);
    const second = dht.nextPut();
    owner.attach(dht, nodeId('d'));
    expect((await second).endpoints).to.deep.equal([nodeId('d')]);
    const reader = peerNames(bob);
    reader.attach(dht, nodeId('b'));
    const [record] = (await reader.resolve(offline.name)).records;
    expect(record?.endpoints).to.deep.equal([nodeId('d')]);
    expect(owner.owned()[0]?.published).to.equal(true);
    owner.attach(undefined, undefined);
    expect(owner.owned()[0]?.published).to.equal(false);
  });

  it('reports changes of its own names as events', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const seen: PeerNamesEvents['changed'][] = [];
    owner.on('changed', (detail) => seen.push(detail));
    const { name } = await owner.register('chat', { secured: true });
    await owner.update(name, { payload: utf8('x') });
    await owner.unregister(name);
    expect(seen.map((detail) => detail.names.length)).to.deep.equal([1, 1, 0]);
    expect(seen[1]?.names[0]?.payload).to.deep.equal(utf8('x'));
  });

  it('refuses bad input with errors a person can act on', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    const big = await failure(owner.register('chat', { secured: true, payload: new Uint8Array(513) }));
    expect((big as InvalidRegistrationError).reason).to.equal('payload-too-large');
    expect(owner.owned()).to.deep.equal([]);
    expect(await failure(owner.register('my chat', { secured: true }))).to.be.instanceOf(
      InvalidPeerNameError,
    );
    const tooMany = Array.from({ length: 9 }, (_, i) => nodeId('abcdefghi'.charAt(i)));
    expect(await failure(owner.register('chat', { secured: true, endpoints: tooMany }))).to.be.instanceOf(
      InvalidRegistrationError,
    );
    const { name } = await owner.register('chat', { secured: true });
    expect(await failure(owner.register('CHAT', { secured: true }))).to.be.instanceOf(NameAlreadyOwnedError);
    expect(await failure(owner.update('0.chat', {}))).to.be.instanceOf(NameNotOwnedError);
    expect(await failure(owner.unregister('0.chat'))).to.be.instanceOf(NameNotOwnedError);
    expect(await failure(owner.update(name, { payload: new Uint8Array(600) }))).to.be.instanceOf(
      InvalidRegistrationError,
    );
    expect(owner.owned()[0]?.payload).to.have.length(0);
    expect(await failure(owner.register('x', { secured: false, cloud: 'local' }))).to.be.instanceOf(
      LocalCloudUnavailableError,
    );
    expect(await failure(owner.resolve('0.x', { cloud: 'local' }))).to.be.instanceOf(
      LocalCloudUnavailableError,
    );
  });

  it('keeps a name whose publication failed, showing why', async () => {
    const owner = peerNames(alice);
    owner.attach(dht, nodeId('a'));
    dht.failPuts = true;
    const own = await owner.register('chat', { secured: true });
    expect(own).to.deep.include({ published: false, error: 'No node could be reached.' });
    dht.failPuts = false;
    const retried = dht.nextPut();
    await clock.advance(lifetimeMs / 2);
    await retried;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(owner.owned()[0]).to.deep.include({ published: true });
    expect(owner.owned()[0]).to.not.have.property('error');
  });

  it('registers and resolves in the local cloud, between tabs of this browser', async () => {
    const channel = `mycel-test-names-${crypto.randomUUID()}`;
    const owner = peerNames(alice, realTimeTimers(), { local: channel });
    const reader = peerNames(bob, realTimeTimers(), { local: channel });
    const own = await owner.register('printer', { secured: false, cloud: 'local', endpoints: [nodeId('a')] });
    expect(own).to.deep.include({ cloud: 'local', published: true });
    const found = await reader.resolve('0.printer', { cloud: 'local' });
    expect(found.records.map((record) => record.identityId)).to.deep.equal([alice.identityId]);
    expect((await reader.resolve('0.printer', { cloud: 'local' })).fromCache).to.equal(true);
    await owner.unregister(own.name);
    // The owner's announcement of its tombstone clears the reader's cache.
    let after = await reader.resolve('0.printer', { cloud: 'local' });
    while (after.fromCache) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = await reader.resolve('0.printer', { cloud: 'local' });
    }
    expect(after.records).to.deep.equal([]);
  });
});
