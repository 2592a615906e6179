import { describe, expect, it } from 'vitest';
import { consentError, kindLabel, sortStreams, stateLabel, withProgress } from './status';
import { recordProgress } from './firstsync';
import type { StreamStatus } from './types';

const s = (name: string, kind = 'mail', over: Partial<StreamStatus> = {}): StreamStatus => ({
  id: name.length,
  kind,
  resource: name,
  name,
  items: 1,
  total: 2,
  lastSync: null,
  error: '',
  state: 'ok',
  action: '',
  lastAttempt: null,
  ...over,
});

describe('status helpers', () => {
  it('orders Inbox, Sent Items, the calendars, then the other folders by name', () => {
    const got = sortStreams([s('Receipts'), s('Side projects', 'calendar'), s('Archive'), s('Sent Items'), s('Calendar', 'calendar'), s('Inbox')]);
    expect(got.map((x) => x.name)).toEqual(['Inbox', 'Sent Items', 'Calendar', 'Side projects', 'Archive', 'Receipts']);
  });

  it('words the states and kinds', () => {
    expect(stateLabel({ state: 'ok', action: '' })).toBe('Up to date');
    expect(stateLabel({ state: 'pending', action: '' })).toBe('Waiting for first sync');
    expect(stateLabel({ state: 'syncing', action: '' })).toBe('Syncing');
    expect(stateLabel({ state: 'error', action: 'none' })).toBe('Retrying');
    expect(stateLabel({ state: 'error', action: 'reauthorize' })).toBe('Needs you');
    expect(kindLabel('calendar')).toBe('Calendar');
    expect(kindLabel('weird')).toBe('weird');
  });

  it('overlays live counts; a running round reads Syncing', () => {
    const p = recordProgress({}, { account: 'a@x.com', stream: 'Inbox', streamId: 5, items: 7, total: 9, done: false });
    const inbox = s('Inbox', 'mail', { id: 5 });
    expect(withProgress('a@x.com', inbox, p)).toMatchObject({ items: 7, total: 9, state: 'syncing' });
    expect(withProgress('b@x.com', inbox, p)).toBe(inbox);
  });

  it('builds the admin-consent panel from the stream sentence', () => {
    const e = consentError('Your administrator must approve Rapport before it can read this data.');
    expect(e.code).toBe('consent_required');
    expect(e.message).toContain('administrator must approve');
    expect(e.adminMessage).toContain('Grant admin consent');
    expect(consentError('').message).not.toBe('');
  });
});
