// Pure helpers for the sign-in and accounts screens: which accounts need the
// files banner, how a banner dismissal is remembered, what the settings form
// accepts, and the wording that does not come from the backend.

import type { AccountState, AccountView, SettingsView, UserError } from './types';

// ---- the missing-scope banner -------------------------------------------

const DISMISSED_KEY = 'rapport.scopeBanner.dismissed';

/**
 * Accounts that should show the "allow files" banner: signed in (an account
 * that must sign in again shows that instead, on the Accounts screen), files
 * off, and not dismissed.
 */
export function scopeBannerAccounts(accounts: AccountView[], dismissed: ReadonlySet<string>): AccountView[] {
  return accounts.filter((a) => a.state === 'ok' && !a.filesEnabled && !dismissed.has(a.upn.toLowerCase()));
}

/** The UPNs whose banner the user dismissed (kept across restarts). */
export function loadDismissed(storage: Storage | undefined = safeLocalStorage()): Set<string> {
  try {
    const raw = storage?.getItem(DISMISSED_KEY);
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveDismissed(set: ReadonlySet<string>, storage: Storage | undefined = safeLocalStorage()) {
  try {
    storage?.setItem(DISMISSED_KEY, JSON.stringify([...set]));
  } catch {
    /* storage disabled: the dismissal lasts for this window only */
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

// ---- account states --------------------------------------------------------

export function stateLabel(state: AccountState): string {
  switch (state) {
    case 'signin_required':
      return 'Sign-in needed';
    case 'consent_required':
      return 'Needs admin approval';
    default:
      return 'Connected';
  }
}

/** Whether the error carries the admin-consent path (panel with the URL and copy buttons). */
export function isConsentError(e: UserError | null | undefined): boolean {
  return !!e && (e.code === 'consent_required' || e.code === 'missing_scope');
}

/** The message for the tenant's administrator: the backend's, else one composed here. */
export function adminMessage(e: UserError): string {
  if (e.adminMessage && e.adminMessage.trim()) return e.adminMessage;
  const lines = [
    'Hello,',
    '',
    'I would like to use Rapport, a read-only desktop app that shows my client activity from Microsoft 365.',
    'It reads only mail and meeting metadata (subjects, people, times; never bodies or attachments) and keeps it on my laptop.',
    'Our tenant requires an administrator to approve it. You can review and grant consent for the organisation here:',
    '',
    e.adminConsentUrl ?? '',
    '',
    'Thank you!',
  ];
  return lines.join('\n');
}

// ---- settings ----------------------------------------------------------------

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/organizations';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const TENANT_WORDS = new Set(['organizations', 'common', 'consumers']);

export interface SettingsErrors {
  clientId?: string;
  authority?: string;
}

/**
 * Turns what the user typed for "authority or tenant" into an authority URL:
 * a full https URL is kept (trailing slash removed); a bare tenant (GUID,
 * domain, "organizations", "common") gets Microsoft's login host in front.
 */
export function normalizeAuthority(input: string): string {
  const v = input.trim();
  if (v === '') return '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v.replace(/\/+$/, '');
  if (GUID_RE.test(v) || DOMAIN_RE.test(v) || TENANT_WORDS.has(v.toLowerCase())) {
    return 'https://login.microsoftonline.com/' + v;
  }
  return v;
}

/** Checks the form; an empty field means "Rapport's default" and is fine. */
export function validateSettings(s: Pick<SettingsView, 'clientId' | 'authority'>): SettingsErrors {
  const errors: SettingsErrors = {};
  const id = s.clientId.trim();
  if (id !== '' && !GUID_RE.test(id)) {
    errors.clientId =
      'The client ID is a GUID like 1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f (Entra: App registrations → Overview → Application (client) ID). Leave it empty for Rapport’s own.';
  }
  const auth = normalizeAuthority(s.authority);
  if (auth !== '') {
    let url: URL | null = null;
    try {
      url = new URL(auth);
    } catch {
      url = null;
    }
    const tenant = url ? url.pathname.replace(/^\/+|\/+$/g, '') : '';
    if (!url || !url.hostname) {
      errors.authority = `This is neither an authority URL nor a tenant ID or domain. Use ${DEFAULT_AUTHORITY}, a tenant ID, or a domain such as contoso.onmicrosoft.com.`;
    } else if (url.protocol !== 'https:') {
      errors.authority = 'The authority must be an https:// address.';
    } else if (tenant === '') {
      errors.authority = 'Add the tenant to the address, for example …/organizations or …/contoso.onmicrosoft.com.';
    } else if (tenant.includes('/')) {
      errors.authority = 'The authority is https://host/tenant, with nothing after the tenant.';
    } else if (url.search || url.hash) {
      errors.authority = 'The authority has no query or fragment: just https://host/tenant.';
    }
  }
  return errors;
}

/** The sentence saying that a flag or environment variable overrides a saved setting, or "". */
export function overrideNote(source: string | undefined, envName: string, effective: string | undefined): string {
  const now = effective ? ` (now ${effective})` : '';
  if (source === 'env') return `Set by the ${envName} environment variable${now}, which wins over this setting until it is unset.`;
  if (source === 'flag') return `Set by a command-line flag${now}, which wins over this setting.`;
  return '';
}
