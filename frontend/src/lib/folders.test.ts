import { describe, expect, it } from 'vitest';
import type { ClientSummary, FolderNode } from './types';
import { folder, library } from './folders.testdata';
import {
  canSuppress,
  canUnmap,
  clientNamed,
  fileActionWord,
  fileName,
  folderOf,
  libraryKindLabel,
  looksLikeSiteURL,
  mappingLabel,
  matchClients,
  nodeKey,
  rootKey,
  rowsOf,
  treeKey,
  touchesClientFiles,
  touchesFiles,
  visibleLines,
  type ChildState,
} from './folders';

const onedrive = library();
const fabrikam = library({ driveId: 'd2', name: 'Fabrikam Projects', kind: 'library', siteName: 'Client Projects' });
const clientsF = folder({ id: 'c', name: 'Clients', path: 'Clients', hasChildren: true });
const admin = folder({ id: 'a', name: 'Admin', path: 'Admin' });
const contoso = folder({ id: 'k', name: 'Contoso', path: 'Clients/Contoso', clientId: 1, clientName: 'Contoso', origin: 'auto' });

function loaded(nodes: FolderNode[]): ChildState {
  return { nodes, loading: false, error: '' };
}

describe('visibleLines', () => {
  it('shows each drive root, OneDrive first, and nothing beneath until expanded', () => {
    const lines = visibleLines([fabrikam, onedrive], new Map(), new Set());
    const rows = rowsOf(lines);
    expect(rows.map((r) => [r.node.name, r.level, r.posinset, r.setsize])).toEqual([
      ['OneDrive', 1, 1, 2],
      ['Fabrikam Projects', 1, 2, 2],
    ]);
    expect(rows[0].key).toBe(rootKey(onedrive));
    expect(rows[1].library).toBe(fabrikam);
  });

  it('lists loaded children under an expanded row, a loading line before they arrive', () => {
    const root = rootKey(onedrive);
    const rootNode = nodeKey(onedrive.root!);
    let lines = visibleLines([onedrive], new Map(), new Set([root]));
    expect(lines.map((l) => (l.type === 'note' ? l.kind : l.node.name))).toEqual(['OneDrive', 'loading']);

    const children = new Map([[rootNode, loaded([admin, clientsF])]]);
    const clientsKey = root + '>' + nodeKey(clientsF);
    children.set(nodeKey(clientsF), loaded([contoso]));
    lines = visibleLines([onedrive], children, new Set([root, clientsKey]));
    const rows = rowsOf(lines);
    expect(rows.map((r) => `${r.level}:${r.node.name}`)).toEqual(['1:OneDrive', '2:Admin', '2:Clients', '3:Contoso']);
    expect(rows[3].parentKey).toBe(clientsKey);
    expect(rows[3].library).toBe(onedrive);
    expect(rows[2].expanded).toBe(true);
    expect(rows[1].expanded).toBe(false);
  });

  it('says when a folder has no subfolders or its children failed to load', () => {
    const root = rootKey(onedrive);
    const rootNode = nodeKey(onedrive.root!);
    expect(visibleLines([onedrive], new Map([[rootNode, loaded([])]]), new Set([root]))[1]).toMatchObject({ type: 'note', kind: 'empty' });
    const failed = visibleLines([onedrive], new Map([[rootNode, { nodes: null, loading: false, error: 'Disk on fire.' }]]), new Set([root]));
    expect(failed[1]).toMatchObject({ type: 'note', kind: 'error', error: 'Disk on fire.' });
  });

  it('keeps row keys unique when a shared folder shows in the OneDrive and as a drive of its own', () => {
    const shared = folder({ driveId: 'remote', id: 'w', name: 'Woodgrove Bank', path: 'Woodgrove Bank', shortcut: true, hasChildren: true });
    const sharedLib = library({ driveId: 'remote', name: 'Woodgrove Bank', kind: 'shortcut', root: { ...shared, path: '' } });
    const children = new Map([[nodeKey(onedrive.root!), loaded([shared])]]);
    const rows = rowsOf(visibleLines([onedrive, sharedLib], children, new Set([rootKey(onedrive)])));
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
    // …but they share the cached children.
    expect(rows[1].nodeKey).toBe(rows[2].nodeKey);
  });

  it('shows a drive not synced yet as a leaf named after the drive', () => {
    const rows = rowsOf(visibleLines([library({ root: null, name: 'New library', kind: 'library' })], new Map(), new Set()));
    expect(rows[0].node).toMatchObject({ name: 'New library', hasChildren: false, id: '' });
  });
});

