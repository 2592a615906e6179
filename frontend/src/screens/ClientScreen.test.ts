import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ClientScreen from './ClientScreen.svelte';
import type { Backend, ClientSummary, DataChanged, TimelineItem } from '../lib/types';

const client: ClientSummary = { id: 1, name: 'Contoso', domains: ['contoso.com', 'contoso.co.uk'], items: 3, lastContact: new Date(Date.now() - 2 * 3600e3).toISOString() };

function mail(id: string, minutesAgo: number, title = 'Subject ' + id): TimelineItem {
  return { kind: 'mail', direction: 'in', at: new Date(Date.now() - minutesAgo * 60e3).toISOString(), counterpart: 'Alice', title, itemId: id, webLink: 'https://outlook.office.com/mail/' + id };
}

function fakeBackend(pages: Record<string, { items: TimelineItem[]; cursor: string }>): Backend & { Timeline: ReturnType<typeof vi.fn> } {
  return {
    Clients: vi.fn(),
    SyncNow: vi.fn(),
    Status: vi.fn(),
    OpenURL: vi.fn().mockResolvedValue(undefined),
    Timeline: vi.fn(async (_id: number, cursor: string) => {
      const p = pages[cursor];
      if (!p) throw new Error('No such page.');
      return p;
    }),
  } as never;
}

function events() {
  const subs = new Set<(d: DataChanged) => void>();
  return {
    subscribe: (_name: 'data:changed', cb: (d: DataChanged) => void) => {
      subs.add(cb);
      return () => subs.delete(cb);
    },
    emit: (d: DataChanged) => subs.forEach((cb) => cb(d)),
    count: () => subs.size,
  };
}

