import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Timeline from './Timeline.svelte';
import type { TimelineItem } from './types';

const now = new Date(2024, 2, 14, 15, 30); // local time
const at = (...a: [number, number, number, number, number]) => new Date(...a).toISOString();

const items: TimelineItem[] = [
  { kind: 'meeting', at: at(2024, 2, 18, 10, 0), counterpart: 'Alice Moreau', title: 'Steering committee', itemId: 'e1', webLink: 'https://outlook.office.com/calendar/item/e1' },
  { kind: 'mail', direction: 'in', at: at(2024, 2, 14, 14, 2), counterpart: 'Alice Moreau', title: 'Q3 plan — budget question', itemId: 'm1', webLink: 'https://outlook.office.com/mail/m1' },
  { kind: 'file', at: at(2024, 2, 14, 11, 40), counterpart: 'Bruno Keller', title: 'SOW.pdf', itemId: 'f1', webLink: 'https://contoso.sharepoint.com/SOW.pdf' },
  { kind: 'mail', direction: 'out', at: at(2024, 2, 13, 16, 0), counterpart: 'Chen Wei', title: 'Re: SOW', itemId: 'm2', webLink: 'http://insecure.example/m2' },
  { kind: 'mail', direction: 'in', at: at(2024, 2, 1, 9, 0), counterpart: 'Dana', title: 'Hello', itemId: 'm3', webLink: 'javascript:alert(1)' },
];