describe('treeKey (WAI-ARIA tree keys)', () => {
  const root = rootKey(onedrive);
  const children = new Map([
    [nodeKey(onedrive.root!), loaded([admin, clientsF])],
    [nodeKey(clientsF), loaded([contoso])],
  ]);
  const clientsKey = root + '>' + nodeKey(clientsF);
  const rows = rowsOf(visibleLines([onedrive, fabrikam], children, new Set([root])));

  it('moves with ↑/↓, j/k, Home and End', () => {
    expect(treeKey(rows, root, 'ArrowDown')).toEqual({ focus: rows[1].key });
    expect(treeKey(rows, rows[1].key, 'j')).toEqual({ focus: clientsKey });
    expect(treeKey(rows, rows[1].key, 'ArrowUp')).toEqual({ focus: root });
    expect(treeKey(rows, root, 'k')).toEqual({ focus: root });
    expect(treeKey(rows, root, 'End')).toEqual({ focus: rows[rows.length - 1].key });
    expect(treeKey(rows, clientsKey, 'Home')).toEqual({ focus: root });
  });

  it('→ expands a closed folder, then steps into it; ← collapses, then steps out', () => {
    expect(treeKey(rows, clientsKey, 'ArrowRight')).toEqual({ expand: clientsKey });
    expect(treeKey(rows, root, 'ArrowRight')).toEqual({ focus: rows[1].key });
    expect(treeKey(rows, root, 'ArrowLeft')).toEqual({ collapse: root });
    expect(treeKey(rows, clientsKey, 'ArrowLeft')).toEqual({ focus: root });
    // a leaf does not expand; a root has nowhere to step out to
    expect(treeKey(rows, rows[1].key, 'ArrowRight')).toBeNull();
    expect(treeKey(rows, rootKey(fabrikam), 'ArrowLeft')).toBeNull();
  });

  it('Enter opens the map action; other keys do nothing', () => {
    expect(treeKey(rows, clientsKey, 'Enter')).toEqual({ open: clientsKey });
    expect(treeKey(rows, clientsKey, 'x')).toBeNull();
    expect(treeKey([], null, 'ArrowDown')).toBeNull();
  });
});

describe('labels', () => {
  it('says how a folder belongs to a client', () => {
    expect(mappingLabel(folder({ origin: 'manual', clientId: 1, clientName: 'Contoso' }))).toBe('mapped to Contoso');
    expect(mappingLabel(folder({ origin: 'auto', clientId: 1, clientName: 'Contoso' }))).toMatch(/^mapped to Contoso automatically/);
    expect(mappingLabel(folder({ origin: 'inherited', clientId: 1, clientName: 'Contoso', mappedPath: 'Clients/Contoso' }))).toBe(
      'belongs to Contoso through Clients/Contoso',
    );
    expect(mappingLabel(folder())).toBe('not mapped');
    expect(mappingLabel(folder({ suppressed: true }))).toMatch(/never mapped automatically/);
  });

  it('offers unmap for the folder’s own mapping and "don’t auto-map" unless already suppressed', () => {
    expect(canUnmap(folder({ origin: 'manual' }))).toBe(true);
    expect(canUnmap(folder({ origin: 'auto' }))).toBe(true);
    expect(canUnmap(folder({ origin: 'inherited' }))).toBe(false);
    expect(canUnmap(folder())).toBe(false);
    expect(canSuppress(folder({ origin: 'auto' }))).toBe(true);
    expect(canSuppress(folder({ origin: 'manual' }))).toBe(false);
    expect(canSuppress(folder({ suppressed: true }))).toBe(false);
  });

  it('describes file rows', () => {
    expect(fileActionWord('edited')).toBe('edited');
    expect(fileActionWord('moved')).toBe('moved');
    expect(fileActionWord('teleported')).toBe('changed');
    expect(fileActionWord(undefined)).toBe('changed');
    expect(folderOf('Clients/Contoso/SOW.pdf')).toBe('Clients/Contoso');
    expect(folderOf('SOW.pdf')).toBe('');
    expect(folderOf(undefined)).toBe('');
    expect(fileName({ title: '', path: 'Clients/Contoso/SOW.pdf' })).toBe('SOW.pdf');
    expect(fileName({ title: 'Plan.docx', path: 'x/y.docx' })).toBe('Plan.docx');
  });

  it('names drive kinds', () => {
    expect(libraryKindLabel(onedrive)).toBe('OneDrive');
    expect(libraryKindLabel(fabrikam)).toBe('SharePoint · Client Projects');
    expect(libraryKindLabel({ kind: 'shortcut', siteName: '' })).toBe('Shared folder');
  });
});

