import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { connectionState, createIdentity, identityLink, waitForServiceWorker } from './support/app-page.ts';

describe('the built app as an installable PWA', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('serves a complete web app manifest', async () => {
    const response = await fetch(new URL('manifest.webmanifest', server.url));
    assert.equal(response.status, 200);
    const manifest = (await response.json()) as Record<string, unknown>;
    for (const field of [
      'name',
      'short_name',
      'description',
      'start_url',
      'scope',
      'theme_color',
      'background_color',
    ]) {
      assert.equal(typeof manifest[field], 'string', `manifest.${field}`);
    }
    assert.equal(manifest['display'], 'standalone');
    const icons = manifest['icons'] as { sizes: string; purpose: string; src: string }[];
    assert.ok(icons.some((icon) => icon.sizes === '192x192'));
    assert.ok(icons.some((icon) => icon.sizes === '512x512' && icon.purpose === 'maskable'));
    for (const icon of icons)
      assert.equal((await fetch(new URL(icon.src, server.url))).status, 200, icon.src);
  });

  it('is controlled by its service worker, installable, and opens offline with the identity', async () => {
    const context = await launchProfile();
    const page = await context.newPage();
    await page.goto(server.url);
    await createIdentity(page, 'Ada Lovelace');
    await waitForServiceWorker(page);
    assert.equal(await connectionState(page), 'Online');

    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: unknown[];
    };
    assert.deepEqual(installabilityErrors, []);

    await server.stop();
    await page.reload();
    await identityLink(page, 'Ada Lovelace').waitFor();
    await page.getByRole('status', { name: /^Offline/ }).waitFor();
    await server.restart();
    await page.getByRole('status', { name: /^Online/ }).waitFor({ timeout: 45_000 });
    await context.dispose();
  });

  it('offers a new version and reloads into it when the user accepts', async () => {
    const context = await launchProfile();
    const page = await context.newPage();
    await page.goto(server.url);
    await createIdentity(page, 'Grace');
    await waitForServiceWorker(page);
    const swPath = 'dist/sw.js';
    const original = readFileSync(swPath, 'utf8');
    try {
      writeFileSync(swPath, `${original}\n// a new build\n`);
      await page.reload();
      const accept = page.getByRole('button', { name: 'Reload to update' });
      await accept.waitFor({ timeout: 30_000 });
      await Promise.all([page.waitForEvent('framenavigated'), accept.click()]);
      await identityLink(page, 'Grace').waitFor();
      const state = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return {
          waiting: registration.waiting !== null,
          controlled: navigator.serviceWorker.controller !== null,
        };
      });
      assert.deepEqual(state, { waiting: false, controlled: true });
      assert.equal(await page.getByRole('button', { name: 'Reload to update' }).count(), 0);
    } finally {
      writeFileSync(swPath, original);
      await context.dispose();
    }
  });
});
