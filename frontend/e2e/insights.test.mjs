// End-to-end: clients and insights (issue 6) against the real backend in
// demo mode (`rapport serve --demo`) in Debian's Chromium: the overview's
// attention badges (Northwind Traders has been silent for weeks; every demo
// client has inbound mail unanswered for more than 48 hours), the client
// page's charts drawn on their canvases, Ctrl+K search finding an
// "Invoice" and opening its client, and "Export…" downloading a CSV whose
// rows are the timeline's rows.
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium node --test e2e/insights.test.mjs
//
// RAPPORT_BIN defaults to ../build/bin/rapport (what `make build` produces;
// it embeds frontend/dist). Screenshots: ../assets/screenshots/overview.png,
// client-page.png and search.png. Waits are on selectors and page
// conditions only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { collectProblems, shotsDir, startDemoApp } from './support.mjs';

const UI_TIMEOUT_MS = 60_000;

let app;
let browser;
let appURL;

before(async () => {
  app = await startDemoApp('rapport-e2e-insights-');
  ({ browser, appURL } = app);
});

after(async () => {
  await app?.stop();
});

/** A fresh page on the app with the overview loaded (its own storage), page errors collected. */
async function openApp(colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(appURL, { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid="overview-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  // The "We found…" card is not what these tests look at.
  const dismiss = page.locator('[data-testid="found-dismiss"]');
  if (await dismiss.count()) await dismiss.first().click();
  return { context, page, problems };
}

async function openClient(page, name) {
  await page.locator('[data-testid="client-row"]', { hasText: name }).first().click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="timeline-title"]')?.textContent === n, name, { timeout: UI_TIMEOUT_MS });
}

/** Parses RFC 4180 CSV (quotes, CRLF, a leading byte-order mark). */
function parseCSV(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV cell as the timeline shows it: the formula guard's leading quote removed. */
const unguard = (v) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
const second = (iso) => Math.floor(Date.parse(iso) / 1000);

test('the overview shows attention badges: Northwind Traders silent for weeks, unanswered mail', async () => {
  const { context, page, problems } = await openApp();
  try {
    const north = page.locator('[data-testid="overview-row"]', { hasText: 'Northwind Traders' });
    await north.locator('[data-testid="attention-badge"][data-kind="silent"]').waitFor({ timeout: UI_TIMEOUT_MS });
    const silent = (await north.locator('[data-testid="attention-badge"][data-kind="silent"]').textContent()) ?? '';
    const days = Number((silent.match(/silent (\d+)d/) ?? [])[1]);
    assert.ok(days >= 21, `Northwind should be silent for weeks: "${silent}"`);
    assert.ok((await page.locator('[data-testid="attention-badge"][data-kind="unanswered"]').count()) > 0, 'no unanswered badge');
    assert.match((await page.locator('[data-testid="attention-badge"][data-kind="unanswered"]').first().textContent()) ?? '', /^\d+ unanswered$/);
    // The sidebar lists it under NEEDS ATTENTION, with why.
    const side = page.locator('[data-testid="attention-row"]', { hasText: 'Northwind Traders' });
    assert.match((await side.textContent()) ?? '', /silent \d+d/);
    // Each row: a sparkline drawn, a reply time humanised.
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="overview-row"] canvas[data-testid="sparkline"]');
      if (!c) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    }, null, { timeout: UI_TIMEOUT_MS });
    const reply = (await page.locator('[data-testid="overview-row"]', { hasText: 'Contoso' }).locator('.c-reply').textContent())?.trim() ?? '';
    assert.match(reply, /^(\d+ d( \d+ h)?|\d+ h( \d+ m)?|\d+ min|< 1 min)$/, `my reply time "${reply}"`);

    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'overview.png') });

    // Keyboard: j moves, Enter opens.
    const rows = page.locator('[data-testid="overview-row"]');
    await rows.first().focus();
    await page.keyboard.press('j');
    const secondName = (await rows.nth(1).locator('.name').textContent()) ?? '';
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('[data-testid="timeline-title"]')?.textContent === n, secondName, { timeout: UI_TIMEOUT_MS });
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test("a client page's figures and charts render (non-empty canvases), light and dark", async () => {
  for (const scheme of ['light', 'dark']) {
    const { context, page, problems } = await openApp(scheme);
    try {
      await openClient(page, 'Contoso');
      await page.locator('[data-testid="figures"]').waitFor({ timeout: UI_TIMEOUT_MS });
      assert.match((await page.locator('[data-testid="figure-my-reply"] dd').textContent()) ?? '', /\d+ (min|h|d)/);
      assert.match((await page.locator('[data-testid="figure-meetings"] dd').textContent()) ?? '', /\/ 30 d/);
      const charts = ['chart-email', 'chart-reply', 'chart-meetings', 'chart-files'];
      for (const id of charts) await page.locator(`[data-testid="${id}"] canvas`).waitFor({ timeout: UI_TIMEOUT_MS });
      // Every chart has drawn something: non-transparent pixels on its canvas.
      await page.waitForFunction(
        (ids) =>
          ids.every((id) => {
            const c = document.querySelector(`[data-testid="${id}"] canvas`);
            if (!c || c.width === 0 || c.height === 0) return false;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n > 500;
          }),
        charts,
        { timeout: UI_TIMEOUT_MS },
      );
      const sizes = await page.evaluate((ids) => ids.map((id) => document.querySelector(`[data-testid="${id}"] canvas`).toDataURL().length), charts);
      for (const n of sizes) assert.ok(n > 2000, `a chart's image is nearly empty (${n} bytes)`);
      // The timeline below is virtualized: fewer rows in the page than loaded.
      await page.locator('[data-testid="timeline-list"] [data-testid="timeline-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
      if (scheme === 'light') {
        fs.mkdirSync(shotsDir, { recursive: true });
        await page.screenshot({ path: path.join(shotsDir, 'client-page.png') });
      }
      assert.deepEqual(problems, [], 'the page logged errors');
    } finally {
      await context.close();
    }
  }
});

test('Ctrl+K search finds an "Invoice" mail and opens its client at that item', async () => {
  const { context, page, problems } = await openApp();
  try {
    await page.keyboard.press('Control+k');
    const input = page.locator('[data-testid="search-input"]');
    await input.waitFor({ timeout: UI_TIMEOUT_MS });
    await input.fill('Invoice');
    const results = page.locator('[data-testid="search-result"]');
    await results.first().waitFor({ timeout: UI_TIMEOUT_MS });
    const found = await results.evaluateAll((els) =>
      els.map((e) => ({
        kind: e.getAttribute('data-kind'),
        title: e.querySelector('.title')?.textContent ?? '',
        clients: e.querySelector('[data-testid="search-clients"]')?.textContent?.trim() ?? '',
        disabled: e.getAttribute('aria-disabled') === 'true',
      })),
    );
    assert.ok(found.every((r) => /invoice/i.test(r.title)), `a result without "Invoice": ${JSON.stringify(found)}`);
    const i = found.findIndex((r) => r.kind === 'mail' && !r.disabled && r.clients && r.clients !== 'no client');
    assert.ok(i >= 0, `no Invoice mail with a client: ${JSON.stringify(found)}`);
    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'search.png') });

    // Keyboard: ↓ to that result, Enter.
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
    await page.locator(`[data-testid="search-result"][aria-selected="true"]`, { hasText: found[i].title }).waitFor();
    await page.keyboard.press('Enter');
    const client = found[i].clients.split(',')[0].trim();
    await page.waitForFunction((n) => document.querySelector('[data-testid="timeline-title"]')?.textContent === n, client, { timeout: UI_TIMEOUT_MS });
    assert.equal(await page.locator('[data-testid="search-dialog"]').count(), 0, 'the search stayed open');
    // The item is loaded, scrolled to and highlighted.
    const flashed = page.locator('[data-testid="timeline-row"].flash');
    await flashed.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(await flashed.getAttribute('data-title'), found[i].title);
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test("Export… downloads a CSV whose rows are the client's timeline", async () => {
  const { context, page, problems } = await openApp();
  try {
    await openClient(page, 'Fabrikam');
    await page.locator('[data-testid="timeline-list"] [data-testid="timeline-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });

    // Scroll the (virtualized) timeline to its end, collecting every row.
    const ui = await page.evaluate(async () => {
      const sc = document.querySelector('article.client .scroll');
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const seen = new Map();
      let rendered = 0;
      for (let guard = 0; guard < 20_000; guard++) {
        const rows = document.querySelectorAll('[data-testid="timeline-list"] [data-testid="timeline-row"]');
        rendered = Math.max(rendered, rows.length);
        for (const li of rows) seen.set(li.getAttribute('data-item-id'), { at: li.getAttribute('data-at'), title: li.getAttribute('data-title') });
        const end = document.querySelector('[data-testid="timeline-end"]');
        if (end && sc.scrollTop + sc.clientHeight >= sc.scrollHeight - 2) break;
        sc.scrollTop += Math.max(120, Math.floor(sc.clientHeight * 0.6));
        await frame();
      }
      const upcoming = [...document.querySelectorAll('[data-testid="upcoming"] [data-testid="timeline-row"]')].map((li) => ({
        at: li.getAttribute('data-at'),
        title: li.getAttribute('data-title'),
      }));
      const loaded = Number(document.querySelector('[data-testid="timeline-list"]').getAttribute('data-loaded'));
      return { past: [...seen.values()], upcoming, loaded, rendered, end: !!document.querySelector('[data-testid="timeline-end"]') };
    });
    assert.ok(ui.end, 'the timeline did not reach its end');
    assert.equal(ui.past.length, ui.loaded, 'every loaded row was seen while scrolling');
    assert.ok(ui.rendered < ui.loaded, `not virtualized: ${ui.rendered} rows in the page for ${ui.loaded}`);

    await page.locator('[data-testid="export-button"]').click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI_TIMEOUT_MS }), page.locator('[data-testid="export-csv"]').click()]);
    const exportedAt = Date.now();
    assert.match(download.suggestedFilename(), /^Fabrikam-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await download.path();
    const raw = fs.readFileSync(file);
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with a UTF-8 byte-order mark');
    const table = parseCSV(raw.toString('utf8'));
    const header = table[0];
    assert.deepEqual(header.slice(0, 8), ['Client', 'Date', 'Time', 'At (UTC)', 'Kind', 'Direction', 'Counterpart', 'Title']);
    const blank = table.findIndex((r, i) => i > 0 && r.every((c) => c === ''));
    const rows = table.slice(1, blank < 0 ? undefined : blank).map((r) => ({ at: r[3], title: unguard(r[7]), client: r[0] }));
    assert.ok(rows.every((r) => r.client === 'Fabrikam'));
    assert.ok(blank > 0 && table[blank + 1]?.[1] === 'Figure', 'the figures table follows the timeline');

    // The past: the same rows. The demo adds mail as it goes, so rows newer
    // than the older of the two newest are left out of the comparison.
    const key = (r) => `${second(r.at)}|${r.title}`;
    const byTime = (a, b) => second(b.at) - second(a.at) || a.title.localeCompare(b.title);
    const csvPast = rows.filter((r) => Date.parse(r.at) <= exportedAt - 1000);
    const cutoff = Math.min(second(ui.past.map((r) => r.at).sort().at(-1)), second(csvPast.map((r) => r.at).sort().at(-1)));
    const a = ui.past.filter((r) => second(r.at) <= cutoff).sort(byTime).map(key);
    const b = csvPast.filter((r) => second(r.at) <= cutoff).sort(byTime).map(key);
    assert.ok(a.length > 20, `too few rows to compare (${a.length})`);
    assert.deepEqual(b, a, 'the CSV rows differ from the timeline rows');

    // Upcoming: the timeline's first meetings are the CSV's soonest ones.
    const csvSoon = rows.filter((r) => Date.parse(r.at) > exportedAt).sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.title.localeCompare(y.title));
    assert.deepEqual(
      csvSoon.slice(0, ui.upcoming.length).map(key),
      ui.upcoming.map(key),
      'the CSV upcoming meetings differ from the timeline',
    );
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
