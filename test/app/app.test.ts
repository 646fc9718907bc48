import { expect } from 'chai';
import { App } from '../../src/app/app.ts';
import { SettingsError, defaultSettings } from '../../src/app/settings.ts';
import { nodeIdOf } from '../../src/core/identity/ids.ts';
import {
  deleteProfileDatabase,
  IdbIdentityStore,
  IdbPreferenceStore,
  IdbRecordStore,
  openProfileDatabase,
} from '../../src/storage/idb/index.ts';
import type { ProfileDatabase } from '../../src/storage/idb/index.ts';
import { PeerJsTransport } from '../../src/transport/peerjs/peerjs-transport.ts';
import { RtcTransport } from '../../src/transport/rtc/rtc-transport.ts';
import { brokerAddress } from '../helpers/broker.ts';
import { randomName } from '../helpers/ids.ts';
import { MycelError } from '../../src/lib/errors.ts';

/** An app over a real IndexedDB profile whose "own origin" is the harness broker. */
async function openApp(name: string): Promise<{ app: App; db: ProfileDatabase }> {
  const broker = await brokerAddress();
  const db = await openProfileDatabase(name);
  const app = new App({
    identityStore: new IdbIdentityStore(db),
    preferenceStore: new IdbPreferenceStore(db),
    recordStore: new IdbRecordStore(db),
    createTransport: (init) => new PeerJsTransport({ ...init, iceServers: [] }),
    loadMeshTransport: () => Promise.resolve((init) => new RtcTransport({ ...init, iceServers: [] })),
    origin: new URL(`http://${broker.host}:${broker.port}/`),
    exportIterations: 1000,
  });
  await app.start(() => Promise.resolve());
  return { app, db };
}

function until(app: App, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const off = app.on('changed', () => {
      if (!check()) return;
      off();
      resolve();
    });
  });
}

describe('the app layer over real IndexedDB and the harness broker', () => {
  const names = new Set<string>();
  const opened: { app: App; db: ProfileDatabase }[] = [];
  async function open(name: string): Promise<App> {
    names.add(name);
    const profile = await openApp(name);
    opened.push(profile);
    return profile.app;
  }
  const fresh = (): Promise<App> => open(randomName('test-app-'));
  afterEach(async () => {
    for (const { app, db } of opened.splice(0)) {
      app.connection.disconnect('test over');
      db.close();
    }
    for (const name of names) await deleteProfileDatabase(name);
    names.clear();
  });

  it('goes online through the same-origin broker once an identity exists, as the node id of that identity', async () => {
    const app = await fresh();
    expect(app.state.phase).to.equal('ready');
    expect(app.state.connection.state).to.equal('offline');
    const identity = await app.createIdentity('Ada');
    await until(app, () => app.state.connection.state === 'online');
    expect(app.state.identity?.id).to.equal(identity.id);
    expect(app.state.connection.nodeId).to.equal(await nodeIdOf(identity.publicKey, identity.nodeSalt));
    expect(app.state.connection.broker).to.match(/^http:\/\/127\.0\.0\.1:\d+\/peerjs$/);
  });

  it('keeps the identity and settings across a reload of the profile', async () => {
    const name = randomName('test-app-');
    const first = await open(name);
    await first.createIdentity('Grace');
    await first.saveSettings({ broker: { kind: 'auto' }, iceServers: [] });
    first.connection.disconnect('reload');
    const second = await open(name);
    expect(second.state.identity?.displayName).to.equal('Grace');
    expect(second.state.settings.iceServers).to.deep.equal([]);
    await until(second, () => second.state.connection.state === 'online');
  });

  it('refuses invalid settings and keeps the saved ones, in memory and on disk', async () => {
    const name = randomName('test-app-');
    const app = await open(name);
    let error: unknown;
    try {
      await app.saveSettings({ broker: { kind: 'custom', url: 'ftp://nope' }, iceServers: [] });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(SettingsError);
    expect(app.state.settings).to.deep.equal(defaultSettings);
    app.connection.disconnect('reload');
    const reloaded = await open(name);
    expect(reloaded.state.settings).to.deep.equal(defaultSettings);
  });

  it('reports a broker it cannot reach as offline with a reason, and does not give up', async () => {
    const app = await fresh();
    await app.createIdentity('Linus');
    await app.saveSettings({ broker: { kind: 'custom', url: 'http://127.0.0.1:9/peerjs' }, iceServers: [] });
    await until(app, () => /Cannot reach the broker/.test(app.state.connection.reason ?? ''));
    expect(app.state.connection.state).to.equal('offline');
    expect(app.state.connection.reason).to.match(
      /Cannot reach the broker at http:\/\/127\.0\.0\.1:9\/peerjs/,
    );
    await app.saveSettings({ broker: { kind: 'auto' }, iceServers: [] });
    await until(app, () => app.state.connection.state === 'online');
  });

  it('joins the mesh through a pasted node id, shows the link live, and gives advice for a bad id', async () => {
    const ada = await fresh();
    await ada.createIdentity('Ada');
    const bob = await fresh();
    await bob.createIdentity('Bob');
    await until(ada, () => ada.state.mesh?.status === 'listening');
    await until(bob, () => bob.state.mesh?.status === 'listening');
    const adaId = ada.state.mesh?.nodeId ?? '';
    await bob.connectTo(`  ${adaId}\n`);
    await until(bob, () => bob.state.mesh?.neighbors.some((link) => link.nodeId === adaId) === true);
    expect(bob.state.mesh?.status).to.equal('has-connections');
    expect(bob.state.mesh?.neighbors[0]?.route).to.equal('broker');
    await until(ada, () => ada.state.mesh?.neighbors.length === 1);
    await until(bob, () => (bob.state.mesh?.neighbors[0]?.rttMs ?? -1) >= 0);

    const refusal = await bob.connectTo('not a node id!').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).to.be.instanceOf(MycelError);
    expect((refusal as MycelError).message).to.equal('That is not a node id.');
    expect((refusal as MycelError).hint).to.match(/Network page/);
  });

  it('exports a file named after the identity that imports into another profile', async () => {
    const alice = await fresh();
    const identity = await alice.createIdentity('Alice Liddell');
    const file = await alice.exportIdentity(identity.id, 'correct horse');
    expect(file.name).to.match(/^mycel-identity-Alice-Liddell-[a-z2-7]{4}-[a-z2-7]{4}\.json$/);
    const elsewhere = await fresh();
    const imported = await elsewhere.importIdentity(file.bytes, 'correct horse');
    expect(imported.id).to.equal(identity.id);
    await until(elsewhere, () => elsewhere.state.identity?.id === identity.id);
  });
});
