import type { Page } from 'playwright-core';
import { createIdentity, waitForServiceWorker } from './app-page.ts';

/** Removes the default STUN server, so no ICE traffic leaves the machine. */
export async function withoutIceServers(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Remove ICE server 1', exact: true }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
}

/** Opens the app, waits for its service worker, creates the identity `name`, and drops STUN. */
export async function startUser(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await waitForServiceWorker(page);
  await createIdentity(page, name);
  await withoutIceServers(page);
}

/** Creates a group named `name` from the Groups page and resolves with a join link to it. */
export async function createGroupWithLink(page: Page, name: string): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('textbox', { name: 'Group name' }).fill(name);
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const linkBox = page.getByRole('textbox', { name: 'Join link' });
  await linkBox.waitFor();
  return linkBox.inputValue();
}
