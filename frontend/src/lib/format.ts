// Formatting helpers: times in the user's locale and time zone, relative for
// recent ones; counts with thousands separators. Pure functions of their
// inputs (`now` and `locale` are parameters) so they are easy to test.

import type { TimelineItem } from './types';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl.DateTimeFormat is costly to build; keep one per locale and options. */
function dtf(locale: string | undefined, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = (locale ?? '') + JSON.stringify(opts);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    formatters.set(key, f);
  }
  return f;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Parses an RFC 3339 string; null for missing or unreadable values. */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Local midnight of the day holding `d`. */
export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Whole calendar days from b's day to a's day, in local time (DST-safe). */
export function calendarDaysBetween(a: Date, b: Date): number {
  const ua = Date.UTC(a.getFullYear(), a.getMonth(), a.getDate());
  const ub = Date.UTC(b.getFullYear(), b.getMonth(), b.getDate());
  return Math.round((ua - ub) / DAY);
}

/**
 * "just now", "12 s ago", "5 min ago", "2 h ago", "yesterday", "3 d ago",
 * then a short date ("4 Mar", or "4 Mar 2023" in another year). Future
 * times read "in 5 min", "in 2 h", "tomorrow", or a date. `compact` drops
 * the " ago" (for narrow columns: "2 h", "3 d").
 */
export function relativeTime(
  value: string | Date | null | undefined,
  now: Date = new Date(),
  locale?: string,
  compact = false,
): string {
  const d = value instanceof Date ? value : parseTime(value);
  if (!d) return 'never';
  const diff = now.getTime() - d.getTime();
  const abs = Math.abs(diff);
  const past = diff >= 0;
  const ago = (n: number, unit: string) => (past ? (compact ? `${n} ${unit}` : `${n} ${unit} ago`) : `in ${n} ${unit}`);
  if (abs < 5 * SECOND) return compact ? 'now' : 'just now';
  if (abs < MINUTE) return ago(Math.floor(abs / SECOND), 's');
  if (abs < HOUR) return ago(Math.floor(abs / MINUTE), 'min');
  if (abs < DAY) return ago(Math.floor(abs / HOUR), 'h');
  const days = calendarDaysBetween(now, d);
  if (days === 1) return 'yesterday';
  if (days === -1) return 'tomorrow';
  if (days > 1 && days < 7) return ago(days, 'd');
  return shortDate(d, now, locale);
}

/** "4 Mar" in the current year, "4 Mar 2023" otherwise (locale order). */
export function shortDate(d: Date, now: Date = new Date(), locale?: string): string {
  const opts: Intl.DateTimeFormatOptions =
    d.getFullYear() === now.getFullYear()
      ? { day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short', year: 'numeric' };
  return dtf(locale, opts).format(d);
}

/** Local clock time, "14:02" or "2:02 PM" depending on the locale. */
export function clockTime(value: string | Date, locale?: string): string {
  const d = value instanceof Date ? value : parseTime(value);
  if (!d) return '';
  return dtf(locale, { hour: 'numeric', minute: '2-digit' }).format(d);
}

/** Time of a timeline row: the clock time, with a short date for upcoming items. */
export function rowTime(value: string, upcoming: boolean, now: Date = new Date(), locale?: string): string {
  const d = parseTime(value);
  if (!d) return '';
  if (!upcoming || calendarDaysBetween(now, d) === 0) return clockTime(d, locale);
  const opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };
  return `${dtf(locale, opts).format(d)} ${clockTime(d, locale)}`;
}

