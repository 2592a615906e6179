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

export interface EventMap {
  'data:changed': DataChanged;
  'sync:progress': SyncProgress;
  'sync:state': SyncState;
}

export type EventName = keyof EventMap;

/** The methods of the Go façade (app.App), as the UI calls them. */
export interface Backend {
  Clients(): Promise<ClientSummary[]>;
  Timeline(clientId: number, cursor: string, limit: number): Promise<TimelinePage>;
  SyncNow(): Promise<void>;
  Status(): Promise<Status>;
  OpenURL(url: string): Promise<void>;
}