describe('matchClients', () => {
  const cs = ['Contoso', 'Tailspin Toys', 'Northwind Traders', 'Société Générale', 'Adventure Works'].map(
    (name, i): ClientSummary => ({ id: i + 1, name, domains: [], items: 0, lastContact: null }),
  );

  it('lists every client by name for an empty query', () => {
    expect(matchClients(cs, '').map((c) => c.name)).toEqual(['Adventure Works', 'Contoso', 'Northwind Traders', 'Société Générale', 'Tailspin Toys']);
  });

  it('matches case-, accent- and space-insensitively, prefixes and word starts first', () => {
    expect(matchClients(cs, 'TAIL').map((c) => c.name)).toEqual(['Tailspin Toys']);
    expect(matchClients(cs, 'societe  gen').map((c) => c.name)).toEqual(['Société Générale']);
    expect(matchClients(cs, 'n').map((c) => c.name)).toEqual(['Northwind Traders', 'Adventure Works', 'Contoso', 'Société Générale', 'Tailspin Toys']);
    expect(matchClients(cs, 'gen').map((c) => c.name)).toEqual(['Société Générale']);
    expect(matchClients(cs, 'to').map((c) => c.name)).toEqual(['Tailspin Toys', 'Contoso']);
    expect(matchClients(cs, 'zzz')).toEqual([]);
  });

  it('finds an existing client by its name', () => {
    expect(clientNamed(cs, ' contoso ')?.id).toBe(1);
    expect(clientNamed(cs, 'Contoso Ltd')).toBeUndefined();
    expect(clientNamed(cs, '')).toBeUndefined();
  });
});

describe('events and input', () => {
  it('refreshes on file, folder and client changes, not on mail ticks', () => {
    expect(touchesFiles({ kinds: ['mail'], clientIds: [1] })).toBe(false);
    expect(touchesFiles({ kinds: ['folders'], clientIds: [] })).toBe(true);
    expect(touchesFiles({ kinds: [], clientIds: [] })).toBe(true);
    expect(touchesClientFiles({ kinds: ['file'], clientIds: [2] }, 1)).toBe(false);
    expect(touchesClientFiles({ kinds: ['file'], clientIds: [1, 2] }, 1)).toBe(true);
    expect(touchesClientFiles({ kinds: ['file'], clientIds: [] }, 1)).toBe(true);
  });

  it('tells a pasted site address from search words', () => {
    expect(looksLikeSiteURL('https://adatum.sharepoint.com/sites/ClientProjects')).toBe(true);
    expect(looksLikeSiteURL('  https://adatum.sharepoint.com/sites/x ')).toBe(true);
    expect(looksLikeSiteURL('client projects')).toBe(false);
    expect(looksLikeSiteURL('http://adatum.sharepoint.com/sites/x')).toBe(false);
    expect(looksLikeSiteURL('https://')).toBe(false);
  });
});
