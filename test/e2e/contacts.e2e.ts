import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { launchProfile } from './support/browser.ts';
import { PreviewServer } from './support/preview-server.ts';
import { createGroupWithLink, startUser } from './support/group-page.ts';

/** Long enough for two nodes to find each other by name and link over local WebRTC. */
const linkTimeoutMs = 90_000;

async function openContacts(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
}

async function cardLinkOf(page: Page): Promise<string> {
  await openContacts(page);
  const box = page.getByRole('textbox', { name: 'Your contact card link' });
  await box.waitFor();
  for (let tries = 0; (await box.inputValue()) === '' && tries < 50; tries++) await page.waitForTimeout(100);
  return box.inputValue();
}

async function addContact(page: Page, link: string, name: string): Promise<void> {
  await openContacts(page);
  await page.getByRole('textbox', { name: 'Contact card link', exact: true }).fill(link);
  await page.getByRole('button', { name: 'Check card' }).click();
  const preview = page.getByRole('region', { name: `Card of ${name}` });
  await preview.getByRole('button', { name: 'Add contact' }).click();
  await contactItem(page, name).waitFor();
}

/** A contact's entry in the list, found by its name. */
function contactItem(page: Page, name: string): Locator {
  return page
    .getByRole('list', { name: 'Contacts' })
    .getByRole('listitem')
    .filter({ has: page.getByText(name, { exact: true }) });
}

describe('contacts, presence and a direct invitation, two users in two browsers', () => {
  let server: PreviewServer;
  before(async () => {
    server = await PreviewServer.start();
  });
  after(async () => {
    await server.stop();
  });

  it('exchange cards, see a presence change, invite a contact into a group; the contact accepts and sees the history', async () => {
    const profiles = [await launchProfile(), await launchProfile()];
    try {
      const [ada, bob] = await Promise.all(profiles.map((profile) => profile.newPage()));
      if (ada === undefined || bob === undefined) throw new Error('no pages');
      await startUser(ada, server.url, 'Ada');
      await startUser(bob, server.url, 'Bob');
      await createGroupWithLink(ada, 'Book club');
      await ada.getByRole('textbox', { name: 'Message' }).fill('Written before Bob came');
      await ada.getByRole('button', { name: 'Send' }).click();
      await ada.getByRole('log').getByText('Written before Bob came', { exact: true }).waitFor();

      const adaCard = await cardLinkOf(ada);
      const bobCard = await cardLinkOf(bob);
      assert.match(adaCard, /#\/contact\//);
      await addContact(bob, adaCard, 'Ada');
      await addContact(ada, bobCard, 'Bob');

      // Bob watches Ada: her change reaches him wherever her node is now.
      await ada.getByRole('combobox', { name: 'Your status' }).selectOption({ label: 'Busy' });
      const text = ada.getByRole('textbox', { name: 'Status text' });
      await text.fill('Reading chapter 3');
      await text.press('Enter');
      const adaAtBob = contactItem(bob, 'Ada');
      await adaAtBob.getByText('Reading chapter 3').waitFor({ timeout: linkTimeoutMs });
      assert.match(await adaAtBob.innerText(), /Busy/);

      // Ada invites Bob into her group from the contact list.
      const bobAtAda = contactItem(ada, 'Bob');
      await bobAtAda.getByRole('button', { name: 'Invite Bob to a group' }).click();
      await bobAtAda
        .getByRole('combobox', { name: 'Group to invite Bob to' })
        .selectOption({ label: 'Book club' });
      await bobAtAda.getByRole('button', { name: 'Send invitation' }).click();
      const sent = ada.getByRole('region', { name: 'Invitations you sent' });
      await sent.getByText('Waiting for an answer…').waitFor({ timeout: linkTimeoutMs });

      await bob.getByRole('heading', { name: 'Invitation to Book club' }).waitFor({ timeout: linkTimeoutMs });
      await bob.getByRole('button', { name: 'Accept invitation to Book club' }).click();
      await sent.getByText('Accepted').waitFor({ timeout: linkTimeoutMs });

      await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
      await bob
        .getByRole('link', { name: /Book club/ })
        .first()
        .click();
      await bob.getByRole('heading', { name: 'Book club', level: 1 }).waitFor();
      await bob
        .getByRole('log')
        .getByText('Written before Bob came', { exact: true })
        .waitFor({ timeout: linkTimeoutMs });
    } finally {
      for (const profile of profiles) await profile.close();
    }
  });
});
