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
  /** Its folders and calendars have never been listed completely: its first sync's streams are not all known yet. */
  listing: boolean;
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
  'store:state': StoreState;
}

/**
 * app.StoreState: the store opening behind the window — an older store's
 * migrations, or what stopped it from opening.
 */
export interface StoreState {
  phase: 'opening' | 'checking' | 'updating' | 'ready' | 'failed';
  step: number;
  steps: number;
  problem?: 'damaged' | 'newer' | 'busy' | 'other';
  message?: string;
  /** The error as the store reported it, for whoever helps the user. */
  detail?: string;
  path: string;
  /** Where "Start afresh" moved a damaged store. */
  setAside?: string;
  /** Once the new store is open: what was copied into it from the one set aside. */
  kept?: string;
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
  /** This build and its data folder (the About dialog). */
  About(): Promise<AboutInfo>;
  /** The store's opening; the window shows its own screen until "ready". */
  StoreState(): Promise<StoreState>;
  /** Opens again a store that failed to open. */
  RetryOpen(): Promise<StoreState>;
  /** Renames a damaged store beside it and opens a new one. */
  StartAfresh(): Promise<StoreState>;
}

/** app.AboutInfo. */
export interface AboutInfo {
  name: string;
  /** git describe of the build ("v0.3.0-12-gabc1234"), "dev" for an unstamped one. */
  version: string;
  /** "linux/amd64". */
  platform: string;
  /** The folder this session reads and writes (the demo's own folder in the demo). */
  dataDir: string;
  demo: boolean;
}

// ==== issue 6: insights, search, matching, export (frontend-insights) ========
// Mirrors backend/insights (Insights, ClientOverview, AttentionItem),
// backend/store (SearchHit, Ambiguity), backend/clients (Suggestion) and
// app.ExportFile. Times are RFC 3339; optional figures are null when there
// is nothing to measure (no answered message, no meeting).

/** An ISO week: "2026-W40", starting Monday "2026-09-28". */
export interface Week {
  week: string;
  start: string;
}
export interface WeekVolume extends Week {
  in: number;
  out: number;
}
export interface WeekLatency extends Week {
  count: number;
  medianMinutes: number | null;
}
export interface WeekHours extends Week {
  hours: number;
}
export interface MonthHours {
  /** "2026-09". */
  month: string;
  hours: number;
}
export interface WeekCount extends Week {
  changes: number;
}

