import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import FoldersScreen from './FoldersScreen.svelte';
import type { AccountView, ClientSummary, DataChanged, FolderNode, FolderSuggestion, LibraryView } from '../lib/types';
import { folder, library } from '../lib/folders.testdata';

const account = (over: Partial<AccountView> = {}): AccountView => ({
  upn: 'me@adatum.com',
  displayName: 'Avery',
  tenantId: 't',
  scopes: [],
  state: 'ok',
  filesEnabled: true,
  missingScopes: [],
  error: '',
  ...over,
});
const clients: ClientSummary[] = [
  { id: 1, name: 'Contoso', domains: ['contoso.com'], items: 3, lastContact: null },
  { id: 4, name: 'Tailspin Toys', domains: ['tailspintoys.com'], items: 1, lastContact: null },
];
const tailspin = folder({ id: 't', name: 'Tailspin', path: 'Clients/Tailspin', fileCount: 2 });
const suggestion: FolderSuggestion = {
  account: 'me@adatum.com',
  driveId: 'd1',
  driveName: 'OneDrive',
  folderId: 'cl',
  folderName: 'Contoso Ltd',
  path: 'Archive/Contoso Ltd',
  clientId: 1,
  clientName: 'Contoso',
  reason: 'same name apart from a company form',
  fileCount: 2,
  lastChange: null,
};

function setup(over: { libraries?: LibraryView[]; tree?: Record<string, FolderNode[]>; suggestions?: FolderSuggestion[] } = {}) {
  let handler: ((d: DataChanged) => void) | null = null;
  const tree = over.tree ?? { 'root-d1': [tailspin] };
  const backend = {
    Libraries: vi.fn(async () => over.libraries ?? [library(), library({ driveId: 'd2', name: 'Fabrikam Projects', kind: 'library', siteName: 'Client Projects' })]),
    Folders: vi.fn(async (_u: string, _d: string, parent: string) => tree[parent] ?? []),
    FolderSuggestions: vi.fn(async () => over.suggestions ?? []),
    MapFolder: vi.fn(async () => {}),
    MapFolderToNewClient: vi.fn(async (_u: string, _d: string, _f: string, name: string) => ({ id: 9, name, domains: [] })),
    UnmapFolder: vi.fn(async () => {}),
    SuppressAutoMap: vi.fn(async () => {}),
    RemoveLibrary: vi.fn(async () => {}),
    SetLocalFolder: vi.fn(async () => {}),
    FindSites: vi.fn(async () => []),
    SiteLibraries: vi.fn(async () => []),
    AddLibrary: vi.fn(async () => {}),
    Reauthorize: vi.fn(async () => ({ ok: true, account: account() })),
    CancelSignIn: vi.fn(async () => {}),
    OpenURL: vi.fn(async () => {}),
  };
  const subscribe = (_n: 'data:changed', cb: (d: DataChanged) => void) => {
    handler = cb;
    return () => (handler = null);
  };
  return { backend, subscribe, emit: (d: DataChanged) => handler?.(d) };
}

function row(name: string) {
  return screen.getAllByTestId('folder-row').find((r) => r.dataset.name === name)!;
}

beforeEach(() => sessionStorage.clear());

