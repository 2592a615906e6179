// UI figures for docs/PERFORMANCE.md (issue 7) — a benchmark, not a test:
// it reports, it never fails on a time.
//
//   node perf/ui-bench.mjs            (make bench-ui; RAPPORT_BIN, CHROMIUM as in e2e/)
//
// 1. Cold start in Chromium: `rapport serve --demo` started from nothing;
//    from the process start, and from the page's navigation, to the first
//    painted client row.
// 2. Scrolling a 100,000-item timeline: the demo with RAPPORT_DEMO_TIMELINE
//    gives Contoso 100,000 synthetic messages; the client page's timeline is
//    scrolled by a fixed distance every animation frame for a few seconds
//    (pages of 100 load from the backend on the way, as a user's scroll
//    would), and every frame's time is recorded in the page: fps, frames
//    over 16.7 ms ("dropped": one per missed vsync), the worst frame.
//
// Prints a table and, on the last line, one JSON object.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '..', process.env.RAPPORT_BIN || '../build/bin/rapport');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const ITEMS = Number(process.env.UI_BENCH_ITEMS || 100_000);
const SCROLL_MS = Number(process.env.UI_BENCH_SCROLL_MS || 5000);
const PX_PER_FRAME = Number(process.env.UI_BENCH_PX || 60); // a brisk wheel scroll
const RUNS = Number(process.env.UI_BENCH_RUNS || 3);

function serve(env) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-ui-bench-'));
  const t0 = performance.now();
  const child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, HOME: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 120 s:\n${out}`)), 120_000);
    const onLine = (l) => {
      out += l + '\n';
      const m = l.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.on('exit', (code) => reject(new Error(`rapport serve exited (${code}):\n${out}`)));
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { t0, url, stop };
}

// Records, in the page, when the first client row is in the DOM and painted.
const firstRowProbe = () => {
  window.__firstRow = null;
  const seen = () => {
    if (window.__firstRow === null && document.querySelector('[data-testid="client-row"]')) {
      requestAnimationFrame(() => {
        if (window.__firstRow === null) window.__firstRow = performance.now(); // after the frame that shows it
      });
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
};

async function coldStart(browser) {
  const s = serve({});
  try {
    const url = await s.url;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(firstRowProbe);
    const nav = performance.now();
    await page.goto(url);
    await page.waitForFunction(() => window.__firstRow !== null, null, { timeout: 60_000 });
    const done = performance.now();
    const inPage = await page.evaluate(() => window.__firstRow);
    await page.close();
    return { fromProcessMs: done - s.t0, fromNavigationMs: inPage, serverReadyMs: nav - s.t0 };
  } finally {
    s.stop();
  }
}

async function scroll(browser) {
  const s = serve({ RAPPORT_DEMO_TIMELINE: String(ITEMS) });
  try {
    const url = await s.url;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.getByTestId('client-row').filter({ hasText: 'Contoso' }).first().click();
    await page.getByTestId('timeline-row').first().waitFor({ timeout: 60_000 });
    const results = [];
    for (let run = 0; run < RUNS; run++) {
      results.push(
        await page.evaluate(
          ({ ms, px }) =>
            new Promise((resolve) => {
              const el = document.querySelector('.scroll');
              const list = document.querySelector('[data-testid="timeline-list"]');
              const frames = [];
              let start = null;
              let last = null;
              const step = (t) => {
                if (start === null) start = t;
                if (last !== null) frames.push(t - last);
                last = t;
                el.scrollTop += px;
                if (t - start < ms) requestAnimationFrame(step);
                else
                  resolve({
                    frames,
                    elapsed: t - start,
                    scrolled: el.scrollTop,
                    loaded: Number(list?.getAttribute('data-loaded') || 0),
                  });
              };
              requestAnimationFrame(step);
            }),
          { ms: SCROLL_MS, px: PX_PER_FRAME },
        ),
      );
    }
    const total = await page.evaluate(() => Number(document.querySelector('[data-testid="timeline-list"]')?.getAttribute('data-loaded') || 0));
    await page.close();
    return { results, loadedAtEnd: total };
  } finally {
    s.stop();
  }
}

function frameStats(r) {
  const vsync = 1000 / 60;
  const dropped = r.frames.reduce((n, d) => n + Math.max(0, Math.round(d / vsync) - 1), 0);
  const sorted = [...r.frames].sort((a, b) => a - b);
  return {
    fps: (r.frames.length / r.elapsed) * 1000,
    frames: r.frames.length,
    dropped,
    droppedPct: (dropped / (r.frames.length + dropped)) * 100,
    p50Ms: sorted[Math.floor(sorted.length / 2)],
    worstMs: sorted[sorted.length - 1],
    scrolledPx: r.scrolled,
    loaded: r.loaded,
  };
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const starts = [];
  for (let i = 0; i < RUNS; i++) starts.push(await coldStart(browser));
  const sc = await scroll(browser);
  const stats = sc.results.map(frameStats);
  const fmt = (n) => n.toFixed(1);
  console.log('cold start (rapport serve --demo → first client row painted in Chromium)');
  starts.forEach((s, i) =>
    console.log(`  run ${i + 1}: ${fmt(s.fromProcessMs)} ms from process start (bridge ready at ${fmt(s.serverReadyMs)} ms), ${fmt(s.fromNavigationMs)} ms from navigation`),
  );
  console.log(`timeline scroll: ${ITEMS.toLocaleString('en')} items, ${PX_PER_FRAME} px per frame for ${SCROLL_MS / 1000} s, ${RUNS} runs`);
  stats.forEach((s, i) =>
    console.log(
      `  run ${i + 1}: ${fmt(s.fps)} fps, ${s.frames} frames, ${s.dropped} dropped (${fmt(s.droppedPct)} %), p50 frame ${fmt(s.p50Ms)} ms, worst ${fmt(s.worstMs)} ms; scrolled ${s.scrolledPx} px, ${s.loaded} rows loaded`,
    ),
  );
  console.log(JSON.stringify({ coldStart: starts, scroll: stats, loadedAtEnd: sc.loadedAtEnd, items: ITEMS }));
} finally {
  await browser.close();
}
