import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createIdentity } from './support/app-page.ts';

/** The header's link to the identity page, for exactly this display name. */
function headerLink(page: Page, displayName: string) {
  return page.getByRole('link', { name: `Your identity: ${displayName}`, exact: true });
}

/** Any header link to an identity page, whatever the name. */
function anyHeaderLink(page: Page) {
  return page.getByRole('link', { name: /^Your identity: / });
}

/** What the header shows about the current identity: its name and short id, as one line. */
async function headerText(page: Page): Promise<string> {
  return (await anyHeaderLink(page).innerText()).replace(/\s+/g, ' ').trim();
}

async function waitOnline(page: Page): Promise<void> {
  await page.getByRole('status', { name: /^Online/ }).waitFor({ timeout: 45_000 });
}

async function openIdentityPage(page: Page): Promise<void> {
  await anyHeaderLink(page).click();
  await page.getByRole('heading', { name: 'Your identity', level: 1 }).waitFor();
}

/** The identity page's facts ("Identity", "Full fingerprint", "Node id", …) by term. */
async function identityFacts(page: Page): Promise<Map<string, string>> {
  // The node id is known once the node has its connection; wait until it is shown.
  await page
    .getByRole('definition')
    .filter({ hasText: /^m[a-z2-7]{32}$/ })
    .waitFor({ timeout: 45_000 });
  const terms = await page.getByRole('term').allTextContents();
  const definitions = await page.getByRole('definition').allTextContents();
  assert.equal(terms.length, definitions.length);
  return new Map(terms.map((term, i) => [term.trim(), (definitions[i] ?? '').trim()]));
}

function fact(facts: Map<string, string>, term: string): string {
  const value = facts.get(term);
  assert.ok(value !== undefined, `the identity page shows "${term}"`);
  return value;
}

/** Exports the current identity from the identity page and saves the file into `dir`. */
async function exportIdentity(page: Page, passphrase: string, dir: string): Promise<string> {
  await page.getByLabel('Export passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat passphrase', { exact: true }).fill(passphrase);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByRole('button', { name: 'Export identity' }).click(),
  ]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  await page.getByRole('status').filter({ hasText: 'Exported: check your downloads.' }).waitFor();
  return path;
}

/** Submits the "Import an identity" form of the page shown (first-run or identity page). */
async function importIdentity(page: Page, file: string, passphrase: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Import an identity' });
  await form.getByLabel('Identity file').setInputFiles(file);
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByRole('button', { name: 'Import identity' }).click();
}

/** The alert of the import form, once it says something matching `text`. */
async function importAlert(page: Page, text: RegExp): Promise<string> {
  const alert = page
    .getByRole('form', { name: 'Import an identity' })
    .getByRole('alert')
    .filter({ hasText: text });
  await alert.waitFor({ timeout: 60_000 });
  return (await alert.textContent()) ?? '';
}

function otherIdentitiesHeading(page: Page) {
  return page.getByRole('heading', { name: 'Other identities in this browser' });
}

