import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  attentionScore,
  downloadFile,
  filterOverview,
  formatDays,
  formatHours,
  formatNumber,
  hitTarget,
  humanMinutes,
  monthLabel,
  orderedReasons,
  perMonth,
  reasonLabel,
  reasonSentence,
  safeFileName,
  sortOverview,
  volumeOf,
  weekLabel,
  weekTitle,
} from './insights';
import type { ClientOverview, SearchHit } from './types';

describe('humanised figures', () => {
  it('humanises minutes: min, h m, d h', () => {
    expect(humanMinutes(null)).toBe('—');
    expect(humanMinutes(undefined)).toBe('—');
    expect(humanMinutes(-5)).toBe('—');
    expect(humanMinutes(Number.NaN)).toBe('—');
    expect(humanMinutes(0.2)).toBe('< 1 min');
    expect(humanMinutes(1)).toBe('1 min');
    expect(humanMinutes(45)).toBe('45 min');
    expect(humanMinutes(59.6)).toBe('1 h');
    expect(humanMinutes(60)).toBe('1 h');
    expect(humanMinutes(190)).toBe('3 h 10 m');
    expect(humanMinutes(138.28)).toBe('2 h 18 m');
    expect(humanMinutes(24 * 60)).toBe('1 d');
    expect(humanMinutes(26 * 60 + 5)).toBe('1 d 2 h');
    expect(humanMinutes(12 * 24 * 60 + 300)).toBe('12 d');
  });

  it('formats counts, hours, days and the average per month', () => {
    expect(formatNumber(4.333, 1, 'en')).toBe('4.3');
    expect(formatNumber(1234.5, 0, 'en')).toBe('1,235');
    expect(formatNumber(null)).toBe('—');
    expect(formatHours(9.75, 'en')).toBe('9.75 h');
    expect(formatHours(0, 'en')).toBe('0 h');
    expect(formatHours(2.3333, 'en')).toBe('2.33 h');
    expect(formatDays(1, 'en')).toBe('1 day');
    expect(formatDays(38, 'en')).toBe('38 days');
    expect(formatDays(null)).toBe('—');
    // 9.75 h over 90 days is 3.25 h per 30 days
    expect(perMonth(9.75, 90)).toBeCloseTo(3.25);
    expect(perMonth(5, 0)).toBe(0);
  });

  it('labels weeks and months for the axes and the hover', () => {
    expect(weekLabel('2026-08-24', 'en-GB')).toBe('24 Aug');
    expect(weekTitle({ week: '2026-W35', start: '2026-08-24' }, 'en-GB')).toBe('Week of 24 Aug 2026 (2026-W35)');
    expect(monthLabel('2026-09', 'en-GB')).toBe('Sept 2026'.replace('Sept', new Intl.DateTimeFormat('en-GB', { month: 'short' }).format(new Date(2026, 8, 1))));
    expect(monthLabel('2026-09', 'en-US', false)).toBe('Sep');
    expect(monthLabel('bad')).toBe('bad');
  });
});

const ov = (over: Partial<ClientOverview> & { id: number; name: string }): ClientOverview => ({
  domains: [],
  lastContact: null,
  weeklyVolume: [],
  weeks: [],
  emailIn: 0,
  emailOut: 0,
  myMedianReplyMinutes: null,
  nextMeeting: null,
  attention: [],
  ...over,
});

