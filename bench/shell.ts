import type { Browser, BrowserContext, Page } from 'playwright-core';
import { median, round, summarize } from './stats.ts';
import type { Scenario } from './types.ts';

/** Timed loads per mode; one more untimed load warms each mode up first. */
const timedLoads = 20;
/** How long the service worker gets to install, precache and take control. */
const controlTimeoutMs = 20_000;
/** How long a worker that just activated gets to claim the page before the harness reloads. */
const claimGraceMs = 2_000;
/** How long after `load` the shell may take to render. */
const renderTimeoutMs = 10_000;

interface ShellLoads {
  readonly firstRenderMs: number[];
  readonly fromServiceWorker: number;
}

/** The User Timing mark the app shell sets when it first shows real content. */
const renderedMark = 'mycel:shell-rendered';

/**
 * Milliseconds from navigation start to the app shell's first real render (its User Timing
 * mark), so the figure is the app's, not the static "Loading" placeholder's first paint.
 * Runs in the page. Written without named inner functions: tsx's keepNames would wrap
 * them in a helper the page does not have.
 */
function readShellRendered(args: { markName: string; timeoutMs: number }): Promise<number> {
  return new Promise<number>((resolveMark, rejectMark) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      rejectMark(new Error(`no ${args.markName} mark within ${args.timeoutMs} ms of load`));
    }, args.timeoutMs);
    const observer = new PerformanceObserver((list) => {
      const entry = list.getEntriesByName(args.markName)[0];
      if (entry === undefined) return;
      clearTimeout(timer);
      observer.disconnect();
      resolveMark(entry.startTime);
    });
    observer.observe({ type: 'mark', buffered: true });
  });
}

/** Loads the app until its service worker controls the page, or fails with what to check. */
async function waitForServiceWorkerControl(page: Page, url: string): Promise<void> {
  const deadline = Date.now() + controlTimeoutMs;
  const remainingMs = (): number => Math.max(1, deadline - Date.now());
  await page.goto(url, { waitUntil: 'load' });
  const state = await page.evaluate(
    (timeoutMs) =>
      'serviceWorker' in navigator
        ? Promise.race([
            navigator.serviceWorker.ready.then(() => 'active' as const),
            new Promise<'none'>((resolveState) =>
              setTimeout(() => {
                resolveState('none');
              }, timeoutMs),
            ),
          ])
        : ('unsupported' as const),
    remainingMs(),
  );
  if (state === 'unsupported') throw new Error(`${url} is not a context where service workers run`);
  const controlled = (timeoutMs: number): Promise<boolean> =>
    page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: timeoutMs })
      .then(
        () => true,
        () => false,
      );
  if (state === 'active') {
    // A worker that calls clients.claim() takes this page; one that does not controls the next load.
    if (await controlled(Math.min(claimGraceMs, remainingMs()))) return;
    await page.reload({ waitUntil: 'load' });
    if (await controlled(remainingMs())) return;
  }
  throw new Error(
    `No service worker took control of ${url} within ${controlTimeoutMs / 1000} s. Check that the build ` +
      'emits dist/sw.js and that the production app registers it (see vite.config.ts and src/app).',
  );
}

/** One untimed load, then `timedLoads` fresh navigations from about:blank, each timed to the shell's render. */
async function timeLoads(page: Page, url: string, expectServiceWorker: boolean): Promise<ShellLoads> {
  const firstRenderMs: number[] = [];
  let fromServiceWorker = 0;
  for (let load = 0; load <= timedLoads; load += 1) {
    await page.goto('about:blank');
    const response = await page.goto(url, { waitUntil: 'load' });
    if (response === null || !response.ok()) throw new Error(`${url} answered ${String(response?.status())}`);
    const renderMs = await page.evaluate(readShellRendered, {
      markName: renderedMark,
      timeoutMs: renderTimeoutMs,
    });
    if (expectServiceWorker && !(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
      throw new Error('the service worker stopped controlling the page between loads');
    }
    if (load === 0) continue;
    firstRenderMs.push(renderMs);
    if (response.fromServiceWorker()) fromServiceWorker += 1;
  }
  return { firstRenderMs, fromServiceWorker };
}

async function inFreshContext<T>(
  browser: Browser,
  serviceWorkers: 'allow' | 'block',
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const context: BrowserContext = await browser.newContext({ serviceWorkers });
  try {
    return await use(await context.newPage());
  } finally {
    await context.close();
  }
}

export const shellScenario: Scenario = {
  name: 'shell',
  ids: ['shell.first_render_ms'],
  async run(context) {
    const url = await context.previewServerUrl();
    const browser = await context.browser();
    const cached = await inFreshContext(browser, 'allow', async (page) => {
      await waitForServiceWorkerControl(page, url);
      return timeLoads(page, url, true);
    });
    const network = await inFreshContext(browser, 'block', (page) => timeLoads(page, url, false));
    return [
      {
        id: 'shell.first_render_ms',
        value: round(median(cached.firstRenderMs), 1),
        unit: 'ms',
        baseline: {
          id: 'shell.first_render_network_ms',
          value: round(median(network.firstRenderMs), 1),
          unit: 'ms',
        },
        extra: {
          serviceWorker: summarize(cached.firstRenderMs, 1),
          network: summarize(network.firstRenderMs, 1),
          navigationsFromServiceWorker: `${cached.fromServiceWorker}/${cached.firstRenderMs.length}`,
        },
      },
    ];
  },
};
