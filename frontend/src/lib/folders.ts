// Pure helpers of the Folders screen, the folder tree and the Files tab:
// node keys, the visible rows of a lazily expanded tree, labels for folder
// mappings and file activity, client search. No DOM, no backend.

import type { ClientSummary, DataChanged, FolderNode, LibraryView, TimelineItem } from './types';

/** A folder's identity across drives and accounts. */
export function nodeKey(n: Pick<FolderNode, 'account' | 'driveId' | 'id'>): string {
  return `${n.account.toLowerCase()}|${n.driveId}|${n.id}`;
}

/** Children of one node as loaded so far. */
export interface ChildState {
  nodes: FolderNode[] | null;
  loading: boolean;
  error: string;
}

/** One row of the tree as shown: a folder, or a loading/error line under one. */
export interface TreeRow {
  /**
   * The row's own key: its ancestors' keys and its node's. A shared folder
   * can appear twice (inside the OneDrive and as a drive of its own), so
   * the node's key alone is not unique on screen.
   */
  key: string;
  /** The folder's key (nodeKey): its children are cached under it. */
  nodeKey: string;
  node: FolderNode;
  /** 1 for a drive's root. */
  level: number;
  parentKey: string | null;
  /** 1-based position among its siblings, and how many siblings there are. */
  posinset: number;
  setsize: number;
  expanded: boolean;
  /** The drive this row belongs to (for a drive root: itself). */
  library: LibraryView;
}

/** A line under an expanded node whose children are loading, failed, or turned out empty. */
export interface TreeNote {
  key: string;
  parentKey: string;
  level: number;
  kind: 'loading' | 'error' | 'empty';
  error: string;
}

export type TreeLine = ({ type: 'row' } & TreeRow) | ({ type: 'note' } & TreeNote);

/**
 * A drive's root as a node: its root folder once synced, else a
 * placeholder (no children yet) named after the drive.
 */
export function libraryRoot(lib: LibraryView): FolderNode {
  if (lib.root) return { ...lib.root, name: lib.name || lib.root.name, account: lib.root.account || lib.account };
  return {
    account: lib.account,
    driveId: lib.driveId,
    id: '',
    name: lib.name,
    path: '',
    clientId: 0,
    clientName: '',
    origin: 'none',
    suppressed: false,
    fileCount: 0,
    lastChange: null,
    hasChildren: false,
    shortcut: lib.kind === 'shortcut',
    webUrl: lib.webUrl,
  };
}

/** The drives in screen order: per account, OneDrive first, then libraries, then shared folders; by name within each. */
export function sortLibraries(libs: LibraryView[]): LibraryView[] {
  const rank = (l: LibraryView) => (l.kind === 'onedrive' ? 0 : l.kind === 'library' ? 1 : 2);
  return [...libs].sort(
    (a, b) => a.account.localeCompare(b.account) || rank(a) - rank(b) || a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  );
}

/** The row key of a drive's root. */
export function rootKey(lib: Pick<LibraryView, 'account' | 'driveId'>): string {
  return `drive:${lib.account.toLowerCase()}|${lib.driveId}`;
}

/**
 * The lines of the tree as shown: each drive root, and under every
 * expanded row its loaded children (or a loading / error / empty line).
 * `children` is keyed by nodeKey, `expanded` by row key.
 */
export function visibleLines(libs: LibraryView[], children: Map<string, ChildState>, expanded: Set<string>): TreeLine[] {
  const out: TreeLine[] = [];
  const emit = (node: FolderNode, key: string, level: number, parentKey: string | null, posinset: number, setsize: number, library: LibraryView) => {
    const nk = nodeKey(node);
    const open = node.hasChildren && expanded.has(key);
    out.push({ type: 'row', key, nodeKey: nk, node, level, parentKey, posinset, setsize, expanded: open, library });
    if (!open) return;
    const st = children.get(nk);
    if (st?.nodes && st.nodes.length > 0) {
      const kids = st.nodes;
      kids.forEach((c, i) => emit(c, key + '>' + nodeKey(c), level + 1, key, i + 1, kids.length, library));
    } else if (st?.error) {
      out.push({ type: 'note', key: key + '#error', parentKey: key, level: level + 1, kind: 'error', error: st.error });
    } else if (!st || st.loading || !st.nodes) {
      out.push({ type: 'note', key: key + '#loading', parentKey: key, level: level + 1, kind: 'loading', error: '' });
    } else {
      out.push({ type: 'note', key: key + '#empty', parentKey: key, level: level + 1, kind: 'empty', error: '' });
    }
  };
  const sorted = sortLibraries(libs);
  sorted.forEach((l, i) => emit(libraryRoot(l), rootKey(l), 1, null, i + 1, sorted.length, l));
  return out;
}

/** Just the folder rows (what the keyboard moves over). */
export function rowsOf(lines: TreeLine[]): TreeRow[] {
  return lines.filter((l): l is { type: 'row' } & TreeRow => l.type === 'row');
}

/** What a tree key does, WAI-ARIA tree pattern: the key of the row to focus, or an expand/collapse. */
export type TreeMove = { focus: string } | { expand: string } | { collapse: string } | { open: string } | null;

export function treeKey(rows: TreeRow[], activeKey: string | null, key: string): TreeMove {
  if (rows.length === 0) return null;
  let i = rows.findIndex((r) => r.key === activeKey);
  if (i < 0) i = 0;
  const row = rows[i];
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return { focus: rows[Math.min(i + 1, rows.length - 1)].key };
    case 'ArrowUp':
    case 'k':
      return { focus: rows[Math.max(i - 1, 0)].key };
    case 'Home':
      return { focus: rows[0].key };
    case 'End':
      return { focus: rows[rows.length - 1].key };
    case 'ArrowRight':
      if (!row.node.hasChildren) return null;
      if (!row.expanded) return { expand: row.key };
      // Already open: into its first child, once loaded.
      return rows[i + 1]?.parentKey === row.key ? { focus: rows[i + 1].key } : null;
    case 'ArrowLeft':
      if (row.expanded) return { collapse: row.key };
      return row.parentKey ? { focus: row.parentKey } : null;
    case 'Enter':
      return { open: row.key };
    default:
      return null;
  }
}

