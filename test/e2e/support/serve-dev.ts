import { createServer } from 'vite';

/**
 * Serves the source tree (with the broker) on the port given as the first argument, for
 * end-to-end fixtures that import modules straight from src/. Run as a child process.
 */
const port = Number(process.argv[2]);
const server = await createServer({
  configFile: 'vite.config.ts',
  server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
  logLevel: 'warn',
});
await server.listen();
console.log(`ready on ${port}`);
