import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ScopeBanner from './ScopeBanner.svelte';
import type { AccountView, SignInOutcome } from './types';

const account: AccountView = {
  upn: 'alice@contoso.com',
  displayName: 'Alice',
  tenantId: 't',
  scopes: ['Mail.ReadBasic'],
  state: 'ok',
  filesEnabled: false,
  missingScopes: ['Files.Read.All', 'Sites.Read.All'],
  error: '',
};

function backend(outcome: SignInOutcome) {
  return { Reauthorize: vi.fn().mockResolvedValue(outcome), CancelSignIn: vi.fn().mockResolvedValue(undefined) };
}

describe('ScopeBanner', () => {
  it('asks for file access and re-authorizes with the files scopes', async () => {
    const b = backend({ ok: true, account: { ...account, filesEnabled: true } });
    const onchanged = vi.fn();
    render(ScopeBanner, { account, backend: b, ondismiss: vi.fn(), onchanged });
    expect(screen.getByTestId('scope-banner').textContent).toContain('Allow Rapport to read your OneDrive and SharePoint activity');
    await fireEvent.click(screen.getByTestId('reauthorize'));
    expect(b.Reauthorize).toHaveBeenCalledWith('alice@contoso.com', true);
    await waitFor(() => expect(onchanged).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  it('explains a tenant policy that withholds the scope, with the admin-consent link', async () => {
    const url = 'https://login.microsoftonline.com/t/v2.0/adminconsent?client_id=x&scope=Files.Read.All';
    const b = backend({
      ok: false,
      account,
      error: {
        code: 'missing_scope',
        title: 'Your organisation did not grant access to OneDrive and SharePoint',
        message: "You allowed Rapport to read file activity, but Microsoft's answer still lacks Files.Read.All and Sites.Read.All: your organisation's policy lets only an administrator grant it. Mail and calendar keep working.",
        action: 'Send your administrator the link below; once they approve, use Re-authorize again.',
        adminConsentUrl: url,
      },
    });
    const onchanged = vi.fn();
    render(ScopeBanner, { account, backend: b, ondismiss: vi.fn(), onchanged });
    await fireEvent.click(screen.getByTestId('reauthorize'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.getAttribute('data-code')).toBe('missing_scope');
    expect(panel.textContent).toMatch(/policy/);
    expect(screen.getByTestId('admin-consent-url').textContent).toBe(url);
    expect(screen.getByTestId('copy-admin-message')).toBeTruthy();
    expect(screen.getByTestId('scope-banner')).toBeTruthy();
    expect(onchanged).toHaveBeenCalled();
  });

  it('shows an admin-approval error as the files explanation', async () => {
    const b = backend({ ok: false, error: { code: 'consent_required', title: 'Your administrator must approve Rapport', message: '', action: 'Send the link.', adminConsentUrl: 'https://l/adminconsent?client_id=c' } });
    render(ScopeBanner, { account, backend: b, ondismiss: vi.fn() });
    await fireEvent.click(screen.getByTestId('reauthorize'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.getAttribute('data-code')).toBe('missing_scope');
    expect(panel.querySelector('h2')?.textContent).toBe('Your administrator must approve access to OneDrive and SharePoint');
    expect(panel.textContent).toMatch(/OneDrive and SharePoint/);
  });

  it('says so when the sign-in worked but the grant still lacks the scope', async () => {
    const b = backend({ ok: true, account: { ...account, filesEnabled: false } });
    render(ScopeBanner, { account, backend: b, ondismiss: vi.fn() });
    await fireEvent.click(screen.getByTestId('reauthorize'));
    const panel = await screen.findByTestId('signin-error');
    expect(panel.getAttribute('data-code')).toBe('missing_scope');
    expect(panel.textContent).toContain('Files.Read.All, Sites.Read.All');
  });

  it('can be dismissed', async () => {
    const ondismiss = vi.fn();
    render(ScopeBanner, { account, backend: backend({ ok: true }), ondismiss });
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss this banner' }));
    expect(ondismiss).toHaveBeenCalledWith('alice@contoso.com');
  });
});
