import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createGroupWithLink, startUser } from './support/group-page.ts';
import { connectionState } from './support/app-page.ts';

/** Long enough for a mesh to form, or re-form after the broker comes back (retries back off to 30 s). */
const linkTimeoutMs = 90_000;

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

async function sees(page: Page, text: string, timeout = linkTimeoutMs): Promise<void> {
  await page.getByRole('log').getByText(text, { exact: true }).waitFor({ timeout });
}

async function memberCount(page: Page): Promise<number> {
  return page.getByRole('list', { name: 'Members' }).getByRole('listitem').count();
}

describe('groups and chat, three users in three browsers', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('create, join by link, chat both ways, reload, go on without the server, and come back', async () => {
    const profiles = [await launchProfile(), await launchProfile(), await launchProfile()];
    try {
      const [ada, bob, cyd] = await Promise.all(profiles.map((profile) => profile.newPage()));
      if (ada === undefined || bob === undefined || cyd === undefined) throw new Error('no pages');
      for (const [page, name] of [
        [ada, 'Ada'],
        [bob, 'Bob'],
        [cyd, 'Cyd'],
      ] as const) {
        await startUser(page, server.url, name);
      }
      const link = await createGroupWithLink(ada, 'Book club');
      const linkBox = ada.getByRole('textbox', { name: 'Join link' });
      assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#join=[A-Za-z0-9_-]+$/);
      assert.equal(await linkBox.getAttribute('readonly'), '');

      for (const page of [bob, cyd]) {
        await page.goto(link);
        await page.getByRole('heading', { name: 'Join Book club?' }).waitFor();
        assert.match(
          await page.getByText(/invites you to join/).innerText(),
          /^Ada \(.+\) invites you to join Book club as a member\.$/,
        );
        await page.getByRole('button', { name: 'Join group' }).click();
        await page.getByRole('heading', { name: 'Book club', level: 1 }).waitFor();
      }
      for (const page of [ada, bob, cyd]) {
        await waitForMembers(page, 3);
      }

      await send(ada, 'Hello from Ada');
      await sees(bob, 'Hello from Ada');
      await sees(cyd, 'Hello from Ada');
      await send(bob, 'Hi Ada, Bob here');
      await sees(ada, 'Hi Ada, Bob here');
      await sees(cyd, 'Hi Ada, Bob here');

      await bob.reload();
      await sees(bob, 'Hello from Ada', 15_000);
      await sees(bob, 'Hi Ada, Bob here', 15_000);

      await server.stop();
      await send(cyd, 'The server is down and we still talk');
      await sees(ada, 'The server is down and we still talk');
      await sees(bob, 'The server is down and we still talk');
      await send(ada, 'Indeed');
      await sees(cyd, 'Indeed');

      await cyd.reload();
      await sees(cyd, 'Indeed', 15_000);
      await sees(cyd, 'Hello from Ada', 15_000);
      assert.equal(await connectionState(cyd), 'Offline');

      await server.restart();
      await cyd.getByRole('status', { name: /^Online/ }).waitFor({ timeout: linkTimeoutMs });
      await send(ada, 'Welcome back, Cyd');
      await sees(cyd, 'Welcome back, Cyd');
      await send(cyd, 'Glad to be back');
      await sees(ada, 'Glad to be back');
      await sees(bob, 'Glad to be back');
    } finally {
      for (const profile of profiles) await profile.dispose();
    }
  });
});

async function waitForMembers(page: Page, count: number): Promise<void> {
  const deadline = Date.now() + linkTimeoutMs;
  while ((await memberCount(page)) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} members, saw ${await memberCount(page)}`);
    await page.waitForTimeout(250);
  }
}
