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
