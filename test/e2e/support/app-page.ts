import type { Page } from 'playwright-core';

/** Creates an identity through the first-run page and waits for the shell. */
export async function createIdentity(page: Page, displayName: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  await page.getByRole('button', { name: 'Create identity' }).click();
  await identityLink(page, displayName).waitFor();
}

/** The header's link to the identity page, named after the current identity. */
export function identityLink(page: Page, displayName: string) {
  return page.getByRole('link', { name: `Your identity: ${displayName}` });
}

/** Waits until a service worker controls the page (reloading once if the first load was not claimed). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!controlled) await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** The connection state the header's status pill announces. */
export async function connectionState(page: Page): Promise<string> {
  return (
    (await page
      .getByRole('status')
      .filter({ hasText: /^(Online|Offline|Connecting…)$/ })
      .textContent()) ?? ''
  );
}
