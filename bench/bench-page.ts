import type { Page } from 'playwright-core';
import type { BenchContext } from './types.ts';

/**
 * Runs `body` on `bench/page.html` in a fresh browser context, closed afterwards whatever
 * happens: each scenario gets its own page, so one's peer connections never count against
 * another's (a page holds at most 500).
 */
export async function inBenchPage<T>(context: BenchContext, body: (page: Page) => Promise<T>): Promise<T> {
  const url = await context.devServerUrl();
  const browserContext = await (await context.browser()).newContext();
  try {
    const page = await browserContext.newPage();
    await page.goto(`${url}bench/page.html`);
    return await body(page);
  } finally {
    await browserContext.close();
  }
}