describe('the overview: attention, sort and filter', () => {
  const rows = [
    ov({ id: 1, name: 'Contoso', domains: ['contoso.com'], lastContact: '2026-11-20T10:00:00Z', weeklyVolume: [10, 20], attention: [{ kind: 'unanswered', label: '13 unanswered', threads: 13 }] }),
    ov({ id: 2, name: 'fabrikam', domains: ['fabrikam.com'], lastContact: '2026-11-18T10:00:00Z', weeklyVolume: [40] }),
    ov({
      id: 3,
      name: 'Northwind',
      domains: ['northwindtraders.com'],
      lastContact: '2026-10-15T10:00:00Z',
      weeklyVolume: [1],
      attention: [
        { kind: 'unanswered', label: '6 unanswered', threads: 6 },
        { kind: 'silent', label: 'silent 38d', silentDays: 38, usualGapDays: 6 },
      ],
    }),
    ov({ id: 4, name: 'Adventure', lastContact: null, emailIn: 2, emailOut: 3 }),
  ];

  it('orders reasons silence first and words them', () => {
    expect(orderedReasons(rows[2].attention).map((r) => r.kind)).toEqual(['silent', 'unanswered']);
    expect(reasonLabel({ kind: 'silent', label: '', silentDays: 9 })).toBe('silent 9d');
    expect(reasonLabel({ kind: 'unanswered', label: '', threads: 2 })).toBe('2 unanswered');
    expect(reasonSentence({ kind: 'silent', label: '', silentDays: 38, usualGapDays: 6 }, 'en')).toBe('No contact for 38 days; usually every 6 days.');
    expect(reasonSentence({ kind: 'unanswered', label: '', threads: 1, since: '2026-09-03T14:10:03Z' }, 'en-GB')).toBe(
      '1 thread waits for your reply for more than 48 hours, the oldest since 3 Sept.'.replace('Sept', new Intl.DateTimeFormat('en-GB', { month: 'short' }).format(new Date(2026, 8, 3))),
    );
  });

  it('sums the volume (sparkline, else in + out) and scores attention', () => {
    expect(volumeOf(rows[0])).toBe(30);
    expect(volumeOf(rows[3])).toBe(5);
    expect(attentionScore(rows[2])).toBeGreaterThan(attentionScore(rows[0]));
    expect(attentionScore(rows[1])).toBe(0);
  });

  it('sorts by attention, last contact, name and volume', () => {
    expect(sortOverview(rows, 'attention').map((r) => r.id)).toEqual([3, 1, 2, 4]);
    expect(sortOverview(rows, 'lastContact').map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(sortOverview(rows, 'name').map((r) => r.name)).toEqual(['Adventure', 'Contoso', 'fabrikam', 'Northwind']);
    expect(sortOverview(rows, 'volume').map((r) => r.id)).toEqual([2, 1, 4, 3]);
  });

  it('filters by name or domain, and to the clients needing attention', () => {
    expect(filterOverview(rows, 'FAB').map((r) => r.id)).toEqual([2]);
    expect(filterOverview(rows, 'traders').map((r) => r.id)).toEqual([3]);
    expect(filterOverview(rows, '', true).map((r) => r.id)).toEqual([1, 3]);
    expect(filterOverview(rows, '  ').length).toBe(4);
  });
});

describe('search results and export', () => {
  const hit = (over: Partial<SearchHit>): SearchHit => ({ kind: 'mail', title: 't', at: '2026-11-01T00:00:00Z', counterpart: '', clientIds: [], clientNames: [], itemId: 'i1', ...over });

  it('opens a hit with a client on its page, else its https link, else nothing', () => {
    expect(hitTarget(hit({ clientIds: [4, 2] }))).toEqual({ clientId: 4, itemId: 'i1', at: '2026-11-01T00:00:00Z', kind: 'mail' });
    expect(hitTarget(hit({ kind: 'client', clientIds: [4] }))).toMatchObject({ clientId: 4, itemId: '' });
    expect(hitTarget(hit({ webLink: 'https://contoso.sharepoint.com/x.pdf' }))).toEqual({ url: 'https://contoso.sharepoint.com/x.pdf' });
    expect(hitTarget(hit({ webLink: 'javascript:alert(1)' }))).toBeNull();
    expect(hitTarget(hit({}))).toBeNull();
  });

  it('makes a download name safe', () => {
    expect(safeFileName('Contoso-2026-11-22.csv')).toBe('Contoso-2026-11-22.csv');
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a<b>:c|d?.json')).toBe('a_b_c_d_.json');
    expect(safeFileName('...')).toBe('export');
  });

  afterEach(() => vi.restoreAllMocks());

  it('downloads through a Blob and a[download], then revokes the URL', async () => {
    vi.useFakeTimers();
    const created: Blob[] = [];
    const createObjectURL = vi.fn((b: Blob) => {
      created.push(b);
      return 'blob:x';
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this);
    });
    downloadFile({ name: 'Contoso-2026-11-22.csv', mime: 'text/csv;charset=utf-8', content: '\uFEFFClient,Title\r\nContoso,=cmd\r\n' });
    expect(click).toHaveBeenCalledTimes(1);
    expect(clicks[0].download).toBe('Contoso-2026-11-22.csv');
    expect(clicks[0].getAttribute('href')).toBe('blob:x');
    expect(clicks[0].isConnected).toBe(false);
    expect(created[0].type).toBe('text/csv;charset=utf-8');
    expect(await created[0].text()).toContain('Contoso,=cmd');
    vi.advanceTimersByTime(10_000);
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:x');
    vi.useRealTimers();
  });
});
