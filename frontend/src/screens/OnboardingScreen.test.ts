import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import OnboardingScreen from './OnboardingScreen.svelte';
import type { SignInOutcome, UserError } from '../lib/types';

const CONSENT_URL =
  'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?client_id=5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11&scope=https%3A%2F%2Fgraph.microsoft.com%2FMail.ReadBasic&redirect_uri=http%3A%2F%2Flocalhost';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function backend(signIn: () => Promise<SignInOutcome>) {
  return {
    SignIn: vi.fn(signIn),
    CancelSignIn: vi.fn().mockResolvedValue(undefined),
    StartDemo: vi.fn().mockResolvedValue(undefined),
    Settings: vi.fn().mockResolvedValue({ clientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11', authority: 'https://login.microsoftonline.com/organizations', allowPersonalAccounts: false }),
    SaveSettings: vi.fn().mockResolvedValue(undefined),
  };
}

function failing(error: UserError) {
  return backend(async () => ({ ok: false, error }));
}

const err = (code: string, extra: Partial<UserError> = {}): UserError => ({
  code,
  title: `Title for ${code}`,
  message: `Message for ${code}.`,
  action: `Action for ${code}.`,
  ...extra,
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('OnboardingScreen', () => {
  it('says what Rapport reads and never reads, and offers sign-in and the demo', () => {
    render(OnboardingScreen, { backend: backend(async () => ({ ok: true })) });
    const root = screen.getByTestId('onboarding');
    expect(root.textContent).toContain('What Rapport reads');
    expect(root.textContent).toContain('What it never reads');
    expect(root.textContent).toMatch(/bodies/i);
    expect(root.textContent).toMatch(/attachments/i);
    expect(root.textContent).toContain('Mail.ReadBasic');
    expect(root.textContent).toContain('Nothing leaves your laptop');
    expect(screen.getByTestId('signin-button').textContent).toContain('Sign in with Microsoft');
    expect(screen.getByTestId('demo-button').textContent).toContain('Try the demo');
  });

  it('signs in (mail and calendar only), waits for the browser, then reports success', async () => {
    const d = deferred<SignInOutcome>();
    const b = backend(() => d.promise);
    const onsignedin = vi.fn();
    render(OnboardingScreen, { backend: b, onsignedin });
    await fireEvent.click(screen.getByTestId('signin-button'));
    expect(b.SignIn).toHaveBeenCalledWith(false);
    expect(screen.getByTestId('signin-waiting').textContent).toContain('Waiting for your browser');
    expect(screen.queryByTestId('signin-button')).toBeNull();
    d.resolve({ ok: true, account: { upn: 'me@contoso.com' } as never });
    await waitFor(() => expect(onsignedin).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId('signin-waiting')).toBeNull();
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  it('Cancel calls CancelSignIn and a cancelled outcome shows no error', async () => {
    const d = deferred<SignInOutcome>();
    const b = backend(() => d.promise);
    render(OnboardingScreen, { backend: b });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await fireEvent.click(screen.getByTestId('signin-cancel'));
    expect(b.CancelSignIn).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('signin-waiting').textContent).toContain('Cancelling');
    d.resolve({ ok: false, error: err('cancelled') });
    await waitFor(() => expect(screen.getByTestId('signin-button')).toBeTruthy());
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  const codes = [
    'consent_required',
    'personal_account',
    'signin_required',
    'timeout',
    'cancelled',
    'offline',
    'keychain_unavailable',
    'missing_scope',
    'declined',
    'app_misconfigured',
    'signin_failed',
    'something_new',
  ];
  for (const code of codes) {
    it(`renders the ${code} panel in place with its title, message and action`, async () => {
      render(OnboardingScreen, { backend: failing(err(code)) });
      await fireEvent.click(screen.getByTestId('signin-button'));
      const panel = await screen.findByTestId('signin-error');
      expect(panel.getAttribute('data-code')).toBe(code);
      expect(panel.getAttribute('role')).toBe('alert');
      expect(panel.textContent).toContain(`Title for ${code}`);
      expect(panel.textContent).toContain(`Message for ${code}.`);
      expect(panel.textContent).toContain(`Action for ${code}.`);
      // The buttons are back: the user can retry or take the demo.
      expect(screen.getByTestId('signin-button')).toBeTruthy();
      expect(screen.getByTestId('demo-button')).toBeTruthy();
    });
  }

  it('explains the codes itself when the backend sends no message (personal, offline, keychain, timeout)', async () => {
    const cases: [string, RegExp][] = [
      ['personal_account', /work or school/],
      ['offline', /internet connection/],
      ['keychain_unavailable', /gnome-keyring|GNOME Keyring/],
      ['timeout', /nothing was stored/],
    ];
    for (const [code, re] of cases) {
      const { unmount } = render(OnboardingScreen, { backend: failing(err(code, { message: '' })) });
      await fireEvent.click(screen.getByTestId('signin-button'));
      expect((await screen.findByTestId('signin-error')).textContent).toMatch(re);
      unmount();
    }
  });

  it('does not repeat the backend’s explanation, and points a personal account to Settings', async () => {
    render(OnboardingScreen, { backend: failing(err('personal_account')) });
    await fireEvent.click(screen.getByTestId('signin-button'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.querySelectorAll('p.explain')).toHaveLength(1);
    expect(panel.textContent).toMatch(/allow personal accounts in the sign-in settings/);
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(await screen.findByTestId('settings-form')).toBeTruthy();
  });

  it('renders the backend’s real keychain error with the fix it names', async () => {
    render(OnboardingScreen, {
      backend: failing({
        code: 'keychain_unavailable',
        title: 'The system keychain is not available',
        message: 'Rapport keeps your sign-in encrypted under a key in the system keychain and never stores it unprotected, so it cannot sign in without one.',
        action: 'No Secret Service is running: install gnome-keyring or KWallet and log in again.',
      }),
    });
    await fireEvent.click(screen.getByTestId('signin-button'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.textContent).toContain('install gnome-keyring or KWallet');
    expect(panel.querySelectorAll('p.explain')).toHaveLength(0);
    expect(screen.getByTestId('signin-error-action').textContent).toBe('Try again');
  });

  it('retries from the panel with its one action', async () => {
    const b = failing(err('offline'));
    render(OnboardingScreen, { backend: b });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await screen.findByTestId('signin-error');
    await fireEvent.click(screen.getByTestId('signin-error-action'));
    await waitFor(() => expect(b.SignIn).toHaveBeenCalledTimes(2));
  });

  it('shows the admin-consent URL as selectable text with copy buttons, and keeps the demo usable', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const b = failing(err('consent_required', { adminConsentUrl: CONSENT_URL, adminMessage: 'Dear admin, please approve Rapport: ' + CONSENT_URL }));
    const ondemo = vi.fn();
    render(OnboardingScreen, { backend: b, ondemo });
    await fireEvent.click(screen.getByTestId('signin-button'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.getAttribute('data-code')).toBe('consent_required');
    const url = screen.getByTestId('admin-consent-url');
    expect(url.textContent).toBe(CONSENT_URL);
    expect(url.tagName).not.toBe('A'); // text to copy, not a link that opens itself
    expect(panel.textContent).toMatch(/administrator/);
    expect(panel.textContent).toMatch(/demo stays usable/);

    await fireEvent.click(screen.getByTestId('copy-admin-message'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('Dear admin, please approve Rapport: ' + CONSENT_URL));
    expect(await screen.findByText(/Message copied/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('copy-admin-link'));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(CONSENT_URL));

    await fireEvent.click(screen.getByRole('button', { name: /try Rapport on the demo tenant/ }));
    await waitFor(() => expect(b.StartDemo).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(ondemo).toHaveBeenCalledTimes(1));
  });

  it('composes the admin message when the backend sends none, and falls back to execCommand', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error('denied')) } });
    const exec = vi.fn((..._a: unknown[]) => true);
    (document as unknown as { execCommand: unknown }).execCommand = exec;
    render(OnboardingScreen, { backend: failing(err('consent_required', { adminConsentUrl: CONSENT_URL })) });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await screen.findByTestId('signin-error');
    await fireEvent.click(screen.getByTestId('copy-admin-message'));
    await waitFor(() => expect(exec).toHaveBeenCalledWith('copy'));
    expect(await screen.findByText(/Message copied/)).toBeTruthy();
    delete (document as unknown as { execCommand?: unknown }).execCommand;
  });

  it('asks the user to copy by hand when no way of copying works', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    render(OnboardingScreen, { backend: failing(err('consent_required', { adminConsentUrl: CONSENT_URL })) });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await screen.findByTestId('signin-error');
    await fireEvent.click(screen.getByTestId('copy-admin-link'));
    expect(await screen.findByText(/press Ctrl\+C/)).toBeTruthy();
  });

  it('opens the settings for a misconfigured app registration', async () => {
    const b = failing(err('app_misconfigured'));
    render(OnboardingScreen, { backend: b });
    await fireEvent.click(screen.getByTestId('signin-button'));
    await screen.findByTestId('signin-error');
    await fireEvent.click(screen.getByRole('button', { name: 'Open settings' }));
    expect(await screen.findByTestId('settings-form')).toBeTruthy();
    expect(b.Settings).toHaveBeenCalled();
  });

  it('starts the demo', async () => {
    const b = backend(async () => ({ ok: true }));
    const ondemo = vi.fn();
    render(OnboardingScreen, { backend: b, ondemo });
    await fireEvent.click(screen.getByTestId('demo-button'));
    await waitFor(() => expect(ondemo).toHaveBeenCalledTimes(1));
    expect(b.StartDemo).toHaveBeenCalledTimes(1);
  });

  it('shows a failing demo start as one sentence', async () => {
    const b = backend(async () => ({ ok: true }));
    b.StartDemo.mockRejectedValue(new Error('The demo could not start: port in use.'));
    render(OnboardingScreen, { backend: b });
    await fireEvent.click(screen.getByTestId('demo-button'));
    expect((await screen.findByRole('alert')).textContent).toBe('The demo could not start: port in use.');
  });

  it('renders hostile backend text as text', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    render(OnboardingScreen, { backend: failing(err('signin_failed', { title: evil, message: evil, action: evil })) });
    await fireEvent.click(screen.getByTestId('signin-button'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.querySelector('img')).toBeNull();
    expect(panel.textContent).toContain(evil);
  });
});