describe('ClientScreen', () => {
  it('shows the header and the first page, then loads more with the cursor', async () => {
    const backend = fakeBackend({
      '': { items: [mail('a', 5), mail('b', 10)], cursor: 'p2' },
      p2: { items: [mail('c', 2000)], cursor: '' },
    });
    const ev = events();
    render(ClientScreen, { client, backend, subscribe: ev.subscribe, pageSize: 2 });

    expect(screen.getByTestId('timeline-title').textContent).toBe('Contoso');
    expect(screen.getByText('contoso.co.uk')).toBeTruthy();
    expect(screen.getByText(/last contact 2 h ago/)).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(2));
    expect(backend.Timeline).toHaveBeenCalledWith(1, '', 2);

    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(3));
    expect(backend.Timeline).toHaveBeenLastCalledWith(1, 'p2', 2);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('explains how activity gets linked when the timeline is empty', async () => {
    const backend = fakeBackend({ '': { items: [], cursor: '' } });
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    await waitFor(() => expect(screen.getByText(/Nothing is linked to Contoso yet/)).toBeTruthy());
    expect(document.body.textContent).toContain('contoso.com');
    expect(document.body.textContent).toContain('rapport clients add');
  });

  it('shows one sentence when loading fails, and retries', async () => {
    const backend = fakeBackend({});
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('No such page.'));
    backend.Timeline.mockResolvedValueOnce({ items: [mail('a', 1)], cursor: '' });
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));
  });

  it('refreshes itself on data:changed for this client (or all), not for others', async () => {
    const pages = { '': { items: [mail('a', 5)], cursor: '' } };
    const backend = fakeBackend(pages);
    const ev = events();
    const { unmount } = render(ClientScreen, { client, backend, subscribe: ev.subscribe });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));

    pages[''] = { items: [mail('new', 0, 'Fresh news'), mail('a', 5)], cursor: '' };
    ev.emit({ kinds: ['mail'], clientIds: [2] });
    await Promise.resolve();
    expect(backend.Timeline).toHaveBeenCalledTimes(1);

    ev.emit({ kinds: ['mail'], clientIds: [1] });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(2));
    expect(screen.getByText('Fresh news').closest('li')?.classList.contains('fresh')).toBe(true);

    ev.emit({ kinds: [], clientIds: [] });
    await waitFor(() => expect(backend.Timeline).toHaveBeenCalledTimes(3));

    unmount();
    expect(ev.count()).toBe(0);
  });

  it('opens a row through OpenURL and never navigates', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } });
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    const before = window.location.href;
    await waitFor(() => screen.getByTestId('timeline-row'));
    await fireEvent.click(screen.getByTestId('timeline-row').querySelector('button')!);
    expect(backend.OpenURL).toHaveBeenCalledWith('https://outlook.office.com/mail/a');
    expect(window.location.href).toBe(before);
  });

  it('shows the Upcoming meetings above the past, and fades in new ones on data:changed', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & { Upcoming: ReturnType<typeof vi.fn> };
    const soon = (id: string, minutes: number): TimelineItem => ({
      kind: 'meeting',
      at: new Date(Date.now() + minutes * 60e3).toISOString(),
      end: new Date(Date.now() + (minutes + 60) * 60e3).toISOString(),
      counterpart: 'Alice',
      title: 'Meeting ' + id,
      itemId: id,
      online: true,
    });
    let upcoming = [soon('u1', 60), soon('u2', 120)];
    backend.Upcoming = vi.fn(async (_id: number, limit: number) => upcoming.slice(0, limit));
    const ev = events();
    render(ClientScreen, { client, backend, subscribe: ev.subscribe, upcomingLimit: 5 });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(3));
    expect(backend.Upcoming).toHaveBeenCalledWith(1, 6);
    const up = screen.getByTestId('upcoming');
    expect(up.querySelectorAll('[data-testid="timeline-row"]')).toHaveLength(2);
    expect(up.textContent).toContain('Meeting u1');
    expect(screen.queryByTestId('more-upcoming')).toBeNull();

    upcoming = [soon('u0', 30), ...upcoming];
    ev.emit({ kinds: ['meeting'], clientIds: [1] });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(4));
    expect(screen.getByText('Meeting u0').closest('li')?.classList.contains('fresh')).toBe(true);
    expect(screen.getByText('Meeting u1').closest('li')?.classList.contains('fresh')).toBe(false);
  });

  it('pages the Upcoming section with "More upcoming meetings", and keeps the past when Upcoming fails', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & { Upcoming: ReturnType<typeof vi.fn> };
    const list: TimelineItem[] = Array.from({ length: 8 }, (_, i) => ({
      kind: 'meeting',
      at: new Date(Date.now() + (i + 1) * 3600e3).toISOString(),
      counterpart: 'A',
      title: 'M' + i,
      itemId: 'm' + i,
    }));
    backend.Upcoming = vi.fn(async (_id: number, limit: number) => list.slice(0, limit));
    render(ClientScreen, { client, backend, subscribe: events().subscribe, upcomingLimit: 3 });
    await waitFor(() => expect(screen.getByTestId('upcoming').querySelectorAll('li')).toHaveLength(3));
    await fireEvent.click(screen.getByTestId('more-upcoming'));
    await waitFor(() => expect(screen.getByTestId('upcoming').querySelectorAll('li')).toHaveLength(8));
    expect(screen.queryByTestId('more-upcoming')).toBeNull();

    backend.Upcoming.mockRejectedValue(new Error('The database is busy.'));
    const { unmount } = render(ClientScreen, { client: { ...client, id: 2 }, backend, subscribe: events().subscribe });
    await waitFor(() => expect(document.body.textContent).toContain('Upcoming meetings could not be loaded: The database is busy.'));
    unmount();
  });

  it('re-reads the lists once when the soonest upcoming meeting starts', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & { Upcoming: ReturnType<typeof vi.fn> };
    const start = Date.now() + 60e3;
    backend.Upcoming = vi.fn(async (): Promise<TimelineItem[]> => [{ kind: 'meeting', at: new Date(start).toISOString(), counterpart: 'A', title: 'Soon', itemId: 's1' }]);
    const { rerender } = render(ClientScreen, { client, backend, subscribe: events().subscribe, now: new Date() });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(2));
    expect(backend.Timeline).toHaveBeenCalledTimes(1);
    await rerender({ client, backend, subscribe: events().subscribe, now: new Date(start + 1000) });
    await waitFor(() => expect(backend.Timeline).toHaveBeenCalledTimes(2));
    await rerender({ client, backend, subscribe: events().subscribe, now: new Date(start + 2000) });
    await new Promise((r) => setTimeout(r, 20));
    expect(backend.Timeline).toHaveBeenCalledTimes(2);
  });
});

