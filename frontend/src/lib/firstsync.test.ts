import { beforeEach, describe, expect, it } from 'vitest';
import {
  FOUND_CARD_MAX_AGE_MS,
  firstSyncProgress,
  foundCards,
  foundSentence,
  fraction,
  lineCount,
  loadFoundDismissed,
  progressKey,
  recordProgress,
  saveFoundDismissed,
  summaryKey,
} from './firstsync';
import { normalizeStatus } from './api';
import type { AccountStatus, FirstSyncSummary, Status, StreamStatus } from './types';

const stream = (over: Partial<StreamStatus>): StreamStatus => ({
  id: 1,
  kind: 'mail',
  resource: 'r',
  name: 'Inbox',
  items: 0,
  total: 0,
  lastSync: null,
  error: '',
  state: 'pending',
  action: '',
  lastAttempt: null,
  ...over,
});

const account = (over: Partial<AccountStatus> = {}): AccountStatus => ({
  upn: 'Alice@Contoso.com',
  displayName: 'Alice',
  streams: [],
  offline: false,
  error: '',
  action: '',
  lastSync: null,
  firstSync: null,
  listing: false,
  backfill: null,
  ...over,
});

const status = (...accounts: AccountStatus[]): Status => normalizeStatus({ accounts });
const summary = (over: Partial<FirstSyncSummary> = {}): FirstSyncSummary => ({
  account: 'alice@contoso.com',
  messages: 1234,
  meetings: 56,
  clients: 7,
  at: '2026-11-22T10:00:00Z',
  ...over,
});

describe('firstSyncProgress', () => {
  it('shows an account whose first sync runs, with a line per folder and calendar (Inbox, Sent Items, Calendar first)', () => {
    const s = status(
      account({
        streams: [
          stream({ id: 4, name: 'Archive', items: 0, total: 500 }),
          stream({ id: 2, name: 'Sent Items', items: 100, total: 100, state: 'ok' }),
          stream({ id: 3, kind: 'calendar', name: 'Calendar', items: 12, state: 'syncing' }),
          stream({ id: 1, name: 'Inbox', items: 50, total: 400, state: 'syncing' }),
          stream({ id: 9, kind: 'mail-backfill', name: 'Inbox (older)' }),
        ],
      }),
    );
    const [a, ...rest] = firstSyncProgress(s, {});
    expect(rest).toEqual([]);
    expect(a.name).toBe('Alice');
    expect(a.streams.map((l) => l.name)).toEqual(['Inbox', 'Sent Items', 'Calendar', 'Archive']);
    expect(a.streams.map((l) => l.done)).toEqual([false, true, false, false]);
    // Weights: Inbox 400 (50 done), Sent 100 (done), Calendar 12 (0), Archive 500 (0).
    expect(a.fraction).toBeCloseTo(150 / 1012, 5);
  });

  it('overlays the live sync:progress counts by stream id, and adds streams not in Status yet', () => {
    const s = status(account({ streams: [stream({ id: 1, name: 'Inbox', items: 0, total: 400 })] }));
    let p = recordProgress({}, { account: 'alice@contoso.com', stream: 'Inbox', streamId: 1, kind: 'mail', items: 300, total: 400, done: false });
    p = recordProgress(p, { account: 'alice@contoso.com', stream: 'Calendar', streamId: 7, kind: 'calendar', items: 40, total: 0, done: false });
    p = recordProgress(p, { account: 'bob@x.com', stream: 'Inbox', streamId: 1, kind: 'mail', items: 1, total: 1, done: true });
    const [a] = firstSyncProgress(s, p);
    expect(a.streams.map((l) => [l.name, l.items, l.total, l.done])).toEqual([
      ['Inbox', 300, 400, false],
      ['Calendar', 40, 0, false],
    ]);
    expect(p[progressKey('alice@contoso.com', 7)].items).toBe(40);
  });

  it('leaves out accounts that finished, are blocked, cannot sync, or whose every stream is done', () => {
    const s = status(
      account({ upn: 'done@x.com', firstSync: summary({ account: 'done@x.com' }) }),
      account({ upn: 'signedout@x.com', streams: [stream({})] }),
      account({ upn: 'onprem@x.com', error: 'This mailbox is on-premises.', action: 'unavailable' }),
      account({ upn: 'finishing@x.com', streams: [stream({ state: 'ok' }), stream({ id: 2, state: 'error', action: 'reauthorize', error: 'e' })] }),
      account({ upn: 'new@x.com' }),
    );
    const got = firstSyncProgress(s, {}, new Set(['signedout@x.com']));
    expect(got.map((a) => a.upn)).toEqual(['new@x.com']);
    // No stream listed yet: the bar is indeterminate.
    expect(got[0].fraction).toBeNull();
    expect(got[0].streams).toEqual([]);
  });

  it('keeps an account whose folders are still being listed, its bar indeterminate, even when its one known stream is done', () => {
    const early = stream({ id: 5, name: 'Sent Items', items: 120, total: 120, state: 'ok' });
    const [a, ...rest] = firstSyncProgress(status(account({ listing: true, streams: [early] })), {});
    expect(rest).toEqual([]);
    expect(a.streams.map((l) => [l.name, l.done])).toEqual([['Sent Items', true]]);
    expect(a.fraction).toBeNull();
    // Listed: the same account with every stream done waits for its summary.
    expect(firstSyncProgress(status(account({ streams: [early] })), {})).toEqual([]);
  });

  it('says when an account is offline', () => {
    const [a] = firstSyncProgress(status(account({ offline: true, streams: [stream({})] })), {});
    expect(a.offline).toBe(true);
  });

  it('handles no status', () => {
    expect(firstSyncProgress(null, {})).toEqual([]);
  });
});

