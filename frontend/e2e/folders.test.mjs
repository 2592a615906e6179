// End-to-end (issue 5): the Folders screen and a client's Files tab against
// the real backend in demo mode (`rapport serve --demo`), in Debian's
// Chromium driven by playwright-core. Waits on selectors only.
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium node --test e2e/folders.test.mjs
//
// The demo OneDrive keeps a folder per client under "Clients": "Contoso"
// is mapped automatically (its name is the client's), "Tailspin" is only a
// near match of "Tailspin Toys" — the test maps it by hand and then finds
// its files on Tailspin Toys' Files tab. Screenshots: ../assets/screenshots/
// folders.png and client-files.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { collectProblems, shotsDir, startDemoApp } from './support.mjs';

const UI_TIMEOUT_MS = 60_000; // the demo syncs its first pages after start-up

let app;
let browser;
let appURL;

before(async () => {
  app = await startDemoApp('rapport-e2e-folders-');
  ({ browser, appURL } = app);
});

after(async () => {
  await app?.stop();
});

/** The tree row of a folder (by name, and by level when names repeat). */
function folderRow(page, name, extra = '') {
  return page.locator(`[data-testid="folder-row"][data-name="${name}"]${extra}`).first();
}

test('folders: map a folder to a client, then see its files on the client’s Files tab', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = collectProblems(page);

  try {
    await page.goto(appURL, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid="client-row"]', { hasText: 'Tailspin Toys' }).first().waitFor({ timeout: UI_TIMEOUT_MS });

    // g then f opens Folders (the keys go to the page, not a field).
    await page.locator('body').press('g');
    await page.keyboard.press('f');
    await page.locator('[data-testid="folders-screen"]').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.locator('[data-testid="nav-folders"]').getAttribute('aria-current'), 'page');

    // The OneDrive: open it unless it is (it opens by itself the first time).
    const onedrive = page.locator('[data-testid="folder-row"][data-level="1"][data-drive-kind="onedrive"]').first();
    await onedrive.waitFor({ timeout: UI_TIMEOUT_MS });
    if ((await onedrive.getAttribute('aria-expanded')) !== 'true') {
      await onedrive.click();
      await page.keyboard.press('ArrowRight');
    }

    // OneDrive → Clients, with the keyboard: focus it, → expands.
    const clients = folderRow(page, 'Clients', '[data-level="2"]');
    await clients.waitFor({ timeout: UI_TIMEOUT_MS });
    await clients.click();
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid="folder-row"][data-name="Clients"][aria-expanded="true"]').waitFor();

    // "Contoso" carries the client's name: mapped automatically, with its badge.
    const contoso = folderRow(page, 'Contoso', '[data-level="3"]');
    await contoso.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await contoso.getAttribute('data-origin'), 'auto');
    await contoso.locator('[data-testid="auto-badge"]').waitFor();

    // "Tailspin" is not mapped yet: Enter opens the map action; pick Tailspin Toys.
    const tailspin = folderRow(page, 'Tailspin', '[data-level="3"]');
    await tailspin.waitFor();
    assert.equal(await tailspin.getAttribute('data-origin'), 'none', 'the demo’s Tailspin folder should start unmapped');
    await tailspin.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('[data-testid="map-dialog"]');
    await dialog.waitFor();
    await page.keyboard.type('Tailspin T');
    await dialog.locator('[data-testid="map-option"]', { hasText: 'Tailspin Toys' }).waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });

    // The row now names its client, mapped by the user; focus is back on it.
    await page.locator('[data-testid="folder-row"][data-name="Tailspin"][data-origin="manual"]').waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await folderRow(page, 'Tailspin', '[data-level="3"]').locator('[data-testid="folder-client"]').textContent(), 'Tailspin Toys');
    await page.locator('[data-testid="folders-notice"]', { hasText: 'mapped to Tailspin Toys' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-name') === 'Tailspin');

    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'folders.png') });

    // Tailspin Toys' Files tab: the mapped folder and its file activity.
    await page.locator('[data-testid="client-row"]', { hasText: 'Tailspin Toys' }).first().click();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="timeline-title"]')?.textContent || '').includes('Tailspin Toys'),
      null,
      { timeout: UI_TIMEOUT_MS },
    );
    await page.locator('[data-testid="tab-files"]').click();
    const tab = page.locator('[data-testid="files-tab"]');
    await tab.waitFor({ timeout: UI_TIMEOUT_MS });
    await tab.locator('[data-testid="client-folder"][data-path="Clients/Tailspin"][data-origin="manual"]').waitFor({ timeout: UI_TIMEOUT_MS });
    const fileRow = tab.locator('[data-testid="timeline-row"][data-kind="file"]').first();
    await fileRow.waitFor({ timeout: UI_TIMEOUT_MS });
    const action = await fileRow.locator('[data-testid="file-action"]').textContent();
    assert.match(action ?? '', /^(created|edited|renamed|moved|deleted)$/);
    assert.match((await fileRow.textContent()) ?? '', /\(Clients\/Tailspin/, 'a file row names its folder');
    // The tab bar at the top of the view, the folders and the activity below it.
    await page.locator('[data-testid="tab-files"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await fileRow.waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(shotsDir, 'client-files.png') });

    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
