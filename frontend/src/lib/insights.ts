// Issue 6's pure helpers: humanised figures ("3 h 10 m", "4.3", "9.75 h"),
// week and month labels for the charts, the home screen's sort and filter,
// the attention badges' wording, and the export download. Pure functions of
// their inputs (locale is a parameter) so they are easy to test.

import type { AttentionReason, ClientOverview, ExportFile, SearchHit } from './types';
import { formatCount, parseDate, parseTime } from './format';

/** The placeholder for a figure that cannot be measured (no answered mail, no meeting). */
export const NONE = '—';

/**
 * A span in minutes, humanised: "< 1 min", "45 min", "3 h 10 m", "1 d 2 h",
 * "12 d"; "—" for null, NaN or a negative value.
 */
export function humanMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return NONE;
  const m = Math.round(minutes);
  if (m < 1) return '< 1 min';
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) {
    const h = Math.floor(m / 60);
    const r = m % 60;
    return r === 0 ? `${h} h` : `${h} h ${r} m`;
  }
  // Past a day the minutes are noise: round to the hour.
  const hours = Math.round(m / 60);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 || d >= 10 ? `${d} d` : `${d} d ${h} h`;
}

/** A number with at most `digits` decimals in the locale ("4.3", "1,234"). */
export function formatNumber(n: number | null | undefined, digits = 1, locale?: string): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
}

/** Hours as invoices read them: "9.75 h", "0 h". */
export function formatHours(h: number | null | undefined, locale?: string): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return NONE;
  return `${formatNumber(h, 2, locale)} h`;
}

/** Whole days: "1 day", "38 days"; "—" for null. */
export function formatDays(d: number | null | undefined, locale?: string): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return NONE;
  const n = Math.round(d);
  return `${formatCount(n, locale)} ${n === 1 ? 'day' : 'days'}`;
}

/** The average per month over a range of `days` (30-day months): 9.75 h in 90 days → 3.25. */
export function perMonth(total: number, days: number): number {
  if (!Number.isFinite(total) || !Number.isFinite(days) || days <= 0) return 0;
  return (total * 30) / days;
}

/** "24 Aug" from an ISO week's Monday ("2026-08-24"). */
export function weekLabel(start: string, locale?: string): string {
  const d = parseDate(start);
  if (!d) return start;
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(d);
}

/** "Week of 24 Aug 2026 (2026-W35)" for a tooltip. */
export function weekTitle(w: { week: string; start: string }, locale?: string): string {
  const d = parseDate(w.start);
  if (!d) return w.week;
  const f = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  return `Week of ${f} (${w.week})`;
}

/** "Sep 2026" from "2026-09". */
export function monthLabel(month: string, locale?: string, withYear = true): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, 1);
  return new Intl.DateTimeFormat(locale, withYear ? { month: 'short', year: 'numeric' } : { month: 'short' }).format(d);
}

// ---- attention ---------------------------------------------------------------

/** Silence first (the rarer signal), then unanswered mail. */
export function orderedReasons(reasons: readonly AttentionReason[]): AttentionReason[] {
  const rank = (r: AttentionReason) => (r.kind === 'silent' ? 0 : r.kind === 'unanswered' ? 1 : 2);
  return [...reasons].sort((a, b) => rank(a) - rank(b));
}

/** A badge's text: the backend's label ("silent 9d", "2 unanswered"), or one made from the figures. */
export function reasonLabel(r: AttentionReason): string {
  if (r.label) return r.label;
  if (r.kind === 'silent' && r.silentDays) return `silent ${r.silentDays}d`;
  if (r.kind === 'unanswered' && r.threads) return `${r.threads} unanswered`;
  return r.kind;
}

/** A sentence for a badge's tooltip and screen readers. */
export function reasonSentence(r: AttentionReason, locale?: string): string {
  if (r.kind === 'silent') {
    const gap = r.usualGapDays ? `; usually every ${formatNumber(r.usualGapDays, 1, locale)} ${r.usualGapDays === 1 ? 'day' : 'days'}` : '';
    return `No contact for ${formatDays(r.silentDays ?? null, locale)}${gap}.`;
  }
  if (r.kind === 'unanswered') {
    const n = r.threads ?? 0;
    const since = parseTime(r.since ?? null);
    const when = since ? `, the oldest since ${new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(since)}` : '';
    return `${formatCount(n, locale)} ${n === 1 ? 'thread waits' : 'threads wait'} for your reply for more than 48 hours${when}.`;
  }
  return reasonLabel(r);
}

