// End-to-end: mail and calendar sync as the user sees it (issue 4), against
// the real backend in demo mode (`rapport serve --demo`) in Debian's
// Chromium: the first-sync progress / "We found…" card, the sync status
// screen, Contoso's Upcoming and past meetings, and new mail arriving
// without a reload (the demo tenant changes every ~10 s).
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium node --test e2e/
//
// RAPPORT_BIN defaults to ../build/bin/rapport (what `make build` produces;
// it embeds frontend/dist). Screenshots: ../assets/screenshots/first-sync.png
// and status.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { collectProblems, shotsDir, startDemoApp } from './support.mjs';

const UI_TIMEOUT_MS = 60_000;
/** New mail reaches the UI within one focused poll (15 s) of a demo tick (10 s); this is a generous bound. */
const LIVE_TIMEOUT_MS = 120_000;

let app;
let browser;
let appURL;

before(async () => {
  app = await startDemoApp('rapport-e2e-sync-');
  ({ browser, appURL } = app);
});

after(async () => {
  await app?.stop();
});

/** A fresh page on the app (its own storage), with page errors collected. */
async function openApp() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(appURL, { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid="client-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  return { context, page, problems };
}

test('first sync: the progress bar or the "We found…" card, then the card; its dismiss is remembered', async () => {
  const { context, page, problems } = await openApp();
  try {
    // The demo's first sync takes about a second: the page may land during it
    // (progress bar) or after it (card). Either one shows first.
    await page.locator('[data-testid="sync-progress"], [data-testid="found-card"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const card = page.locator('[data-testid="found-card"]', { hasText: 'We found' });
    await card.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = (await card.textContent()) ?? '';
    assert.match(text, /We found [\d,]+ messages?, [\d,]+ meetings? with [\d,]+ clients?/);
    assert.equal(await card.getByRole('button', { name: 'Review suggested clients' }).count(), 1);
    // The progress bar is gone once the first sync completed.
    await page.locator('[data-testid="sync-progress"]').waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });

    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'first-sync.png') });

    await page.locator('[data-testid="found-dismiss"]').click();
    await card.waitFor({ state: 'detached', timeout: 5_000 });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid="client-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[data-testid="sync-status"]', { hasText: /Synced|Syncing/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await page.locator('[data-testid="found-card"]').count(), 0, 'a dismissed card came back after a reload');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('the sync status screen lists Inbox and Calendar, with no error', async () => {
  const { context, page, problems } = await openApp();
  try {
    // Keyboard: the top-bar status is a button; Enter opens the screen.
    await page.locator('[data-testid="sync-status-button"]').focus();
    await page.keyboard.press('Enter');
    const screen = page.locator('[data-testid="status-screen"]');
    await screen.waitFor({ timeout: UI_TIMEOUT_MS });
    const inbox = screen.locator('[data-testid="stream-row"][data-kind="mail"][data-name="Inbox"]');
    const calendar = screen.locator('[data-testid="stream-row"][data-kind="calendar"][data-name="Calendar"]');
    await inbox.waitFor({ timeout: UI_TIMEOUT_MS });
    await calendar.waitFor({ timeout: UI_TIMEOUT_MS });
    // The first sync completed: every stream has a last success.
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('[data-testid="stream-row"]')];
        return rows.length > 0 && rows.every((r) => r.getAttribute('data-state') === 'ok' || r.getAttribute('data-state') === 'syncing');
      },
      null,
      { timeout: UI_TIMEOUT_MS },
    );
    assert.equal(await screen.locator('[data-testid="stream-error"]').count(), 0, 'a stream shows an error');
    assert.equal(await screen.locator('[data-testid="account-error"]').count(), 0, 'the account shows an error');
    const names = await screen.locator('[data-testid="stream-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    assert.equal(names[0], 'Inbox', `Inbox is listed first: ${names.join(', ')}`);
    assert.ok(names.includes('Sent Items'), `Sent Items is listed: ${names.join(', ')}`);
    assert.match((await inbox.textContent()) ?? '', /\d/, 'Inbox shows its item count');
    assert.doesNotMatch((await inbox.textContent()) ?? '', /never/, 'Inbox has a last success');

    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'status.png') });

    await page.keyboard.press('Escape');
    await screen.waitFor({ state: 'detached', timeout: 5_000 });
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test("Contoso's timeline shows an Upcoming meeting on top and past meetings below", async () => {
  const { context, page, problems } = await openApp();
  try {
    await page.locator('[data-testid="client-row"]', { hasText: 'Contoso' }).first().click();
    const upcoming = page.locator('[data-testid="upcoming"]');
    await upcoming.locator('[data-testid="timeline-row"][data-kind="meeting"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    // Upcoming is the first section.
    const firstHeading = await page.locator('.timeline h3').first().textContent();
    assert.equal(firstHeading, 'Upcoming');
    // Meeting rows carry their length ("45 min", "1 h").
    assert.match((await upcoming.locator('[data-testid="meeting-length"]').first().textContent()) ?? '', /\d+ (min|h)/);

    // A past meeting: in the first page, or after a few "Load more".
    const past = page.locator('[data-testid="timeline-row"][data-kind="meeting"]:not([data-upcoming])');
    for (let i = 0; i < 5 && (await past.count()) === 0; i++) {
      const more = page.getByRole('button', { name: 'Load more' });
      if ((await more.count()) === 0) break;
      await more.click();
      await page.waitForTimeout(300);
    }
    assert.ok((await past.count()) > 0, 'Contoso shows no past meeting');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('new mail appears without a reload (the demo tenant adds mail every ~10 s)', async () => {
  const { context, page, problems } = await openApp();
  try {
    await page.locator('[data-testid="sync-status"]', { hasText: /Synced/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    // A marker that a reload would wipe.
    await page.evaluate(() => {
      window.__rapportE2E = true;
    });
    const total = () =>
      page.locator('[data-testid="client-row"] .count').evaluateAll((cells) =>
        cells.reduce((n, c) => n + Number((c.textContent || '0').replace(/\D/g, '')), 0),
      );
    const before = await total();
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="client-row"] .count')].reduce((s, c) => s + Number((c.textContent || '0').replace(/\D/g, '')), 0) > n,
      before,
      { timeout: LIVE_TIMEOUT_MS, polling: 500 },
    );
    assert.ok((await total()) > before);
    assert.equal(await page.evaluate(() => window.__rapportE2E), true, 'the page was reloaded');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
