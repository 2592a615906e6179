// The only module that talks to the backend.
//
// Two transports with the same methods:
//  * inside the Wails window, the bound Go methods (window.go.app.App.*) and the
//    Wails runtime's events (window.runtime.EventsOn);
//  * in a browser opened by `rapport serve`, the loopback bridge:
//    POST /api/call/<Method> with the X-Rapport-Token header and a JSON array of
//    arguments, and Server-Sent Events from /api/events?token=...
//
// Every failure reaches the UI as an Error whose message is one sentence meant
// for the user.

import type {
  // issue 6 (frontend-insights)
  Ambiguity,
  AttentionItem,
  Cadence,
  ClientOverview,
  ClientRecord,
  ExportFile,
  FileActivity,
  Insights,
  Latency,
  SearchHit,
  Suggestion,
  // end issue 6
  AccountStatus,
  AccountView,
  Backend,
  CalendarView,
  ClientSummary,
  EventMap,
  EventName,
  FirstSyncSummary,
  FolderView,
  SettingsView,
  SignInOutcome,
  Status,
  AboutInfo,
  StoreState,
  StreamState,
  StreamStatus,
  SyncSettings,
  TimelineItem,
  TimelinePage,
  UserError,
} from './types';

type WailsApp = Record<string, (...args: unknown[]) => Promise<unknown>>;

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
}

declare global {
  interface Window {
    go?: { app?: { App?: WailsApp } };
    runtime?: WailsRuntime;
  }
}

export const TOKEN_KEY = 'rapport.token';
export const TOKEN_HEADER = 'X-Rapport-Token';

export const MSG_BAD_TOKEN =
  "This page's access token is missing or wrong. Open the link that `rapport serve` printed.";
export const MSG_UNREACHABLE =
  'Rapport is not answering. Check that `rapport serve` is still running, then reload this page.';

const EVENT_NAMES: EventName[] = [
  'data:changed',
  'sync:progress',
  'sync:state',
  'sync:first-complete',
  'accounts:changed',
  'store:state',
];

/** True inside the Wails window (the Go methods are bound on window.go). */
export function inWails(): boolean {
  return typeof window !== 'undefined' && typeof window.go?.app?.App !== 'undefined';
}

let token: string | null | undefined; // undefined = not read yet

/**
 * The bridge's access token. Read once from `?token=` (then kept in
 * sessionStorage and removed from the address bar, so it does not end up in
 * bookmarks, screenshots or the history), or from sessionStorage on reload.
 */
export function bridgeToken(): string | null {
  if (token !== undefined) return token;
  token = null;
  try {
    const url = new URL(window.location.href);
    const fromUrl = url.searchParams.get('token');
    if (fromUrl) {
      token = fromUrl;
      try {
        window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
      } catch {
        /* storage disabled: keep it in memory for this page's life */
      }
      url.searchParams.delete('token');
      const rest = url.searchParams.toString();
      window.history.replaceState(window.history.state, '', url.pathname + (rest ? '?' + rest : '') + url.hash);
    } else {
      token = window.sessionStorage.getItem(TOKEN_KEY);
    }
  } catch {
    /* no location/sessionStorage: no token */
  }
  return token;
}

/**
 * Backend errors are Go error strings, written for the command line
 * ("no client selected"); on screen they read as sentences.
 */
export function asSentence(msg: string): string {
  const t = msg.trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : t;
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string' && err.trim()) return new Error(asSentence(err));
  if (err && typeof err === 'object' && 'error' in err && typeof (err as { error: unknown }).error === 'string') {
    return new Error(asSentence((err as { error: string }).error));
  }
  return new Error('Something went wrong in Rapport. Try again; if it keeps happening, restart the app.');
}

async function callWails<T>(method: string, args: unknown[]): Promise<T> {
  const fn = window.go?.app?.App?.[method];
  if (typeof fn !== 'function') {
    throw new Error(`This version of Rapport has no “${method}” function. Update the app.`);
  }
  try {
    return (await fn(...args)) as T;
  } catch (err) {
    // Wails rejects with the Go error's text (a string).
    throw asError(err);
  }
}

