import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, ensureChromium } from '../../../scripts/chromium.ts';

/** Headless Chromium with the harness flags; Playwright gives each launch a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: chromiumArgs() });
}
