// The shapes the backend returns. They mirror the Go structs bound by Wails and
// served by the browser bridge; times are RFC 3339 strings (UTC) or null.

export interface ClientSummary {
  id: number;
  name: string;
  domains: string[];
  items: number;
  /** RFC 3339, or null when nothing has been linked to the client yet. */
  lastContact: string | null;
}

export type ItemKind = 'mail' | 'meeting' | 'file';
export type Direction = 'in' | 'out';

export interface TimelineItem {
  kind: ItemKind;
  /** RFC 3339. */
  at: string;
  direction?: Direction;
  counterpart: string;
  title: string;
  /** Outlook / OneDrive on the web; opened in the system browser, https only. */
  webLink?: string;
  itemId: string;
}

export interface TimelinePage {
  items: TimelineItem[];
  /** "" when there is nothing more to load. */
  cursor: string;
}

export interface StreamStatus {
  kind: string;
  resource: string;
  name: string;
  items: number;
  total: number;
  lastSync: string | null;
  /** One sentence for the user, "" when the stream is fine. */
  error: string;
}

export interface AccountStatus {
  upn: string;
  displayName: string;
  streams: StreamStatus[];
}

export interface Status {
  accounts: AccountStatus[];
  syncing: boolean;
  demo: boolean;
  lastSync: string | null;
}

/** Payload of the "data:changed" event. */
export interface DataChanged {
  kinds: string[];
  clientIds: number[];
}

/** Payload of the "sync:progress" event. */
export interface SyncProgress {
  account: string;
  stream: string;
  items: number;
  total: number;
  done: boolean;
}

/** Payload of the "sync:state" event: a sync pass started or ended. */
export interface SyncState {
  syncing: boolean;
}

/** Payload of the "accounts:changed" event: an account was added, changed state or removed. */
export interface AccountsChanged {
  /** The account concerned; "" when any may have changed. */
  upn: string;
}

export interface EventMap {
  'data:changed': DataChanged;
  'sync:progress': SyncProgress;
  'sync:state': SyncState;
  'accounts:changed': AccountsChanged;
}

export type EventName = keyof EventMap;

// ---- sign-in and accounts ----------------------------------------------

/** The codes of the errors a user can act on (the UI picks its panel by them). */
export type UserErrorCode =
  | 'consent_required'
  | 'personal_account'
  | 'signin_required'
  | 'timeout'
  | 'cancelled'
  | 'offline'
  | 'keychain_unavailable'
  | 'missing_scope'
  | 'declined'
  | 'app_misconfigured'
  | 'access_blocked'
  | 'no_browser'
  | 'throttled'
  | 'wrong_account'
  | 'signin_failed';

/** A failure explained for the user: what happened and the one thing to do. */
export interface UserError {
  /** One of UserErrorCode; an unknown code is shown with its title and message only. */
  code: string;
  title: string;
  message: string;
  /** The next step, one sentence. */
  action: string;
  /** The tenant's admin-consent URL (consent_required, missing_scope). */
  adminConsentUrl?: string;
  /** A ready-to-send message for the tenant's administrator. */
  adminMessage?: string;
}

export type AccountState = 'ok' | 'signin_required' | 'consent_required';

export interface AccountView {
  upn: string;
  displayName: string;
  tenantId: string;
  scopes: string[];
  state: AccountState;
  /** True once OneDrive/SharePoint scopes are granted. */
  filesEnabled: boolean;
  missingScopes: string[];
  /** One sentence for the user, "" when the account is fine. */
  error: string;
}

export interface SignInOutcome {
  ok: boolean;
  account?: AccountView;
  error?: UserError;
}

/** Where a sign-in setting comes from: a flag or the environment wins over the saved file. */
export type SettingSource = 'flag' | 'env' | 'config' | 'default';

export interface SettingsView {
  /** As saved in the data directory's config; "" = Rapport's own registration. */
  clientId: string;
  /** As saved; "" = the default (any work or school account). */
  authority: string;
  allowPersonalAccounts: boolean;
  // Read-only, filled by the backend; the UI sends them back as it got them.
  effectiveClientId?: string;
  effectiveAuthority?: string;
  clientIdSource?: SettingSource | string;
  authoritySource?: SettingSource | string;
  defaultClientId?: string;
  defaultAuthority?: string;
  configPath?: string;
  dataDir?: string;
  demo?: boolean;
  [extra: string]: unknown;
}

/** The methods of the Go façade (app.App), as the UI calls them. */
export interface Backend {
  Clients(): Promise<ClientSummary[]>;
  Timeline(clientId: number, cursor: string, limit: number): Promise<TimelinePage>;
  SyncNow(): Promise<void>;
  Status(): Promise<Status>;
  OpenURL(url: string): Promise<void>;
  Accounts(): Promise<AccountView[]>;
  /** Long-running: resolves when the user has finished (or abandoned) the browser sign-in. */
  SignIn(files: boolean): Promise<SignInOutcome>;
  CancelSignIn(): Promise<void>;
  Reauthorize(upn: string, files: boolean): Promise<SignInOutcome>;
  RemoveAccount(upn: string, purge: boolean): Promise<void>;
  StartDemo(): Promise<void>;
  Settings(): Promise<SettingsView>;
  SaveSettings(s: SettingsView): Promise<void>;
}
