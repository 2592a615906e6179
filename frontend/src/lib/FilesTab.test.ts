import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import FilesTab from './FilesTab.svelte';
import type { DataChanged, TimelinePage } from './types';
import { clientFolder, fileItem } from './folders.testdata';
import { OPEN_FOLDERS_EVENT } from './folders';

const now = new Date('2026-11-20T16:00:00Z');

function setup(pages: Record<string, TimelinePage> = {}) {
  let handler: ((d: DataChanged) => void) | null = null;
  const backend = {
    ClientFolders: vi.fn(async () => [
      clientFolder({ id: 'k', name: 'Contoso', path: 'Clients/Contoso', origin: 'auto', fileCount: 10, lastChange: '2026-11-19T11:02:00Z', webUrl: 'https://adatum-my.sharepoint.com/Clients/Contoso' }),
      clientFolder({ id: 'p', driveId: 'd2', driveName: 'Fabrikam Projects', name: 'Contoso', path: 'Partners/Contoso', origin: 'manual', fileCount: 2 }),
    ]),
    ClientFiles: vi.fn(async (_id: number, cursor: string) =>
      pages[cursor] ?? {
        items: [
          fileItem({ itemId: 'f2', title: 'Workshop 2 notes.docx', path: 'Clients/Contoso/Workshops/Workshop 2 notes.docx', counterpart: 'Lee Gu' }),
          fileItem({ itemId: 'f1', at: '2026-11-18T09:00:00Z', action: 'created', counterpart: 'Avery Brooks' }),
        ],
        cursor: 'c2',
      },
    ),
    UnmapFolder: vi.fn(async () => {}),
    OpenURL: vi.fn(async () => {}),
  };
  const subscribe = (_name: 'data:changed', cb: (d: DataChanged) => void) => {
    handler = cb;
    return () => (handler = null);
  };
  return { backend, subscribe, emit: (d: DataChanged) => handler?.(d) };
}

describe('FilesTab', () => {
  it('lists the mapped folders and the file activity with action, name, folder and who', async () => {
    const { backend, subscribe } = setup();
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('client-folder')).toHaveLength(2));
    expect(backend.ClientFolders).toHaveBeenCalledWith(1);
    expect(backend.ClientFiles).toHaveBeenCalledWith(1, '', 50);
    const [auto, manual] = screen.getAllByTestId('client-folder');
    expect(auto.textContent).toContain('OneDrive');
    expect(auto.textContent).toContain('Clients/Contoso');
    expect(auto.textContent).toContain('auto');
    expect(auto.textContent).toContain('10 files');
    expect(manual.textContent).toContain('Fabrikam Projects');
    expect(manual.textContent).not.toContain('auto');

    await waitFor(() => expect(screen.getAllByTestId('timeline-row').length).toBe(2));
    const row = screen.getAllByTestId('timeline-row')[0];
    expect(row.dataset.kind).toBe('file');
    expect(row.querySelector('[data-testid="file-action"]')?.textContent).toBe('edited');
    expect(row.textContent).toContain('Workshop 2 notes.docx');
    expect(row.textContent).toContain('(Clients/Contoso/Workshops)');
    expect(row.textContent).toContain('by Lee Gu');
    expect(screen.getAllByTestId('timeline-row')[1].querySelector('[data-testid="file-action"]')?.textContent).toBe('created');
  });

  it('pages with the cursor and stops at the end', async () => {
    const { backend, subscribe } = setup({
      c2: { items: [fileItem({ itemId: 'f0', at: '2026-11-01T09:00:00Z', title: 'Old.xlsx' })], cursor: '' },
    });
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getByTestId('files-more')).toBeTruthy());
    await fireEvent.click(screen.getByTestId('files-more'));
    expect(backend.ClientFiles).toHaveBeenLastCalledWith(1, 'c2', 50);
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(3));
    expect(screen.queryByTestId('files-more')).toBeNull();
    expect(screen.getByText('That is all the file activity.')).toBeTruthy();
  });

  it('unmaps a folder and re-reads', async () => {
    const { backend, subscribe } = setup();
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('client-folder-unmap')).toHaveLength(2));
    backend.ClientFolders.mockResolvedValue([]);
    await fireEvent.click(screen.getAllByTestId('client-folder-unmap')[0]);
    expect(backend.UnmapFolder).toHaveBeenCalledWith('me@adatum.com', 'd1', 'k');
    await waitFor(() => expect(screen.getByText('OneDrive › Clients/Contoso is no longer mapped to this client.')).toBeTruthy());
    await waitFor(() => expect(screen.getByTestId('files-no-folders')).toBeTruthy());
  });

  it('refreshes on this client’s file changes only', async () => {
    const { backend, subscribe, emit } = setup();
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(2));
    const calls = backend.ClientFiles.mock.calls.length;
    emit({ kinds: ['mail'], clientIds: [1] });
    emit({ kinds: ['file'], clientIds: [2] });
    expect(backend.ClientFiles.mock.calls.length).toBe(calls);
    backend.ClientFiles.mockResolvedValueOnce({
      items: [fileItem({ itemId: 'f3', at: '2026-11-20T15:59:00Z', title: 'New.pptx' }), fileItem({ itemId: 'f2' }), fileItem({ itemId: 'f1' })],
      cursor: '',
    });
    emit({ kinds: ['file'], clientIds: [1] });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(3));
    expect(screen.getAllByTestId('timeline-row')[0].classList.contains('fresh')).toBe(true);
  });

  it('explains an empty client and asks the shell to open Folders', async () => {
    const { backend, subscribe } = setup();
    backend.ClientFolders.mockResolvedValue([]);
    backend.ClientFiles.mockResolvedValue({ items: [], cursor: '' });
    const opened = vi.fn();
    window.addEventListener(OPEN_FOLDERS_EVENT, opened);
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getByTestId('files-no-folders')).toBeTruthy());
    expect(screen.getByTestId('files-empty').textContent).toContain('once a folder is mapped');
    await fireEvent.click(screen.getByTestId('open-folders'));
    expect(opened).toHaveBeenCalledTimes(1);
    window.removeEventListener(OPEN_FOLDERS_EVENT, opened);
  });

  it('shows an error as a sentence with Try again', async () => {
    const { backend, subscribe } = setup();
    backend.ClientFiles.mockRejectedValueOnce(new Error('The timeline position is no longer valid; reload the client.'));
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getByText('The timeline position is no longer valid; reload the client.')).toBeTruthy());
    await fireEvent.click(screen.getByText('Try again'));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(2));
  });

  it('renders hostile file and folder names as text', async () => {
    const { backend, subscribe } = setup();
    const evil = '<img src=x onerror=alert(1)>';
    backend.ClientFolders.mockResolvedValue([clientFolder({ path: evil, driveName: '<b>d</b>' })]);
    backend.ClientFiles.mockResolvedValue({ items: [fileItem({ title: evil, path: '<i>x</i>/' + evil, counterpart: '<b>m</b>' })], cursor: '' });
    render(FilesTab, { clientId: 1, now, backend, subscribe });
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));
    const tab = screen.getByTestId('files-tab');
    expect(tab.querySelector('img')).toBeNull();
    expect(tab.querySelector('b')).toBeNull();
    expect(tab.querySelector('i')).toBeNull();
    expect(tab.textContent).toContain(evil);
  });
});
