import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { AccountStatus, AccountView, ClientSummary, Status } from './lib/types';

const h = await vi.hoisted(async () => {
  const { backendMock } = await import('./testdata/backendMock');
  return backendMock([
    'Clients', 'Timeline', 'SyncNow', 'Status', 'OpenURL', 'Accounts', 'SignIn', 'CancelSignIn', 'Reauthorize',
    'RemoveAccount', 'StartDemo', 'Settings', 'SaveSettings', 'Upcoming', 'SetFocused', 'MailFolders',
    'SetFolderIncluded', 'Calendars', 'SetCalendarIncluded', 'SyncSettings', 'SetHistory', 'LoadOlderHistory',
    'FirstSyncSummary', 'Overview', 'Attention', 'ClientInsights', 'Search', 'TimelineFiltered', 'Suggestions',
    'Ambiguities', 'AcceptSuggestion', 'MergeSuggestion', 'DismissSuggestion', 'ResolveDomain', 'ExportClient',
    'About',
  ]);
});

vi.mock('./lib/api', async (orig) => ({ ...(await orig<typeof import('./lib/api')>()), api: h.api, on: h.on }));

import App from './App.svelte';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const demoStatus: Status = { demo: true, syncing: false, lastSync: ago(12_000), accounts: [], offline: false, focused: true };
const acctStatus = (over: Partial<AccountStatus> = {}): AccountStatus => ({
  upn: 'alice@contoso.com',
  displayName: 'Alice Moreau',
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
const clients: ClientSummary[] = [
  { id: 2, name: 'Fabrikam', domains: ['fabrikam.com'], items: 4, lastContact: ago(9 * 86400e3) },
  { id: 6, name: 'Adventure Works', domains: ['adventure-works.com'], items: 0, lastContact: null },
  { id: 1, name: 'Contoso', domains: ['contoso.com'], items: 2, lastContact: ago(2 * 3600e3) },
];

const account = (over: Partial<AccountView> = {}): AccountView => ({
  upn: 'alice@contoso.com',
  displayName: 'Alice Moreau',
  tenantId: 't1',
  scopes: ['User.Read', 'Mail.ReadBasic', 'Calendars.ReadBasic'],
  state: 'ok',
  filesEnabled: true,
  missingScopes: [],
  error: '',
  ...over,
});
const realStatus: Status = { demo: false, syncing: false, lastSync: ago(5_000), accounts: [acctStatus()], offline: false, focused: true };
const emptyStatus: Status = { demo: false, syncing: false, lastSync: null, accounts: [], offline: false, focused: true };

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  h.handlers.clear();
  h.api.Accounts.mockResolvedValue([]);
  h.api.Settings.mockResolvedValue({ clientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11', authority: 'https://login.microsoftonline.com/organizations', allowPersonalAccounts: false });
  h.api.Clients.mockResolvedValue(clients);
  h.api.Status.mockResolvedValue(demoStatus);
  h.api.SyncNow.mockResolvedValue(undefined);
  h.api.SetFocused.mockResolvedValue(undefined);
  h.api.Upcoming.mockResolvedValue([]);
  h.api.Overview.mockResolvedValue([]);
  h.api.Suggestions.mockResolvedValue([]);
  h.api.Ambiguities.mockResolvedValue([]);
  h.api.ClientInsights.mockRejectedValue(new Error('No figures in this test.'));
  h.api.Search.mockResolvedValue([]);
  h.api.About.mockResolvedValue({ name: 'Rapport', version: 'v0.4.0', platform: 'linux/amd64', dataDir: '/data/demo', demo: true });
  h.api.Timeline.mockResolvedValue({
    items: [{ kind: 'mail', direction: 'in', at: ago(60_000), counterpart: 'Alice', title: 'Hello', itemId: 'm1' }],
    cursor: '',
  });
});

describe('App', () => {
  it('lists clients by last contact, shows the demo badge and the sync status', async () => {
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
    expect(screen.getAllByTestId('client-row').map((r) => r.querySelector('.name')?.textContent)).toEqual([
      'Contoso',
      'Fabrikam',
      'Adventure Works',
    ]);
    await waitFor(() => expect(screen.getByTestId('demo-badge').textContent).toBe('Demo data'));
    expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced \d+ s ago$/);
  });

  it('opens a client and shows its timeline', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.click(screen.getAllByTestId('client-row')[0]);
    await waitFor(() => expect(screen.getByTestId('timeline-title').textContent).toBe('Contoso'));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));
    expect(h.api.Timeline).toHaveBeenCalledWith(1, '', 50);
  });

  it('refreshes the client list on data:changed', async () => {
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
    h.api.Clients.mockResolvedValue([...clients, { id: 7, name: 'Litware', domains: ['litware.com'], items: 1, lastContact: ago(1000) }]);
    h.emit('data:changed', { kinds: ['mail'], clientIds: [7] });
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(4));
    expect(screen.getAllByTestId('client-row')[0].textContent).toContain('Litware');
  });

  it('explains how to add a client when there is none', async () => {
    h.api.Clients.mockResolvedValue([]);
    render(App);
    await waitFor(() => expect(document.body.textContent).toContain('No clients yet — add one with rapport clients add <name> --domain <domain>'));
  });

  it('shows the error sentence when the backend fails', async () => {
    h.api.Clients.mockRejectedValue(new Error("This page's access token is missing or wrong. Open the link that `rapport serve` printed."));
    render(App);
    await waitFor(() => expect(screen.getAllByRole('alert')[0].textContent).toContain('access token is missing or wrong'));
  });

  it('syncs on "r" and on the button, and follows sync:progress', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.keyDown(window, { key: 'r' });
    expect(h.api.SyncNow).toHaveBeenCalledTimes(1);
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 300, total: 1200, done: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing… 300 of 1,200'));
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 1200, total: 1200, done: true });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
    await fireEvent.click(screen.getByRole('button', { name: /Sync now/ }));
    expect(h.api.SyncNow).toHaveBeenCalledTimes(2);
  });

  it('opens the shortcuts and About on "?" and on the top bar button; Esc closes it and keeps the screen', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.keyDown(window, { key: '?' });
    await waitFor(() => expect(screen.getByTestId('about-version').textContent).toBe('v0.4.0'));
    await fireEvent.keyDown(screen.getByTestId('help-dialog'), { key: 'Escape' });
    expect(screen.queryByTestId('help-dialog')).toBeNull();
    expect(screen.getAllByTestId('client-row').length).toBe(3);
    await fireEvent.click(screen.getByTestId('help-button'));
    expect(screen.getByTestId('help-dialog')).toBeTruthy();
  });

  it('follows sync:state, and a pass that ends clears stale progress', async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
    h.api.Status.mockResolvedValue({ ...demoStatus, syncing: true });
    h.emit('sync:state', { syncing: true });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing…'));
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 10, total: 100, done: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing… 10 of 100'));
    h.api.Status.mockResolvedValue(demoStatus);
    h.emit('sync:state', { syncing: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
  });
});

