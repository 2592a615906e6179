import { describe, expect, it } from 'vitest';
import { adminMessage, loadDismissed, normalizeAuthority, overrideNote, saveDismissed, scopeBannerAccounts, stateLabel, validateSettings } from './accounts';
import type { AccountView } from './types';

const a = (upn: string, filesEnabled: boolean): AccountView => ({ upn, displayName: '', tenantId: '', scopes: [], state: 'ok', filesEnabled, missingScopes: [], error: '' });

describe('scope banner logic', () => {
  it('shows accounts without files, minus dismissed ones (case-insensitive)', () => {
    const list = [a('A@x.com', false), a('b@x.com', true), a('c@x.com', false)];
    expect(scopeBannerAccounts(list, new Set()).map((x) => x.upn)).toEqual(['A@x.com', 'c@x.com']);
    expect(scopeBannerAccounts(list, new Set(['a@x.com'])).map((x) => x.upn)).toEqual(['c@x.com']);
    expect(scopeBannerAccounts([a('b@x.com', true)], new Set())).toEqual([]);
    expect(scopeBannerAccounts([{ ...a('d@x.com', false), state: 'signin_required' }], new Set())).toEqual([]);
  });

  it('remembers dismissals in storage and survives junk', () => {
    localStorage.clear();
    expect(loadDismissed()).toEqual(new Set());
    saveDismissed(new Set(['a@x.com']));
    expect(loadDismissed()).toEqual(new Set(['a@x.com']));
    localStorage.setItem('rapport.scopeBanner.dismissed', '{not json');
    expect(loadDismissed()).toEqual(new Set());
  });
});

describe('settings validation', () => {
  it('accepts a GUID client id and an https authority', () => {
    expect(validateSettings({ clientId: '5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11', authority: 'https://login.microsoftonline.com/organizations' })).toEqual({});
  });

  it('accepts empty fields: they mean Rapport’s defaults', () => {
    expect(validateSettings({ clientId: '', authority: '  ' })).toEqual({});
  });

  it('rejects malformed values with a sentence each', () => {
    expect(validateSettings({ clientId: 'abc', authority: 'x' }).clientId).toMatch(/GUID/);
    expect(validateSettings({ clientId: 'abc', authority: 'not a url' }).authority).toBeTruthy();
    expect(validateSettings({ clientId: 'abc', authority: 'http://login.microsoftonline.com/organizations' }).authority).toMatch(/https/);
    expect(validateSettings({ clientId: 'abc', authority: 'https://login.microsoftonline.com/' }).authority).toMatch(/tenant/);
    expect(validateSettings({ clientId: 'abc', authority: 'https://login.microsoftonline.com/x?y=1' }).authority).toMatch(/query/);
    expect(validateSettings({ clientId: 'abc', authority: 'https://login.microsoftonline.com/a/b' }).authority).toMatch(/nothing after/);
  });

  it('turns a bare tenant into an authority URL', () => {
    expect(normalizeAuthority(' organizations ')).toBe('https://login.microsoftonline.com/organizations');
    expect(normalizeAuthority('contoso.onmicrosoft.com')).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    expect(normalizeAuthority('72f988bf-86f1-41af-91ab-2d7cd011db47')).toBe('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(normalizeAuthority('https://127.0.0.1:8443/tenant/')).toBe('https://127.0.0.1:8443/tenant');
    expect(normalizeAuthority('')).toBe('');
  });
});

describe('wording', () => {
  it('says when a flag or the environment overrides a saved setting', () => {
    expect(overrideNote('env', 'RAPPORT_AUTHORITY', 'https://127.0.0.1:1/t')).toBe(
      'Set by the RAPPORT_AUTHORITY environment variable (now https://127.0.0.1:1/t), which wins over this setting until it is unset.',
    );
    expect(overrideNote('flag', 'RAPPORT_CLIENT_ID', '')).toMatch(/command-line flag/);
    expect(overrideNote('config', 'X', 'y')).toBe('');
    expect(overrideNote(undefined, 'X', 'y')).toBe('');
  });

  it('labels account states', () => {
    expect(stateLabel('ok')).toBe('Connected');
    expect(stateLabel('signin_required')).toBe('Sign-in needed');
    expect(stateLabel('consent_required')).toBe('Needs admin approval');
  });

  it('uses the backend’s admin message, else composes one with the link', () => {
    const base = { code: 'consent_required', title: 't', message: 'm', action: 'a', adminConsentUrl: 'https://l/x' };
    expect(adminMessage({ ...base, adminMessage: 'Hi admin' })).toBe('Hi admin');
    const m = adminMessage(base);
    expect(m).toContain('https://l/x');
    expect(m).toMatch(/never bodies or attachments/);
  });
});