// ---- issue 6: figures, charts, filters, export, tabs, search focus ----------

function insightsFor(id = 1): import('../lib/types').Insights {
  const weeks = [
    { week: '2026-W45', start: '2026-11-02' },
    { week: '2026-W46', start: '2026-11-09' },
    { week: '2026-W47', start: '2026-11-16' },
  ];
  return {
    clientId: id,
    clientName: 'Contoso',
    from: '2026-08-24T00:00:00Z',
    to: '2026-11-22T00:00:00Z',
    days: 90,
    timeZone: 'UTC',
    lastContact: new Date(Date.now() - 2 * 3600e3).toISOString(),
    emailVolume: weeks.map((w, i) => ({ ...w, in: i, out: 2 * i })),
    emailIn: 3,
    emailOut: 6,
    myReply: { count: 45, unanswered: 15, medianMinutes: 190, p90Minutes: 1736 },
    theirReply: { count: 36, unanswered: 23, medianMinutes: 26 * 60 + 5, p90Minutes: null },
    myReplyWeekly: [{ ...weeks[1], count: 2, medianMinutes: 60 }],
    meetings: { count: 13, per30Days: 4.333, last: null, daysSinceLast: 5, next: null, medianGapDays: 7 },
    meetingHours: 9.75,
    meetingHoursWeekly: [],
    meetingHoursMonthly: [
      { month: '2026-08', hours: 0.75 },
      { month: '2026-10', hours: 3 },
    ],
    files: { changes: 2, weekly: [{ ...weeks[2], changes: 2 }], lastChange: { at: '2026-11-19T11:02:00Z', actor: 'Lee Gu', action: 'edited', name: 'Notes.docx', path: 'Clients/Contoso' } },
    contactDays: 43,
    usualGapDays: 1,
    silentDays: 2,
    attention: [{ kind: 'unanswered', label: '13 unanswered', threads: 13, since: '2026-09-03T14:10:03Z' }],
    unanswered: [
      { conversationId: 'c1', itemId: 'm1', subject: 'RE: Data platform', from: 'Lee Gu', at: '2026-09-03T14:10:03Z', since: '2026-09-03T14:10:03Z', count: 1, webLink: 'https://outlook.office.com/m1' },
    ],
  };
}

