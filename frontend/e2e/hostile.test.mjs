// End-to-end, hostile input (issue 8, suite 3): the demo tenant with the
// simulator's hostile items planted (RAPPORT_DEMO_HOSTILE=1: XSS payloads in
// subjects and names, javascript:/data:/file:/http: web links, bidi
// overrides, control characters, 1 MB subjects, 10,000 recipients...) in
// the first client's timeline, served by `rapport serve --demo` and driven
// in Debian's Chromium. Asserted: every payload shows as inert text, no
// dialog ever opens, no request leaves for another origin, only https links
// reach the system browser (RAPPORT_BROWSER records what would open), and
// a Content-Security-Policy forbidding inline script is in force.
//
//   RAPPORT_BIN=/path/to/rapport CHROMIUM=/usr/bin/chromium node --test e2e/hostile.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, Proc, chromiumPath, frontendDir, tempDir } from './support.mjs';

const bin = path.resolve(frontendDir, process.env.RAPPORT_BIN || '../build/bin/rapport');
const URL_RE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=(\S+))/;
const TIMEOUT = 90_000;
const CLIENT = 'Contoso'; // the simulator plants the items at the first client's domain

const XSS_SUBJECT = `<img src=x onerror=alert('subject')></script><script>alert("script")</script><a href="javascript:alert(1)">click</a>`;
const XSS_NAME = `<svg/onload=alert('from')> Mallory`;

let browser;
let serve;
let dir;
let appURL;
let token;
let opened; // the file the recording "browser" appends URLs to

