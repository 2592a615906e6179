import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, clockTime, dayLabel, formatCount, groupByDay, plural, relativeTime, rowTime } from './format';

// Local-time dates, so the tests hold in any time zone.
const now = new Date(2024, 2, 14, 15, 30, 0); // Thu 14 March 2024, 15:30 local
const at = (d: Date) => d.toISOString();
const minus = (ms: number) => new Date(now.getTime() - ms);
const S = 1000, M = 60 * S, H = 60 * M;

describe('relativeTime', () => {
  it('counts seconds, minutes and hours within the last day', () => {
    expect(relativeTime(minus(2 * S), now)).toBe('just now');
    expect(relativeTime(minus(12 * S), now)).toBe('12 s ago');
    expect(relativeTime(minus(5 * M + 10 * S), now)).toBe('5 min ago');
    expect(relativeTime(minus(2 * H + 59 * M), now)).toBe('2 h ago');
    expect(relativeTime(at(minus(23 * H)), now)).toBe('23 h ago');
  });

  it('uses calendar days beyond 24 hours, then dates', () => {
    expect(relativeTime(new Date(2024, 2, 13, 9, 0), now)).toBe('yesterday');
    expect(relativeTime(new Date(2024, 2, 11, 9, 0), now)).toBe('3 d ago');
    expect(relativeTime(new Date(2024, 2, 1, 9, 0), now, 'en-GB')).toBe('1 Mar');
    expect(relativeTime(new Date(2023, 11, 24, 9, 0), now, 'en-GB')).toBe('24 Dec 2023');
  });

  it('handles the future, compact form and missing values', () => {
    expect(relativeTime(new Date(now.getTime() + 20 * M), now)).toBe('in 20 min');
    expect(relativeTime(new Date(2024, 2, 15, 18, 0), now)).toBe('tomorrow');
    expect(relativeTime(minus(2 * H), now, undefined, true)).toBe('2 h');
    expect(relativeTime(new Date(2024, 2, 10, 9, 0), now, undefined, true)).toBe('4 d');
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime('garbage', now)).toBe('never');
  });
});

describe('days', () => {
  it('counts calendar days, not 24-hour spans', () => {
    expect(calendarDaysBetween(now, new Date(2024, 2, 13, 23, 59))).toBe(1);
    expect(calendarDaysBetween(now, new Date(2024, 2, 14, 0, 1))).toBe(0);
    // across the end of March (a DST change in many zones)
    expect(calendarDaysBetween(new Date(2024, 3, 2, 1, 0), new Date(2024, 2, 30, 23, 0))).toBe(3);
  });

  it('labels Today, Yesterday, then weekday and date', () => {
    expect(dayLabel(new Date(2024, 2, 14, 8, 0), now)).toBe('Today');
    expect(dayLabel(new Date(2024, 2, 13, 8, 0), now)).toBe('Yesterday');
    // (ICU versions differ on the comma after the weekday)
    expect(dayLabel(new Date(2024, 2, 11, 8, 0), now, 'en-GB')).toMatch(/^Monday,? 11 March$/);
    expect(dayLabel(new Date(2023, 2, 11, 8, 0), now, 'en-GB')).toMatch(/^Saturday,? 11 March 2023$/);
  });
});

describe('groupByDay', () => {
  it('groups newest-first items by local day with scheduled ones under Upcoming', () => {
    const items = [
      { id: 'future', at: at(new Date(2024, 2, 18, 10, 0)) },
      { id: 'later-today', at: at(new Date(2024, 2, 14, 17, 0)) },
      { id: 't1', at: at(new Date(2024, 2, 14, 14, 2)) },
      { id: 't2', at: at(new Date(2024, 2, 14, 0, 5)) },
      { id: 'y1', at: at(new Date(2024, 2, 13, 23, 55)) },
      { id: 'y2', at: at(new Date(2024, 2, 13, 9, 0)) },
      { id: 'old', at: at(new Date(2024, 2, 4, 9, 0)) },
    ];
    const groups = groupByDay(items, now, 'en-GB');
    expect(groups.map((g) => g.label.replace(',', ''))).toEqual(['Upcoming', 'Today', 'Yesterday', 'Monday 4 March']);
    expect(groups.map((g) => g.items.map((i) => i.id))).toEqual([
      ['future', 'later-today'],
      ['t1', 't2'],
      ['y1', 'y2'],
      ['old'],
    ]);
    expect(groups[0].upcoming).toBe(true);
    expect(groups[1].key).toBe('2024-03-14');
  });

  it('keeps Upcoming first even when a future item comes after past ones', () => {
    const items = [
      { id: 'now', at: at(new Date(2024, 2, 14, 15, 29)) },
      { id: 'future', at: at(new Date(2024, 2, 18, 10, 0)) },
      { id: 'y', at: at(new Date(2024, 2, 13, 9, 0)) },
    ];
    expect(groupByDay(items, now).map((g) => g.key)).toEqual(['upcoming', '2024-03-14', '2024-03-13']);
  });

  it('returns no groups for no items', () => {
    expect(groupByDay([], now)).toEqual([]);
  });
});