/** Where a folder's path is shown: "OneDrive › Clients/Contoso". */
export function folderWhere(driveName: string, path: string): string {
  return path ? `${driveName} › ${path}` : driveName;
}

/** The mapping in words, for screen readers and tooltips. */
export function mappingLabel(n: Pick<FolderNode, 'origin' | 'clientName' | 'clientId' | 'mappedPath' | 'suppressed'>): string {
  const name = n.clientName || (n.clientId ? `client ${n.clientId}` : '');
  switch (n.origin) {
    case 'manual':
      return `mapped to ${name}`;
    case 'auto':
      return `mapped to ${name} automatically (the folder has the client's name)`;
    case 'inherited':
      return n.mappedPath ? `belongs to ${name} through ${n.mappedPath}` : `belongs to ${name} through a parent folder`;
    default:
      return n.suppressed ? 'not mapped, never mapped automatically' : 'not mapped';
  }
}

/** Whether "Don't auto-map this folder" applies: an automatic mapping, or a folder that could get one. */
export function canSuppress(n: Pick<FolderNode, 'origin' | 'suppressed'>): boolean {
  if (n.suppressed) return false;
  return n.origin === 'auto' || n.origin === 'none' || n.origin === 'inherited';
}

/** Whether Unmap applies: the folder's own mapping (by the user or by its name). */
export function canUnmap(n: Pick<FolderNode, 'origin'>): boolean {
  return n.origin === 'manual' || n.origin === 'auto';
}

/** Case-, accent- and space-insensitive form for matching names. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Clients whose name contains the query (prefix and word-start matches first), at most `limit`. */
export function matchClients(clients: ClientSummary[], query: string, limit = 50): ClientSummary[] {
  const q = fold(query);
  const byName = (a: ClientSummary, b: ClientSummary) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
  if (!q) return [...clients].sort(byName).slice(0, limit);
  const scored: { c: ClientSummary; s: number }[] = [];
  for (const c of clients) {
    const n = fold(c.name);
    const at = n.indexOf(q);
    if (at < 0) continue;
    const s = at === 0 ? 0 : n[at - 1] === ' ' ? 1 : 2;
    scored.push({ c, s });
  }
  scored.sort((a, b) => a.s - b.s || byName(a.c, b.c));
  return scored.slice(0, limit).map((x) => x.c);
}

/** Whether a typed name is already a client's (then "New client" would duplicate it). */
export function clientNamed(clients: ClientSummary[], name: string): ClientSummary | undefined {
  const n = fold(name);
  return n ? clients.find((c) => fold(c.name) === n) : undefined;
}

const ACTION_WORDS: Record<string, string> = {
  created: 'created',
  edited: 'edited',
  renamed: 'renamed',
  moved: 'moved',
  deleted: 'deleted',
};

/** The action word of a file row; "changed" for an action this UI does not know. */
export function fileActionWord(action: string | undefined): string {
  return (action && ACTION_WORDS[action]) || 'changed';
}

/** The folder part of a file path: "Clients/Contoso" for "Clients/Contoso/SOW.pdf" ("" at a drive's root). */
export function folderOf(path: string | undefined): string {
  if (!path) return '';
  const p = path.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : '';
}

/** A file row's name: its title, else the last part of its path. */
export function fileName(it: Pick<TimelineItem, 'title' | 'path'>): string {
  if (it.title) return it.title;
  const p = (it.path ?? '').replace(/\/+$/, '');
  return p.slice(p.lastIndexOf('/') + 1);
}

/** "OneDrive", "SharePoint · Client Projects", "Shared folder". */
export function libraryKindLabel(l: Pick<LibraryView, 'kind' | 'siteName'>): string {
  if (l.kind === 'onedrive') return 'OneDrive';
  if (l.kind === 'shortcut') return 'Shared folder';
  return l.siteName ? `SharePoint · ${l.siteName}` : 'SharePoint library';
}

/** A pasted SharePoint site address (as opposed to search words). */
export function looksLikeSiteURL(s: string): boolean {
  const t = s.trim();
  if (!/^https:\/\//i.test(t)) return false;
  try {
    const u = new URL(t);
    return u.hostname.includes('.');
  } catch {
    return false;
  }
}

/** Whether a data:changed event concerns folders or files (the demo's mail ticks do not). */
export function touchesFiles(d: DataChanged | null | undefined): boolean {
  const kinds = d?.kinds ?? [];
  return kinds.length === 0 || kinds.some((k) => k === 'file' || k === 'folders' || k === 'clients' || k === 'demo');
}

/** Whether a data:changed event concerns one client's files. */
export function touchesClientFiles(d: DataChanged | null | undefined, clientId: number): boolean {
  if (!touchesFiles(d)) return false;
  const ids = d?.clientIds ?? [];
  return ids.length === 0 || ids.includes(clientId);
}

/**
 * The window event that asks the shell to open the Folders screen (the
 * Files tab's "Open Folders": the tab lives inside a screen it does not own).
 */
export const OPEN_FOLDERS_EVENT = 'rapport:open-folders';

export function requestOpenFolders() {
  window.dispatchEvent(new CustomEvent(OPEN_FOLDERS_EVENT));
}
