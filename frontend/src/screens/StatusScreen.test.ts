import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import StatusScreen from './StatusScreen.svelte';
import { normalizeStatus } from '../lib/api';
import { recordProgress } from '../lib/firstsync';
import type { AccountView, SignInOutcome, Status, StreamStatus } from '../lib/types';

const now = new Date('2026-11-22T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

const stream = (id: number, name: string, over: Partial<StreamStatus> = {}): StreamStatus => ({
  id,
  kind: 'mail',
  resource: 'r' + id,
  name,
  items: 10,
  total: 12,
  lastSync: ago(12),
  error: '',
  state: 'ok',
  action: '',
  lastAttempt: ago(13),
  ...over,
});

function status(): Status {
  return normalizeStatus({
    lastSync: ago(12),
    accounts: [
      {
        upn: 'alice@contoso.com',
        displayName: 'Alice Moreau',
        streams: [
          stream(3, 'Archive', { error: 'Microsoft 365 is throttling requests; Rapport will retry shortly.', state: 'error', action: 'none' }),
          stream(2, 'Calendar', { kind: 'calendar', items: 95, total: 0 }),
          stream(1, 'Inbox', { items: 131, total: 143 }),
        ],
        lastSync: ago(12),
      },
      {
        upn: 'bob@fabrikam.com',
        displayName: '',
        streams: [
          stream(11, 'Inbox', { error: 'Rapport must sign in again.', state: 'error', action: 'reauthorize', lastSync: null }),
          stream(12, 'Calendar', { kind: 'calendar', error: 'Your administrator must approve Rapport before it can read this data.', state: 'error', action: 'admin-consent' }),
        ],
        backfill: { from: '2026-02-24T00:00:00Z', items: 420, total: 1800, folders: 3, done: false },
      },
      { upn: 'carol@onprem.example', displayName: 'Carol', streams: [], error: 'This mailbox is on-premises; mail and calendar are unavailable.', action: 'unavailable' },
    ] as unknown as Status['accounts'],
  });
}

const accounts: AccountView[] = [
  { upn: 'bob@fabrikam.com', displayName: '', tenantId: 't', scopes: [], state: 'ok', filesEnabled: true, missingScopes: [], error: '' },
];

function backend() {
  return {
    Reauthorize: vi.fn(async (upn: string): Promise<SignInOutcome> => ({ ok: true, account: { ...accounts[0], upn } })),
    CancelSignIn: vi.fn().mockResolvedValue(undefined),
  };
}

describe('StatusScreen', () => {
  it('lists every stream per account: name, state, items, last success; Inbox first', () => {
    render(StatusScreen, { status: status(), now, backend: backend(), onsync: () => {} });
    expect(screen.getByTestId('status-screen')).toBeTruthy();
    const alice = screen.getAllByTestId('status-account')[0];
    const rows = within(alice).getAllByTestId('stream-row');
    expect(rows.map((r) => r.dataset.name)).toEqual(['Inbox', 'Calendar', 'Archive']);
    expect(rows.map((r) => r.dataset.state)).toEqual(['ok', 'ok', 'error']);
    const inbox = rows[0].textContent?.replace(/\s+/g, ' ');
    expect(inbox).toContain('Mail Inbox');
    expect(inbox).toContain('Up to date');
    expect(inbox).toContain('131 / 143');
    expect(inbox).toContain('12 s ago');
    expect(rows[1].textContent).toContain('95 events');
    expect(rows[2].textContent).toContain('Retrying');
  });

  it('gives each error its sentence and its one action', async () => {
    const onsync = vi.fn();
    render(StatusScreen, { status: status(), now, backend: backend(), onsync });
    const errors = screen.getAllByTestId('stream-error');
    expect(errors.map((e) => e.dataset.action)).toEqual(['none', 'reauthorize', 'admin-consent']);
    expect(errors[0].textContent).toContain('throttling');
    await fireEvent.click(within(errors[0]).getByRole('button', { name: 'Retry now' }));
    expect(onsync).toHaveBeenCalledTimes(1);
    expect(within(errors[1]).getByRole('button', { name: 'Sign in again' })).toBeTruthy();
    expect(within(errors[2]).getByRole('button', { name: 'Ask your administrator' })).toBeTruthy();
    // On-premises: an explanation, no button.
    const carol = screen.getByTestId('account-error');
    expect(carol.dataset.action).toBe('unavailable');
    expect(carol.textContent).toContain('on-premises');
    expect(carol.textContent).toContain('Exchange Online');
    expect(within(carol).queryByRole('button')).toBeNull();
    expect(screen.getByTestId('status-backfill').textContent?.replace(/\s+/g, ' ')).toMatch(/back to 24 Feb 2026: 420 of 1,800 messages, 3 folders to go|back to Feb 24, 2026: 420 of 1,800 messages, 3 folders to go/);
  });

  it('re-authorizes with the account’s file permission, then syncs and tells the shell', async () => {
    const b = backend();
    const onsync = vi.fn();
    const onchanged = vi.fn();
    render(StatusScreen, { status: status(), accounts, now, backend: b, onsync, onchanged });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(b.Reauthorize).toHaveBeenCalledWith('bob@fabrikam.com', true);
    expect(onsync).toHaveBeenCalled();
    expect(document.body.textContent).toContain('Signed in again as bob@fabrikam.com');
  });

  it('shows the admin-consent path in the sign-in error panel, with the link once a sign-in returns it', async () => {
    const b = backend();
    b.Reauthorize.mockResolvedValue({
      ok: false,
      error: { code: 'consent_required', title: 'Your administrator must approve Rapport', message: 'm', action: 'a', adminConsentUrl: 'https://login.microsoftonline.com/t/v2.0/adminconsent?client_id=c' },
    });
    render(StatusScreen, { status: status(), now, backend: b, onsync: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Ask your administrator' }));
    const panel = screen.getByTestId('status-consent');
    expect(within(panel).getByTestId('signin-error').dataset.code).toBe('consent_required');
    expect(panel.textContent).toContain('Your administrator must approve Rapport before it can read this data.');
    await fireEvent.click(within(panel).getByRole('button', { name: 'Sign in again after approval' }));
    await waitFor(() => expect(screen.getByTestId('admin-consent-url').textContent).toContain('adminconsent?client_id=c'));
  });

  it('overlays live progress, and says when offline or nothing is signed in', () => {
    const p = recordProgress({}, { account: 'alice@contoso.com', stream: 'Inbox', streamId: 1, items: 140, total: 143, done: false });
    const s = { ...status(), offline: true };
    const { unmount } = render(StatusScreen, { status: s, progress: p, now, backend: backend(), onsync: () => {} });
    const inbox = screen.getAllByTestId('stream-row')[0];
    expect(inbox.dataset.state).toBe('syncing');
    expect(inbox.textContent).toContain('140 / 143');
    expect(screen.getByTestId('status-offline')).toBeTruthy();
    unmount();
    render(StatusScreen, { status: normalizeStatus({}), now, backend: backend(), onsync: () => {} });
    expect(document.body.textContent).toContain('No account is signed in');
  });
});
