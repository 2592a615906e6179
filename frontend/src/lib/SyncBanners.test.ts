import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import FirstSyncProgress from './FirstSyncProgress.svelte';
import FoundCard from './FoundCard.svelte';
import OfflineBanner from './OfflineBanner.svelte';
import type { AccountProgress, StreamLine } from './firstsync';

const line = (name: string, over: Partial<StreamLine> = {}): StreamLine => ({
  key: name,
  name,
  kind: 'mail',
  items: 10,
  total: 100,
  done: false,
  error: '',
  ...over,
});

describe('FirstSyncProgress', () => {
  it('shows a bar per account and a count per stream; the calendar counts up without a total', () => {
    const accounts: AccountProgress[] = [
      {
        upn: 'a@x.com',
        name: 'Alice',
        fraction: 0.42,
        offline: false,
        streams: [line('Inbox', { items: 1200, total: 2400 }), line('Sent Items', { items: 50, total: 50, done: true }), line('Calendar', { kind: 'calendar', items: 33, total: 0 })],
      },
      { upn: 'b@x.com', name: 'Bob', fraction: null, offline: false, streams: [] },
    ];
    render(FirstSyncProgress, { accounts });
    expect(screen.getByTestId('sync-progress')).toBeTruthy();
    const bars = screen.getAllByRole('progressbar');
    expect(bars[0].getAttribute('aria-valuenow')).toBe('42');
    expect(bars[0].getAttribute('aria-label')).toBe('First sync of Alice');
    expect(bars[1].getAttribute('aria-valuenow')).toBeNull();
    const lines = screen.getAllByTestId('sync-progress-stream');
    expect(lines.map((l) => l.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['Inbox 1,200 of 2,400 …', 'Sent Items 50 of 50 ✓', 'Calendar 33 events …']);
    expect(document.body.textContent).toContain('You can use Rapport meanwhile');
    expect(document.body.textContent).toContain('Listing folders and calendars…');
  });

  it('folds long folder lists behind "Show all", and says when it is paused offline', async () => {
    const streams = Array.from({ length: 9 }, (_, i) => line('Folder ' + i));
    render(FirstSyncProgress, { accounts: [{ upn: 'a@x.com', name: 'Alice', fraction: 0.1, offline: true, streams }], visibleLines: 4 });
    expect(screen.getAllByTestId('sync-progress-stream')).toHaveLength(4);
    await fireEvent.click(screen.getByRole('button', { name: 'Show all 9' }));
    expect(screen.getAllByTestId('sync-progress-stream')).toHaveLength(9);
    expect(document.body.textContent).toContain('Paused: Microsoft 365 cannot be reached');
  });
});

describe('FoundCard', () => {
  const summary = { account: 'alice@contoso.com', messages: 1234, meetings: 56, clients: 7, at: '2026-11-22T10:00:00Z' };

  it('says what was found, with one button and a dismiss', async () => {
    const onreview = vi.fn();
    const ondismiss = vi.fn();
    render(FoundCard, { summary, onreview, ondismiss });
    const card = screen.getByTestId('found-card');
    expect(card.textContent).toContain('We found 1,234 messages, 56 meetings with 7 clients');
    expect(card.textContent).not.toContain('alice@contoso.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Review suggested clients' }));
    expect(onreview).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByRole('button', { name: /^Dismiss/ }));
    expect(ondismiss).toHaveBeenCalledTimes(1);
  });

  it('names the account when several are signed in', () => {
    render(FoundCard, { summary, showAccount: true, onreview: () => {}, ondismiss: () => {} });
    expect(screen.getByTestId('found-card').textContent).toContain('In alice@contoso.com · Rapport keeps them up to date');
  });
});

describe('OfflineBanner', () => {
  it('says since when the data is shown', () => {
    const now = new Date(2026, 10, 22, 12, 0);
    const last = new Date(2026, 10, 22, 10, 42).toISOString();
    render(OfflineBanner, { lastSync: last, now });
    expect(screen.getByTestId('offline-banner').textContent).toMatch(/Offline — showing data from 10:42/);
  });

  it('works before any sync', () => {
    render(OfflineBanner, { lastSync: null });
    expect(screen.getByTestId('offline-banner').textContent).toContain('Offline — showing the data on this computer');
  });
});
