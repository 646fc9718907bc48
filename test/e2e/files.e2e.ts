import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createGroupWithLink, startUser } from './support/group-page.ts';

/** Long enough for a mesh to form over local WebRTC. */
const linkTimeoutMs = 90_000;
/** Long enough to fetch a few megabytes over one local link, with room for a slow machine. */
const transferTimeoutMs = 120_000;

/**
 * Chromium has `showSaveFilePicker`, whose dialog a headless test cannot answer. Without it
 * the app saves through a Blob and `<a download>`, which Playwright sees as a download.
 */
async function withoutSavePicker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
}

/** Shares a file the way a person does: the composer's "Share file" button, then the file chooser. */
async function share(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Share file' }).click();
  await (await chooser).setFiles(path);
}

/** The card of a shared file in the chat, heard as a group named after the file. */
function card(page: Page, name: string): Locator {
  return page.getByRole('log').getByRole('group', { name, exact: true });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A small PNG drawn by the browser itself, so it is one any browser decodes. */
async function drawPng(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d context');
    context.fillStyle = '#2a7';
    context.fillRect(0, 0, 64, 48);
    context.fillStyle = '#fd3';
    context.fillRect(16, 12, 32, 24);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  return Buffer.from(bytes);
}

describe('file sharing in a group chat, two users in two browsers', () => {
  let server: PreviewServer;
  let dir: string;
  before(async () => {
    server = await PreviewServer.start();
    dir = mkdtempSync(join(tmpdir(), 'mycel-files-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('share a file and a picture, fetch, save, and remove the copy', async () => {
    const profiles = [await launchProfile(), await launchProfile()];
    try {
      for (const profile of profiles) await withoutSavePicker(profile);
      const [ada, bob] = await Promise.all(profiles.map((profile) => profile.newPage()));
      if (ada === undefined || bob === undefined) throw new Error('no pages');
      await startUser(ada, server.url, 'Ada');
      await startUser(bob, server.url, 'Bob');
      const link = await createGroupWithLink(ada, 'Darkroom');

      await bob.goto(link);
      await bob.getByRole('heading', { name: 'Join Darkroom?' }).waitFor();
      await bob.getByRole('button', { name: 'Join group' }).click();
      await bob.getByRole('heading', { name: 'Darkroom', level: 1 }).waitFor();
      for (const page of [ada, bob]) {
        await page.getByText('2 of 2 members online').waitFor({ timeout: linkTimeoutMs });
      }

      // 3,000,000 bytes: 45 full 64 KiB blocks and a short last one.
      const original = randomBytes(3_000_000);
      const dataName = 'measurements.bin';
      const dataPath = join(dir, dataName);
      writeFileSync(dataPath, original);
      await share(ada, dataPath);

      const adaCard = card(ada, dataName);
      await adaCard
        .getByRole('button', { name: 'Save', exact: true })
        .waitFor({ timeout: transferTimeoutMs });
      assert.match(await adaCard.innerText(), /measurements\.bin/);
      assert.match(await adaCard.innerText(), /\b3 MB\b/);
      assert.equal(await adaCard.getByRole('button', { name: 'Download' }).count(), 0);

      const bobCard = card(bob, dataName);
      await bobCard.getByRole('button', { name: 'Download' }).waitFor({ timeout: linkTimeoutMs });
      assert.match(await bobCard.innerText(), /\b3 MB\b/);
      await bobCard.getByRole('button', { name: 'Download' }).click();
      const save = bobCard.getByRole('button', { name: 'Save', exact: true });
      await save.waitFor({ timeout: transferTimeoutMs });

      const download = bob.waitForEvent('download');
      await save.click();
      const saved = await download;
      assert.equal(saved.suggestedFilename(), dataName);
      const savedPath = join(dir, 'saved.bin');
      await saved.saveAs(savedPath);
      assert.equal(sha256(readFileSync(savedPath)), sha256(original));

      const pictureName = 'swatch.png';
      const picturePath = join(dir, pictureName);
      writeFileSync(picturePath, await drawPng(ada));
      await share(ada, picturePath);
      const pictureCard = card(bob, pictureName);
      await pictureCard.getByRole('button', { name: 'Download' }).waitFor({ timeout: linkTimeoutMs });
      const preview = pictureCard.getByRole('img', { name: `Preview of ${pictureName}` });
      await preview.waitFor();
      // The thumbnail came with the record: it shows before a single block was fetched.
      assert.equal(await pictureCard.getByRole('button', { name: 'Save', exact: true }).count(), 0);
      await bob.waitForFunction(
        (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0,
        await preview.elementHandle(),
      );

      await bobCard.getByRole('button', { name: 'Remove from this browser' }).click();
      await bobCard.getByRole('button', { name: 'Download' }).waitFor();
      assert.equal(await bobCard.getByRole('button', { name: 'Save', exact: true }).count(), 0);
    } finally {
      for (const profile of profiles) await profile.dispose();
    }
  });
});