describe('FoldersScreen', () => {
  it('maps a folder to an existing client from the tree with the keyboard', async () => {
    const { backend, subscribe } = setup();
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(row('Tailspin')).toBeTruthy());
    row('Tailspin').focus();
    await fireEvent.keyDown(row('Tailspin'), { key: 'Enter' });
    const input = await screen.findByTestId('map-search');
    await fireEvent.input(input, { target: { value: 'tail' } });
    backend.Folders.mockImplementation(async (_u, _d, parent) =>
      parent === 'root-d1' ? [{ ...tailspin, clientId: 4, clientName: 'Tailspin Toys', origin: 'manual' }] : [],
    );
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(backend.MapFolder).toHaveBeenCalledWith('me@adatum.com', 'd1', 't', 4);
    await waitFor(() => expect(screen.queryByTestId('map-dialog')).toBeNull());
    await waitFor(() => expect(row('Tailspin').dataset.origin).toBe('manual'));
    expect(screen.getByTestId('folders-notice').textContent).toBe('OneDrive › Clients/Tailspin is mapped to Tailspin Toys.');
  });

  it('maps a folder to a new client named after it', async () => {
    const { backend, subscribe } = setup();
    const onchanged = vi.fn();
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe, onchanged });
    await waitFor(() => expect(row('Tailspin')).toBeTruthy());
    await fireEvent.click(row('Tailspin').querySelector('[data-testid="folder-map"]')!);
    await fireEvent.click(await screen.findByTestId('map-new'));
    await waitFor(() => expect(backend.MapFolderToNewClient).toHaveBeenCalledWith('me@adatum.com', 'd1', 't', 'Tailspin'));
    await waitFor(() => expect(screen.getByTestId('folders-notice').textContent).toContain('Created the client Tailspin'));
    expect(onchanged).toHaveBeenCalled();
  });

  it('keeps the dialog open with the backend’s sentence when mapping fails', async () => {
    const { backend, subscribe } = setup();
    backend.MapFolder.mockRejectedValue(new Error('That folder is no longer in the synced drive; reload the Folders screen.'));
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(row('Tailspin')).toBeTruthy());
    await fireEvent.click(row('Tailspin').querySelector('[data-testid="folder-map"]')!);
    await fireEvent.click((await screen.findAllByTestId('map-option'))[0]);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('no longer in the synced drive'));
    expect(screen.getByTestId('map-dialog')).toBeTruthy();
  });

  it('confirms and dismisses near-match suggestions in one click', async () => {
    const other = { ...suggestion, folderId: 'tl', folderName: 'Tailspin', path: 'Clients/Tailspin', clientId: 4, clientName: 'Tailspin Toys' };
    const { backend, subscribe } = setup({ suggestions: [suggestion, other] });
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('folder-suggestion')).toHaveLength(2));
    const first = screen.getAllByTestId('folder-suggestion')[0];
    expect(first.textContent).toContain('Contoso Ltd');
    expect(first.textContent).toContain('Contoso?');
    expect(first.textContent).toContain('OneDrive › Archive/Contoso Ltd · 2 files · same name apart from a company form');
    backend.FolderSuggestions.mockResolvedValue([other]);
    await fireEvent.click(first.querySelector('[data-testid="suggestion-accept"]')!);
    expect(backend.MapFolder).toHaveBeenCalledWith('me@adatum.com', 'd1', 'cl', 1);
    await waitFor(() => expect(screen.getAllByTestId('folder-suggestion')).toHaveLength(1));
    backend.FolderSuggestions.mockResolvedValue([]);
    await fireEvent.click(screen.getByTestId('suggestion-dismiss'));
    expect(backend.SuppressAutoMap).toHaveBeenCalledWith('me@adatum.com', 'd1', 'tl');
    await waitFor(() => expect(screen.queryByTestId('folder-suggestions')).toBeNull());
  });

  it('without the file permissions explains and re-authorizes for files', async () => {
    const { backend, subscribe } = setup({ libraries: [] });
    const onchanged = vi.fn();
    render(FoldersScreen, { accounts: [account({ filesEnabled: false })], clients, backend, subscribe, onchanged });
    await waitFor(() => expect(screen.getByTestId('files-reauth').textContent).toContain('does not read your OneDrive and SharePoint yet'));
    expect(screen.queryByTestId('folder-tree')).toBeNull();
    expect(screen.getByTestId('files-reauth').textContent).toContain('never reads what is inside a file');
    await fireEvent.click(screen.getByTestId('files-reauthorize'));
    expect(backend.Reauthorize).toHaveBeenCalledWith('me@adatum.com', true);
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
  });

  it('shows the tenant’s refusal with the sign-in error panel', async () => {
    const { backend, subscribe } = setup({ libraries: [] });
    backend.Reauthorize.mockResolvedValue({
      ok: false,
      error: { code: 'missing_scope', title: 'Your organisation did not grant file access', message: 'An administrator must approve Files.Read.All.', action: 'Ask your administrator.' },
    } as never);
    render(FoldersScreen, { accounts: [account({ filesEnabled: false })], clients, backend, subscribe });
    await fireEvent.click(await screen.findByTestId('files-reauthorize'));
    await waitFor(() => expect(screen.getByTestId('signin-error').dataset.code).toBe('missing_scope'));
  });

  it('lists the libraries; removes a SharePoint library after a confirmation; sets a local folder', async () => {
    const { backend, subscribe } = setup();
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('library-row')).toHaveLength(2));
    const [od, fab] = screen.getAllByTestId('library-row');
    expect(od.textContent).toContain('OneDrive');
    expect(od.querySelector('[data-testid="library-remove"]')).toBeNull();
    expect(fab.textContent).toContain('SharePoint · Client Projects');
    await fireEvent.click(fab.querySelector('[data-testid="library-remove"]')!);
    await fireEvent.click(await screen.findByTestId('confirm-button'));
    expect(backend.RemoveLibrary).toHaveBeenCalledWith('me@adatum.com', 'd2');

    await fireEvent.click(screen.getAllByText('Set local folder…')[0]);
    const input = document.getElementById('local-path-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '/home/me/OneDrive - Adatum' } });
    await fireEvent.submit(input.closest('form')!);
    expect(backend.SetLocalFolder).toHaveBeenCalledWith('me@adatum.com', 'd1', '/home/me/OneDrive - Adatum');
  });

  it('opens the library picker and reloads after a library was added', async () => {
    const { backend, subscribe } = setup();
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('library-row')).toHaveLength(2));
    await fireEvent.click(screen.getByTestId('add-library'));
    expect(await screen.findByTestId('library-picker')).toBeTruthy();
    expect(backend.FindSites).toHaveBeenCalledWith('me@adatum.com', '');
  });

  it('re-reads on folder and file changes, not on mail', async () => {
    const { backend, subscribe, emit } = setup();
    render(FoldersScreen, { accounts: [account()], clients, backend, subscribe });
    await waitFor(() => expect(backend.Libraries).toHaveBeenCalledTimes(1));
    emit({ kinds: ['mail'], clientIds: [1] });
    expect(backend.Libraries).toHaveBeenCalledTimes(1);
    emit({ kinds: ['folders'], clientIds: [] });
    await waitFor(() => expect(backend.Libraries).toHaveBeenCalledTimes(2));
  });
});
