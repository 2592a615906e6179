import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import AccountsScreen from './AccountsScreen.svelte';
import type { AccountView, SignInOutcome } from '../lib/types';

const acct = (upn: string, over: Partial<AccountView> = {}): AccountView => ({
  upn,
  displayName: upn.split('@')[0],
  tenantId: 't-' + upn,
  scopes: ['User.Read', 'Mail.ReadBasic', 'Calendars.ReadBasic'],
  state: 'ok',
  filesEnabled: false,
  missingScopes: ['Files.Read.All', 'Sites.Read.All'],
  error: '',
  ...over,
});

function backend() {
  return {
    SignIn: vi.fn(async (): Promise<SignInOutcome> => ({ ok: true, account: acct('new@fabrikam.com') })),
    CancelSignIn: vi.fn().mockResolvedValue(undefined),
    Reauthorize: vi.fn(async (upn: string): Promise<SignInOutcome> => ({ ok: true, account: acct(upn) })),
    RemoveAccount: vi.fn().mockResolvedValue(undefined),
    StartDemo: vi.fn().mockResolvedValue(undefined),
    Settings: vi.fn().mockResolvedValue({ clientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11', authority: 'https://login.microsoftonline.com/organizations', allowPersonalAccounts: false, extra: 7 }),
    SaveSettings: vi.fn().mockResolvedValue(undefined),
    SyncSettings: vi.fn().mockResolvedValue({ historyDays: 90, historySince: null, backfillFrom: null, historyStart: '2026-08-24T00:00:00Z' }),
    SetHistory: vi.fn().mockResolvedValue(undefined),
    LoadOlderHistory: vi.fn().mockResolvedValue(undefined),
    MailFolders: vi.fn().mockResolvedValue([]),
    SetFolderIncluded: vi.fn().mockResolvedValue(undefined),
    Calendars: vi.fn().mockResolvedValue([]),
    SetCalendarIncluded: vi.fn().mockResolvedValue(undefined),
  };
}

const accounts = [
  acct('alice@contoso.com', { displayName: 'Alice Moreau', filesEnabled: true }),
  acct('alice@fabrikam.com', { state: 'signin_required', error: 'Your sign-in expired after 90 days without use.' }),
];

describe('AccountsScreen', () => {
  it('lists the accounts with their state, and "Sign in again" where needed', async () => {
    const b = backend();
    const onchanged = vi.fn();
    render(AccountsScreen, { accounts, backend: b, onchanged });
    const rows = screen.getAllByTestId('account-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('Alice Moreau');
    expect(rows[0].textContent).toContain('alice@contoso.com');
    expect(within(rows[0]).getByTestId('account-state').textContent).toBe('Connected');
    expect(within(rows[0]).queryByTestId('signin-again')).toBeNull();
    expect(within(rows[1]).getByTestId('account-state').textContent).toBe('Sign-in needed');
    expect(rows[1].textContent).toContain('Your sign-in expired after 90 days without use.');

    await fireEvent.click(within(rows[1]).getByTestId('signin-again'));
    expect(b.Reauthorize).toHaveBeenCalledWith('alice@fabrikam.com', false);
    await waitFor(() => expect(onchanged).toHaveBeenCalledTimes(1));
    expect(await screen.findByText('Signed in again as alice@fabrikam.com.')).toBeTruthy();
  });

  it('adds another account and waits for the browser with a Cancel', async () => {
    const b = backend();
    let finish!: (o: SignInOutcome) => void;
    b.SignIn.mockImplementation(() => new Promise((r) => (finish = r)));
    const onchanged = vi.fn();
    render(AccountsScreen, { accounts, backend: b, onchanged });
    await fireEvent.click(screen.getByTestId('add-account'));
    expect(b.SignIn).toHaveBeenCalledWith(false);
    expect(screen.getByTestId('signin-waiting')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('signin-cancel'));
    expect(b.CancelSignIn).toHaveBeenCalled();
    finish({ ok: false, error: { code: 'cancelled', title: 'Cancelled', message: '', action: '' } });
    await waitFor(() => expect(screen.getByTestId('add-account')).toBeTruthy());
    expect(screen.queryByTestId('signin-error')).toBeNull();
    expect(onchanged).not.toHaveBeenCalled();
  });

  it('shows a failed sign-in as its panel', async () => {
    const b = backend();
    b.SignIn.mockResolvedValue({ ok: false, error: { code: 'personal_account', title: 'Personal accounts are not supported', message: 'm', action: 'a' } });
    render(AccountsScreen, { accounts, backend: b });
    await fireEvent.click(screen.getByTestId('add-account'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.getAttribute('data-code')).toBe('personal_account');
  });

  it('signs out and keeps the data', async () => {
    const b = backend();
    const onchanged = vi.fn();
    render(AccountsScreen, { accounts, backend: b, onchanged });
    await fireEvent.click(within(screen.getAllByTestId('account-row')[0]).getByTestId('signout'));
    expect(b.RemoveAccount).toHaveBeenCalledWith('alice@contoso.com', false);
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(await screen.findByText(/Its data stays on this computer/)).toBeTruthy();
  });

  it('asks before deleting an account’s data, says what goes and that it cannot be undone', async () => {
    const b = backend();
    const onchanged = vi.fn();
    render(AccountsScreen, { accounts, backend: b, onchanged });
    await fireEvent.click(within(screen.getAllByTestId('account-row')[0]).getByTestId('signout-purge'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('alice@contoso.com');
    expect(dialog.textContent).toMatch(/mail and meeting metadata/);
    expect(dialog.textContent).toMatch(/file activity/);
    expect(dialog.textContent).toContain('This cannot be undone.');
    // Focus starts on the safe answer; Esc cancels without deleting.
    expect(document.activeElement?.textContent).toBe('Cancel');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(b.RemoveAccount).not.toHaveBeenCalled();

    await fireEvent.click(within(screen.getAllByTestId('account-row')[0]).getByTestId('signout-purge'));
    await fireEvent.click(screen.getByTestId('confirm-button'));
    expect(b.RemoveAccount).toHaveBeenCalledWith('alice@contoso.com', true);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(onchanged).toHaveBeenCalled();
  });

  it('keeps the dialog open with the backend’s sentence when deleting fails', async () => {
    const b = backend();
    b.RemoveAccount.mockRejectedValue(new Error('The database is busy; try again in a moment.'));
    render(AccountsScreen, { accounts, backend: b });
    await fireEvent.click(within(screen.getAllByTestId('account-row')[0]).getByTestId('signout-purge'));
    await fireEvent.click(screen.getByTestId('confirm-button'));
    const dialog = await screen.findByRole('alertdialog');
    await waitFor(() => expect(dialog.textContent).toContain('The database is busy; try again in a moment.'));
  });

  it('validates the settings inline and saves a good form', async () => {
    const b = backend();
    render(AccountsScreen, { accounts, backend: b });
    const clientId = (await screen.findByLabelText('Client ID')) as HTMLInputElement;
    const authority = screen.getByLabelText('Authority or tenant') as HTMLInputElement;
    expect(clientId.value).toBe('5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11');

    await fireEvent.input(clientId, { target: { value: 'not-a-guid' } });
    await fireEvent.input(authority, { target: { value: 'http://login.example.com/organizations' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(screen.getByTestId('settings-error-clientid').textContent).toMatch(/GUID/);
    expect(screen.getByTestId('settings-error-authority').textContent).toMatch(/https/);
    expect(clientId.getAttribute('aria-invalid')).toBe('true');
    expect(b.SaveSettings).not.toHaveBeenCalled();

    await fireEvent.input(clientId, { target: { value: ' 11111111-2222-3333-4444-555555555555 ' } });
    await fireEvent.input(authority, { target: { value: 'contoso.onmicrosoft.com' } });
    await waitFor(() => expect(screen.queryByTestId('settings-error-clientid')).toBeNull());
    await fireEvent.click(screen.getByLabelText(/Allow personal Microsoft accounts/));
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(b.SaveSettings).toHaveBeenCalledWith({
        clientId: '11111111-2222-3333-4444-555555555555',
        authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
        allowPersonalAccounts: true,
        extra: 7,
      }),
    );
    expect(await screen.findByText(/Saved\./)).toBeTruthy();
  });

  it('treats empty fields as the defaults and says when the environment overrides them', async () => {
    const b = backend();
    b.Settings.mockResolvedValue({
      clientId: '',
      authority: '',
      allowPersonalAccounts: false,
      effectiveClientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11',
      effectiveAuthority: 'https://127.0.0.1:8443/organizations',
      clientIdSource: 'default',
      authoritySource: 'env',
      defaultClientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11',
      defaultAuthority: 'https://login.microsoftonline.com/organizations',
    });
    render(AccountsScreen, { accounts, backend: b });
    const clientId = (await screen.findByLabelText('Client ID')) as HTMLInputElement;
    expect(clientId.value).toBe('');
    expect(clientId.placeholder).toContain('5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11');
    expect(screen.getByTestId('settings-override-authority').textContent).toContain('RAPPORT_AUTHORITY');
    expect(screen.queryByTestId('settings-override-clientid')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(b.SaveSettings).toHaveBeenCalledWith(expect.objectContaining({ clientId: '', authority: '', authoritySource: 'env' })));
  });

  it('shows the backend’s refusal of the settings under the form', async () => {
    const b = backend();
    b.SaveSettings.mockRejectedValue(new Error('That tenant does not exist.'));
    render(AccountsScreen, { accounts, backend: b });
    await screen.findByLabelText('Client ID');
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((await screen.findByTestId('settings-save-error')).textContent).toBe('That tenant does not exist.');
  });

  it('opens each account’s sync settings (history, folders, calendars) on demand', async () => {
    const b = backend();
    render(AccountsScreen, { accounts, backend: b });
    const toggles = screen.getAllByTestId('sync-settings-toggle');
    expect(toggles).toHaveLength(2);
    expect(toggles[0].getAttribute('aria-expanded')).toBe('false');
    expect(b.SyncSettings).not.toHaveBeenCalled();
    await fireEvent.click(toggles[1]);
    expect(toggles[1].getAttribute('aria-expanded')).toBe('true');
    await waitFor(() => expect(screen.getByTestId('sync-settings').dataset.upn).toBe('alice@fabrikam.com'));
    expect(b.SyncSettings).toHaveBeenCalledWith('alice@fabrikam.com');
    await fireEvent.click(toggles[1]);
    expect(screen.queryByTestId('sync-settings')).toBeNull();
  });
});