describe('ClientScreen (issue 6)', () => {
  it('shows the header figures humanised, the attention and the four charts', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & Record<string, unknown>;
    backend.ClientInsights = vi.fn().mockResolvedValue(insightsFor());
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    await waitFor(() => screen.getByTestId('figures'));
    expect(backend.ClientInsights).toHaveBeenCalledWith(1, 0);
    expect(screen.getByTestId('figure-my-reply').querySelector('dd')?.textContent).toBe('3 h 10 m');
    expect(screen.getByTestId('figure-their-reply').querySelector('dd')?.textContent).toBe('1 d 2 h');
    expect(screen.getByTestId('figure-meetings').querySelector('dd')?.textContent).toMatch(/^4\.3\s*\/ 30 d$/);
    // 9.75 h over 90 days = 3.25 h per 30-day month
    expect(screen.getByTestId('figure-hours').querySelector('dd')?.textContent).toMatch(/^3\.3\s*\/ month$/);
    expect(screen.getByTestId('figure-hours').textContent).toContain('9.75 h in 90 d');
    expect(screen.getByTestId('client-attention').textContent).toContain('13 unanswered');
    expect(screen.getByTestId('client-attention').textContent).toContain('RE: Data platform');
    for (const id of ['chart-email', 'chart-reply', 'chart-meetings', 'chart-files']) expect(screen.getByTestId(id)).toBeTruthy();
    // No canvas in this DOM: the chart says what it shows as text.
    expect(screen.getByTestId('chart-email').textContent).toContain('3 received and 6 sent in 90 days');
    expect(screen.getByTestId('chart-meetings').textContent).toContain('13 meetings, 9.75 h in 90 days');
    expect(screen.getByTestId('chart-files').textContent).toContain('Notes.docx edited by Lee Gu');
  });

  it('filters by kind and direction through TimelineFiltered, and back to all through Timeline', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & Record<string, ReturnType<typeof vi.fn>>;
    backend.TimelineFiltered = vi.fn().mockResolvedValue({ items: [mail('out1', 7)], cursor: '' });
    const upcomingFn = vi.fn().mockResolvedValue([]);
    backend.Upcoming = upcomingFn;
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    await waitFor(() => screen.getByTestId('timeline-row'));
    await fireEvent.click(screen.getByTestId('kind-meeting'));
    await waitFor(() => expect(backend.TimelineFiltered).toHaveBeenLastCalledWith(1, '', 50, ['meeting'], ''));
    expect(screen.getByTestId('direction-in').hasAttribute('disabled')).toBe(true);
    await fireEvent.click(screen.getByTestId('kind-all'));
    await fireEvent.click(screen.getByTestId('direction-out'));
    await waitFor(() => expect(backend.TimelineFiltered).toHaveBeenLastCalledWith(1, '', 50, ['mail'], 'out'));
    expect(screen.getByTestId('kind-mail').getAttribute('aria-checked')).toBe('true');
    const upcomingCalls = upcomingFn.mock.calls.length;
    await fireEvent.click(screen.getByTestId('kind-all')); // all kinds, still only mail out
    await waitFor(() => expect(backend.TimelineFiltered).toHaveBeenLastCalledWith(1, '', 50, [], 'out'));
    await fireEvent.click(screen.getByTestId('direction-any'));
    await waitFor(() => expect(backend.Timeline).toHaveBeenCalledTimes(3));
    expect(upcomingFn.mock.calls.length).toBeGreaterThan(upcomingCalls);
  });

  it('exports CSV through ExportClient and a download', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & Record<string, unknown>;
    backend.ExportClient = vi.fn().mockResolvedValue({ name: 'Contoso-2026-11-22.csv', mime: 'text/csv;charset=utf-8', content: '\uFEFFClient\r\n' });
    const urls: Blob[] = [];
    Object.assign(URL, { createObjectURL: (b: Blob) => (urls.push(b), 'blob:e'), revokeObjectURL: () => {} });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(ClientScreen, { client, backend, subscribe: events().subscribe });
    await fireEvent.click(screen.getByTestId('export-button'));
    await fireEvent.click(screen.getByTestId('export-csv'));
    await waitFor(() => expect(backend.ExportClient).toHaveBeenCalledWith(1, 'csv'));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(urls[0].type).toBe('text/csv;charset=utf-8');
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('shows the Files tab component and the Domains & contacts editor', async () => {
    const backend = fakeBackend({ '': { items: [mail('a', 5)], cursor: '' } }) as ReturnType<typeof fakeBackend> & Record<string, unknown>;
    backend.ClientContacts = vi.fn().mockResolvedValue([]);
    const Stub = (await import('../lib/KindIcon.svelte')).default;
    const loadFilesTab = vi.fn(async () => ({ default: Stub as never }));
    render(ClientScreen, { client, backend, subscribe: events().subscribe, loadFilesTab });
    await fireEvent.click(screen.getByTestId('tab-files'));
    await waitFor(() => expect(loadFilesTab).toHaveBeenCalled());
    expect(screen.getByTestId('tab-files').getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(screen.getByTestId('tab-files'), { key: 'ArrowRight' });
    await waitFor(() => screen.getByTestId('domains-editor'));
    expect(backend.ClientContacts).toHaveBeenCalledWith(1);
  });

  it('loads pages until a search result is there, then flashes it', async () => {
    const backend = fakeBackend({
      '': { items: [mail('a', 5), mail('b', 10)], cursor: 'p2' },
      p2: { items: [mail('c', 3000), mail('target', 4000, 'The one')], cursor: 'p3' },
      p3: { items: [mail('d', 9000)], cursor: '' },
    });
    const at = new Date(Date.now() - 4000 * 60e3).toISOString();
    render(ClientScreen, { client, backend, subscribe: events().subscribe, pageSize: 2, focusItem: { itemId: 'target', at } });
    await waitFor(() => expect(screen.getByText('The one').closest('li')?.classList.contains('flash')).toBe(true));
    expect(backend.Timeline).toHaveBeenCalledWith(1, 'p2', 200);
    expect(backend.Timeline).not.toHaveBeenCalledWith(1, 'p3', expect.anything());
  });
});
