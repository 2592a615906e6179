// The issue-5 methods of the api module: argument order on the bridge, and
// what an older or partial backend leaves out filled in.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { _resetForTests, api, normalizeFolderNode, normalizeLibrary } from './api';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  _resetForTests();
  sessionStorage.clear();
  delete window.go;
  window.history.replaceState(null, '', '/?token=tok');
  fetchMock = vi.fn(async () => jsonResponse(null));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  _resetForTests();
});

function lastCall(): { method: string; args: unknown[] } {
  const [url, init] = fetchMock.mock.calls[fetchMock.mock.calls.length - 1] as [string, RequestInit];
  return { method: decodeURIComponent(url.replace('/api/call/', '')), args: JSON.parse(String(init.body)) };
}

describe('files api over the bridge', () => {
  it('sends each method its arguments in the Go order', async () => {
    await api.Libraries('');
    expect(lastCall()).toEqual({ method: 'Libraries', args: [''] });
    await api.FindSites('me@x.com', 'sales');
    expect(lastCall()).toEqual({ method: 'FindSites', args: ['me@x.com', 'sales'] });
    await api.SiteLibraries('me@x.com', 'https://x.sharepoint.com/sites/a');
    expect(lastCall()).toEqual({ method: 'SiteLibraries', args: ['me@x.com', 'https://x.sharepoint.com/sites/a'] });
    await api.AddLibrary('me@x.com', 'site-id', ['b!1', 'b!2']);
    expect(lastCall()).toEqual({ method: 'AddLibrary', args: ['me@x.com', 'site-id', ['b!1', 'b!2']] });
    await api.RemoveLibrary('me@x.com', 'b!1');
    expect(lastCall()).toEqual({ method: 'RemoveLibrary', args: ['me@x.com', 'b!1'] });
    await api.Folders('me@x.com', 'd1', 'p');
    expect(lastCall()).toEqual({ method: 'Folders', args: ['me@x.com', 'd1', 'p'] });
    await api.MapFolder('me@x.com', 'd1', 'f', 4);
    expect(lastCall()).toEqual({ method: 'MapFolder', args: ['me@x.com', 'd1', 'f', 4] });
    await api.UnmapFolder('me@x.com', 'd1', 'f');
    expect(lastCall()).toEqual({ method: 'UnmapFolder', args: ['me@x.com', 'd1', 'f'] });
    await api.SuppressAutoMap('me@x.com', 'd1', 'f');
    expect(lastCall()).toEqual({ method: 'SuppressAutoMap', args: ['me@x.com', 'd1', 'f'] });
    await api.ClientFiles(3, 'cur', 50);
    expect(lastCall()).toEqual({ method: 'ClientFiles', args: [3, 'cur', 50] });
    await api.ClientFolders(3);
    expect(lastCall()).toEqual({ method: 'ClientFolders', args: [3] });
    await api.SetLocalFolder('me@x.com', 'd1', '/home/me/OneDrive');
    expect(lastCall()).toEqual({ method: 'SetLocalFolder', args: ['me@x.com', 'd1', '/home/me/OneDrive'] });
    await api.FolderSuggestions();
    expect(lastCall()).toEqual({ method: 'FolderSuggestions', args: [] });
  });

  it('turns null lists into empty ones', async () => {
    expect(await api.Libraries('')).toEqual([]);
    expect(await api.Folders('u', 'd', '')).toEqual([]);
    expect(await api.FolderSuggestions()).toEqual([]);
    expect(await api.ClientFolders(1)).toEqual([]);
    expect(await api.FindSites('u', '')).toEqual([]);
    expect(await api.SiteLibraries('u', 's')).toEqual([]);
    expect(await api.ClientFiles(1, '', 10)).toEqual({ items: [], cursor: '' });
  });

  it('fills folder fields an older backend leaves out', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse([{ driveId: 'd', id: 'f', name: 'Contoso', clientId: 1 }]));
    const [n] = await api.Folders('me@x.com', 'd', '');
    expect(n).toMatchObject({ account: 'me@x.com', path: '', origin: 'manual', fileCount: 0, lastChange: null, hasChildren: false, suppressed: false });
    expect(normalizeFolderNode({ id: 'x' }).origin).toBe('none');
    expect(normalizeFolderNode({ id: 'x', origin: 'weird' as never, clientId: 0 }).origin).toBe('none');
  });

  it('fills a library’s state and its root', () => {
    const l = normalizeLibrary({ account: 'a@x.com', driveId: 'd', name: 'OneDrive', kind: 'onedrive', root: { id: 'r', name: 'root' } as never });
    expect(l.state).toBe('pending');
    expect(l.root).toMatchObject({ account: 'a@x.com', driveId: 'd', id: 'r', origin: 'none' });
    expect(normalizeLibrary({ error: 'Access denied.' }).state).toBe('error');
    expect(normalizeLibrary({ lastSync: '2026-11-01T00:00:00Z' }).state).toBe('ok');
    expect(normalizeLibrary({ root: null }).root).toBeNull();
  });

  it('returns the client MapFolderToNewClient created, and errors as sentences', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ id: 7, name: 'Litware', domains: null }));
    expect(await api.MapFolderToNewClient('u', 'd', 'f', 'Litware')).toEqual({ id: 7, name: 'Litware', domains: [] });
    expect(lastCall()).toEqual({ method: 'MapFolderToNewClient', args: ['u', 'd', 'f', 'Litware'] });
    fetchMock.mockResolvedValueOnce(jsonResponse({ error: 'that client no longer exists; reload the client list' }, 400));
    await expect(api.MapFolder('u', 'd', 'f', 99)).rejects.toThrow('That client no longer exists; reload the client list');
  });

  it('uses the Wails bindings inside the window', async () => {
    const Folders = vi.fn(async () => [{ driveId: 'd', id: 'f', name: 'A', origin: 'auto', clientId: 2, clientName: 'B', account: 'x@y.z' }]);
    window.go = { app: { App: { Folders } } };
    const out = await api.Folders('x@y.z', 'd', 'p');
    expect(Folders).toHaveBeenCalledWith('x@y.z', 'd', 'p');
    expect(out[0]).toMatchObject({ origin: 'auto', clientName: 'B' });
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
