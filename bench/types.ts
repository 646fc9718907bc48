import type { Browser } from 'playwright-core';

/** Where the bench's PeerJS broker listens, as a page connects to it (plain ws, no TLS). */
export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

/** What a result is compared against: a budget, or the same thing measured another way. */
export interface Baseline {
  readonly id: string;
  readonly value: number;
  readonly unit: string;
}

/** One figure a scenario measured. Ids are stable: history files and dashboards key on them. */
export interface Measurement {
  readonly id: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: Baseline;
  /** Anything that helps read the figure (percentiles, samples, files counted). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A measurement as written to `bench/results/latest.json`. */
export interface BenchResult {
  readonly id: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: Baseline | null;
  /** `value / baseline.value`, or null without a baseline. */
  readonly ratio: number | null;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface MachineInfo {
  readonly cpus: { readonly model: string; readonly count: number };
  readonly memoryBytes: number;
  readonly node: string;
  readonly chromium: string | null;
  readonly platform: string;
}

export interface BenchReport {
  readonly when: string;
  readonly machine: MachineInfo;
  readonly results: readonly BenchResult[];
}

/**
 * Shared, lazily started resources. Each is started at most once per run, on first use,
 * and closed by the harness at the end whether the scenarios passed or failed.
 */
export interface BenchContext {
  /** The project root (where package.json and vite.config.ts live). */
  readonly root: string;
  /** Where `npm run build` writes the app. */
  readonly distDir: string;
  /** Runs `npm run build` once per bench run. */
  build(): Promise<void>;
  /** Headless Chromium launched with the project's flags (scripts/chromium.ts). */
  browser(): Promise<Browser>;
  /**
   * Vite's dev server over the project root, without the app's config, serving
   * `bench/page.html` and the browser-side scenario modules under `/bench/scenarios/`.
   * The page is cross-origin isolated, so `performance.now()` has fine resolution.
   * Ends with a slash.
   */
  devServerUrl(): Promise<string>;
  /** `vite preview` of the built app with the project's vite.config.ts (builds first). Ends with a slash. */
  previewServerUrl(): Promise<string>;
  /** A PeerJS broker (scripts/broker-server.ts) on 127.0.0.1, for scenarios that link nodes. */
  broker(): Promise<BrokerAddress>;
  log(message: string): void;
}

/**
 * A benchmark scenario. `ids` lists the result ids it produces, so `--only` can pick
 * scenarios without running them; `run` must return exactly those.
 */
export interface Scenario {
  readonly name: string;
  readonly ids: readonly string[];
  run(context: BenchContext): Promise<readonly Measurement[]>;
}