/** One direction's reply times over the range. */
export interface Latency {
  /** Answered messages. */
  count: number;
  /** Messages with no reply (not part of the latency). */
  unanswered: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface MeetingRef {
  at: string;
  end: string;
  allDay: boolean;
  title: string;
  itemId: string;
  webLink?: string;
}

export interface Cadence {
  count: number;
  per30Days: number;
  last: string | null;
  daysSinceLast: number | null;
  next: MeetingRef | null;
  medianGapDays: number | null;
}

export interface FileChange {
  at: string;
  actor: string;
  action: string;
  name: string;
  path: string;
}

export interface FileActivity {
  changes: number;
  weekly: WeekCount[];
  lastChange: FileChange | null;
}

/** Why a client needs attention: "silent 9d", "2 unanswered". */
export interface AttentionReason {
  kind: 'silent' | 'unanswered' | string;
  label: string;
  silentDays?: number;
  usualGapDays?: number | null;
  threads?: number;
  since?: string | null;
}

/** A thread waiting for the user's reply. */
export interface AttentionThread {
  conversationId: string;
  /** The newest unanswered message: open it. */
  itemId: string;
  /** Subject, sender and link: on a client's page (ClientInsights) only the
   *  oldest ten threads carry them; the attention list's carry them all. */
  subject: string;
  from: string;
  at: string;
  since: string;
  count: number;
  webLink?: string;
}

/** ClientInsights(clientId, days). */
export interface Insights {
  clientId: number;
  clientName: string;
  from: string;
  to: string;
  days: number;
  timeZone: string;
  lastContact: string | null;
  /** Every week of the range; empty weeks as zero. */
  emailVolume: WeekVolume[];
  emailIn: number;
  emailOut: number;
  myReply: Latency;
  theirReply: Latency;
  /** By the week of the inbound message. */
  myReplyWeekly: WeekLatency[];
  meetings: Cadence;
  meetingHours: number;
  meetingHoursWeekly: WeekHours[];
  meetingHoursMonthly: MonthHours[];
  files: FileActivity;
  contactDays: number;
  usualGapDays: number | null;
  silentDays: number | null;
  attention: AttentionReason[];
  unanswered: AttentionThread[];
}

/** Overview(): one row of the home screen. */
export interface ClientOverview {
  id: number;
  name: string;
  domains: string[];
  lastContact: string | null;
  /** Messages per ISO week (in + out), oldest first. */
  weeklyVolume: number[];
  /** The ISO week of each weeklyVolume value. */
  weeks: string[];
  emailIn: number;
  emailOut: number;
  myMedianReplyMinutes: number | null;
  nextMeeting: MeetingRef | null;
  attention: AttentionReason[];
}

/** Attention(): one entry of the attention list. */
export interface AttentionItem {
  clientId: number;
  clientName: string;
  kind: 'silent' | 'unanswered' | string;
  label: string;
  silentDays?: number;
  usualGapDays?: number | null;
  lastContact?: string | null;
  thread?: AttentionThread | null;
}

/** Search(query, limit): a mail, meeting, file or client. */
export interface SearchHit {
  kind: ItemKind | 'client' | string;
  title: string;
  at: string;
  counterpart: string;
  clientIds: number[];
  clientNames: string[];
  itemId: string;
  webLink?: string;
  direction?: Direction | '';
}

/** Suggestions(): an external domain with two-way contact and no client. */
export interface Suggestion {
  domain: string;
  proposedName: string;
  messages: number;
  meetings: number;
  sent: number;
  received: number;
  lastContact: string;
  score: number;
}

/** Ambiguities(): a domain several clients claim ("which client?"). */
export interface Ambiguity {
  domain: string;
  clientIds: number[];
  clientNames: string[];
  messages: number;
  meetings: number;
}

/** ExportClient(clientId, format): a file to save. */
export interface ExportFile {
  name: string;
  mime: string;
  content: string;
}

export type ExportFormat = 'csv' | 'json';
/** Timeline filters: kinds (none = all) and a mail direction ("" = any). */
export type KindFilter = ItemKind;
export type DirectionFilter = Direction | '';

/** A client as AcceptSuggestion returns it. */
export interface ClientRecord {
  id: number;
  name: string;
  domains: string[];
}

/** The façade's issue-6 methods (declaration-merged into Backend). */
export interface Backend {
  Overview(): Promise<ClientOverview[]>;
  Attention(): Promise<AttentionItem[]>;
  /** days 0 = 90. */
  ClientInsights(clientId: number, days: number): Promise<Insights>;
  Search(query: string, limit: number): Promise<SearchHit[]>;
  TimelineFiltered(clientId: number, cursor: string, limit: number, kinds: KindFilter[], direction: DirectionFilter): Promise<TimelinePage>;
  Suggestions(): Promise<Suggestion[]>;
  /** name "" = the proposed name. */
  AcceptSuggestion(domain: string, name: string): Promise<ClientRecord>;
  MergeSuggestion(domain: string, clientId: number): Promise<void>;
  DismissSuggestion(domain: string): Promise<void>;
  Ambiguities(): Promise<Ambiguity[]>;
  /** clientId 0 keeps the domain contested and stops asking. */
  ResolveDomain(domain: string, clientId: number): Promise<void>;
  ClientContacts(clientId: number): Promise<string[]>;
  AddClientDomain(clientId: number, domain: string): Promise<void>;
  RemoveClientDomain(clientId: number, domain: string): Promise<void>;
  AddClientContact(clientId: number, address: string): Promise<void>;
  RemoveClientContact(clientId: number, address: string): Promise<void>;
  RenameClient(clientId: number, name: string): Promise<void>;
  DeleteClient(clientId: number): Promise<void>;
  LinkItem(kind: string, itemId: string, clientId: number): Promise<void>;
  UnlinkItem(kind: string, itemId: string, clientId: number): Promise<void>;
  ExportClient(clientId: number, format: ExportFormat): Promise<ExportFile>;
}
// ==== end issue 6 =============================================================

// ==== issue 5: OneDrive and SharePoint files, folder mapping (frontend-files) ====
// Mirrors backend/model/files.go (FolderNode, LibraryView, SiteView,
// SiteLibrary, FolderSuggestion, ClientFolder). Drive ids are canonical
// (lower-case); times are RFC 3339 or null.

/** What happened to a file (TimelineItem.action for kind "file"). */
export type FileAction = 'created' | 'edited' | 'renamed' | 'moved' | 'deleted';

/** File rows of a timeline (declaration-merged into TimelineItem). */
export interface TimelineItem {
  /** Files only: created | edited | renamed | moved | deleted. */
  action?: FileAction | string;
  /** Files only: the file's path in its drive as it was then, "Clients/Contoso/SOW.pdf". */
  path?: string;
}

/** Why a folder belongs to a client: mapped by the user, by its name, through an ancestor, or not at all. */
export type FolderOrigin = 'manual' | 'auto' | 'inherited' | 'none';

/** One folder of a drive's tree (Folders()), read from the local store. */
export interface FolderNode {
  /** The account (UPN) whose drive holds it. */
  account: string;
  /** Canonical drive id; a shortcut's node names the drive its content lives in. */
  driveId: string;
  id: string;
  name: string;
  /** "Clients/Contoso"; "" for a drive's root. */
  path: string;
  /** 0: no client. */
  clientId: number;
  clientName: string;
  origin: FolderOrigin;
  /** Inherited: the ancestor whose mapping applies. */
  mappedPath?: string;
  /** The user said "don't auto-map this folder" (or unmapped it). */
  suppressed: boolean;
  /** Files in its whole subtree. */
  fileCount: number;
  /** Newest change in its subtree. */
  lastChange: string | null;
  hasChildren: boolean;
  /** A shared folder added to My files. */
  shortcut: boolean;
  webUrl: string;
}

export type LibraryKind = 'onedrive' | 'library' | 'shortcut';

/** A synced drive (Libraries()): the OneDrive, a SharePoint library, a shared folder. */
export interface LibraryView {
  account: string;
  driveId: string;
  name: string;
  kind: LibraryKind | string;
  driveType: string;
  siteId: string;
  siteName: string;
  webUrl: string;
  /** Its root folder (a shortcut: the shared folder); null until its first round. */
  root: FolderNode | null;
  streamId: number;
  items: number;
  lastSync: string | null;
  state: StreamState;
  error: string;
  action: ErrorAction | string;
  /** The locally synced copy watched for changes ("" when none). */
  localPath: string;
  /** localPath was detected, not set by the user. */
  localPathAuto: boolean;
}

/** A SharePoint site offered by FindSites(). */
export interface SiteView {
  id: string;
  name: string;
  displayName: string;
  description: string;
  webUrl: string;
  hostname: string;
  followed: boolean;
}

/** One document library of a site (SiteLibraries()). */
export interface SiteLibrary {
  /** As Graph spells it; AddLibrary accepts it. */
  driveId: string;
  name: string;
  webUrl: string;
  /** Already synced for this account. */
  added: boolean;
}

/** "Contoso Ltd → Contoso?": accept with MapFolder, dismiss with SuppressAutoMap. */
export interface FolderSuggestion {
  account: string;
  driveId: string;
  driveName: string;
  folderId: string;
  folderName: string;
  path: string;
  clientId: number;
  clientName: string;
  /** Why it looks alike, one phrase ("same name apart from a company form"). */
  reason: string;
  fileCount: number;
  lastChange: string | null;
}

/** A folder mapped to a client (ClientFolders()), for its Files tab. */
export interface ClientFolder extends FolderNode {
  driveName: string;
}

/** The façade's issue-5 methods (declaration-merged into Backend). */
export interface Backend {
  /** upn "" = every account. */
  Libraries(upn: string): Promise<LibraryView[]>;
  /** query "" = the sites the user follows. */
  FindSites(upn: string, query: string): Promise<SiteView[]>;
  SiteLibraries(upn: string, siteURLOrID: string): Promise<SiteLibrary[]>;
  /** driveIds [] = every library of the site. */
  AddLibrary(upn: string, siteURLOrID: string, driveIds: string[]): Promise<void>;
  RemoveLibrary(upn: string, driveId: string): Promise<void>;
  /** parentId "" = the drive's root. */
  Folders(upn: string, driveId: string, parentId: string): Promise<FolderNode[]>;
  MapFolder(upn: string, driveId: string, folderId: string, clientId: number): Promise<void>;
  /** Creates the client (no mail domains yet) and maps the folder to it. */
  MapFolderToNewClient(upn: string, driveId: string, folderId: string, name: string): Promise<Pick<ClientSummary, 'id' | 'name' | 'domains'>>;
  UnmapFolder(upn: string, driveId: string, folderId: string): Promise<void>;
  SuppressAutoMap(upn: string, driveId: string, folderId: string): Promise<void>;
  FolderSuggestions(): Promise<FolderSuggestion[]>;
  /** A client's file activity, newest first (rows of kind "file"). */
  ClientFiles(clientId: number, cursor: string, limit: number): Promise<TimelinePage>;
  ClientFolders(clientId: number): Promise<ClientFolder[]>;
  /** path "" forgets it (auto-detection applies again). */
  SetLocalFolder(upn: string, driveId: string, path: string): Promise<void>;
}
// ==== end issue 5 ===============================================================
