import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumArgs, ensureChromium } from '../../../scripts/chromium.ts';

/** Headless Chromium with the harness flags; each context is a fresh incognito-like profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: chromiumArgs() });
}

/** A user's browser: a fresh, real (not incognito) profile directory, removed on `close`. */
export async function launchProfile(): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mycel-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: ensureChromium(),
    headless: true,
    args: chromiumArgs(),
    acceptDownloads: true,
  });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
