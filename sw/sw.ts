/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Parameters<typeof precacheAndRoute>[0] };

/** Message the page sends when the user accepts an update (see src/app/service-worker.ts). */
const skipWaitingMessage = 'mycel:skip-waiting';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation inside the app opens the cached shell, so the app starts offline.
// The broker's own paths stay on the network.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/peerjs/] }));

// A first install takes control at once; an update waits until the user says so.
clientsClaim();
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if (event.data === skipWaitingMessage) void self.skipWaiting();
});