// ---- the home screen: sort and filter ------------------------------------------

export type OverviewSort = 'lastContact' | 'name' | 'volume' | 'attention';

export const SORT_LABELS: Record<OverviewSort, string> = {
  attention: 'Needs attention',
  lastContact: 'Last contact',
  name: 'Name',
  volume: 'Volume',
};

const time = (v: string | null | undefined) => parseTime(v ?? null)?.getTime() ?? -Infinity;

/** Messages in the sparkline's range (in + out). */
export function volumeOf(c: Pick<ClientOverview, 'weeklyVolume' | 'emailIn' | 'emailOut'>): number {
  const sum = c.weeklyVolume.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return sum || c.emailIn + c.emailOut;
}

/** How urgent a client's attention is: silent days plus unanswered threads (0: none). */
export function attentionScore(c: Pick<ClientOverview, 'attention'>): number {
  let s = 0;
  for (const r of c.attention) {
    if (r.kind === 'silent') s += 1000 + (r.silentDays ?? 0);
    else s += 100 + (r.threads ?? 1);
  }
  return s;
}

/** Sorts the overview; ties by name. Last contact and volume go newest/most first. */
export function sortOverview<T extends ClientOverview>(rows: readonly T[], by: OverviewSort, locale?: string): T[] {
  const byName = (a: T, b: T) => a.name.localeCompare(b.name, locale, { sensitivity: 'base' });
  const cmp: Record<OverviewSort, (a: T, b: T) => number> = {
    name: byName,
    lastContact: (a, b) => time(b.lastContact) - time(a.lastContact) || byName(a, b),
    volume: (a, b) => volumeOf(b) - volumeOf(a) || byName(a, b),
    attention: (a, b) => attentionScore(b) - attentionScore(a) || time(b.lastContact) - time(a.lastContact) || byName(a, b),
  };
  return [...rows].sort(cmp[by]);
}

/** Keeps rows whose name or a domain contains the text (case-insensitive); `attentionOnly` keeps flagged ones. */
export function filterOverview<T extends ClientOverview>(rows: readonly T[], text: string, attentionOnly = false): T[] {
  const q = text.trim().toLocaleLowerCase();
  return rows.filter(
    (c) =>
      (!attentionOnly || c.attention.length > 0) &&
      (!q || c.name.toLocaleLowerCase().includes(q) || c.domains.some((d) => d.toLocaleLowerCase().includes(q))),
  );
}

// ---- search ------------------------------------------------------------------

export const KIND_NAMES: Record<string, string> = { mail: 'Mail', meeting: 'Meeting', file: 'File', client: 'Client' };

/** What Enter on a search result does: open a client (with the item to show), or the item's link. */
export type HitTarget = { clientId: number; itemId: string; at: string; kind: string } | { url: string } | null;

export function hitTarget(h: SearchHit): HitTarget {
  if (h.clientIds.length > 0) return { clientId: h.clientIds[0], itemId: h.kind === 'client' ? '' : h.itemId, at: h.at, kind: h.kind };
  if (h.webLink && /^https:\/\//i.test(h.webLink)) return { url: h.webLink };
  return null;
}

// ---- export ------------------------------------------------------------------

/** A file name safe to offer for download (the backend's, else a fallback). */
export function safeFileName(name: string, fallback = 'export'): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^[.\s]+|[.\s]+$/g, '');
  return cleaned.slice(0, 120) || fallback;
}

/** Saves an export through a Blob and an a[download] (no navigation, no new window). */
export function downloadFile(file: ExportFile, doc: Document = document): void {
  const blob = new Blob([file.content], { type: file.mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = safeFileName(file.name);
  a.rel = 'noopener';
  a.style.display = 'none';
  doc.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Give the browser the time to start the download before revoking.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
