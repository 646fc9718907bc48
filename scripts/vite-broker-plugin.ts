import type { Server } from 'node:http';
import type { Plugin } from 'vite';
import { mountBroker } from './broker-server.ts';

/** Mounts the PeerJS broker on the dev and preview servers, on the app's own origin. */
export function brokerPlugin(): Plugin {
  return {
    name: 'mycel-broker',
    configureServer(server) {
      if (server.httpServer) server.middlewares.use(mountBroker(server.httpServer as Server));
    },
    configurePreviewServer(server) {
      server.middlewares.use(mountBroker(server.httpServer as Server));
    },
  };
}
