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
  // Meetings only (all optional: mail and files leave them out).
  /** Meeting end, RFC 3339. */
  end?: string;
  /** An all-day event: show `date` (and `endDate`), never a clock time. */
  allDay?: boolean;
  /** All-day events: the first day, "2026-11-01" (no time zone). */
  date?: string;
  /** All-day events: the day after the last one (exclusive). */
  endDate?: string;
  /** The organizer cancelled it. */
  cancelled?: boolean;
  /** A Teams (or Skype) meeting. */
  online?: boolean;
  /** Graph's onlineMeetingProvider ("teamsForBusiness"…), when the backend sends it. */
  onlineProvider?: string;
}

export interface TimelinePage {
  items: TimelineItem[];
  /** "" when there is nothing more to load. */
  cursor: string;
}

/** A stream's state: never completed, a round part-way, fine, or failing. */
export type StreamState = 'pending' | 'syncing' | 'ok' | 'error';

/**
 * What fixes a stream's (or an account's) error: sign in again, an
 * administrator's approval, nothing (the mailbox cannot be synced), or
 * nothing from the user (Rapport retries by itself). "" when there is no error.
 */
export type ErrorAction = 'reauthorize' | 'admin-consent' | 'unavailable' | 'none' | '';

export interface StreamStatus {
  /** Stable key; the `streamId` of sync:progress events. 0 from an older backend. */
  id: number;
  /** "mail" | "calendar" (later "drive"). */
  kind: string;
  resource: string;
  name: string;
  items: number;
  /** Denominator when known (mail folders); 0 otherwise. */
  total: number;
  /** Last successful round, RFC 3339, or null. */
  lastSync: string | null;
  /** One sentence for the user, "" when the stream is fine. */
  error: string;
  state: StreamState;
  action: ErrorAction | string;
  /** When a round last started or resumed. */
  lastAttempt: string | null;
}

/** "We found N messages, M meetings with K clients": an account's first complete sync. */
export interface FirstSyncSummary {
  account: string;
  messages: number;
  meetings: number;
  clients: number;
  /** When the first sync completed, RFC 3339. */
  at: string;
}

/** "Load older history" while it runs (and once done until the next Status). */
export interface BackfillStatus {
  /** The date it reaches back to. */
  from: string;
  items: number;
  total: number;
  /** Folders still to finish. */
  folders: number;
  done: boolean;
}

export interface AccountStatus {
  upn: string;
  displayName: string;
  streams: StreamStatus[];
  /** Microsoft 365 cannot be reached for this account right now. */
  offline: boolean;
  /** Why its folders or calendars could not be listed ("" when they could). */
  error: string;
  action: ErrorAction | string;
  /** The tenant's admin-consent link, when a stream waits for an administrator. */
  adminConsentUrl?: string;
  lastSync: string | null;
  /** Null until every stream completed its first round. */
  firstSync: FirstSyncSummary | null;
  backfill: BackfillStatus | null;
}

export interface Status {
  accounts: AccountStatus[];
  syncing: boolean;
  demo: boolean;
  lastSync: string | null;
  /** No account's service can be reached: views work from the local store. */
  offline: boolean;
  /** Mirrors SetFocused. */
  focused: boolean;
}

/** Payload of the "data:changed" event. */
export interface DataChanged {
  /** "mail" | "meeting" | "clients" | "folders" | "calendars" | "demo" … */
  kinds: string[];
  /** Empty: anything may have changed. */
  clientIds: number[];
  account?: string;
}

/** Payload of the "sync:progress" event, sent after every page. */
export interface SyncProgress {
  account: string;
  /** Display name: "Inbox", "Calendar". */
  stream: string;
  /** Stable key (StreamStatus.id); absent from an older backend. */
  streamId?: number;
  kind?: 'mail' | 'calendar' | 'mail-backfill' | string;
  items: number;
  total: number;
  done: boolean;
}

/** Payload of the "sync:state" event: a sync pass started or ended, or connectivity changed. */
export interface SyncState {
  syncing: boolean;
  offline?: boolean;
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
  'sync:first-complete': FirstSyncSummary;
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

// ---- sync settings -----------------------------------------------------------

/** A mail folder as Settings → Sync lists it (tree order). */
export interface FolderView {
  id: string;
  name: string;
  /** "Inbox/Clients". */
  path: string;
  parentId: string;
  /** "inbox", "junkemail"… or "". */
  wellKnown: string;
  hidden: boolean;
  included: boolean;
  /** Whether Rapport would sync it without a choice by the user. */
  default: boolean;
  /** Messages stored from it. */
  items: number;
  /** Messages it holds (Graph's totalItemCount). */
  total: number;
}

export interface CalendarView {
  id: string;
  name: string;
  isDefault: boolean;
  included: boolean;
  items: number;
}

export interface SyncSettings {
  /** 30, 90 or 180; 0 when historySince is set. */
  historyDays: number;
  /** A fixed first day (RFC 3339) chosen instead of a number of days. */
  historySince: string | null;
  /** How far "Load older history" reaches (null: never used). */
  backfillFrom: string | null;
  /** The effective start of the mirrored history. */
  historyStart: string;
}

/** The methods of the Go façade (app.App), as the UI calls them. */
export interface Backend {
  Clients(): Promise<ClientSummary[]>;
  Timeline(clientId: number, cursor: string, limit: number): Promise<TimelinePage>;
  /** A client's scheduled meetings, soonest first. */
  Upcoming(clientId: number, limit: number): Promise<TimelineItem[]>;
  SyncNow(): Promise<void>;
  Status(): Promise<Status>;
  /** The window has (or lost) the focus: the backend polls every 15 s focused, 60 s otherwise. */
  SetFocused(focused: boolean): Promise<void>;
  MailFolders(upn: string): Promise<FolderView[]>;
  SetFolderIncluded(upn: string, folderId: string, included: boolean): Promise<void>;
  Calendars(upn: string): Promise<CalendarView[]>;
  SetCalendarIncluded(upn: string, calendarId: string, included: boolean): Promise<void>;
  SyncSettings(upn: string): Promise<SyncSettings>;
  /** days 30/90/180 with since "", or since "YYYY-MM-DD" with days 0. */
  SetHistory(upn: string, days: number, since: string): Promise<void>;
  LoadOlderHistory(upn: string, days: number): Promise<void>;
  /** Null until the account's first sync completed. */
  FirstSyncSummary(upn: string): Promise<FirstSyncSummary | null>;
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
