import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { LinkFixture } from './fixtures/link.ts';
import { launchChromium } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';

type FixtureWindow = Window & { mycelLink: LinkFixture };

describe('a link between two browser contexts', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start(undefined, 'dev');
  });
  after(async () => {
    await server.stop();
  });

  async function nodePage(page: Page, nodeId: string): Promise<void> {
    await page.goto(new URL('test/e2e/fixtures/link.html', server.url).href);
    await page.waitForFunction(() => 'mycelLink' in window);
    await page.evaluate((id) => (window as unknown as FixtureWindow).mycelLink.start(id), nodeId);
  }

  it('opens through the broker and carries messages both ways', async () => {
    const browser = await launchChromium();
    try {
      const alice = await (await browser.newContext()).newPage();
      const bob = await (await browser.newContext()).newPage();
      await nodePage(alice, 'me2ealice');
      await nodePage(bob, 'me2ebob');
      await alice.evaluate(() => (window as unknown as FixtureWindow).mycelLink.dial('me2ebob'));
      await alice.evaluate(() => (window as unknown as FixtureWindow).mycelLink.send('hello from alice'));
      await bob.waitForFunction(() => (window as unknown as FixtureWindow).mycelLink.received.length === 1);
      await bob.evaluate(() => (window as unknown as FixtureWindow).mycelLink.send('hello from bob'));
      await alice.waitForFunction(() => (window as unknown as FixtureWindow).mycelLink.received.length === 1);
      assert.deepEqual(await bob.evaluate(() => (window as unknown as FixtureWindow).mycelLink.received), [
        'hello from alice',
      ]);
      assert.deepEqual(await alice.evaluate(() => (window as unknown as FixtureWindow).mycelLink.received), [
        'hello from bob',
      ]);
    } finally {
      await browser.close();
    }
  });
});