/** Full local date and time, for tooltips. */
export function fullDateTime(value: string | Date | null | undefined, locale?: string): string {
  const d = value instanceof Date ? value : parseTime(value);
  if (!d) return '';
  return dtf(locale, { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

/** "Today", "Yesterday", "Tomorrow", else "Monday 4 March" (with the year if not this year). */
export function dayLabel(d: Date, now: Date = new Date(), locale?: string): string {
  const days = calendarDaysBetween(now, d);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days === -1) return 'Tomorrow';
  const opts: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long' };
  if (d.getFullYear() !== now.getFullYear()) opts.year = 'numeric';
  return dtf(locale, opts).format(d);
}

export interface DayGroup<T> {
  /** Stable key: "upcoming" or the local date "YYYY-MM-DD". */
  key: string;
  label: string;
  upcoming: boolean;
  items: T[];
}

/** An all-day event's "2026-11-01" as local midnight of that day (no time-zone shift). */
export function parseDate(value: string | null | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value ?? '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * When an item happens, for grouping by day: an all-day event's own date
 * (its `at` is midnight UTC, another day west of Greenwich), else `at`.
 */
export function itemDate(item: Pick<TimelineItem, 'at'> & { allDay?: boolean; date?: string }): Date | null {
  if (item.allDay && item.date) return parseDate(item.date) ?? parseTime(item.at);
  return parseTime(item.at);
}

/** "45 min", "1 h", "1 h 30 m", "3 h 10 m"; "" for missing or negative spans. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h >= 24 && m === 0 && h % 24 === 0) return `${h / 24} d`;
  return m === 0 ? `${h} h` : `${h} h ${m} m`;
}

/** A meeting's length from its start and end; "" when unknown. */
export function meetingDuration(item: { at: string; end?: string | null }): string {
  const a = parseTime(item.at);
  const b = parseTime(item.end ?? null);
  return a && b ? formatDuration(b.getTime() - a.getTime()) : '';
}

/**
 * An all-day event's dates: "Sun 1 Nov", or "1 Nov – 3 Nov" over several
 * days (`endDate` is exclusive, as Graph sends it).
 */
export function allDayLabel(date: string | undefined, endDate: string | undefined, now: Date = new Date(), locale?: string): string {
  const first = parseDate(date);
  if (!first) return '';
  const opts: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };
  if (first.getFullYear() !== now.getFullYear()) opts.year = 'numeric';
  const f = dtf(locale, opts);
  const end = parseDate(endDate);
  if (end) {
    const last = new Date(end.getFullYear(), end.getMonth(), end.getDate() - 1);
    if (calendarDaysBetween(last, first) >= 1) {
      const short: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
      if (last.getFullYear() !== now.getFullYear()) short.year = 'numeric';
      return `${dtf(locale, short).format(first)} – ${dtf(locale, short).format(last)}`;
    }
  }
  return f.format(first);
}

/** Days an all-day event spans (1 for a single day). */
export function allDayDays(date: string | undefined, endDate: string | undefined): number {
  const a = parseDate(date);
  const b = parseDate(endDate);
  if (!a || !b) return 1;
  return Math.max(1, calendarDaysBetween(b, a));
}

/** "10:42" today, "21 Nov, 10:42" on another day: when data was last fresh. */
export function sinceTime(value: string | null | undefined, now: Date = new Date(), locale?: string): string {
  const d = parseTime(value);
  if (!d) return '';
  if (calendarDaysBetween(now, d) === 0) return clockTime(d, locale);
  return `${shortDate(d, now, locale)}, ${clockTime(d, locale)}`;
}

/** A date as "24 Aug 2026" (always with the year): settings and history windows. */
export function longDate(value: string | Date | null | undefined, locale?: string): string {
  const d = value instanceof Date ? value : parseTime(value);
  if (!d) return '';
  return dtf(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}

/**
 * A day the backend keeps as UTC midnight ("2026-08-24T00:00:00Z": history
 * windows), shown as that day wherever the user is: "24 Aug 2026".
 */
export function utcDay(value: string | null | undefined, locale?: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value ?? '');
  const d = m ? parseDate(m[1]) : null;
  return d ? longDate(d, locale) : '';
}

function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Groups timeline items (newest first) by local day. Items after `now`
 * (scheduled meetings) go into one "Upcoming" group, always first. Order
 * within groups, and between day groups, is kept as given.
 */
export function groupByDay<T extends Pick<TimelineItem, 'at'> & { allDay?: boolean; date?: string }>(
  items: readonly T[],
  now: Date = new Date(),
  locale?: string,
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  const byKey = new Map<string, DayGroup<T>>();
  for (const item of items) {
    const d = itemDate(item);
    let key: string;
    let label: string;
    let upcoming = false;
    if (!d) {
      key = 'unknown';
      label = 'Unknown date';
    } else if (d.getTime() > now.getTime()) {
      key = 'upcoming';
      label = 'Upcoming';
      upcoming = true;
    } else {
      key = dayKey(d);
      label = dayLabel(d, now, locale);
    }
    let g = byKey.get(key);
    if (!g) {
      g = { key, label, upcoming, items: [] };
      byKey.set(key, g);
      groups.push(g);
    }
    g.items.push(item);
  }
  // Upcoming stays on top even if the backend interleaves a just-arrived item.
  const up = groups.findIndex((g) => g.upcoming);
  if (up > 0) groups.unshift(...groups.splice(up, 1));
  return groups;
}

/** "1,234" (locale separators). */
export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "1 item", "1,234 items". */
export function plural(n: number, one: string, many = one + 's', locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}