describe('times and counts', () => {
  it('formats clock times in the locale', () => {
    expect(clockTime(new Date(2024, 2, 14, 14, 2), 'en-GB')).toBe('14:02');
    expect(clockTime(new Date(2024, 2, 14, 14, 2), 'en-US')).toMatch(/^2:02\sPM$/);
  });

  it('adds the date to upcoming rows not on today', () => {
    expect(rowTime(at(new Date(2024, 2, 14, 17, 0)), true, now, 'en-GB')).toBe('17:00');
    expect(rowTime(at(new Date(2024, 2, 18, 10, 0)), true, now, 'en-GB')).toMatch(/^Mon,? 18 Mar 10:00$/);
    expect(rowTime(at(new Date(2024, 2, 11, 10, 0)), false, now, 'en-GB')).toBe('10:00');
  });

  it('uses thousands separators', () => {
    expect(formatCount(1234567, 'en-US')).toBe('1,234,567');
    expect(plural(1, 'item', undefined, 'en-US')).toBe('1 item');
    expect(plural(1234, 'item', undefined, 'en-US')).toBe('1,234 items');
  });
});

describe('meeting and sync formatting (issue 4)', () => {
  it('humanises durations', async () => {
    const { formatDuration, meetingDuration } = await import('./format');
    expect(formatDuration(45 * 60e3)).toBe('45 min');
    expect(formatDuration(60 * 60e3)).toBe('1 h');
    expect(formatDuration(190 * 60e3)).toBe('3 h 10 m');
    expect(formatDuration(48 * 3600e3)).toBe('2 d');
    expect(formatDuration(20e3)).toBe('1 min');
    expect(formatDuration(0)).toBe('');
    expect(formatDuration(-5)).toBe('');
    expect(meetingDuration({ at: '2026-11-24T15:00:00Z', end: '2026-11-24T15:45:00Z' })).toBe('45 min');
    expect(meetingDuration({ at: '2026-11-24T15:00:00Z' })).toBe('');
  });

  it('shows all-day events by their own date, never shifted by the time zone', async () => {
    const { allDayLabel, allDayDays, itemDate, parseDate } = await import('./format');
    const now = new Date(2026, 10, 22);
    expect(parseDate('2026-11-01')?.getDate()).toBe(1);
    expect(parseDate('nope')).toBeNull();
    expect(allDayLabel('2026-11-01', '2026-11-02', now, 'en-GB')).toMatch(/^Sun,? 1 Nov$/);
    expect(allDayLabel('2026-10-24', '2026-10-26', now, 'en-GB')).toBe('24 Oct – 25 Oct');
    expect(allDayLabel('2025-12-31', '2026-01-01', now, 'en-GB')).toMatch(/^Wed,? 31 Dec 2025$/);
    expect(allDayDays('2026-10-24', '2026-10-26')).toBe(2);
    expect(allDayDays('2026-10-24', undefined)).toBe(1);
    // at is midnight UTC; the local day is the event's own date.
    const d = itemDate({ at: '2026-11-01T00:00:00Z', allDay: true, date: '2026-11-01' });
    expect([d?.getFullYear(), d?.getMonth(), d?.getDate()]).toEqual([2026, 10, 1]);
  });

  it('says since when data is shown, and long dates', async () => {
    const { sinceTime, longDate } = await import('./format');
    const now = new Date(2026, 10, 22, 12, 0);
    expect(sinceTime(new Date(2026, 10, 22, 10, 42).toISOString(), now, 'en-GB')).toBe('10:42');
    expect(sinceTime(new Date(2026, 10, 21, 10, 42).toISOString(), now, 'en-GB')).toBe('21 Nov, 10:42');
    expect(sinceTime(null, now)).toBe('');
    expect(longDate(new Date(2026, 7, 24), 'en-GB')).toBe('24 Aug 2026');
  });
});
