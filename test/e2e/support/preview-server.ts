import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `vite preview` of the built app (with its broker) as a child process, so a test can stop
 * the whole server, app and broker at once, and start it again on the same port. `dev`
 * serves the source tree instead, for fixtures under test/e2e/fixtures.
 */
export class PreviewServer {
  readonly port: number;
  private readonly mode: 'preview' | 'dev';
  private child: ChildProcess | undefined;

  private constructor(port: number, mode: 'preview' | 'dev') {
    this.port = port;
    this.mode = mode;
  }

  static async start(port?: number, mode: 'preview' | 'dev' = 'preview'): Promise<PreviewServer> {
    const server = new PreviewServer(port ?? (await freePort()), mode);
    await server.restart();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Starts the server (again) and resolves once it answers. */
  async restart(): Promise<void> {
    const args =
      this.mode === 'dev'
        ? ['--import', 'tsx', 'test/e2e/support/serve-dev.ts', String(this.port)]
        : [
            'node_modules/vite/bin/vite.js',
            'preview',
            '--host',
            '127.0.0.1',
            '--port',
            String(this.port),
            '--strictPort',
          ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`vite preview exited:\n${output}`);
      try {
        if ((await fetch(this.url)).ok) return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`vite preview did not answer on ${this.url}:\n${output}`);
  }

  /** Stops the server and waits for the process to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
