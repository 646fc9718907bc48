import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort, PreviewServer } from './support/preview-server.ts';
import { launchProfile } from './support/browser.ts';
import { createIdentity } from './support/app-page.ts';

function onlineStatus(page: Page) {
  return page.getByRole('status', { name: /^Online/ });
}

async function waitOnline(page: Page): Promise<void> {
  await onlineStatus(page).waitFor({ timeout: 45_000 });
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
}

function brokerUrl(page: Page) {
  return page.getByRole('textbox', { name: 'Broker URL' });
}

function automaticBroker(page: Page) {
  return page.getByRole('radio', { name: /^Automatic/ });
}

function ownBroker(page: Page) {
  return page.getByRole('radio', { name: 'My own broker' });
}

async function save(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save settings' }).click();
}

/** The settings form's alert, once it says something matching `text`; returns all it says. */
async function alertSaying(page: Page, text: RegExp): Promise<string> {
  const alert = page.getByRole('alert').filter({ hasText: text });
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}

async function waitSaved(page: Page): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
}

function iceUrls(page: Page) {
  return page.getByRole('textbox', { name: /^ICE server \d+ URL$/ });
}

/** A fresh browser on the settings page, with an identity and its node online. */
async function settingsPage(server: PreviewServer, context: Awaited<ReturnType<typeof launchProfile>>) {
  const page = await context.newPage();
  await page.goto(server.url);
  await createIdentity(page, 'Settings Tester');
  await waitOnline(page);
  await openSettings(page);
  return page;
}

describe('settings', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('refuses an invalid broker URL with a clear message and keeps the setting in use', async () => {
    const context = await launchProfile();
    try {
      const page = await settingsPage(server, context);
      assert.equal(await automaticBroker(page).isChecked(), true);

      await brokerUrl(page).fill('not a url');
      await save(page);
      const notUrl = await alertSaying(page, /is not a URL/);
      assert.match(notUrl, /"not a url" is not a URL\./);
      assert.match(notUrl, /https:\/\/broker\.example\.org\/peerjs/, 'the message shows an example');

      await brokerUrl(page).fill('ftp://example.org/peerjs');
      await save(page);
      const scheme = await alertSaying(page, /ftp:/);
      assert.match(scheme, /A broker URL starts with/);
      assert.equal(await page.getByRole('status').filter({ hasText: 'Settings saved.' }).count(), 0);
      await waitOnline(page);

      await page.reload();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      assert.equal(await brokerUrl(page).inputValue(), '');
      assert.equal(await automaticBroker(page).isChecked(), true);
      assert.equal(await ownBroker(page).isChecked(), false);
      await waitOnline(page);
    } finally {
      await context.dispose();
    }
  });

  it('saves a custom broker URL, keeps it after a reload and connects through it', async () => {
    const context = await launchProfile();
    try {
      const page = await settingsPage(server, context);
      const own = `http://127.0.0.1:${server.port}/peerjs`;

      // A broker where none listens (on this machine) takes the node off line: the setting is used.
      const nowhere = `http://127.0.0.1:${await freePort()}/peerjs`;
      await ownBroker(page).check();
      await brokerUrl(page).fill(nowhere);
      await save(page);
      await waitSaved(page);
      await page.getByRole('status', { name: /^(Offline|Connecting…)/ }).waitFor({ timeout: 45_000 });

      await brokerUrl(page).fill(own);
      await save(page);
      await waitSaved(page);
      await waitOnline(page);
      assert.match((await onlineStatus(page).getAttribute('aria-label')) ?? '', /127\.0\.0\.1/);

      await page.reload();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      assert.equal(await brokerUrl(page).inputValue(), own);
      assert.equal(await ownBroker(page).isChecked(), true);
      assert.equal(await automaticBroker(page).isChecked(), false);
      await waitOnline(page);
    } finally {
      await context.dispose();
    }
  });

  it('checks ICE servers before saving them and keeps a valid one after a reload', async () => {
    const context = await launchProfile();
    try {
      const page = await settingsPage(server, context);
      const before = await iceUrls(page).count();
      const n = before + 1;
      const url = page.getByRole('textbox', { name: `ICE server ${n} URL`, exact: true });

      await page.getByRole('button', { name: 'Add ICE server' }).click();
      await url.fill('turn:turn.example.org:3478');
      await save(page);
      await alertSaying(page, new RegExp(`ICE server ${n}: a TURN server needs a user name and a password`));

      await url.fill('http://x');
      await save(page);
      await alertSaying(page, new RegExp(`ICE server ${n}: "http://x" is not a STUN or TURN URL`));

      await page.getByRole('button', { name: `Remove ICE server ${n}`, exact: true }).click();
      assert.equal(await iceUrls(page).count(), before);
      await save(page);
      await waitSaved(page);
      assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0);

      await page.getByRole('button', { name: 'Add ICE server' }).click();
      await url.fill('stun:stun.example.org:3478');
      await save(page);
      await waitSaved(page);

      await page.reload();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await url.waitFor();
      assert.equal(await url.inputValue(), 'stun:stun.example.org:3478');
      assert.equal(await iceUrls(page).count(), n);
    } finally {
      await context.dispose();
    }
  });
});
