import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import FolderTree from './FolderTree.svelte';
import type { FolderNode } from './types';
import { folder, library } from './folders.testdata';

const onedrive = library();
const fabrikam = library({ driveId: 'd2', name: 'Fabrikam Projects', kind: 'library', siteName: 'Client Projects' });
const clientsF = folder({ id: 'c', name: 'Clients', path: 'Clients', hasChildren: true, fileCount: 20 });
const admin = folder({ id: 'a', name: 'Admin', path: 'Admin', fileCount: 1234 });
const contoso = folder({ id: 'k', name: 'Contoso', path: 'Clients/Contoso', clientId: 1, clientName: 'Contoso', origin: 'auto', hasChildren: true });
const tailspin = folder({ id: 't', name: 'Tailspin', path: 'Clients/Tailspin', clientId: 4, clientName: 'Tailspin Toys', origin: 'manual' });
const deliverables = folder({ id: 'dl', name: 'Deliverables', path: 'Clients/Contoso/Deliverables', clientId: 1, clientName: 'Contoso', origin: 'inherited', mappedPath: 'Clients/Contoso' });

function fakeBackend(tree: Record<string, FolderNode[]>) {
  return { Folders: vi.fn(async (_upn: string, _drive: string, parent: string) => tree[parent] ?? []) };
}

const tree = { 'root-d1': [admin, clientsF], c: [contoso, tailspin], k: [deliverables] };

function rows() {
  return screen.getAllByTestId('folder-row');
}
function row(name: string) {
  return rows().find((r) => r.dataset.name === name)!;
}

beforeEach(() => sessionStorage.clear());

