import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createIdentity } from './support/app-page.ts';

async function openPage(page: Page, name: 'Settings' | 'Network'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** Removes the default STUN server, so no ICE traffic leaves the machine. */
async function withoutIceServers(page: Page): Promise<void> {
  await openPage(page, 'Settings');
  await page.getByRole('button', { name: 'Remove ICE server 1', exact: true }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  await page.getByRole('status', { name: /^Online/ }).waitFor({ timeout: 45_000 });
}

/** The Links table's body rows. */
function linkRows(page: Page) {
  return page
    .getByRole('table', { name: 'Links' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

describe('the Network page, two users in two browsers', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('links two browsers by a pasted node id and shows the live link on both sides', async () => {
    const [ada, bob] = [await launchProfile(), await launchProfile()];
    try {
      const adaPage = await ada.newPage();
      const bobPage = await bob.newPage();
      for (const [page, name] of [
        [adaPage, 'Ada'],
        [bobPage, 'Bob'],
      ] as const) {
        await page.goto(server.url);
        await createIdentity(page, name);
        await withoutIceServers(page);
        await openPage(page, 'Network');
      }
      await adaPage.getByRole('status').filter({ hasText: 'Waiting for peers' }).waitFor({ timeout: 45_000 });
      const adaId =
        (
          await adaPage
            .getByText(/^m[a-z2-7]{32}$/)
            .first()
            .textContent()
        )?.trim() ?? '';
      assert.match(adaId, /^m[a-z2-7]{32}$/);

      await bobPage.getByRole('textbox', { name: 'Node id to connect to' }).fill(adaId);
      await bobPage.getByRole('button', { name: 'Connect', exact: true }).click();
      await bobPage.getByText(/Joined the mesh through/).waitFor({ timeout: 45_000 });

      for (const page of [adaPage, bobPage]) {
        await page
          .getByRole('status')
          .filter({ hasText: 'Connected to 1 neighbour' })
          .waitFor({ timeout: 30_000 });
        await linkRows(page).first().waitFor();
        assert.equal(await linkRows(page).count(), 1);
        assert.match(await linkRows(page).first().innerText(), /Broker/);
        const picture = page.getByRole('img', { name: /^This node with 1 neighbour/ });
        await picture.waitFor();
      }
      // The round trip is measured by keepalives and shows up without a reload.
      await bobPage
        .getByRole('table', { name: 'Links' })
        .getByRole('cell', { name: /^\d+(\.\d+)? ms$/ })
        .waitFor({ timeout: 15_000 });

      await bobPage.getByRole('textbox', { name: 'Node id to connect to' }).fill('not an id');
      await bobPage.getByRole('button', { name: 'Connect', exact: true }).click();
      await bobPage.getByRole('alert').filter({ hasText: 'That is not a node id.' }).waitFor();
    } finally {
      await ada.dispose();
      await bob.dispose();
    }
  });
});
