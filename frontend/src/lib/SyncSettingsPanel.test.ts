import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import SyncSettingsPanel from './SyncSettingsPanel.svelte';
import type { CalendarView, DataChanged, FolderView, SyncSettings } from './types';

const folder = (name: string, path: string, over: Partial<FolderView> = {}): FolderView => ({
  id: 'f-' + path,
  name,
  path,
  parentId: '',
  wellKnown: '',
  hidden: false,
  included: true,
  default: true,
  items: 5,
  total: 5,
  ...over,
});

const folders: FolderView[] = [
  folder('Inbox', 'Inbox', { wellKnown: 'inbox', items: 131, total: 143 }),
  folder('Junk Email', 'Junk Email', { wellKnown: 'junkemail', included: false, default: false, total: 4 }),
  folder('Clients', 'Inbox/Clients'),
  folder('Inbox Archive', 'Inbox Archive'),
  folder('Clutter', 'Clutter', { hidden: true, items: 0, total: 0 }),
];
const calendars: CalendarView[] = [
  { id: 'c1', name: 'Calendar', isDefault: true, included: true, items: 95 },
  { id: 'c2', name: 'United States holidays', isDefault: false, included: false, items: 0 },
];

function backend(settings: Partial<SyncSettings> = {}) {
  return {
    SyncSettings: vi.fn().mockResolvedValue({ historyDays: 90, historySince: null, backfillFrom: null, historyStart: '2026-08-24T00:00:00Z', ...settings }),
    SetHistory: vi.fn().mockResolvedValue(undefined),
    LoadOlderHistory: vi.fn().mockResolvedValue(undefined),
    MailFolders: vi.fn().mockResolvedValue(folders),
    SetFolderIncluded: vi.fn().mockResolvedValue(undefined),
    Calendars: vi.fn().mockResolvedValue(calendars),
    SetCalendarIncluded: vi.fn().mockResolvedValue(undefined),
  };
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

describe('SyncSettingsPanel', () => {
  it('shows the history window, the folder tree with the defaults explained, and the calendars', async () => {
    const b = backend();
    render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: events().subscribe });
    await screen.findByTestId('folder-list');
    expect(b.SyncSettings).toHaveBeenCalledWith('a@x.com');
    expect((screen.getByLabelText('90 days') as HTMLInputElement).checked).toBe(true);
    expect(document.body.textContent).toMatch(/from (24 Aug 2026|Aug 24, 2026) on/);
    expect(document.body.textContent).toContain('except Junk Email, Drafts, Outbox, Conversation History and Sync Issues');
    const rows = screen.getAllByTestId('folder-row');
    // Tree order: children right after their parent.
    expect(rows.map((r) => r.querySelector('.fname')?.textContent)).toEqual(['Clutter', 'Inbox', 'Clients', 'Inbox Archive', 'Junk Email']);
    expect(rows[2].style.paddingLeft).toBe('18px');
    expect(rows[1].textContent).toContain('131 of 143');
    expect(rows[4].textContent).toContain('excluded by default');
    expect(rows[4].dataset.included).toBe('false');
    expect(rows[0].textContent).toContain('hidden');
    const cals = screen.getAllByTestId('calendar-row');
    expect(cals[0].textContent).toContain('default');
    expect(cals[0].textContent).toContain('95 events');
    expect((within(cals[1]).getByRole('checkbox') as HTMLInputElement).checked).toBe(false);
  });

  it('includes and excludes folders and calendars, and undoes the tick when the backend refuses', async () => {
    const b = backend();
    render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: events().subscribe });
    await screen.findByTestId('folder-list');
    const junk = within(screen.getAllByTestId('folder-row')[4]).getByRole('checkbox') as HTMLInputElement;
    await fireEvent.click(junk);
    expect(b.SetFolderIncluded).toHaveBeenCalledWith('a@x.com', 'f-Junk Email', true);
    await waitFor(() => expect(screen.getAllByTestId('folder-row')[4].dataset.included).toBe('true'));

    b.SetCalendarIncluded.mockRejectedValueOnce(new Error('That calendar is not in this mailbox any more; reopen the calendar list.'));
    const holidays = within(screen.getAllByTestId('calendar-row')[1]).getByRole('checkbox') as HTMLInputElement;
    await fireEvent.click(holidays);
    expect(b.SetCalendarIncluded).toHaveBeenCalledWith('a@x.com', 'c2', true);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('not in this mailbox any more'));
    expect(screen.getAllByTestId('calendar-row')[1].dataset.included).toBe('false');
  });

  it('sets 30/90/180 days or a date', async () => {
    const b = backend();
    render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: events().subscribe });
    await screen.findByTestId('folder-list');
    await fireEvent.click(screen.getByLabelText('180 days'));
    await waitFor(() => expect(b.SetHistory).toHaveBeenCalledWith('a@x.com', 180, ''));
    await waitFor(() => expect(document.body.textContent).toContain('Saved.'));

    await fireEvent.click(screen.getByLabelText('Since a date'));
    const since = screen.getByTestId('history-since') as HTMLInputElement;
    expect(since.value).toBe('2026-08-24');
    await fireEvent.input(since, { target: { value: '2026-01-31' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(b.SetHistory).toHaveBeenLastCalledWith('a@x.com', 0, '2026-01-31'));

    b.SetHistory.mockRejectedValueOnce(new Error('The history date must be in the past.'));
    await fireEvent.click(screen.getByLabelText('30 days'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The history date must be in the past.'));
  });

  it('shows a custom date as chosen, loads older history and shows its progress', async () => {
    const b = backend({ historyDays: 0, historySince: '2026-01-31T00:00:00Z', historyStart: '2026-01-31T00:00:00Z' });
    const { rerender } = render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: events().subscribe });
    await screen.findByTestId('folder-list');
    expect((screen.getByLabelText('Since a date') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('history-since') as HTMLInputElement).value).toBe('2026-01-31');

    await fireEvent.click(screen.getByTestId('load-older'));
    expect(b.LoadOlderHistory).toHaveBeenCalledWith('a@x.com', 90);
    await waitFor(() => expect(document.body.textContent).toContain('Older mail is loading in the background.'));

    await rerender({ upn: 'a@x.com', backend: b, subscribe: events().subscribe, backfill: { from: '2025-11-02T00:00:00Z', items: 300, total: 1200, folders: 4, done: false } });
    const progress = screen.getByTestId('backfill-progress');
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(progress.textContent?.replace(/\s+/g, ' ')).toMatch(/300 of 1,200 messages, 4 folders to go/);
    expect((screen.getByTestId('load-older') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says so when the settings cannot be read, and retries', async () => {
    const b = backend();
    b.MailFolders.mockRejectedValueOnce(new Error('No account a@x.com is signed in.'));
    render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: events().subscribe });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('No account a@x.com is signed in.'));
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('folder-list');
  });

  it('re-reads the folder list when a folder appears (data:changed "folders"), for its own account only', async () => {
    const b = backend();
    const ev = events();
    const { unmount } = render(SyncSettingsPanel, { upn: 'a@x.com', backend: b, subscribe: ev.subscribe });
    await screen.findByTestId('folder-list');
    b.MailFolders.mockResolvedValue([...folders, folder('Projects', 'Projects')]);
    ev.emit({ kinds: ['mail'], clientIds: [] });
    ev.emit({ kinds: ['folders'], clientIds: [], account: 'other@x.com' });
    await Promise.resolve();
    expect(b.MailFolders).toHaveBeenCalledTimes(1);
    ev.emit({ kinds: ['folders'], clientIds: [], account: 'A@x.com' });
    await waitFor(() => expect(screen.getAllByTestId('folder-row')).toHaveLength(6));
    expect(b.Calendars).toHaveBeenCalledTimes(1);
    unmount();
    expect(ev.count()).toBe(0);
  });
});
