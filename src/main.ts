import { App } from './app/app.ts';
import { ServiceWorkerUpdates } from './app/service-worker.ts';
import { holdNodeLock } from './app/single-tab.ts';
import { browserQuota } from './app/storage-quota.ts';
import {
  IdbBlockStore,
  IdbIdentityStore,
  IdbPreferenceStore,
  IdbRecordStore,
  openProfileDatabase,
} from './storage/idb/index.ts';
import './views/app-shell.ts';

/** The one place that wires peerjs and idb into the app. */
const profileName = 'mycel';

async function main(): Promise<void> {
  const shell = document.querySelector('mycel-app');
  if (shell === null) throw new Error('index.html has no <mycel-app>');
  const updates = import.meta.env.PROD ? new ServiceWorkerUpdates('/sw.js') : undefined;
  const db = await openProfileDatabase(profileName);
  const app = new App({
    identityStore: new IdbIdentityStore(db),
    preferenceStore: new IdbPreferenceStore(db),
    recordStore: new IdbRecordStore(db),
    blockStore: new IdbBlockStore(db),
    quota: browserQuota(),
    // peerjs is not needed to show the shell: it loads after the first render.
    createTransport: async (init) =>
      new (await import('./transport/peerjs/peerjs-transport.ts')).PeerJsTransport(init),
    loadMeshTransport: async () => {
      const { RtcTransport } = await import('./transport/rtc/rtc-transport.ts');
      return (init) => new RtcTransport(init);
    },
    origin: new URL(window.location.href),
    ...(updates === undefined ? {} : { updates }),
  });
  shell.app = app;
  void updates?.register();
  await app.start((onWaiting) => holdNodeLock(profileName, onWaiting));
}

void main();
