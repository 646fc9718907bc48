import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, preview } from 'vite';
import { startBroker } from '../scripts/broker-server.ts';
import { chromiumArgs, ensureChromium } from '../scripts/chromium.ts';
import type { BenchContext, BrokerAddress } from './types.ts';

/** How long closing one resource may take before the harness gives up on it. */
const closeTimeoutMs = 10_000;

/** The last lines of a failed command's output, enough to see why without flooding. */
const failureTailLines = 40;

interface Closer {
  readonly name: string;
  close(): Promise<void>;
}

/** Starts each shared resource on first use and closes all of them, newest first. */
export class BenchResources implements BenchContext {
  readonly root: string;
  readonly distDir: string;
  private readonly closers: Closer[] = [];
  private building: Promise<void> | undefined;
  private launching: Promise<Browser> | undefined;
  private devServing: Promise<string> | undefined;
  private previewing: Promise<string> | undefined;
  private brokering: Promise<BrokerAddress> | undefined;

  constructor(root: string) {
    this.root = root;
    this.distDir = join(root, 'dist');
  }

  log(message: string): void {
    console.log(`  ${message}`);
  }

  build(): Promise<void> {
    if (this.building === undefined) {
      this.building = this.runBuild();
      return this.building;
    }
    // Only the first scenario to ask reports the build's output; later ones say where it is.
    return this.building.catch((error: unknown) => {
      throw new Error('npm run build failed earlier in this run (output above)', { cause: error });
    });
  }

  browser(): Promise<Browser> {
    this.launching ??= this.launchBrowser();
    return this.launching;
  }

  devServerUrl(): Promise<string> {
    this.devServing ??= this.startDevServer();
    return this.devServing;
  }

  previewServerUrl(): Promise<string> {
    this.previewing ??= this.startPreviewServer();
    return this.previewing;
  }

  broker(): Promise<BrokerAddress> {
    this.brokering ??= this.startBroker();
    return this.brokering;
  }

  /** The version of the launched Chromium, or null if no scenario needed one. */
  async launchedChromiumVersion(): Promise<string | null> {
    if (this.launching === undefined) return null;
    try {
      return (await this.launching).version();
    } catch {
      // The launch failure was already reported by the scenario that asked for the browser.
      return null;
    }
  }

  /** Closes everything started so far; reports, but does not throw, a close that fails. */
  async close(): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await withTimeout(closer.close(), closeTimeoutMs, `closing ${closer.name}`);
      } catch (error) {
        console.error(`Could not close ${closer.name}: ${String(error)}`);
      }
    }
  }

  private async runBuild(): Promise<void> {
    this.log('npm run build');
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'build'], {
        cwd: this.root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      const tail = output.join('').trimEnd().split('\n').slice(-failureTailLines).join('\n');
      throw new Error(`npm run build failed (exit code ${String(code)}):\n${tail}`);
    }
  }

  private async launchBrowser(): Promise<Browser> {
    const browser = await chromium.launch({
      executablePath: ensureChromium(),
      args: chromiumArgs(),
      headless: true,
    });
    this.closers.push({ name: 'Chromium', close: () => browser.close() });
    return browser;
  }

  private async startDevServer(): Promise<string> {
    // The app's own config is left out on purpose: browser-side scenarios import bench/scenarios
    // and the src/ modules they measure, never the app shell, so its config cannot break them.
    const server = await createServer({
      root: this.root,
      configFile: false,
      appType: 'mpa',
      logLevel: 'warn',
      clearScreen: false,
      // peerjs is pre-bundled because webrtc-adapter, which it imports, pulls in the CommonJS
      // `sdp` package that a browser cannot load as is. Listed up front (no discovery), so the
      // optimizer runs once at startup instead of reloading the page mid-run.
      optimizeDeps: { noDiscovery: true, include: ['peerjs'] },
      server: {
        host: '127.0.0.1',
        port: 0,
        strictPort: false,
        hmr: false,
        // Cross-origin isolation lifts Chromium's 100 µs clamp on performance.now().
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      },
    });
    this.closers.push({ name: 'Vite dev server', close: () => server.close() });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (url === undefined) throw new Error('Vite dev server reported no local URL');
    return url;
  }

  private async startBroker(): Promise<BrokerAddress> {
    const broker = await startBroker({ host: '127.0.0.1' });
    this.closers.push({ name: 'PeerJS broker', close: () => broker.close() });
    // Pages on the dev server reach it over WebSocket only (PeerJsTransport always brings its
    // own node id, so peerjs never fetches one over HTTP): COEP does not apply to WebSockets.
    return { host: broker.host, port: broker.port, path: broker.path };
  }

  private async startPreviewServer(): Promise<string> {
    await this.build();
    const server = await preview({
      root: this.root,
      configFile: join(this.root, 'vite.config.ts'),
      logLevel: 'warn',
      clearScreen: false,
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    this.closers.push({ name: 'Vite preview server', close: () => server.close() });
    const url = server.resolvedUrls?.local[0];
    if (url === undefined) throw new Error('Vite preview server reported no local URL');
    return url;
  }
}

/** Rejects with `what timed out` if `promise` has not settled within `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
