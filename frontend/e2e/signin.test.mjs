// End-to-end: sign-in and accounts (issue 3), and the screen shown before
// the store is open (a damaged store set aside). Each test runs its own
// Microsoft 365 simulator (`rapport sim`) and a non-demo `rapport serve`
// pointed at it, with RAPPORT_BROWSER set to the simulator's scripted browser
// (`rapport sim browse <url>`), and drives the built UI in Debian's Chromium.
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium node --test e2e/
//
// RAPPORT_BIN defaults to ../build/bin/rapport (what `make build` produces;
// it embeds frontend/dist). Screenshots go to ../assets/screenshots/.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, Proc, chromiumPath, frontendDir, keyringWrapper, shotsDir, tempDir } from './support.mjs';

const bin = path.resolve(frontendDir, process.env.RAPPORT_BIN || '../build/bin/rapport');
const DEMO_CLIENTS = ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Woodgrove Bank', 'Adventure Works'];
const URL_RE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;
const TIMEOUT = 60_000;

let browser;
let procs = []; // everything the current test started
let dirs = [];

before(async () => {
  assert.ok(fs.existsSync(bin), `backend binary not found at ${bin}: run make build, or set RAPPORT_BIN`);
  assert.ok(fs.existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium, or set CHROMIUM`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
});

afterEach(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  procs = [];
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Starts `rapport sim` and returns the environment that points Rapport at it. */
async function startSim(faults) {
  const args = ['sim', '--addr', '127.0.0.1:0'];
  if (faults) args.push('--faults', faults);
  const sim = new Proc('rapport sim', bin, args);
  procs.push(sim);
  const authority = (await sim.next(/^authority: (https:\/\/\S+)$/))[1];
  const graph = (await sim.next(/^graph: (https:\/\/\S+)$/))[1];
  const ca = (await sim.next(/^ca: (\S+)$/))[1];
  return {
    RAPPORT_AUTHORITY: authority,
    RAPPORT_GRAPH_URL: graph,
    SSL_CERT_FILE: ca,
    RAPPORT_BROWSER: `${bin} sim browse`,
  };
}

/**
 * Starts a non-demo `rapport serve` with a fresh data directory; resolves
 * with its URL. prepare(dataDir) may put files there first.
 */
async function startServe(extraEnv = {}, prepare = undefined) {
  const dir = tempDir('rapport-e2e-signin-');
  dirs.push(dir);
  if (prepare) {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    prepare(path.join(dir, 'data'));
  }
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'share'),
    ...extraEnv,
  };
  delete env.RAPPORT_CLIENT_ID;
  if (!extraEnv.RAPPORT_AUTHORITY) delete env.RAPPORT_AUTHORITY;
  if (!extraEnv.RAPPORT_GRAPH_URL) delete env.RAPPORT_GRAPH_URL;
  const wrap = keyringWrapper();
  const argv = [...wrap, bin, 'serve', '--addr', '127.0.0.1:0', '--data-dir', path.join(dir, 'data')];
  const serve = new Proc('rapport serve', argv[0], argv.slice(1), { cwd: dir, env });
  procs.push(serve);
  return (await serve.next(URL_RE))[1];
}

async function openPage(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return { context, page, problems };
}

function shot(page, name) {
  fs.mkdirSync(shotsDir, { recursive: true });
  return page.screenshot({ path: path.join(shotsDir, name) });
}

/** Waits for the sign-in error panel; fails with its text if it has another code. */
async function signInError(page) {
  const panel = page.locator('[data-testid="signin-error"]');
  await panel.waitFor({ timeout: TIMEOUT });
  return { panel, code: await panel.getAttribute('data-code'), text: (await panel.textContent()) ?? '' };
}

/** After a click on Sign in: the main UI, or a clear failure naming the panel shown instead. */
async function waitSignedIn(page) {
  const which = await Promise.race([
    page.locator('[data-testid="nav-accounts"]').waitFor({ timeout: TIMEOUT }).then(() => 'main'),
    page.locator('[data-testid="signin-error"]').waitFor({ timeout: TIMEOUT }).then(() => 'error'),
  ]);
  if (which === 'error') {
    const { code, text } = await signInError(page);
    assert.fail(`sign-in failed with ${code}: ${text}`);
  }
}

test('onboarding → Try the demo shows the demo clients and the Demo badge', async () => {
  const url = await startServe();
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="onboarding"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid="signin-button"]').waitFor();
    await shot(page, 'onboarding.png');

    await page.locator('[data-testid="demo-button"]').click();
    await page.locator('[data-testid="demo-badge"]').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(
      (names) => {
        const rows = [...document.querySelectorAll('[data-testid="client-row"]')].map((r) => r.textContent || '');
        return names.every((n) => rows.some((t) => t.includes(n)));
      },
      DEMO_CLIENTS,
      { timeout: TIMEOUT },
    );
    assert.equal(await page.locator('[data-testid="onboarding"]').count(), 0, 'the onboarding must go away in the demo');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('a damaged store is explained in the window, and Start afresh sets it aside and opens a new one', async () => {
  const junk = 'Not an SQLite database: a file a disk tool rewrote.\n'.repeat(200);
  let dataDir = '';
  const url = await startServe({}, (d) => {
    dataDir = d;
    fs.writeFileSync(path.join(d, 'rapport.db'), junk, { mode: 0o600 });
  });
  const { context, page, problems } = await openPage(url);
  try {
    const opening = page.locator('[data-testid="store-opening"][data-phase="failed"]');
    await opening.waitFor({ timeout: TIMEOUT });
    assert.equal(await opening.locator('h1').textContent(), "Rapport's store cannot be read");
    assert.equal(await page.locator('[data-testid="store-problem"]').textContent(), "Rapport's store is damaged and cannot be read.");
    assert.match(await page.locator('[data-testid="store-detail"]').textContent(), /file is not a database/);
    assert.equal(await page.locator('[data-testid="store-path"]').textContent(), path.join(dataDir, 'rapport.db'));
    await shot(page, 'store-damaged.png');

    await page.locator('[data-testid="store-afresh"]').click();
    await page.locator('[data-testid="onboarding"]').waitFor({ timeout: TIMEOUT });
    const note = page.locator('[data-testid="store-afresh-note"]');
    assert.match(await note.textContent(), /moved to .*rapport\.db\.damaged-\d{8}-\d{6}.*Nothing could be read from the damaged store/s);
    await shot(page, 'store-afresh.png');
    await note.locator('[data-testid="store-afresh-dismiss"]').click();
    await note.waitFor({ state: 'detached' });
    const aside = fs.readdirSync(dataDir).filter((f) => /^rapport\.db\.damaged-\d{8}-\d{6}$/.test(f));
    assert.equal(aside.length, 1, `one damaged file set aside, found ${fs.readdirSync(dataDir)}`);
    assert.equal(fs.readFileSync(path.join(dataDir, aside[0]), 'utf8'), junk, 'the damaged file keeps its bytes');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('Start afresh restores from the copy beside the store what a store with no header cannot give', async () => {
  const url = await startServe({}, (d) => {
    for (const [name, domain] of [['Contoso', 'contoso.com'], ['Fabrikam', 'fabrikam.com']]) {
      execFileSync(bin, ['--data-dir', d, 'clients', 'add', name, '--domain', domain], { env: { ...process.env, HOME: d } });
    }
    const fd = fs.openSync(path.join(d, 'rapport.db'), 'r+');
    fs.writeSync(fd, Buffer.alloc(100), 0, 100, 0); // the header is gone: "file is not a database"
    fs.closeSync(fd);
  });
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="store-opening"][data-phase="failed"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid="store-afresh"]').click();
    const note = page.locator('[data-testid="store-afresh-note"]');
    await note.waitFor({ timeout: TIMEOUT });
    assert.match(await note.textContent(), /Nothing you had set up could be read from the damaged store\. Restored from the copy saved \d+ \w+ \d{4} at \d\d:\d\d: 2 clients, 2 domains\./);
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('a tenant that needs admin approval shows the consent panel with the admin-consent URL', async () => {
  const simEnv = await startSim('signin=admin_approval');
  const url = await startServe(simEnv);
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="signin-button"]').click({ timeout: TIMEOUT });
    const { panel, code, text } = await signInError(page);
    assert.equal(code, 'consent_required', `expected the consent panel, got ${code}: ${text}`);
    const consentURL = page.locator('[data-testid="admin-consent-url"]');
    await consentURL.waitFor();
    const link = ((await consentURL.textContent()) ?? '').trim();
    assert.match(link, /\/adminconsent\?client_id=/);
    assert.ok(link.startsWith('https://'), `admin-consent URL is not https: ${link}`);
    assert.ok(await page.locator('[data-testid="copy-admin-message"]').isVisible(), 'no "Copy message for your admin" button');
    assert.match(text, /demo stays usable/);
    // The panel is in place on the onboarding screen; sign-in can be tried again.
    assert.ok(await page.locator('[data-testid="onboarding"]').isVisible());
    assert.ok(await page.locator('[data-testid="signin-button"]').isEnabled());
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'admin-consent.png');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('the missing-scope banner appears after sign-in and disappears after Re-authorize', async () => {
  const simEnv = await startSim('');
  const url = await startServe(simEnv);
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="signin-button"]').click({ timeout: TIMEOUT });
    await waitSignedIn(page);
    const banner = page.locator('[data-testid="scope-banner"]');
    await banner.waitFor({ timeout: TIMEOUT });
    assert.match((await banner.textContent()) ?? '', /Allow Rapport to read your OneDrive and SharePoint activity/);
    assert.equal(await page.locator('[data-testid="onboarding"]').count(), 0);

    await page.locator('[data-testid="reauthorize"]').click();
    const outcome = await Promise.race([
      banner.waitFor({ state: 'detached', timeout: TIMEOUT }).then(() => 'gone'),
      page.locator('[data-testid="signin-error"]').waitFor({ timeout: TIMEOUT }).then(() => 'error'),
    ]);
    if (outcome === 'error') {
      const { code, text } = await signInError(page);
      assert.fail(`re-authorize failed with ${code}: ${text}`);
    }
    // The account screen agrees: one account, no banner.
    await page.locator('[data-testid="nav-accounts"]').click();
    await page.locator('[data-testid="account-row"]').first().waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('[data-testid="account-row"]').count(), 1);
    assert.equal(await page.locator('[data-testid="scope-banner"]').count(), 0);
    assert.ok(await page.locator('[data-testid="add-account"]').isVisible());
    await shot(page, 'accounts.png');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('when the tenant withholds Files.Read.All, Re-authorize explains the policy and the admin path', async () => {
  const simEnv = await startSim('block=Files.Read.All');
  const url = await startServe(simEnv);
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="signin-button"]').click({ timeout: TIMEOUT });
    await waitSignedIn(page);
    await page.locator('[data-testid="scope-banner"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid="reauthorize"]').click();
    const { code, text } = await signInError(page);
    assert.equal(code, 'missing_scope', `expected the missing-scope explanation, got ${code}: ${text}`);
    assert.match(text, /administrator/);
    assert.match(text, /OneDrive and SharePoint/);
    const consentURL = page.locator('[data-testid="admin-consent-url"]');
    await consentURL.waitFor({ timeout: TIMEOUT });
    assert.match(((await consentURL.textContent()) ?? '').trim(), /\/adminconsent\?client_id=/);
    // The banner stays: files are still not allowed.
    assert.ok(await page.locator('[data-testid="scope-banner"]').isVisible());
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('sign out keeps the account for "Sign in again"; deleting its data asks first and leads back to the onboarding', async () => {
  const simEnv = await startSim('');
  const url = await startServe(simEnv);
  const { context, page, problems } = await openPage(url);
  try {
    await page.locator('[data-testid="signin-button"]').click({ timeout: TIMEOUT });
    await waitSignedIn(page);
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    const row = page.locator('[data-testid="account-row"]');
    await row.first().waitFor({ timeout: TIMEOUT });

    await row.locator('[data-testid="signout"]').click();
    await page.locator('[data-testid="account-row"][data-state="signin_required"]').waitFor({ timeout: TIMEOUT });
    await row.locator('[data-testid="signin-again"]').click();
    await page.locator('[data-testid="account-row"][data-state="ok"]').waitFor({ timeout: TIMEOUT });

    await row.locator('[data-testid="signout-purge"]').click();
    const dialog = page.locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /cannot be undone/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await row.count(), 1, 'Esc must not delete anything');

    await row.locator('[data-testid="signout-purge"]').click();
    await page.locator('[data-testid="confirm-button"]').click();
    await page.locator('[data-testid="onboarding"]').waitFor({ timeout: TIMEOUT });
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
