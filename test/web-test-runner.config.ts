import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import { chromeLauncher } from '@web/test-runner-chrome';
import type { TestRunnerConfig, TestRunnerPlugin } from '@web/test-runner';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { startBroker, type RunningBroker } from '../scripts/broker-server.ts';
import { chromiumArgs } from '../scripts/chromium.ts';
import type { BrokerAddress } from './helpers/broker-address.ts';

// The package's types describe a CommonJS default export; at run time the import is the plugin.
const commonjs = fromRollup(
  rollupCommonjs as unknown as (options: object) => ReturnType<Parameters<typeof fromRollup>[0]>,
);

/**
 * Starts a real PeerJS broker on 127.0.0.1 for the whole run and lets pages ask for its
 * address, stop it and start it again (on the same port) with `executeServerCommand`.
 */
function brokerHarnessPlugin(): TestRunnerPlugin {
  let broker: RunningBroker | undefined;
  let port = 0;
  const start = async (): Promise<BrokerAddress> => {
    broker ??= await startBroker({ host: '127.0.0.1', port });
    port = broker.port;
    return { host: broker.host, port: broker.port, path: broker.path };
  };
  return {
    name: 'mycel-broker-harness',
    async serverStart() {
      await start();
    },
    async serverStop() {
      await broker?.close();
    },
    async executeCommand({ command }) {
      if (command === 'broker-address') return start();
      if (command === 'broker-stop') {
        await broker?.close();
        broker = undefined;
        return true;
      }
      return undefined;
    },
  };
}

/** Test-runner configuration: `unit` and `browser` groups, both in headless Chromium. */
export function testRunnerConfig(chromePath: string, groups: readonly string[]): TestRunnerConfig {
  // Unit tests are test/lib and test/core; a core test that needs the broker, WebRTC or
  // IndexedDB across nodes is named *.browser.test.ts and runs with the browser group.
  const all = [
    { name: 'unit', files: ['test/lib/**/*.test.ts', 'test/core/**/*.test.ts', '!**/*.browser.test.ts'] },
    { name: 'browser', files: ['test/!(lib|core|e2e|helpers)/**/*.test.ts', 'test/**/*.browser.test.ts'] },
  ];
  return {
    rootDir: '.',
    nodeResolve: { browser: true },
    concurrency: 1,
    concurrentBrowsers: 1,
    testsFinishTimeout: 20 * 60_000,
    testFramework: { config: { timeout: 60_000 } },
    groups: all.filter((group) => groups.includes(group.name)),
    browsers: [
      chromeLauncher({
        launchOptions: { executablePath: chromePath, headless: true, args: chromiumArgs() },
      }),
    ],
    plugins: [
      commonjs({ include: ['**/node_modules/sdp/**'], strictRequires: false }),
      esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
      brokerHarnessPlugin(),
    ],
  };
}
