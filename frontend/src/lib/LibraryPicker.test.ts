import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import LibraryPicker from './LibraryPicker.svelte';
import type { SiteLibrary, SiteView } from './types';

const site = (over: Partial<SiteView> = {}): SiteView => ({
  id: 'adatum.sharepoint.com,1,2',
  name: 'ClientProjects',
  displayName: 'Client Projects',
  description: '',
  webUrl: 'https://adatum.sharepoint.com/sites/ClientProjects',
  hostname: 'adatum.sharepoint.com',
  followed: true,
  ...over,
});
const libs: SiteLibrary[] = [
  { driveId: 'b!docs', name: 'Documents', webUrl: 'https://adatum.sharepoint.com/sites/ClientProjects/Shared%20Documents', added: false },
  { driveId: 'b!fab', name: 'Fabrikam Projects', webUrl: 'https://adatum.sharepoint.com/sites/ClientProjects/Fabrikam', added: true },
  { driveId: 'b!tail', name: 'Tailspin Projects', webUrl: 'https://adatum.sharepoint.com/sites/ClientProjects/Tailspin', added: false },
];

function backend() {
  return {
    FindSites: vi.fn(async (_upn: string, q: string) => (q ? [site({ id: 'sales', displayName: 'Sales', followed: false })] : [site()])),
    SiteLibraries: vi.fn(async () => libs),
    AddLibrary: vi.fn(async () => {}),
  };
}

describe('LibraryPicker', () => {
  it('lists the followed sites, then the libraries of the one picked, and adds the ticked ones', async () => {
    const b = backend();
    const onadded = vi.fn();
    render(LibraryPicker, { accounts: ['me@adatum.com'], backend: b, onadded, onclose: () => {} });
    expect(b.FindSites).toHaveBeenCalledWith('me@adatum.com', '');
    await waitFor(() => expect(screen.getAllByTestId('site-option')).toHaveLength(1));
    expect(screen.getByText('Sites you follow')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('site-option'));
    expect(b.SiteLibraries).toHaveBeenCalledWith('me@adatum.com', 'adatum.sharepoint.com,1,2');
    await waitFor(() => expect(screen.getAllByTestId('library-option')).toHaveLength(3));
    const boxes = screen.getAllByRole('checkbox') as HTMLInputElement[];
    // the synced one is ticked and fixed
    expect(boxes[1].checked).toBe(true);
    expect(boxes[1].disabled).toBe(true);
    expect(screen.getByText('already synced')).toBeTruthy();
    expect((screen.getByTestId('library-add') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(boxes[0]);
    await fireEvent.click(boxes[2]);
    expect(screen.getByTestId('library-add').textContent).toContain('Add 2 libraries');
    await fireEvent.click(screen.getByTestId('library-add'));
    await waitFor(() => expect(onadded).toHaveBeenCalledWith('Client Projects', ['Documents', 'Tailspin Projects']));
    expect(b.AddLibrary).toHaveBeenCalledWith('me@adatum.com', 'adatum.sharepoint.com,1,2', ['b!docs', 'b!tail']);
  });

  it('searches sites by words and opens a pasted site address directly', async () => {
    const b = backend();
    render(LibraryPicker, { accounts: ['me@adatum.com'], backend: b, onadded: () => {}, onclose: () => {} });
    const input = screen.getByTestId('site-search');
    await fireEvent.input(input, { target: { value: 'sales' } });
    await fireEvent.submit(input.closest('form')!);
    await waitFor(() => expect(screen.getByText('Sales')).toBeTruthy());
    expect(b.FindSites).toHaveBeenLastCalledWith('me@adatum.com', 'sales');
    expect(screen.getByText('Sites matching “sales”')).toBeTruthy();

    await fireEvent.input(input, { target: { value: 'https://adatum.sharepoint.com/sites/Intranet' } });
    expect(screen.getByTestId('site-search-go').textContent).toBe('Open');
    await fireEvent.submit(input.closest('form')!);
    expect(b.SiteLibraries).toHaveBeenCalledWith('me@adatum.com', 'https://adatum.sharepoint.com/sites/Intranet');
    await waitFor(() => expect(screen.getAllByTestId('library-option')).toHaveLength(3));
    await fireEvent.click(screen.getByTestId('picker-back'));
    expect(screen.getByTestId('site-search')).toBeTruthy();
  });

  it('says why sites cannot be listed (offline) in one sentence', async () => {
    const b = backend();
    b.FindSites.mockRejectedValue(new Error('Could not list SharePoint sites: Microsoft 365 cannot be reached.'));
    render(LibraryPicker, { accounts: ['me@adatum.com'], backend: b, onadded: () => {}, onclose: () => {} });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Could not list SharePoint sites: Microsoft 365 cannot be reached.'));
  });

  it('shows an add failure and stays open; Esc closes', async () => {
    const b = backend();
    b.SiteLibraries.mockResolvedValue([libs[0]]);
    b.AddLibrary.mockRejectedValue(new Error('The site Client Projects has no library "x".'));
    const onclose = vi.fn();
    render(LibraryPicker, { accounts: ['me@adatum.com'], backend: b, onadded: () => {}, onclose });
    await waitFor(() => expect(screen.getAllByTestId('site-option')).toHaveLength(1));
    await fireEvent.click(screen.getByTestId('site-option'));
    // a single library is ticked already
    await waitFor(() => expect((screen.getByRole('checkbox') as HTMLInputElement).checked).toBe(true));
    await fireEvent.click(screen.getByTestId('library-add'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('has no library'));
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });

  it('shows site names as text', async () => {
    const b = backend();
    b.FindSites.mockResolvedValue([site({ displayName: '<img src=x onerror=alert(1)>' })]);
    render(LibraryPicker, { accounts: ['me@adatum.com'], backend: b, onadded: () => {}, onclose: () => {} });
    await waitFor(() => expect(screen.getByTestId('site-option').textContent).toContain('<img src=x onerror=alert(1)>'));
    expect(screen.getByRole('dialog').querySelector('img')).toBeNull();
  });
});
