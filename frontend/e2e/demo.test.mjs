// End-to-end: the real backend in demo mode (`rapport serve --demo`) and the
// built UI in Debian's Chromium, driven by playwright-core.
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium npm run e2e
//
// RAPPORT_BIN defaults to ../build/bin/rapport (what `make build` produces);
// it must embed a current frontend/dist.
// Screenshots go to ../assets/screenshots/ (relative to frontend/).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontendDir = path.resolve(here, '..');
const bin = path.resolve(frontendDir, process.env.RAPPORT_BIN || '../build/bin/rapport');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const shotsDir = path.resolve(frontendDir, '../assets/screenshots');

const DEMO_CLIENTS = ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Woodgrove Bank', 'Adventure Works'];
const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/;
const START_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 60_000; // the demo syncs its first pages after start-up

let server; // child process
let serverOutput = '';
let dataDir;
let browser;
let appURL;

/** Starts the backend and resolves with the URL it prints. */
function startServer() {
  return new Promise((resolve, reject) => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-e2e-'));
    server = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
      cwd: dataDir,
      env: { ...process.env, HOME: dataDir, XDG_CONFIG_HOME: path.join(dataDir, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so after() can end it and its children
    });
    const timer = setTimeout(() => {
      reject(new Error(`rapport serve printed no URL within ${START_TIMEOUT_MS / 1000} s. Output:\n${serverOutput}`));
    }, START_TIMEOUT_MS);
    const onLine = (line) => {
      serverOutput += line + '\n';
      const m = line.match(URL_RE);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    // The URL is expected on stdout; stderr is read too so that a failure shows its reason.
    readline.createInterface({ input: server.stdout }).on('line', onLine);
    readline.createInterface({ input: server.stderr }).on('line', (l) => (serverOutput += l + '\n'));
    server.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${err.message}`));
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`rapport serve exited early (code ${code}, signal ${signal}). Output:\n${serverOutput}`));
    });
  });
}

function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(hard);
      resolve();
    };
    server.once('exit', done);
    const kill = (sig) => {
      try {
        process.kill(-server.pid, sig); // the whole group
      } catch {
        try {
          server.kill(sig);
        } catch {
          /* already gone */
        }
      }
    };
    const hard = setTimeout(() => {
      kill('SIGKILL');
      setTimeout(resolve, 500);
    }, 5000);
    kill('SIGTERM');
  });
}

before(async () => {
  assert.ok(fs.existsSync(bin), `backend binary not found at ${bin}: build it (npm run build, then go build at the repo root) or set RAPPORT_BIN`);
  assert.ok(fs.existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium, or set CHROMIUM`);
  appURL = await startServer();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('demo: client list, Contoso timeline, screenshots, token required', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`CSP: ${msg.text()}`);
    }
  });

  try {
    await page.goto(appURL, { waitUntil: 'domcontentloaded' });

    // All six demo clients in the sidebar.
    await page.waitForFunction(
      (names) => {
        const rows = [...document.querySelectorAll('[data-testid="client-row"]')].map((r) => r.textContent || '');
        return names.every((n) => rows.some((t) => t.includes(n)));
      },
      DEMO_CLIENTS,
      { timeout: UI_TIMEOUT_MS },
    );
    const rowCount = await page.locator('[data-testid="client-row"]').count();
    assert.ok(rowCount >= DEMO_CLIENTS.length, `expected at least ${DEMO_CLIENTS.length} client rows, saw ${rowCount}`);

    // The token left the address bar; the demo badge is up.
    assert.ok(!new URL(page.url()).searchParams.has('token'), `token still in the address bar: ${page.url()}`);
    await page.locator('[data-testid="demo-badge"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[data-testid="sync-status"]').waitFor({ timeout: UI_TIMEOUT_MS });

    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, 'clients.png') });

    // Open Contoso.
    await page.locator('[data-testid="client-row"]', { hasText: 'Contoso' }).first().click();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="timeline-title"]')?.textContent || '').includes('Contoso'),
      null,
      { timeout: UI_TIMEOUT_MS },
    );
    await page.locator('[data-testid="timeline-row"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const timelineRows = await page.locator('[data-testid="timeline-row"]').count();
    assert.ok(timelineRows >= 1, 'Contoso has no timeline rows');
    await page.screenshot({ path: path.join(shotsDir, 'client-timeline.png') });

    // The bridge refuses a call without the token header.
    const status = await page.evaluate(async () => {
      const res = await fetch('/api/call/Clients', { method: 'POST', body: '[]' });
      return res.status;
    });
    assert.equal(status, 401, 'a call without X-Rapport-Token must be refused with 401');

    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});

test('"?" shows the shortcuts and About: the version is the binary\'s own, the data folder the demo\'s', async () => {
  const { execFileSync } = await import('node:child_process');
  const printed = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(); // "rapport <git describe>"
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(appURL, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('demo-badge').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('body').press('?');
    const version = page.getByTestId('about-version');
    await version.waitFor({ timeout: UI_TIMEOUT_MS });
    assert.equal(`rapport ${await version.textContent()}`, printed);
    assert.equal(await page.getByTestId('about-data-dir').textContent(), path.join(dataDir, 'demo'));
    await page.keyboard.press('Escape');
    await page.getByTestId('help-dialog').waitFor({ state: 'detached' });
  } finally {
    await context.close();
  }
});
