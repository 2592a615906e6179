import { describe, expect, it } from 'vitest';
import { applyProgress, syncView } from './sync';
import type { Status, StreamStatus } from './types';
import { normalizeStatus } from './api';

const now = new Date('2024-03-14T15:30:00Z');

function status(over: Partial<Status> = {}): Status {
  return normalizeStatus({
    demo: false,
    syncing: false,
    lastSync: '2024-03-14T15:29:48Z',
    accounts: [
      {
        upn: 'me@consult.example',
        displayName: 'Me',
        streams: [{ kind: 'mail', resource: 'inbox', name: 'Inbox', items: 10, total: 10, lastSync: null, error: '' } as StreamStatus],
      } as Status['accounts'][number],
    ],
    ...over,
  });
}

describe('syncView', () => {
  it('shows how long ago the last sync was', () => {
    expect(syncView(status(), '', {}, now)).toMatchObject({ tone: 'ok', text: 'Synced 12 s ago' });
  });

  it('shows Syncing… with counts from progress events', () => {
    let p = applyProgress({}, { account: 'a', stream: 'Inbox', items: 400, total: 1000, done: false });
    p = applyProgress(p, { account: 'a', stream: 'Sent', items: 100, total: 1000, done: false });
    const v = syncView(status(), '', p, now);
    expect(v.tone).toBe('busy');
    expect(v.text).toBe('Syncing… 500 of 2,000');
    expect(v.fraction).toBeCloseTo(0.25);
    p = applyProgress(p, { account: 'a', stream: 'Inbox', items: 1000, total: 1000, done: true });
    p = applyProgress(p, { account: 'a', stream: 'Sent', items: 1000, total: 1000, done: true });
    expect(p).toEqual({});
    expect(syncView(status({ syncing: true }), '', p, now).text).toBe('Syncing…');
  });

  it("shows a stream's error sentence", () => {
    const s = status();
    s.accounts[0].streams.push({
      id: 2,
      kind: 'drive',
      resource: 'x',
      name: 'Clients',
      items: 0,
      total: 0,
      lastSync: null,
      error: 'Your admin must approve access to this library.',
      state: 'error',
      action: 'admin-consent',
      lastAttempt: null,
    });
    const v = syncView(s, '', {}, now);
    expect(v.tone).toBe('error');
    expect(v.text).toBe('Your admin must approve access to this library.');
    expect(v.errors).toEqual(['Me · Clients: Your admin must approve access to this library.']);
  });

  it('says Offline with the age of the data when no account can be reached', () => {
    expect(syncView(status({ offline: true }), '', {}, now)).toMatchObject({ tone: 'offline', text: 'Offline · synced 12 s ago' });
    expect(syncView(status({ offline: true, lastSync: null }), '', {}, now).text).toBe('Offline');
  });

  it('keys progress by stream id when the backend sends one', () => {
    let p = applyProgress({}, { account: 'a', stream: 'Inbox', streamId: 4, items: 1, total: 10, done: false });
    p = applyProgress(p, { account: 'a', stream: 'Inbox', streamId: 7, items: 2, total: 10, done: false });
    expect(Object.keys(p)).toHaveLength(2);
    p = applyProgress(p, { account: 'a', stream: 'Inbox', streamId: 4, items: 10, total: 10, done: true });
    expect(Object.values(p).map((x) => x.streamId)).toEqual([7]);
  });

  it('prefers the error of the Status call itself, and handles no status yet', () => {
    expect(syncView(null, 'Rapport is not answering.', {}, now)).toMatchObject({ tone: 'error', text: 'Rapport is not answering.' });
    expect(syncView(null, '', {}, now).text).toBe('Connecting…');
    expect(syncView(status({ lastSync: null }), '', {}, now).text).toBe('Not synced yet');
    expect(syncView(status({ lastSync: null, accounts: [] }), '', {}, now).text).toBe('No account signed in');
  });
});
