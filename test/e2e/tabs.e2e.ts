import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createIdentity, identityLink } from './support/app-page.ts';

describe('one tab runs the node', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('a second tab says the app is open elsewhere, leaves the first alone, and takes over when it closes', async () => {
    const profile = await launchProfile();
    try {
      const first = await profile.newPage();
      await first.goto(server.url);
      await createIdentity(first, 'Tabitha');
      await first.getByRole('status', { name: /^Online/ }).waitFor();

      const second = await profile.newPage();
      await second.goto(server.url);
      await second.getByRole('heading', { name: 'Mycel is open in another tab' }).waitFor();
      assert.equal(await identityLink(second, 'Tabitha').count(), 0);
      assert.equal(await first.getByRole('status', { name: /^Online/ }).count(), 1);

      await first.close();
      await identityLink(second, 'Tabitha').waitFor();
      await second.getByRole('status', { name: /^Online/ }).waitFor({ timeout: 30_000 });
    } finally {
      await profile.dispose();
    }
  });
});