async function callBridge<T>(method: string, args: unknown[]): Promise<T> {
  const t = bridgeToken();
  if (!t) throw new Error(MSG_BAD_TOKEN);
  let res: Response;
  try {
    res = await fetch('/api/call/' + encodeURIComponent(method), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: t },
      body: JSON.stringify(args),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    throw new Error(MSG_UNREACHABLE);
  }
  if (res.status === 401 || res.status === 403) throw new Error(MSG_BAD_TOKEN);
  const text = await res.text();
  if (!res.ok) {
    let message = '';
    try {
      const body = JSON.parse(text) as { error?: unknown };
      if (typeof body?.error === 'string') message = asSentence(body.error);
    } catch {
      /* not JSON */
    }
    throw new Error(message || `Rapport could not do that (HTTP ${res.status}). Try again.`);
  }
  if (text === '' || res.status === 204) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error('Rapport sent an answer this page cannot read. Reload the page.');
  }
}

/** Calls one method of the Go façade through whichever transport is present. */
export function call<T>(method: keyof Backend, ...args: unknown[]): Promise<T> {
  return inWails() ? callWails<T>(method, args) : callBridge<T>(method, args);
}

// ==== issue 6: insights, search, matching, export (frontend-insights) ========
// Spread into `api` below. Every list is [] (never null), every optional
// figure null, so the screens need no guards against an older backend.

function arr<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

function normalizeOverview(c: Partial<ClientOverview> & { id: number }): ClientOverview {
  return {
    id: c.id,
    name: c.name ?? '',
    domains: arr(c.domains),
    lastContact: c.lastContact ?? null,
    weeklyVolume: arr(c.weeklyVolume),
    weeks: arr(c.weeks),
    emailIn: c.emailIn ?? 0,
    emailOut: c.emailOut ?? 0,
    myMedianReplyMinutes: c.myMedianReplyMinutes ?? null,
    nextMeeting: c.nextMeeting ?? null,
    attention: arr(c.attention),
  };
}

const noLatency = (l: Partial<Latency> | null | undefined): Latency => ({
  count: l?.count ?? 0,
  unanswered: l?.unanswered ?? 0,
  medianMinutes: l?.medianMinutes ?? null,
  p90Minutes: l?.p90Minutes ?? null,
});

/** Fills what an older or partial backend leaves out of ClientInsights(). */
export function normalizeInsights(x: Partial<Insights> | null | undefined, clientId = 0): Insights {
  const m: Partial<Cadence> = x?.meetings ?? {};
  const f: Partial<FileActivity> = x?.files ?? {};
  return {
    clientId: x?.clientId ?? clientId,
    clientName: x?.clientName ?? '',
    from: x?.from ?? '',
    to: x?.to ?? '',
    days: x?.days ?? 90,
    timeZone: x?.timeZone ?? '',
    lastContact: x?.lastContact ?? null,
    emailVolume: arr(x?.emailVolume),
    emailIn: x?.emailIn ?? 0,
    emailOut: x?.emailOut ?? 0,
    myReply: noLatency(x?.myReply),
    theirReply: noLatency(x?.theirReply),
    myReplyWeekly: arr(x?.myReplyWeekly),
    meetings: {
      count: m.count ?? 0,
      per30Days: m.per30Days ?? 0,
      last: m.last ?? null,
      daysSinceLast: m.daysSinceLast ?? null,
      next: m.next ?? null,
      medianGapDays: m.medianGapDays ?? null,
    },
    meetingHours: x?.meetingHours ?? 0,
    meetingHoursWeekly: arr(x?.meetingHoursWeekly),
    meetingHoursMonthly: arr(x?.meetingHoursMonthly),
    files: { changes: f.changes ?? 0, weekly: arr(f.weekly), lastChange: f.lastChange ?? null },
    contactDays: x?.contactDays ?? 0,
    usualGapDays: x?.usualGapDays ?? null,
    silentDays: x?.silentDays ?? null,
    attention: arr(x?.attention),
    unanswered: arr(x?.unanswered),
  };
}

