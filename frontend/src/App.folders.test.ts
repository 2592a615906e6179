// The shell's Folders entry (issue 5): the sidebar link, "g then f", the
// Files tab's request to open Folders, Esc back to the clients.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

const h = vi.hoisted(() => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const folder = (over: Record<string, unknown>) => ({
    account: 'me@adatum.com',
    driveId: 'd1',
    clientId: 0,
    clientName: '',
    origin: 'none',
    suppressed: false,
    fileCount: 1,
    lastChange: null,
    hasChildren: false,
    shortcut: false,
    webUrl: '',
    ...over,
  });
  const defaults: Record<string, unknown> = {
    Status: { demo: true, syncing: false, lastSync: ago(5000), accounts: [], offline: false, focused: true },
    Accounts: [
      { upn: 'me@adatum.com', displayName: 'Avery', tenantId: 't', scopes: [], state: 'ok', filesEnabled: true, missingScopes: [], error: '' },
    ],
    Clients: [{ id: 1, name: 'Contoso', domains: ['contoso.com'], items: 2, lastContact: ago(3600e3) }],
    Libraries: [
      {
        account: 'me@adatum.com',
        driveId: 'd1',
        name: 'OneDrive',
        kind: 'onedrive',
        driveType: 'business',
        siteId: '',
        siteName: '',
        webUrl: '',
        root: folder({ id: 'root', name: 'root', path: '', hasChildren: true }),
        streamId: 1,
        items: 3,
        lastSync: ago(1000),
        state: 'ok',
        error: '',
        action: '',
        localPath: '',
        localPathAuto: false,
      },
    ],
    Folders: [folder({ id: 'c', name: 'Contoso', path: 'Contoso', clientId: 1, clientName: 'Contoso', origin: 'auto' })],
    Timeline: { items: [], cursor: '' },
    TimelineFiltered: { items: [], cursor: '' },
    ClientFiles: { items: [], cursor: '' },
    FirstSyncSummary: null,
    SyncNow: undefined,
    SetFocused: undefined,
  };
  const fns = new Map<string, ReturnType<typeof vi.fn>>();
  const api = new Proxy({} as Record<string, ReturnType<typeof vi.fn>>, {
    get(_t, key: string) {
      if (!fns.has(key)) fns.set(key, vi.fn(async () => (key in defaults ? structuredClone(defaults[key]) : [])));
      return fns.get(key);
    },
  });
  return { api };
});

vi.mock('./lib/api', async (orig) => {
  const real = await orig<typeof import('./lib/api')>();
  return { ...real, api: h.api, on: () => () => {} };
});

import App from './App.svelte';
import { requestOpenFolders } from './lib/folders';

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

async function ready() {
  render(App);
  await waitFor(() => expect(screen.getAllByTestId('client-row').length).toBeGreaterThan(0));
}

describe('App: Folders', () => {
  it('opens from the sidebar and shows the tree with the auto badge', async () => {
    await ready();
    await fireEvent.click(screen.getByTestId('nav-folders'));
    await waitFor(() => expect(screen.getByTestId('folders-screen')).toBeTruthy());
    expect(screen.getByTestId('nav-folders').getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(screen.getAllByTestId('folder-row').map((r) => r.dataset.name)).toEqual(['OneDrive', 'Contoso']));
    expect(screen.getByTestId('auto-badge')).toBeTruthy();
    expect(document.activeElement?.id).toBe('folders-title');
  });

  it('opens with g then f, and Esc goes back to the clients', async () => {
    await ready();
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 'f' });
    await waitFor(() => expect(screen.getByTestId('folders-screen')).toBeTruthy());
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('folders-screen')).toBeNull());
  });

  it('opens when the Files tab asks for it', async () => {
    await ready();
    requestOpenFolders();
    await waitFor(() => expect(screen.getByTestId('folders-screen')).toBeTruthy());
  });
});