before(async () => {
  assert.ok(fs.existsSync(bin), `backend binary not found at ${bin}: run make build, or set RAPPORT_BIN`);
  assert.ok(fs.existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium, or set CHROMIUM`);
  dir = tempDir('rapport-e2e-hostile-');
  opened = path.join(dir, 'opened.txt');
  const recorder = path.join(dir, 'record-browser.sh');
  fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    RAPPORT_DEMO_HOSTILE: '1',
    RAPPORT_BROWSER: recorder,
  };
  serve = new Proc('rapport serve --demo', bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', path.join(dir, 'data')], { cwd: dir, env });
  const m = await serve.next(URL_RE, TIMEOUT);
  appURL = m[1];
  token = m[2];
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  await serve?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function openedURLs() {
  return fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8').split('\n').filter(Boolean) : [];
}

test('hostile mail and meetings render as inert text; no dialog, no foreign request, CSP in force', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const origin = new URL(appURL).origin;
  const dialogs = [];
  const foreign = [];
  const problems = [];
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  // Every request the page makes must go to the bridge (or be inline data).
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!(u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:'))) foreign.push(u);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

  try {
    await page.goto(appURL, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid="client-row"]', { hasText: CLIENT }).first().click({ timeout: TIMEOUT });
    // The XSS subject shows up, as text.
    await page.waitForFunction(
      (s) => [...document.querySelectorAll('[data-testid="timeline-row"]')].some((r) => (r.textContent || '').includes(s)),
      XSS_SUBJECT,
      { timeout: TIMEOUT },
    );
    const dom = await page.evaluate(
      ({ subject, name }) => {
        const rows = [...document.querySelectorAll('[data-testid="timeline-row"]')];
        const text = rows.map((r) => r.textContent || '').join('\n');
        const handlers = [];
        for (const el of document.querySelectorAll('*')) {
          for (const a of el.attributes) {
            if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
            if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) {
              handlers.push(`${el.tagName}[${a.name}=${a.value.slice(0, 40)}]`);
            }
          }
        }
        return {
          hasSubject: text.includes(subject),
          hasName: text.includes(name),
          imgX: document.querySelectorAll('img[src="x"]').length,
          svgs: [...document.querySelectorAll('svg')].filter((s) => s.getAttribute('onload')).length,
          inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
          foreignScripts: [...document.querySelectorAll('script[src]')].filter((s) => new URL(s.src).origin !== location.origin).length,
          anchors: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
          handlers,
          rtl: text.includes('Invoice \u202Egpj.exe'),
          huge: rows.some((r) => (r.textContent || '').includes('HUGE AAAA')),
          rows: rows.length,
        };
      },
      { subject: XSS_SUBJECT, name: XSS_NAME },
    );
    assert.ok(dom.hasSubject, 'the XSS subject is not shown as text');
    assert.equal(dom.imgX, 0, 'an <img src=x> from a subject became an element');
    assert.equal(dom.svgs, 0, 'an <svg onload> from a name became an element');
    assert.equal(dom.inlineScripts, 0, 'an inline <script> is in the page');
    assert.equal(dom.foreignScripts, 0, 'a script from another origin is in the page');
    assert.deepEqual(dom.handlers, [], 'inline event handlers or script URLs in the DOM');
    for (const href of dom.anchors) {
      assert.ok(!/^\s*(javascript|data|vbscript|file):/i.test(href), `a link to ${href}`);
    }
    assert.ok(dom.rtl, 'the bidi-override subject is not shown');
    assert.ok(dom.huge, 'the 1 MB subject is not shown');

    // Links: rows whose web link is not https are not links at all; the
    // https one opens (in the recording browser) exactly as sent.
    for (const s of ['Open me (a javascript: link)', 'Open me (a data: link)', 'Open me (a plain http link)', 'Open me (a file: link)']) {
      const row = page.locator('[data-testid="timeline-row"]', { hasText: s }).first();
      await row.waitFor({ timeout: TIMEOUT });
      assert.equal(await row.locator('button').count(), 0, `"${s}" is clickable`);
      await row.click();
    }
    const httpsRow = page.locator('[data-testid="timeline-row"]', { hasText: 'Open me (an https link)' }).first();
    await httpsRow.locator('button').click();
    await page.waitForTimeout(500);

    // The page cannot add inline script: the CSP (header and meta) forbids it.
    const inline = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
      return window.__inlineRan === true;
    });
    assert.equal(inline, false, 'an inline script ran: no CSP in force');
    const meta = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') || '');
    assert.match(meta, /script-src 'self'(;|$)/, `index.html's CSP meta: ${meta}`);

    await page.waitForTimeout(500); // let any late payload fire
    assert.deepEqual(dialogs, [], 'a dialog opened');
    assert.deepEqual(foreign, [], 'requests left for another origin');
    assert.deepEqual(problems, [], 'the page threw');
  } finally {
    await context.close();
  }
  const urls = openedURLs();
  assert.ok(urls.length >= 1, 'the https link did not open');
  for (const u of urls) assert.ok(u.startsWith('https://'), `a non-https URL reached the system browser: ${u}`);
});

test('OpenURL refuses anything but https; the page has a CSP header forbidding inline script', async () => {
  const before = openedURLs().length;
  const call = async (url) => {
    const res = await fetch(new URL('/api/call/OpenURL', appURL), {
      method: 'POST',
      headers: { 'X-Rapport-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify([url]),
    });
    return res.status;
  };
  const refused = [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://attacker.example/',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'ms-settings:',
    '//attacker.example/x',
    'https:/attacker.example',
    'https://user:pass@attacker.example/',
    'https://attacker.example/\n--new-window',
    '',
  ];
  for (const u of refused) {
    assert.notEqual(await call(u), 200, `OpenURL(${JSON.stringify(u)}) was accepted`);
  }
  assert.equal(await call('https://outlook.office365.com/owa/?ItemID=x'), 200, 'an https link was refused');
  const urls = openedURLs().slice(before);
  assert.deepEqual(urls, ['https://outlook.office365.com/owa/?ItemID=x'], `the system browser got ${JSON.stringify(urls)}`);

  const res = await fetch(appURL);
  const csp = res.headers.get('content-security-policy') || '';
  const scriptSrc = (csp.split(';').find((d) => d.trim().startsWith('script-src')) || '').trim();
  assert.equal(scriptSrc, "script-src 'self'", `CSP header: ${csp}`);
  assert.ok(/default-src 'self'/.test(csp) && /frame-ancestors 'none'/.test(csp), `CSP header: ${csp}`);
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'a CORS header');
});