describe('Timeline', () => {
  it('renders rows grouped by day, newest first, scheduled items under Upcoming', () => {
    const { container } = render(Timeline, { items, now, onopenlink: () => {} });
    const headings = [...container.querySelectorAll('h3')].map((h) => h.textContent?.replace(',', ''));
    expect(headings).toEqual(['Upcoming', 'Today', 'Yesterday', expect.stringMatching(/1/)]);
    const rows = screen.getAllByTestId('timeline-row');
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.dataset.kind)).toEqual(['meeting', 'mail', 'file', 'mail', 'mail']);
    // the Today heading is followed by exactly its two rows, then Yesterday's
    const order = [...container.querySelectorAll('h3, [data-testid="timeline-row"]')].map((e) => (e.tagName === 'H3' ? e.textContent : 'row'));
    expect(order.slice(0, 6)).toEqual(['Upcoming', 'row', 'Today', 'row', 'row', 'Yesterday']);
  });

  it('shows counterpart, title, direction for mail and a local time', () => {
    render(Timeline, { items, now, onopenlink: () => {} });
    const row = screen.getAllByTestId('timeline-row')[1];
    expect(row.textContent).toContain('Alice Moreau');
    expect(row.textContent).toContain('Q3 plan — budget question');
    expect(row.querySelector('.badge')?.textContent).toBe('in');
    expect(row.querySelector('time')?.getAttribute('datetime')).toBe(items[1].at);
    expect(row.querySelector('time')?.textContent).toMatch(/\d{1,2}:02/);
    // no direction badge on files and meetings
    expect(screen.getAllByTestId('timeline-row')[2].querySelector('.badge.in, .badge.out')).toBeNull();
  });

  it('opens https links through the callback and makes other links inert', async () => {
    const onopenlink = vi.fn();
    render(Timeline, { items, now, onopenlink });
    const rows = screen.getAllByTestId('timeline-row');
    await fireEvent.click(rows[1].querySelector('button')!);
    expect(onopenlink).toHaveBeenCalledWith('https://outlook.office.com/mail/m1');
    // http and javascript: links get no button and no anchor at all
    for (const r of [rows[3], rows[4]]) {
      expect(r.querySelector('button')).toBeNull();
      expect(r.querySelector('a')).toBeNull();
      await fireEvent.click(r.querySelector('.row')!);
    }
    expect(onopenlink).toHaveBeenCalledTimes(1);
  });

  it('moves between rows with j/k', async () => {
    const { container } = render(Timeline, { items, now, onopenlink: () => {} });
    const rows = [...container.querySelectorAll<HTMLElement>('.row')];
    rows[0].focus();
    await fireEvent.keyDown(rows[0], { key: 'j' });
    expect(document.activeElement).toBe(rows[1]);
    await fireEvent.keyDown(rows[1], { key: 'ArrowDown' });
    await fireEvent.keyDown(rows[2], { key: 'j' });
    expect(document.activeElement).toBe(rows[3]);
    await fireEvent.keyDown(rows[3], { key: 'k' });
    expect(document.activeElement).toBe(rows[2]);
  });

  it('renders an HTML subject as literal text (no element is created)', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const xss: TimelineItem[] = [
      { kind: 'mail', direction: 'in', at: at(2024, 2, 14, 9, 0), counterpart: '<b>Mallory</b>', title: evil, itemId: 'x1', webLink: 'https://outlook.office.com/x1' },
    ];
    const { container } = render(Timeline, { items: xss, now, onopenlink: () => {} });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    const row = screen.getByTestId('timeline-row');
    expect(row.querySelector('.what .title')?.textContent).toBe(evil);
    expect(row.textContent).toContain('<b>Mallory</b>');
    expect(screen.getByText(evil)).toBeTruthy();
  });

  it('puts Upcoming() meetings on top, soonest first, then the past by day', () => {
    const upcoming: TimelineItem[] = [
      { kind: 'meeting', at: at(2024, 2, 15, 10, 0), end: at(2024, 2, 15, 11, 0), counterpart: 'Alice', title: 'Kick-off', itemId: 'u1' },
      { kind: 'meeting', at: at(2024, 2, 14, 16, 0), end: at(2024, 2, 14, 16, 30), counterpart: 'Bob', title: 'Call', itemId: 'u0' },
    ];
    const past: TimelineItem[] = [items[1], items[2]];
    const { container } = render(Timeline, { items: past, upcoming, now, onopenlink: () => {} });
    expect([...container.querySelectorAll('h3')].map((h) => h.textContent)).toEqual(['Upcoming', 'Today']);
    const up = screen.getByTestId('upcoming');
    const rows = [...up.querySelectorAll<HTMLElement>('[data-testid="timeline-row"]')];
    expect(rows.map((r) => r.textContent?.includes('Call') ? 'u0' : 'u1')).toEqual(['u0', 'u1']);
    expect(rows.every((r) => r.dataset.upcoming === 'true')).toBe(true);
  });

  it('shows a meeting with its length, the online marker and a cancelled style', () => {
    const m: TimelineItem[] = [
      { kind: 'meeting', at: at(2024, 2, 14, 10, 0), end: at(2024, 2, 14, 11, 0), counterpart: 'Alice', title: 'Steering', itemId: 'm1', online: true },
      { kind: 'meeting', at: at(2024, 2, 14, 9, 0), end: at(2024, 2, 14, 9, 45), counterpart: 'Bob', title: 'Canceled: Review', itemId: 'm2', cancelled: true },
      { kind: 'meeting', at: at(2024, 2, 14, 8, 0), end: at(2024, 2, 14, 8, 30), counterpart: 'Eve', title: 'Teams call', itemId: 'm3', online: true, onlineProvider: 'teamsForBusiness' },
    ];
    render(Timeline, { items: m, now, onopenlink: () => {} });
    const [a, b, c] = screen.getAllByTestId('timeline-row');
    expect(a.querySelector('.kind svg')).toBeTruthy();
    expect(a.querySelector('[data-testid="meeting-length"]')?.textContent).toBe('· 1 h');
    expect(a.querySelector('[data-testid="meeting-online"]')?.textContent).toBe('Online');
    expect(a.querySelector('[role="group"]')?.getAttribute('aria-label')).toContain('1 h, Online meeting');
    expect(b.dataset.cancelled).toBe('true');
    expect(b.classList.contains('cancelled')).toBe(true);
    expect(b.textContent).toContain('cancelled');
    expect(b.querySelector('[data-testid="meeting-length"]')?.textContent).toBe('· 45 min');
    expect(b.querySelector('[data-testid="meeting-online"]')).toBeNull();
    expect(c.querySelector('[data-testid="meeting-online"]')?.textContent).toBe('Teams');
  });

  it('shows the date of an all-day meeting instead of a time, in the right day group', () => {
    const m: TimelineItem[] = [
      { kind: 'meeting', at: '2024-03-13T00:00:00Z', counterpart: 'Alice', title: 'Holiday', itemId: 'd2', allDay: true, date: '2024-03-13', endDate: '2024-03-14' },
      { kind: 'meeting', at: '2024-03-12T00:00:00Z', counterpart: 'Alice', title: 'Offsite', itemId: 'd1', allDay: true, date: '2024-03-12', endDate: '2024-03-14' },
    ];
    const { container } = render(Timeline, { items: m, now, onopenlink: () => {} });
    expect([...container.querySelectorAll('h3')].map((h) => h.textContent)).toEqual(['Yesterday', expect.stringMatching(/12/)]);
    const [holiday, offsite] = screen.getAllByTestId('timeline-row');
    expect(holiday.querySelector('time')).toBeNull();
    expect(holiday.querySelector('.when')?.textContent).toMatch(/13/);
    expect(holiday.querySelector('[data-testid="meeting-length"]')?.textContent).toBe('· All day');
    expect(offsite.querySelector('.when')?.textContent).toMatch(/12.*13/);
    expect(offsite.querySelector('[data-testid="meeting-length"]')?.textContent).toBe('· 2 days');
  });

  it('offers "More upcoming meetings" only when the screen has more', async () => {
    const upcoming: TimelineItem[] = [{ kind: 'meeting', at: at(2024, 2, 15, 10, 0), counterpart: 'A', title: 'T', itemId: 'u1' }];
    const more = vi.fn();
    const { rerender } = render(Timeline, { items: [], upcoming, now, onopenlink: () => {} });
    expect(screen.queryByTestId('more-upcoming')).toBeNull();
    await rerender({ items: [], upcoming, now, onopenlink: () => {}, onmoreupcoming: more });
    await fireEvent.click(screen.getByTestId('more-upcoming'));
    expect(more).toHaveBeenCalled();
  });
  it('is virtualized: 100,000 past items put only a window of rows in the page', () => {
    const N = Number(process.env.TL_N || 100_000);
    const many: TimelineItem[] = Array.from({ length: N }, (_, i) => ({
      kind: 'mail',
      direction: i % 2 ? 'in' : 'out',
      at: new Date(now.getTime() - (i + 1) * 60_000).toISOString(),
      counterpart: 'P' + i,
      title: 'Message ' + i,
      itemId: 'x' + i,
    }));
    const { container } = render(Timeline, { items: many, now, onopenlink: () => {} });
    const rows = screen.getAllByTestId('timeline-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(200);
    expect(rows[0].textContent).toContain('Message 0');
    const list = container.querySelector<HTMLElement>('[data-testid="timeline-list"]')!;
    expect(list.dataset.loaded).toBe(String(N));
    // the list is as tall as all its rows, so the scrollbar is true
    expect(parseFloat(list.style.height)).toBeGreaterThan(N * 30);
    // Building 100,000 items and grouping them by day is the slow part on a
    // loaded 2-core machine, not the render under test: a generous limit.
  }, 60_000);

  it('asks for the next page only once the user can scroll (not on a short first page)', () => {
    const onnearend = vi.fn();
    render(Timeline, { items: items.slice(1), now, onopenlink: () => {}, onnearend });
    expect(onnearend).not.toHaveBeenCalled();
  });
});