describe('fraction and lineCount', () => {
  it('weighs each stream by its size; a calendar counts once done', () => {
    expect(fraction([])).toBeNull();
    const cal = { key: 'c', name: 'Calendar', kind: 'calendar', items: 30, total: 0, done: false, error: '' };
    expect(fraction([cal])).toBe(0);
    expect(fraction([{ ...cal, done: true }])).toBe(1);
    expect(fraction([{ key: 'i', name: 'Inbox', kind: 'mail', items: 500, total: 400, done: false, error: '' }])).toBe(1);
  });

  it('reads "x of y" for folders and "n events" for calendars', () => {
    expect(lineCount({ key: 'i', name: 'Inbox', kind: 'mail', items: 1200, total: 2400, done: false, error: '' })).toBe('1,200 of 2,400');
    expect(lineCount({ key: 'i', name: 'Inbox', kind: 'mail', items: 3, total: 0, done: false, error: '' })).toBe('3 messages');
    expect(lineCount({ key: 'c', name: 'Calendar', kind: 'calendar', items: 1, total: 0, done: true, error: '' })).toBe('1 event');
  });
});

describe('the "We found…" card', () => {
  beforeEach(() => localStorage.clear());
  const now = new Date('2026-11-22T12:00:00Z');

  it('says what the first sync found, with plurals and thousands separators', () => {
    expect(foundSentence(summary())).toBe('We found 1,234 messages, 56 meetings with 7 clients');
    expect(foundSentence(summary({ messages: 1, meetings: 1, clients: 1 }))).toBe('We found 1 message, 1 meeting with 1 client');
    expect(foundSentence(summary({ clients: 0 }))).toBe('We found 1,234 messages, 56 meetings, not yet linked to a client');
  });

  it('shows recent summaries from Status and live ones, not dismissed ones', () => {
    const old = summary({ account: 'old@x.com', at: new Date(now.getTime() - FOUND_CARD_MAX_AGE_MS - 1000).toISOString() });
    const accounts = [
      account({ upn: 'alice@contoso.com', firstSync: summary() }),
      account({ upn: 'old@x.com', firstSync: old }),
      account({ upn: 'bob@x.com' }),
    ];
    expect(foundCards(accounts, [], new Set(), now).map((s) => s.account)).toEqual(['alice@contoso.com']);
    const live = summary({ account: 'bob@x.com', messages: 2 });
    expect(foundCards(accounts, [live], new Set(), now).map((s) => s.account)).toEqual(['alice@contoso.com', 'bob@x.com']);
    expect(foundCards(accounts, [live], new Set([summaryKey(summary())]), now).map((s) => s.account)).toEqual(['bob@x.com']);
    // A live summary of an account signed out since is not shown.
    expect(foundCards(accounts, [summary({ account: 'gone@x.com' })], new Set([summaryKey(summary())]), now)).toEqual([]);
  });

  it('remembers dismissals across restarts (localStorage), tolerating junk', () => {
    saveFoundDismissed(new Set(['a|1', 'b|2']));
    expect(loadFoundDismissed()).toEqual(new Set(['a|1', 'b|2']));
    localStorage.setItem('rapport.foundCard.dismissed', '{not json');
    expect(loadFoundDismissed()).toEqual(new Set());
    expect(summaryKey(summary({ account: 'Alice@Contoso.com' }))).toBe('alice@contoso.com|2026-11-22T10:00:00Z');
  });
});