describe('App: sign-in and accounts', () => {
  it('shows the onboarding on first run (no account, not the demo)', async () => {
    h.api.Status.mockResolvedValue(emptyStatus);
    h.api.Clients.mockResolvedValue([]);
    render(App);
    await waitFor(() => expect(screen.getByTestId('onboarding')).toBeTruthy());
    expect(screen.queryByTestId('sync-status')).toBeNull();
  });

  it('never shows the onboarding in the demo or when an account exists', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    expect(screen.queryByTestId('onboarding')).toBeNull();

    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account()]);
    const second = render(App);
    await waitFor(() => expect(second.container.querySelectorAll('[data-testid="client-row"]').length).toBe(3));
    expect(screen.queryByTestId('onboarding')).toBeNull();
  });

  it('leaves the onboarding for the demo after "Try the demo"', async () => {
    h.api.Status.mockResolvedValue(emptyStatus);
    h.api.StartDemo.mockImplementation(async () => {
      h.api.Status.mockResolvedValue(demoStatus);
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('demo-button'));
    expect(h.api.StartDemo).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getByTestId('demo-badge').textContent).toBe('Demo data'));
    expect(screen.queryByTestId('onboarding')).toBeNull();
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
  });

  it('leaves the onboarding after a sign-in and starts the first sync', async () => {
    h.api.Status.mockResolvedValue(emptyStatus);
    h.api.SignIn.mockImplementation(async () => {
      h.api.Status.mockResolvedValue(realStatus);
      h.api.Accounts.mockResolvedValue([account()]);
      return { ok: true, account: account() };
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('signin-button'));
    await waitFor(() => expect(screen.queryByTestId('onboarding')).toBeNull());
    expect(h.api.SignIn).toHaveBeenCalledWith(false);
    await waitFor(() => expect(h.api.SyncNow).toHaveBeenCalled());
  });

  it('does not send a user who moved on back to the clients when the sign-in returns after its events', async () => {
    h.api.Status.mockResolvedValue(emptyStatus);
    let signedIn: (v: unknown) => void = () => {};
    h.api.SignIn.mockImplementation(() => new Promise((resolve) => (signedIn = resolve)));
    render(App);
    await fireEvent.click(await screen.findByTestId('signin-button'));
    // The account's event shows the main screen before SignIn answers.
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account()]);
    h.emit('accounts:changed', { upn: 'alice@contoso.com' });
    await screen.findByTestId('nav-accounts');
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 'a' });
    await screen.findByTestId('accounts-screen');
    // The sign-in's answer ends with the first sync's start.
    const syncs = h.api.SyncNow.mock.calls.length;
    signedIn({ ok: true, account: account() });
    await waitFor(() => expect(h.api.SyncNow.mock.calls.length).toBeGreaterThan(syncs));
    expect(screen.getByTestId('accounts-screen')).toBeTruthy();
  });

  it('lands on the clients after the onboarding that follows deleting the last account', async () => {
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account()]);
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-accounts'));
    await screen.findByTestId('accounts-screen');
    h.api.Status.mockResolvedValue(emptyStatus);
    h.api.Accounts.mockResolvedValue([]);
    h.emit('accounts:changed', { upn: 'alice@contoso.com' });
    await screen.findByTestId('onboarding');
    h.api.SignIn.mockImplementation(async () => {
      h.api.Status.mockResolvedValue(realStatus);
      h.api.Accounts.mockResolvedValue([account()]);
      return { ok: true, account: account() };
    });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await waitFor(() => expect(screen.queryByTestId('onboarding')).toBeNull());
    await screen.findAllByTestId('client-row');
    expect(screen.queryByTestId('accounts-screen')).toBeNull();
  });

  it('shows the scope banner while an account lacks files, and drops it once Accounts() says filesEnabled', async () => {
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account({ filesEnabled: false, missingScopes: ['Files.Read.All'] })]);
    h.api.Reauthorize.mockImplementation(async () => {
      h.api.Accounts.mockResolvedValue([account({ filesEnabled: true })]);
      return { ok: true, account: account({ filesEnabled: true }) };
    });
    render(App);
    const banner = await screen.findByTestId('scope-banner');
    expect(banner.textContent).toContain('Allow Rapport to read your OneDrive and SharePoint activity');
    await fireEvent.click(screen.getByTestId('reauthorize'));
    expect(h.api.Reauthorize).toHaveBeenCalledWith('alice@contoso.com', true);
    await waitFor(() => expect(screen.queryByTestId('scope-banner')).toBeNull());
  });

  it('reloads the accounts on accounts:changed', async () => {
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account()]);
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    expect(screen.queryByTestId('scope-banner')).toBeNull();
    h.api.Accounts.mockResolvedValue([account({ filesEnabled: false })]);
    h.emit('accounts:changed', { upn: 'alice@contoso.com' });
    await waitFor(() => expect(screen.getByTestId('scope-banner')).toBeTruthy());
  });

  it('keeps a dismissed banner away, and shows none in the demo', async () => {
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account({ filesEnabled: false })]);
    const first = render(App);
    await fireEvent.click(await screen.findByTestId('scope-banner-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('scope-banner')).toBeNull());
    first.unmount();
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    expect(screen.queryByTestId('scope-banner')).toBeNull();
  });

  it('opens Accounts & Settings from the sidebar, the account menu and "g a"; Esc goes back', async () => {
    h.api.Status.mockResolvedValue(realStatus);
    h.api.Accounts.mockResolvedValue([account(), account({ upn: 'alice@fabrikam.com', state: 'signin_required' })]);
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.click(screen.getByTestId('nav-accounts'));
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2));
    expect(screen.getByTestId('nav-accounts').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('button', { name: 'Sign in again' })).toBeTruthy();
    expect(screen.getByTestId('add-account').textContent).toContain('Add another account');

    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('accounts-screen')).toBeNull());

    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(screen.getByTestId('accounts-screen')).toBeTruthy());
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('accounts-screen')).toBeNull());

    await fireEvent.click(screen.getByTestId('account-menu'));
    await waitFor(() => expect(screen.getByTestId('accounts-screen')).toBeTruthy());
  });

  it('tells the backend the window has the focus at start and when it loses it', async () => {
    render(App);
    await waitFor(() => expect(h.api.SetFocused).toHaveBeenCalled());
    expect(typeof h.api.SetFocused.mock.calls[0][0]).toBe('boolean');
    window.dispatchEvent(new Event('blur'));
    expect(h.api.SetFocused).toHaveBeenLastCalledWith(false);
  });

  it('shows the first-sync progress while it runs, then the "We found…" card; a dismiss is remembered', async () => {
    const running = {
      ...realStatus,
      accounts: [
        acctStatus({
          streams: [
            { id: 1, kind: 'mail', resource: 'i', name: 'Inbox', items: 10, total: 100, lastSync: null, error: '', state: 'syncing', action: '', lastAttempt: null },
            { id: 2, kind: 'calendar', resource: 'c', name: 'Calendar', items: 0, total: 0, lastSync: null, error: '', state: 'pending', action: '', lastAttempt: null },
          ],
        }),
      ],
    };
    h.api.Status.mockResolvedValue(running);
    h.api.Accounts.mockResolvedValue([account()]);
    const first = render(App);
    await screen.findByTestId('sync-progress');
    h.emit('sync:progress', { account: 'alice@contoso.com', stream: 'Inbox', streamId: 1, kind: 'mail', items: 60, total: 100, done: false });
    await waitFor(() => expect(screen.getAllByTestId('sync-progress-stream')[0].textContent).toContain('60 of 100'));
    expect(screen.queryByTestId('found-card')).toBeNull();

    const summary = { account: 'alice@contoso.com', messages: 348, meetings: 94, clients: 6, at: new Date().toISOString() };
    h.api.Status.mockResolvedValue({ ...running, accounts: [acctStatus({ ...running.accounts[0], firstSync: summary })] });
    h.emit('sync:first-complete', summary);
    await waitFor(() => expect(screen.getByTestId('found-card').textContent).toContain('We found 348 messages, 94 meetings with 6 clients'));
    await waitFor(() => expect(screen.queryByTestId('sync-progress')).toBeNull());

    await fireEvent.click(screen.getByTestId('found-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('found-card')).toBeNull());
    first.unmount();
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await waitFor(() => expect(h.api.Status).toHaveBeenCalled());
    expect(screen.queryByTestId('found-card')).toBeNull();
  });

  it('"Review suggested clients" opens the suggestions inbox', async () => {
    const summary = { account: 'alice@contoso.com', messages: 3, meetings: 1, clients: 2, at: new Date().toISOString() };
    h.api.Status.mockResolvedValue({ ...realStatus, accounts: [acctStatus({ firstSync: summary })] });
    h.api.Accounts.mockResolvedValue([account()]);
    render(App);
    await fireEvent.click(await screen.findByTestId('nav-accounts'));
    await screen.findByTestId('accounts-screen');
    await fireEvent.click(await screen.findByRole('button', { name: 'Review suggested clients' }));
    await waitFor(() => expect(screen.queryByTestId('accounts-screen')).toBeNull());
    expect(screen.queryByTestId('found-card')).toBeNull();
    await screen.findByTestId('suggestions-screen');
    await waitFor(() => expect(document.activeElement?.id).toBe('suggestions-title'));
  });

  it('shows the offline banner from Status and sync:state, and drops it when back online', async () => {
    h.api.Status.mockResolvedValue({ ...demoStatus, offline: true });
    render(App);
    await waitFor(() => expect(screen.getByTestId('offline-banner').textContent).toContain('Offline — showing data from'));
    h.api.Status.mockResolvedValue({ ...demoStatus, offline: false });
    h.emit('sync:state', { syncing: false, offline: false });
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    h.api.Status.mockResolvedValue({ ...demoStatus, offline: true });
    h.emit('sync:state', { syncing: false, offline: true });
    await waitFor(() => expect(screen.getByTestId('offline-banner')).toBeTruthy());
    // Nothing else changes: the clients are still there.
    expect(screen.getAllByTestId('client-row')).toHaveLength(3);
  });

  it('opens the sync status screen from the top bar and "g s"; Esc goes back', async () => {
    h.api.Status.mockResolvedValue({
      ...realStatus,
      accounts: [
        acctStatus({
          streams: [{ id: 1, kind: 'mail', resource: 'i', name: 'Inbox', items: 10, total: 10, lastSync: ago(5000), error: '', state: 'ok', action: '', lastAttempt: null }],
        }),
      ],
    });
    h.api.Accounts.mockResolvedValue([account()]);
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.click(screen.getByTestId('sync-status-button'));
    await screen.findByTestId('status-screen');
    expect(screen.getAllByTestId('stream-row')[0].dataset.name).toBe('Inbox');
    expect(document.activeElement?.id).toBe('status-title');
    expect(screen.getByTestId('sync-status-button').getAttribute('aria-current')).toBe('page');
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('status-screen')).toBeNull());
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 's' });
    await screen.findByTestId('status-screen');
  });
});