describe('FolderTree', () => {
  it('is an ARIA tree of the drives; the OneDrive opens by itself the first time', async () => {
    const backend = fakeBackend(tree);
    render(FolderTree, { libraries: [fabrikam, onedrive], backend, onmap: () => {} });
    expect(screen.getByRole('tree')).toBeTruthy();
    await waitFor(() => expect(rows().map((r) => r.dataset.name)).toEqual(['OneDrive', 'Admin', 'Clients', 'Fabrikam Projects']));
    expect(backend.Folders).toHaveBeenCalledWith('me@adatum.com', 'd1', 'root-d1');
    const od = row('OneDrive');
    expect(od.getAttribute('role')).toBe('treeitem');
    expect(od.getAttribute('aria-level')).toBe('1');
    expect(od.getAttribute('aria-expanded')).toBe('true');
    expect(od.getAttribute('aria-setsize')).toBe('2');
    expect(row('Clients').getAttribute('aria-level')).toBe('2');
    expect(row('Clients').getAttribute('aria-expanded')).toBe('false');
    // a folder without subfolders is not expandable
    expect(row('Admin').hasAttribute('aria-expanded')).toBe(false);
    // one tab stop
    expect(rows().filter((r) => r.tabIndex === 0)).toHaveLength(1);
    // counts with separators
    expect(row('Admin').textContent).toMatch(/1[,. ]?234/);
    expect(row('Fabrikam Projects').textContent).toContain('SharePoint · Client Projects');
  });

  it('expands with → and the keyboard walks the tree; mappings show explicit, auto and inherited', async () => {
    const backend = fakeBackend(tree);
    render(FolderTree, { libraries: [onedrive], backend, onmap: () => {} });
    await waitFor(() => expect(row('Clients')).toBeTruthy());
    const clients = row('Clients');
    clients.focus();
    await fireEvent.keyDown(clients, { key: 'ArrowRight' });
    await waitFor(() => expect(row('Contoso')).toBeTruthy());
    expect(backend.Folders).toHaveBeenLastCalledWith('me@adatum.com', 'd1', 'c');
    expect(row('Clients').getAttribute('aria-expanded')).toBe('true');

    // → again steps into the first child
    await fireEvent.keyDown(row('Clients'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(row('Contoso'));
    await fireEvent.keyDown(row('Contoso'), { key: 'ArrowRight' });
    await waitFor(() => expect(row('Deliverables')).toBeTruthy());

    const auto = row('Contoso');
    expect(auto.dataset.origin).toBe('auto');
    expect(auto.querySelector('[data-testid="auto-badge"]')?.textContent).toBe('auto');
    expect(auto.getAttribute('aria-label')).toMatch(/mapped to Contoso automatically/);
    const manual = row('Tailspin');
    expect(manual.querySelector('[data-testid="folder-client"]')?.textContent).toBe('Tailspin Toys');
    expect(manual.querySelector('[data-testid="auto-badge"]')).toBeNull();
    const inherited = row('Deliverables');
    expect(inherited.querySelector('.client-name.inherited')?.textContent).toBe('Contoso');
    expect(inherited.getAttribute('aria-label')).toMatch(/through Clients\/Contoso/);

    // ↓ moves, ← on a leaf goes to its parent, ← on an open row closes it
    row('Contoso').focus();
    await fireEvent.keyDown(row('Contoso'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(row('Deliverables'));
    await fireEvent.keyDown(row('Deliverables'), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(row('Contoso'));
    await fireEvent.keyDown(row('Contoso'), { key: 'ArrowLeft' });
    expect(row('Deliverables')).toBeUndefined();
    expect(row('Contoso').getAttribute('aria-expanded')).toBe('false');
  });

  it('Enter and the Map button open the map action for the row', async () => {
    const onmap = vi.fn();
    render(FolderTree, { libraries: [onedrive], backend: fakeBackend(tree), onmap });
    await waitFor(() => expect(row('Admin')).toBeTruthy());
    row('Admin').focus();
    await fireEvent.keyDown(row('Admin'), { key: 'Enter' });
    expect(onmap).toHaveBeenCalledTimes(1);
    expect(onmap.mock.calls[0][0].node).toBe(admin);
    expect(onmap.mock.calls[0][0].library).toBe(onedrive);
    await fireEvent.click(row('Clients').querySelector('[data-testid="folder-map"]')!);
    expect(onmap.mock.calls[1][0].node).toBe(clientsF);
    // a mapped folder's button says Change…
    expect(row('OneDrive').querySelector('[data-testid="folder-map"]')?.textContent).toBe('Map…');
  });

  it('remembers what was open for the session', async () => {
    const backend = fakeBackend(tree);
    const first = render(FolderTree, { libraries: [onedrive], backend, onmap: () => {} });
    await waitFor(() => expect(row('Clients')).toBeTruthy());
    await fireEvent.click(row('Clients').querySelector('[data-testid="folder-toggle"]')!);
    await waitFor(() => expect(row('Tailspin')).toBeTruthy());
    first.unmount();
    render(FolderTree, { libraries: [onedrive], backend, onmap: () => {} });
    await waitFor(() => expect(row('Tailspin')).toBeTruthy());
  });

  it('shows a failed read with Try again, and re-reads open rows on refresh', async () => {
    const backend = { Folders: vi.fn().mockRejectedValueOnce(new Error('The store is busy.')).mockResolvedValue([admin]) };
    const r = render(FolderTree, { libraries: [onedrive], backend, onmap: () => {} });
    await waitFor(() => expect(screen.getByTestId('folder-note').textContent).toContain('The store is busy.'));
    await fireEvent.click(screen.getByText('Try again'));
    await waitFor(() => expect(row('Admin')).toBeTruthy());
    backend.Folders.mockResolvedValue([{ ...admin, clientId: 2, clientName: 'Fabrikam', origin: 'manual' }]);
    r.component.refresh();
    await waitFor(() => expect(row('Admin').dataset.origin).toBe('manual'));
  });

  it('renders hostile folder names as text', async () => {
    const evil = folder({ id: 'x', name: '<img src=x onerror=alert(1)>', path: '<b>p</b>', clientName: '<script>alert(1)</script>', clientId: 9, origin: 'manual' });
    render(FolderTree, { libraries: [onedrive], backend: fakeBackend({ 'root-d1': [evil] }), onmap: () => {} });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const tree = screen.getByRole('tree');
    expect(tree.querySelector('img')).toBeNull();
    expect(tree.querySelector('script')).toBeNull();
    expect(tree.querySelector('b')).toBeNull();
    expect(rows()[1].querySelector('.name')?.textContent).toBe(evil.name);
  });
});
