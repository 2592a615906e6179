// Helpers for the end-to-end tests: child processes in their own process
// groups (so an after hook ends them and everything they started), lines
// awaited on their output, and a private Secret Service for the backend's
// keychain. Not a test file itself (node --test only runs *.test.mjs here).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const frontendDir = path.resolve(here, '..');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const shotsDir = path.resolve(frontendDir, '../assets/screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * A child process in its own process group whose output lines (stdout and
 * stderr) can be awaited: `next(re)` resolves with the match of the first
 * line since the start that matches re, or rejects when the process exits
 * first or the time is up.
 */
export class Proc {
  constructor(name, cmd, args, opts = {}) {
    this.name = name;
    this.output = '';
    this.lines = [];
    this.waiters = [];
    this.exited = null;
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: stop() ends it and its children
    });
    const onLine = (line) => {
      this.output += line + '\n';
      this.lines.push(line);
      this.#check();
    };
    readline.createInterface({ input: this.child.stdout }).on('line', onLine);
    readline.createInterface({ input: this.child.stderr }).on('line', onLine);
    this.child.on('error', (err) => {
      this.exited = `could not start ${cmd}: ${err.message}`;
      this.#check();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = `exited (code ${code}, signal ${signal})`;
      this.#check();
    });
  }

  #check() {
    for (const w of [...this.waiters]) {
      for (let i = w.from; i < this.lines.length; i++) {
        const m = this.lines[i].match(w.re);
        if (m) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          clearTimeout(w.timer);
          w.resolve(m);
          break;
        }
        w.from = i + 1;
      }
      if (this.exited && this.waiters.includes(w)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.reject(new Error(`${this.name} ${this.exited} before printing ${w.re}. Output:\n${this.output}`));
      }
    }
  }

  next(re, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const w = { re, from: 0, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name} printed no line matching ${re} within ${timeoutMs / 1000} s. Output:\n${this.output}`));
      }, timeoutMs);
      this.waiters.push(w);
      this.#check();
    });
  }

  /** Ends the whole process group: SIGTERM, then SIGKILL after 5 s. */
  stop() {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null || this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = (sig) => {
        try {
          process.kill(-c.pid, sig);
        } catch {
          try {
            c.kill(sig);
          } catch {
            /* already gone */
          }
        }
      };
      const hard = setTimeout(() => {
        kill('SIGKILL');
        setTimeout(resolve, 500);
      }, 5000);
      c.once('exit', () => {
        clearTimeout(hard);
        // Children that outlived the leader (the group may still hold them).
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          /* group empty */
        }
        resolve();
      });
      kill('SIGTERM');
    });
  }
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function onPath(cmd) {
  return (process.env.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/**
 * The command prefix that runs a program with a private, unlocked Secret
 * Service (its own D-Bus session and gnome-keyring-daemon), as `make test`
 * does for the Go tests: the backend keeps its token-cache key in the
 * keychain and refuses to sign in without one. Empty when the tools are
 * missing (apt-get install dbus gnome-keyring); sign-in then reports
 * keychain_unavailable.
 */
export function keyringWrapper() {
  if (process.env.RAPPORT_E2E_KEYRING === 'host') return [];
  if (!onPath('dbus-run-session') || !onPath('gnome-keyring-daemon')) return [];
  return [
    'dbus-run-session',
    '--',
    'sh',
    '-c',
    'printf rapport-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"',
    'rapport-with-keyring',
  ];
}

export const rapportBin = path.resolve(frontendDir, process.env.RAPPORT_BIN || '../build/bin/rapport');
const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/;

/**
 * `rapport serve --demo` in a fresh data directory and a Chromium to drive
 * it: { appURL, browser, dataDir, stop }. stop() ends both and removes the
 * directory (call it from after()).
 */
export async function startDemoApp(prefix) {
  if (!fs.existsSync(rapportBin)) throw new Error(`backend binary not found at ${rapportBin}: run make build, or set RAPPORT_BIN`);
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium, or set CHROMIUM`);
  const { chromium } = await import('playwright-core');
  const dataDir = tempDir(prefix);
  const server = new Proc('rapport serve --demo', rapportBin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', path.join(dataDir, 'data')], {
    cwd: dataDir,
    env: { ...process.env, HOME: dataDir, XDG_CONFIG_HOME: path.join(dataDir, 'config') },
  });
  const app = { dataDir, browser: null, appURL: '' };
  app.stop = async () => {
    await app.browser?.close().catch(() => {});
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  app.appURL = (await server.next(URL_RE, 60_000))[0];
  app.browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  return app;
}

/** Collects a page's script errors and CSP refusals (tests assert the list is empty). */
export function collectProblems(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  return problems;
}
