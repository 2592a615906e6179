// The first sync of an account, as the UI shows it: a progress bar per
// account with counts per stream while it runs, then the "We found N
// messages, M meetings with K clients" card until the user dismisses it.
// Pure functions of Status and the sync:progress events, tested without a DOM.

import type { AccountStatus, FirstSyncSummary, Status, SyncProgress } from './types';
import { formatCount, plural } from './format';

/** Progress events by account and stream, done ones kept (unlike the top bar's map). */
export type StreamProgressMap = Record<string, SyncProgress>;

export function progressKey(account: string, streamIdOrName: number | string | undefined): string {
  return `${account.toLowerCase()}\u0000${streamIdOrName ?? ''}`;
}

export function keyOf(p: SyncProgress): string {
  return progressKey(p.account, p.streamId || p.stream);
}

/** Records one sync:progress event (done ones too). */
export function recordProgress(map: StreamProgressMap, p: SyncProgress): StreamProgressMap {
  return { ...map, [keyOf(p)]: p };
}

export interface StreamLine {
  key: string;
  name: string;
  kind: string;
  items: number;
  /** 0 when unknown (calendars): the count is shown without a denominator. */
  total: number;
  done: boolean;
  error: string;
}

export interface AccountProgress {
  upn: string;
  name: string;
  streams: StreamLine[];
  /** 0..1, or null while nothing can be measured yet (folders being listed). */
  fraction: number | null;
  offline: boolean;
}

/** Errors that need the user: the first sync will not finish without them. */
const USER_ACTIONS = new Set(['reauthorize', 'admin-consent', 'unavailable']);

function isFirstSyncKind(kind: string | undefined): boolean {
  return kind === 'mail' || kind === 'calendar';
}

/**
 * The accounts whose first sync runs, with a line per mail folder and
 * calendar. `blocked` holds the UPNs (lower case) that cannot sync until
 * the user acts (signed out, consent missing): they show no progress.
 */
export function firstSyncProgress(
  status: Status | null,
  progress: StreamProgressMap,
  blocked: ReadonlySet<string> = new Set(),
): AccountProgress[] {
  const out: AccountProgress[] = [];
  for (const a of status?.accounts ?? []) {
    if (a.firstSync) continue;
    if (blocked.has(a.upn.toLowerCase())) continue;
    if (a.error && USER_ACTIONS.has(a.action)) continue;
    const lines = new Map<string, StreamLine>();
    for (const s of a.streams) {
      if (!isFirstSyncKind(s.kind)) continue;
      const key = progressKey(a.upn, s.id || s.name);
      lines.set(key, {
        key,
        name: s.name || s.kind,
        kind: s.kind,
        items: s.items,
        total: s.total,
        done: s.state === 'ok' || (s.state === 'error' && USER_ACTIONS.has(s.action)),
        error: s.error,
      });
    }
    const prefix = progressKey(a.upn, '');
    for (const [key, p] of Object.entries(progress)) {
      if (!key.startsWith(prefix) || !isFirstSyncKind(p.kind ?? 'mail')) continue;
      const prev = lines.get(key);
      lines.set(key, {
        key,
        name: p.stream || prev?.name || '',
        kind: p.kind ?? prev?.kind ?? 'mail',
        items: p.items,
        total: p.total || prev?.total || 0,
        done: p.done || !!prev?.done,
        error: prev?.error ?? '',
      });
    }
    const streams = sortLines([...lines.values()]);
    if (!a.listing && streams.length > 0 && streams.every((s) => s.done)) {
      // Every stream finished: the summary is on its way (sync:first-complete).
      continue;
    }
    // While the folders are still being listed, the streams known so far
    // (the largest folder starts first) are not the whole of the work.
    const share = a.listing ? null : fraction(streams);
    out.push({ upn: a.upn, name: a.displayName || a.upn, streams, fraction: share, offline: a.offline });
  }
  return out;
}

const ORDER: Record<string, number> = { inbox: 0, 'sent items': 1, calendar: 2 };

/** Inbox, Sent Items and Calendar first (what the user waits for), then by name. */
function sortLines(lines: StreamLine[]): StreamLine[] {
  const rank = (l: StreamLine) => ORDER[l.name.toLowerCase()] ?? (l.kind === 'calendar' ? 3 : 4);
  return lines.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * Share of the work done: each stream weighs what it holds (folders know
 * their total; a calendar counts as its items so far and is complete only
 * when done).
 */
export function fraction(lines: StreamLine[]): number | null {
  if (lines.length === 0) return null;
  let done = 0;
  let all = 0;
  for (const l of lines) {
    const w = Math.max(l.total, l.items, 1);
    all += w;
    done += l.done ? w : l.total > 0 ? Math.min(l.items, w) : 0;
  }
  return all > 0 ? Math.min(1, done / all) : null;
}

/** "131 of 143", "95 events", "95 events ✓". */
export function lineCount(l: StreamLine): string {
  if (l.kind === 'calendar') return plural(l.items, 'event');
  if (l.total > 0) return `${formatCount(Math.min(l.items, l.total))} of ${formatCount(l.total)}`;
  return plural(l.items, 'message');
}

// ---- the "We found…" card -------------------------------------------------

const DISMISSED_KEY = 'rapport.foundCard.dismissed';
/** A summary older than this is history, not news (unless it arrived live). */
export const FOUND_CARD_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function summaryKey(s: Pick<FirstSyncSummary, 'account' | 'at'>): string {
  return `${s.account.toLowerCase()}|${s.at}`;
}

/** "We found 348 messages, 94 meetings with 6 clients". */
export function foundSentence(s: FirstSyncSummary): string {
  const what = `${plural(s.messages, 'message')}, ${plural(s.meetings, 'meeting')}`;
  if (s.clients > 0) return `We found ${what} with ${plural(s.clients, 'client')}`;
  return `We found ${what}, not yet linked to a client`;
}

/**
 * The summaries to show: one per account whose first sync completed,
 * not dismissed, and recent (or announced live in this session).
 */
export function foundCards(
  accounts: readonly AccountStatus[],
  live: readonly FirstSyncSummary[],
  dismissed: ReadonlySet<string>,
  now: Date,
): FirstSyncSummary[] {
  const byAccount = new Map<string, FirstSyncSummary>();
  for (const a of accounts) {
    const s = a.firstSync;
    if (!s) continue;
    const at = Date.parse(s.at);
    if (Number.isFinite(at) && now.getTime() - at > FOUND_CARD_MAX_AGE_MS) continue;
    byAccount.set(a.upn.toLowerCase(), { ...s, account: s.account || a.upn });
  }
  const known = new Set(accounts.map((a) => a.upn.toLowerCase()));
  for (const s of live) {
    const upn = s.account.toLowerCase();
    // An account signed out since is not announced.
    if (known.size > 0 && !known.has(upn)) continue;
    byAccount.set(upn, s);
  }
  return [...byAccount.values()].filter((s) => !dismissed.has(summaryKey(s)));
}

export function loadFoundDismissed(storage: Storage | undefined = safeLocalStorage()): Set<string> {
  try {
    const raw = storage?.getItem(DISMISSED_KEY);
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveFoundDismissed(set: ReadonlySet<string>, storage: Storage | undefined = safeLocalStorage()) {
  try {
    // Keep the list short: only the latest entries matter.
    storage?.setItem(DISMISSED_KEY, JSON.stringify([...set].slice(-50)));
  } catch {
    /* storage disabled: the dismissal lasts for this window only */
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
