import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import express from 'express';
import { ExpressPeerServer } from 'peer';

/** Where the app looks for a broker on its own origin. */
export const brokerMountPath = '/peerjs';

/**
 * Mounts the PeerJS broker on an existing HTTP server under `mountPath`.
 * ExpressPeerServer only creates its routes and WebSocket server on express's `mount`
 * event, so it is wrapped in an express app rather than used as plain middleware.
 */
export function mountBroker(httpServer: Server, mountPath = brokerMountPath): express.Express {
  const app = express();
  app.use(mountPath, ExpressPeerServer(httpServer, { path: '/', allow_discovery: false }));
  return app;
}

export interface RunningBroker {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host?: string;
  port?: number;
  path?: string;
}

/**
 * Starts the broker alone on its own HTTP server (port 0 picks a free port). `close` stops
 * serving, but peer keeps two housekeeping timers it offers no way to stop, so an in-process
 * user (the test harness, the bench) ends its process when done.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? brokerMountPath;
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', mountBroker(server, path));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('broker has no TCP address');
  return {
    host,
    port: address.port,
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