describe('App: overview, attention, suggestions, search (issue 6)', () => {
  const row = (id: number, name: string, attention: { kind: string; label: string }[] = []) => ({
    id,
    name,
    domains: [name.toLowerCase() + '.com'],
    lastContact: ago(3600e3),
    weeklyVolume: [1, 2, 3],
    weeks: ['2026-W45', '2026-W46', '2026-W47'],
    emailIn: 3,
    emailOut: 3,
    myMedianReplyMinutes: 190,
    nextMeeting: null,
    attention,
  });

  it('shows the overview at home and the NEEDS ATTENTION list in the sidebar', async () => {
    h.api.Overview.mockResolvedValue([
      row(1, 'Contoso', [{ kind: 'unanswered', label: '2 unanswered' }]),
      row(2, 'Fabrikam', [{ kind: 'silent', label: 'silent 38d' }]),
      row(6, 'Adventure Works'),
    ]);
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('overview-row')).toHaveLength(3));
    const attention = await screen.findAllByTestId('attention-row');
    // silence first (more urgent), with why in two words
    expect(attention.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['Fabrikam silent 38d', 'Contoso 2 unanswered']);
    expect(screen.getAllByTestId('attention-badge').map((b) => b.textContent)).toContain('silent 38d');
    expect(screen.getAllByTestId('overview-row')[0].textContent).toContain('3 h 10 m');
    await fireEvent.click(attention[0]);
    await waitFor(() => expect(screen.getByTestId('timeline-title').textContent).toBe('Fabrikam'));
    await fireEvent.click(screen.getByTestId('nav-overview'));
    await screen.findByTestId('overview');
  });

  it('counts suggestions in the sidebar and opens the inbox', async () => {
    h.api.Suggestions.mockResolvedValue([
      { domain: 'litware.com', proposedName: 'Litware', messages: 10, meetings: 1, sent: 5, received: 5, lastContact: ago(86400e3), score: 5 },
    ]);
    h.api.Ambiguities.mockResolvedValue([{ domain: 'shared.com', clientIds: [1, 2], clientNames: ['Contoso', 'Fabrikam'], messages: 4, meetings: 0 }]);
    render(App);
    await waitFor(() => expect(screen.getByTestId('suggestions-count').textContent).toBe('2'));
    await fireEvent.click(screen.getByTestId('nav-suggestions'));
    await screen.findByTestId('suggestion');
    expect(screen.getByTestId('ambiguity').textContent).toContain('shared.com');
  });

  it('sorts the sidebar clients by name or volume, remembered', async () => {
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
    await fireEvent.change(screen.getByTestId('client-sort'), { target: { value: 'name' } });
    await waitFor(() =>
      expect(screen.getAllByTestId('client-row').map((r) => r.querySelector('.name')?.textContent)).toEqual(['Adventure Works', 'Contoso', 'Fabrikam']),
    );
    expect(localStorage.getItem('rapport.clients.sort')).toBe('name');
    await fireEvent.change(screen.getByTestId('client-sort'), { target: { value: 'volume' } });
    await waitFor(() => expect(screen.getAllByTestId('client-row')[0].querySelector('.name')?.textContent).toBe('Fabrikam'));
  });

  it('opens the search with Ctrl+K and a result opens its client', async () => {
    h.api.Search.mockResolvedValue([
      { kind: 'mail', title: 'Invoice INV-2032', at: ago(86400e3), counterpart: 'Lee Gu', clientIds: [2], clientNames: ['Fabrikam'], itemId: 'm9', direction: 'in' },
    ]);
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = await screen.findByTestId('search-input');
    await fireEvent.input(input, { target: { value: 'Invoice' } });
    await screen.findByTestId('search-result');
    expect(h.api.Search).toHaveBeenCalledWith('Invoice', 30);
    expect(screen.getByTestId('search-clients').textContent).toContain('Fabrikam');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('timeline-title').textContent).toBe('Fabrikam'));
    expect(screen.queryByTestId('search-dialog')).toBeNull();
  });
});