describe('identities in the browser', () => {
  let server: PreviewServer;
  let files: string;
  before(async () => {
    server = await PreviewServer.start();
    files = mkdtempSync(join(tmpdir(), 'mycel-identity-files-'));
  });
  after(async () => {
    await server.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('creates an identity on first run, refuses a blank name, and keeps the identity across reloads', async () => {
    const context = await launchProfile();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      const name = page.getByRole('textbox', { name: 'Display name' });
      const create = page.getByRole('button', { name: 'Create identity' });

      // An empty name does not even submit: the browser asks for one.
      await create.click();
      assert.equal(await name.evaluate((input) => (input as HTMLInputElement).validity.valueMissing), true);

      // A name of spaces only is refused by the app, with a reason.
      await name.fill('   ');
      await create.click();
      const alert = page.getByRole('alert').filter({ hasText: 'The name is empty.' });
      await alert.waitFor();
      assert.equal(await anyHeaderLink(page).count(), 0);
      await page.reload();
      await create.waitFor();
      assert.equal(await anyHeaderLink(page).count(), 0, 'no identity was stored');

      await createIdentity(page, 'Ada Lovelace');
      const shown = await headerText(page);
      assert.match(shown, /^Ada Lovelace [a-z2-7]{4}-[a-z2-7]{4}$/);

      await page.reload();
      await headerLink(page, 'Ada Lovelace').waitFor();
      assert.equal(await headerText(page), shown);
      assert.equal(await create.count(), 0);

      // The short id in the header is the start of the identity's full fingerprint.
      await openIdentityPage(page);
      const facts = await identityFacts(page);
      const fingerprint = fact(facts, 'Full fingerprint');
      assert.match(fingerprint, /^[a-z2-7]{52}$/);
      assert.equal(fact(facts, 'Identity'), `${fingerprint.slice(0, 4)}-${fingerprint.slice(4, 8)}`);
      assert.ok(shown.endsWith(fact(facts, 'Identity')));
    } finally {
      await context.dispose();
    }
  });

  it('renames the identity, keeps the new name after a reload, and refuses an invalid name', async () => {
    const context = await launchProfile();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await createIdentity(page, 'Ada');
      await openIdentityPage(page);
      const name = page.getByRole('textbox', { name: 'Display name' });
      const rename = page.getByRole('button', { name: 'Rename' });

      await name.fill('Ada Lovelace');
      await rename.click();
      await headerLink(page, 'Ada Lovelace').waitFor();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await page.getByRole('heading', { name: 'Ada Lovelace', level: 2 }).waitFor();

      await page.reload();
      await headerLink(page, 'Ada Lovelace').waitFor();
      assert.equal(await name.inputValue(), 'Ada Lovelace');

      await name.fill('    ');
      await rename.click();
      await page.getByRole('alert').filter({ hasText: 'The name is empty.' }).waitFor();
      assert.equal(await headerLink(page, 'Ada Lovelace').count(), 1);

      await name.fill('Ada\tLovelace');
      await rename.click();
      await page.getByRole('alert').filter({ hasText: 'control characters' }).waitFor();
      assert.equal(await headerLink(page, 'Ada Lovelace').count(), 1);

      await page.reload();
      await headerLink(page, 'Ada Lovelace').waitFor();
      assert.equal(await name.inputValue(), 'Ada Lovelace');
    } finally {
      await context.dispose();
    }
  });

  it('exports the identity to a passphrase-locked file that another browser imports as the same identity', async () => {
    const first = await launchProfile();
    let file: string;
    let fingerprint: string;
    let firstNodeId: string;
    try {
      const page = await first.newPage();
      let downloads = 0;
      page.on('download', () => (downloads += 1));
      await page.goto(server.url);
      await createIdentity(page, 'Grace Hopper');
      await waitOnline(page);
      await openIdentityPage(page);
      const facts = await identityFacts(page);
      fingerprint = fact(facts, 'Full fingerprint');
      firstNodeId = fact(facts, 'Node id');

      // Two different passphrases: refused before anything is saved.
      await page.getByLabel('Export passphrase', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Repeat passphrase', { exact: true }).fill('correct horse battery staple');
      await page.getByRole('button', { name: 'Export identity' }).click();
      await page.getByRole('alert').filter({ hasText: 'The two passphrases differ.' }).waitFor();

      file = await exportIdentity(page, 'correct horse battery staple', files);
      assert.equal(downloads, 1, 'only the export with matching passphrases saved a file');
      const text = readFileSync(file, 'utf8');
      const json = JSON.parse(text) as Record<string, unknown>;
      assert.equal(json['format'], 'mycel-identity');
      assert.equal(typeof json['ciphertext'], 'string');
      assert.ok(!text.includes('Grace Hopper'), 'the display name is inside the encrypted part');
    } finally {
      await first.dispose();
    }

    const second = await launchProfile();
    try {
      const page = await second.newPage();
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Create identity' }).waitFor();
      await importIdentity(page, file, 'correct horse battery staple');
      await headerLink(page, 'Grace Hopper').waitFor({ timeout: 60_000 });
      await waitOnline(page);
      await openIdentityPage(page);
      const facts = await identityFacts(page);
      assert.equal(fact(facts, 'Full fingerprint'), fingerprint, 'the same identity');
      const nodeId = fact(facts, 'Node id');
      assert.match(nodeId, /^m[a-z2-7]{32}$/);
      assert.notEqual(nodeId, firstNodeId, 'each browser has its own node id');
    } finally {
      await second.dispose();
    }
  });

  it('leaves the identity in use untouched when an import is refused', async () => {
    // Another person's identity file, made in another browser.
    const elsewhere = await launchProfile();
    let otherFile: string;
    try {
      const page = await elsewhere.newPage();
      await page.goto(server.url);
      await createIdentity(page, 'Yvonne');
      await openIdentityPage(page);
      otherFile = await exportIdentity(page, 'yvonne passphrase', files);
    } finally {
      await elsewhere.dispose();
    }
    const otherJson = JSON.parse(readFileSync(otherFile, 'utf8')) as Record<string, unknown>;
    const ciphertext = otherJson['ciphertext'];
    assert.ok(typeof ciphertext === 'string' && ciphertext.length > 20);
    // Change one character in the middle, keeping the encoding valid.
    const middle = Math.floor(ciphertext.length / 2);
    const changed = ciphertext[middle] === 'A' ? 'B' : 'A';
    const corruptFile = join(files, 'corrupt-identity.json');
    writeFileSync(
      corruptFile,
      JSON.stringify(
        { ...otherJson, ciphertext: ciphertext.slice(0, middle) + changed + ciphertext.slice(middle + 1) },
        null,
        2,
      ),
    );
    const garbageFile = join(files, 'garbage.json');
    writeFileSync(garbageFile, 'this is not JSON at all \u0000\u0001\u0002');

    const context = await launchProfile();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await createIdentity(page, 'Xavier');
      await openIdentityPage(page);
      const ownFile = await exportIdentity(page, 'xavier passphrase', files);
      const fingerprint = fact(await identityFacts(page), 'Full fingerprint');

      const attempts: { what: string; file: string; passphrase: string; alert: RegExp }[] = [
        {
          what: 'a wrong passphrase',
          file: otherFile,
          passphrase: 'not the passphrase',
          alert: /passphrase is wrong/,
        },
        {
          what: 'an altered file',
          file: corruptFile,
          passphrase: 'yvonne passphrase',
          alert: /the file was changed/,
        },
        {
          what: 'a file that is not an identity file',
          file: garbageFile,
          passphrase: 'whatever passphrase',
          alert: /not a Mycel identity file/,
        },
        {
          what: 'the identity already in use',
          file: ownFile,
          passphrase: 'xavier passphrase',
          alert: /already in this browser/,
        },
      ];
      for (const attempt of attempts) {
        await importIdentity(page, attempt.file, attempt.passphrase);
        await importAlert(page, attempt.alert);
        assert.equal(await headerLink(page, 'Xavier').count(), 1, `after ${attempt.what}`);
        assert.equal(await otherIdentitiesHeading(page).count(), 0, `after ${attempt.what}`);
        // A fresh page for the next attempt, from what the browser stored.
        await page.reload();
        await headerLink(page, 'Xavier').waitFor();
        await page.getByRole('heading', { name: 'Your identity', level: 1 }).waitFor();
        assert.equal(await otherIdentitiesHeading(page).count(), 0, `after ${attempt.what}, reloaded`);
        assert.equal(fact(await identityFacts(page), 'Full fingerprint'), fingerprint);
      }

      // The refusals were about the files: the genuine one with its passphrase is accepted.
      await importIdentity(page, otherFile, 'yvonne passphrase');
      await headerLink(page, 'Yvonne').waitFor({ timeout: 60_000 });
      await page.getByRole('status').filter({ hasText: 'Imported, and now in use.' }).waitFor();
      await otherIdentitiesHeading(page).waitFor();
      await page.getByRole('button', { name: 'Use Xavier' }).waitFor();
    } finally {
      await context.dispose();
    }
  });

  it('deletes the identity only after confirmation, back to the first-run page', async () => {
    const context = await launchProfile();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await createIdentity(page, 'Dora');
      await openIdentityPage(page);
      const dialog = page.getByRole('dialog', { name: 'Delete Dora?' });

      await page.getByRole('button', { name: 'Delete identity' }).click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await headerLink(page, 'Dora').count(), 1);
      await page.reload();
      await headerLink(page, 'Dora').waitFor();

      await page.getByRole('button', { name: 'Delete identity' }).click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('button', { name: 'Create identity' }).waitFor();
      assert.equal(await anyHeaderLink(page).count(), 0);

      await page.reload();
      await page.getByRole('button', { name: 'Create identity' }).waitFor();
      assert.equal(await anyHeaderLink(page).count(), 0);
    } finally {
      await context.dispose();
    }
  });
});