function normalizeHit(h: Partial<SearchHit>): SearchHit {
  return {
    kind: h.kind ?? '',
    title: h.title ?? '',
    at: h.at ?? '',
    counterpart: h.counterpart ?? '',
    clientIds: arr(h.clientIds),
    clientNames: arr(h.clientNames),
    itemId: h.itemId ?? '',
    ...(h.webLink ? { webLink: h.webLink } : {}),
    ...(h.direction ? { direction: h.direction } : {}),
  };
}

const insightsApi: Pick<
  Backend,
  | 'Overview'
  | 'Attention'
  | 'ClientInsights'
  | 'Search'
  | 'TimelineFiltered'
  | 'Suggestions'
  | 'AcceptSuggestion'
  | 'MergeSuggestion'
  | 'DismissSuggestion'
  | 'Ambiguities'
  | 'ResolveDomain'
  | 'ClientContacts'
  | 'AddClientDomain'
  | 'RemoveClientDomain'
  | 'AddClientContact'
  | 'RemoveClientContact'
  | 'RenameClient'
  | 'DeleteClient'
  | 'LinkItem'
  | 'UnlinkItem'
  | 'ExportClient'
> = {
  Overview: async () => arr(await call<ClientOverview[] | null>('Overview')).map(normalizeOverview),
  Attention: async () => arr(await call<AttentionItem[] | null>('Attention')),
  ClientInsights: async (clientId, days) => normalizeInsights(await call<Insights | null>('ClientInsights', clientId, days), clientId),
  Search: async (query, limit) => arr(await call<SearchHit[] | null>('Search', query, limit)).map(normalizeHit),
  TimelineFiltered: async (clientId, cursor, limit, kinds, direction) => {
    const page = await call<TimelinePage | null>('TimelineFiltered', clientId, cursor, limit, kinds ?? [], direction ?? '');
    return { items: page?.items ?? [], cursor: page?.cursor ?? '' };
  },
  Suggestions: async () => arr(await call<Suggestion[] | null>('Suggestions')),
  AcceptSuggestion: async (domain, name) => {
    const c = await call<ClientRecord | null>('AcceptSuggestion', domain, name);
    return { id: c?.id ?? 0, name: c?.name ?? name, domains: arr(c?.domains) };
  },
  MergeSuggestion: async (domain, clientId) => {
    await call<void>('MergeSuggestion', domain, clientId);
  },
  DismissSuggestion: async (domain) => {
    await call<void>('DismissSuggestion', domain);
  },
  Ambiguities: async () => arr(await call<Ambiguity[] | null>('Ambiguities')),
  ResolveDomain: async (domain, clientId) => {
    await call<void>('ResolveDomain', domain, clientId);
  },
  ClientContacts: async (clientId) => arr(await call<string[] | null>('ClientContacts', clientId)),
  AddClientDomain: async (clientId, domain) => {
    await call<void>('AddClientDomain', clientId, domain);
  },
  RemoveClientDomain: async (clientId, domain) => {
    await call<void>('RemoveClientDomain', clientId, domain);
  },
  AddClientContact: async (clientId, address) => {
    await call<void>('AddClientContact', clientId, address);
  },
  RemoveClientContact: async (clientId, address) => {
    await call<void>('RemoveClientContact', clientId, address);
  },
  RenameClient: async (clientId, name) => {
    await call<void>('RenameClient', clientId, name);
  },
  DeleteClient: async (clientId) => {
    await call<void>('DeleteClient', clientId);
  },
  LinkItem: async (kind, itemId, clientId) => {
    await call<void>('LinkItem', kind, itemId, clientId);
  },
  UnlinkItem: async (kind, itemId, clientId) => {
    await call<void>('UnlinkItem', kind, itemId, clientId);
  },
  ExportClient: async (clientId, format) => {
    const f = await call<ExportFile | null>('ExportClient', clientId, format);
    if (!f || typeof f.content !== 'string') throw new Error('Rapport sent no export. Try again.');
    return { name: f.name || `export.${format}`, mime: f.mime || (format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json'), content: f.content };
  },
};
// ==== end issue 6 =============================================================

// ==== issue 5: OneDrive and SharePoint files, folder mapping (frontend-files) ====
// Spread into `api` below. Lists are [] (never null) and missing fields get
// their zero value, so the Folders screen and the Files tab need no guards.

import type {
  ClientFolder,
  FolderNode,
  FolderOrigin,
  FolderSuggestion,
  LibraryView,
  SiteLibrary,
  SiteView,
} from './types';

const FOLDER_ORIGINS: FolderOrigin[] = ['manual', 'auto', 'inherited', 'none'];

function list<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

/** Fills what an older or partial backend leaves out of a folder. */
export function normalizeFolderNode(n: Partial<FolderNode>): FolderNode {
  const clientId = typeof n.clientId === 'number' ? n.clientId : 0;
  let origin = FOLDER_ORIGINS.includes(n.origin as FolderOrigin) ? (n.origin as FolderOrigin) : undefined;
  origin ??= clientId > 0 ? 'manual' : 'none';
  const out: FolderNode = {
    account: n.account ?? '',
    driveId: n.driveId ?? '',
    id: n.id ?? '',
    name: n.name ?? '',
    path: n.path ?? '',
    clientId,
    clientName: n.clientName ?? '',
    origin,
    suppressed: !!n.suppressed,
    fileCount: n.fileCount ?? 0,
    lastChange: n.lastChange ?? null,
    hasChildren: !!n.hasChildren,
    shortcut: !!n.shortcut,
    webUrl: n.webUrl ?? '',
  };
  if (n.mappedPath) out.mappedPath = n.mappedPath;
  return out;
}

/** Fills what an older or partial backend leaves out of a synced drive. */
export function normalizeLibrary(l: Partial<LibraryView>): LibraryView {
  const error = l.error ?? '';
  const state = STREAM_STATES.includes(l.state as StreamState) ? (l.state as StreamState) : error ? 'error' : l.lastSync ? 'ok' : 'pending';
  const account = l.account ?? '';
  return {
    account,
    driveId: l.driveId ?? '',
    name: l.name ?? '',
    kind: l.kind ?? 'library',
    driveType: l.driveType ?? '',
    siteId: l.siteId ?? '',
    siteName: l.siteName ?? '',
    webUrl: l.webUrl ?? '',
    root: l.root ? normalizeFolderNode({ ...l.root, account: l.root.account || account, driveId: l.root.driveId || l.driveId }) : null,
    streamId: l.streamId ?? 0,
    items: l.items ?? 0,
    lastSync: l.lastSync ?? null,
    state,
    error,
    action: l.action ?? '',
    localPath: l.localPath ?? '',
    localPathAuto: !!l.localPathAuto,
  };
}

const filesApi: Pick<
  Backend,
  | 'Libraries'
  | 'FindSites'
  | 'SiteLibraries'
  | 'AddLibrary'
  | 'RemoveLibrary'
  | 'Folders'
  | 'MapFolder'
  | 'MapFolderToNewClient'
  | 'UnmapFolder'
  | 'SuppressAutoMap'
  | 'FolderSuggestions'
  | 'ClientFiles'
  | 'ClientFolders'
  | 'SetLocalFolder'
> = {
  Libraries: async (upn) => list(await call<LibraryView[] | null>('Libraries', upn)).map(normalizeLibrary),
  FindSites: async (upn, query) =>
    list(await call<SiteView[] | null>('FindSites', upn, query)).map((s) => ({
      id: s.id ?? '',
      name: s.name ?? '',
      displayName: s.displayName || s.name || '',
      description: s.description ?? '',
      webUrl: s.webUrl ?? '',
      hostname: s.hostname ?? '',
      followed: !!s.followed,
    })),
  SiteLibraries: async (upn, site) =>
    list(await call<SiteLibrary[] | null>('SiteLibraries', upn, site)).map((l) => ({
      driveId: l.driveId ?? '',
      name: l.name ?? '',
      webUrl: l.webUrl ?? '',
      added: !!l.added,
    })),
  AddLibrary: async (upn, site, driveIds) => {
    await call<void>('AddLibrary', upn, site, driveIds ?? []);
  },
  RemoveLibrary: async (upn, driveId) => {
    await call<void>('RemoveLibrary', upn, driveId);
  },
  Folders: async (upn, driveId, parentId) =>
    list(await call<FolderNode[] | null>('Folders', upn, driveId, parentId)).map((n) => normalizeFolderNode({ ...n, account: n.account || upn })),
  MapFolder: async (upn, driveId, folderId, clientId) => {
    await call<void>('MapFolder', upn, driveId, folderId, clientId);
  },
  MapFolderToNewClient: async (upn, driveId, folderId, name) => {
    const c = await call<{ id?: number; name?: string; domains?: string[] | null } | null>('MapFolderToNewClient', upn, driveId, folderId, name);
    return { id: c?.id ?? 0, name: c?.name ?? name, domains: list(c?.domains) };
  },
  UnmapFolder: async (upn, driveId, folderId) => {
    await call<void>('UnmapFolder', upn, driveId, folderId);
  },
  SuppressAutoMap: async (upn, driveId, folderId) => {
    await call<void>('SuppressAutoMap', upn, driveId, folderId);
  },
  FolderSuggestions: async () =>
    list(await call<FolderSuggestion[] | null>('FolderSuggestions')).map((s) => ({
      ...s,
      driveName: s.driveName ?? '',
      path: s.path ?? '',
      reason: s.reason ?? '',
      fileCount: s.fileCount ?? 0,
      lastChange: s.lastChange ?? null,
    })),
  ClientFiles: async (clientId, cursor, limit) => {
    const page = await call<TimelinePage | null>('ClientFiles', clientId, cursor, limit);
    return { items: list(page?.items), cursor: page?.cursor ?? '' };
  },
  ClientFolders: async (clientId) =>
    list(await call<ClientFolder[] | null>('ClientFolders', clientId)).map((f) => ({ ...normalizeFolderNode(f), driveName: f.driveName ?? '' })),
  SetLocalFolder: async (upn, driveId, path) => {
    await call<void>('SetLocalFolder', upn, driveId, path);
  },
};
// ==== end issue 5 ===============================================================

/** A backend without StoreState (older than the opening screen) is ready. */
export function normalizeStoreState(s: Partial<StoreState> | null | undefined): StoreState {
  return {
    phase: s?.phase ?? 'ready',
    step: s?.step ?? 0,
    steps: s?.steps ?? 0,
    problem: s?.problem,
    message: s?.message ?? '',
    detail: s?.detail ?? '',
    path: s?.path ?? '',
    setAside: s?.setAside ?? '',
    kept: s?.kept ?? '',
  };
}

export const api: Backend = {
  ...insightsApi,
  ...filesApi,
  Clients: async () => (await call<ClientSummary[] | null>('Clients')) ?? [],
  Timeline: async (clientId, cursor, limit) => {
    const page = await call<TimelinePage | null>('Timeline', clientId, cursor, limit);
    return { items: page?.items ?? [], cursor: page?.cursor ?? '' };
  },
  Upcoming: async (clientId, limit) => (await call<TimelineItem[] | null>('Upcoming', clientId, limit)) ?? [],
  SyncNow: async () => {
    await call<void>('SyncNow');
  },
  Status: async () => normalizeStatus(await call<Partial<Status> | null>('Status')),
  About: async () => {
    const a = await call<Partial<AboutInfo> | null>('About');
    return {
      name: a?.name || 'Rapport',
      version: a?.version || 'unknown',
      platform: a?.platform ?? '',
      dataDir: a?.dataDir ?? '',
      demo: !!a?.demo,
    };
  },
  StoreState: async () => normalizeStoreState(await call<Partial<StoreState> | null>('StoreState')),
  RetryOpen: async () => normalizeStoreState(await call<Partial<StoreState> | null>('RetryOpen')),
  StartAfresh: async () => normalizeStoreState(await call<Partial<StoreState> | null>('StartAfresh')),
  SetFocused: async (focused) => {
    await call<void>('SetFocused', !!focused);
  },
  MailFolders: async (upn) => (await call<FolderView[] | null>('MailFolders', upn)) ?? [],
  SetFolderIncluded: async (upn, folderId, included) => {
    await call<void>('SetFolderIncluded', upn, folderId, !!included);
  },
  Calendars: async (upn) => (await call<CalendarView[] | null>('Calendars', upn)) ?? [],
  SetCalendarIncluded: async (upn, calendarId, included) => {
    await call<void>('SetCalendarIncluded', upn, calendarId, !!included);
  },
  SyncSettings: async (upn) => {
    const s = await call<Partial<SyncSettings> | null>('SyncSettings', upn);
    return {
      historyDays: s?.historyDays ?? 0,
      historySince: s?.historySince ?? null,
      backfillFrom: s?.backfillFrom ?? null,
      historyStart: s?.historyStart ?? '',
    };
  },
  SetHistory: async (upn, days, since) => {
    await call<void>('SetHistory', upn, days, since);
  },
  LoadOlderHistory: async (upn, days) => {
    await call<void>('LoadOlderHistory', upn, days);
  },
  FirstSyncSummary: async (upn) => (await call<FirstSyncSummary | null>('FirstSyncSummary', upn)) ?? null,
  OpenURL: async (url) => {
    // The backend checks again; the UI never asks for anything but https.
    if (!isHttpsURL(url)) throw new Error('Rapport only opens secure (https) links.');
    await call<void>('OpenURL', url);
  },
  Accounts: async () => ((await call<AccountView[] | null>('Accounts')) ?? []).map(normalizeAccount),
  SignIn: (files) => outcome(() => call<SignInOutcome | null>('SignIn', !!files)),
  CancelSignIn: async () => {
    await call<void>('CancelSignIn');
  },
  Reauthorize: (upn, files) => outcome(() => call<SignInOutcome | null>('Reauthorize', upn, !!files)),
  RemoveAccount: async (upn, purge) => {
    await call<void>('RemoveAccount', upn, !!purge);
  },
  StartDemo: async () => {
    await call<void>('StartDemo');
  },
  Settings: async () => {
    const s = await call<SettingsView | null>('Settings');
    return {
      ...(s ?? {}),
      clientId: s?.clientId ?? '',
      authority: s?.authority ?? '',
      allowPersonalAccounts: !!s?.allowPersonalAccounts,
    };
  },
  SaveSettings: async (settings) => {
    await call<void>('SaveSettings', settings);
  },
};

const STREAM_STATES: StreamState[] = ['pending', 'syncing', 'ok', 'error'];

function normalizeStream(s: Partial<StreamStatus>): StreamStatus {
  const error = s.error ?? '';
  let state = STREAM_STATES.includes(s.state as StreamState) ? (s.state as StreamState) : undefined;
  // An older backend sends no state: derive it from what it does send.
  state ??= error ? 'error' : s.lastSync ? 'ok' : 'pending';
  return {
    id: s.id ?? 0,
    kind: s.kind ?? '',
    resource: s.resource ?? '',
    name: s.name ?? '',
    items: s.items ?? 0,
    total: s.total ?? 0,
    lastSync: s.lastSync ?? null,
    error,
    state,
    action: s.action ?? (error ? 'none' : ''),
    lastAttempt: s.lastAttempt ?? null,
  };
}

function normalizeAccountStatus(a: Partial<AccountStatus> & { upn: string }): AccountStatus {
  return {
    upn: a.upn,
    displayName: a.displayName ?? '',
    streams: (a.streams ?? []).map(normalizeStream),
    offline: !!a.offline,
    error: a.error ?? '',
    action: a.action ?? '',
    lastSync: a.lastSync ?? null,
    firstSync: a.firstSync ?? null,
    listing: !!a.listing,
    backfill: a.backfill ?? null,
  };
}

/** Fills what an older or partial backend leaves out of Status(). */
export function normalizeStatus(s: Partial<Status> | null | undefined): Status {
  return {
    accounts: (s?.accounts ?? []).filter((a) => a && typeof a.upn === 'string').map(normalizeAccountStatus),
    syncing: !!s?.syncing,
    demo: !!s?.demo,
    lastSync: s?.lastSync ?? null,
    offline: !!s?.offline,
    focused: !!s?.focused,
  };
}

const FILES_SCOPE = 'files.read.all';

/** Fills what an older or partial backend leaves out, so screens need no guards. */
export function normalizeAccount(a: Partial<AccountView> & { upn: string }): AccountView {
  const scopes = Array.isArray(a.scopes) ? a.scopes : [];
  const filesEnabled =
    typeof a.filesEnabled === 'boolean'
      ? a.filesEnabled
      : scopes.some((s) => s.toLowerCase() === FILES_SCOPE || s.toLowerCase().endsWith('/' + FILES_SCOPE));
  return {
    upn: a.upn,
    displayName: a.displayName ?? '',
    tenantId: a.tenantId ?? '',
    scopes,
    state: a.state === 'signin_required' || a.state === 'consent_required' ? a.state : 'ok',
    filesEnabled,
    missingScopes: Array.isArray(a.missingScopes) ? a.missingScopes : [],
    error: a.error ?? '',
  };
}

/** The error shown when a sign-in call itself failed (transport, old backend). */
export function failedSignIn(message: string): UserError {
  return {
    code: 'signin_failed',
    title: 'Sign-in did not work',
    message,
    action: 'Try again. If it keeps failing, restart Rapport.',
  };
}

/**
 * A sign-in always resolves to an outcome: a thrown error (the bridge down,
 * a Go error instead of an outcome) becomes a signin_failed outcome, so the
 * screen has one path to render.
 */
async function outcome(run: () => Promise<SignInOutcome | null>): Promise<SignInOutcome> {
  let o: SignInOutcome | null;
  try {
    o = await run();
  } catch (err) {
    return { ok: false, error: failedSignIn(asError(err).message) };
  }
  if (!o) return { ok: false, error: failedSignIn('Rapport gave no answer to the sign-in.') };
  const out: SignInOutcome = { ok: !!o.ok };
  if (o.account) out.account = normalizeAccount(o.account);
  if (!out.ok) {
    const e = o.error;
    out.error = {
      code: e?.code || 'signin_failed',
      title: e?.title || 'Sign-in did not work',
      message: e?.message || '',
      action: e?.action || '',
    };
    if (e?.adminConsentUrl) out.error.adminConsentUrl = e.adminConsentUrl;
    if (e?.adminMessage) out.error.adminMessage = e.adminMessage;
  }
  return out;
}

export function isHttpsURL(url: string | undefined | null): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

// ---- events -------------------------------------------------------------

type Listener = (data: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
let hadError = false;

function dispatch(name: string, data: unknown) {
  for (const cb of [...(listeners.get(name) ?? [])]) {
    try {
      cb(data);
    } catch (err) {
      console.error('rapport: event listener failed', name, err);
    }
  }
}

function parse(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function ensureEventSource() {
  if (source || typeof EventSource === 'undefined') return;
  const t = bridgeToken();
  if (!t) return;
  source = new EventSource('/api/events?token=' + encodeURIComponent(t));
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (ev) => dispatch(name, parse((ev as MessageEvent).data)));
  }
  source.addEventListener('error', () => {
    hadError = true;
  });
  source.addEventListener('open', () => {
    // After a dropped connection, events may have been missed: tell the UI to
    // refresh everything (an empty clientIds list means "all").
    if (hadError) {
      hadError = false;
      dispatch('data:changed', { kinds: [], clientIds: [] });
    }
  });
}

/**
 * Subscribes to a backend event. Returns the function that unsubscribes.
 * Payloads are passed as the backend sent them (already parsed from JSON).
 */
export function on<K extends EventName>(name: K, cb: (data: EventMap[K]) => void): () => void {
  if (inWails()) {
    const off = window.runtime?.EventsOn(name, (...data: unknown[]) => cb(parse(data[0]) as EventMap[K]));
    return typeof off === 'function' ? off : () => {};
  }
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  const listener = cb as Listener;
  set.add(listener);
  ensureEventSource();
  return () => {
    set!.delete(listener);
    const any = [...listeners.values()].some((s) => s.size > 0);
    if (!any && source) {
      source.close();
      source = null;
      hadError = false;
    }
  };
}

/** Forgets the cached token and closes the event stream (tests only). */
export function _resetForTests() {
  token = undefined;
  listeners.clear();
  source?.close();
  source = null;
  hadError = false;
}
