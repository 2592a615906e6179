import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import FolderTreeMapDialog from './FolderTreeMapDialog.svelte';
import type { ClientSummary } from './types';
import { folder } from './folders.testdata';

const clients: ClientSummary[] = ['Contoso', 'Tailspin Toys', 'Northwind Traders'].map((name, i) => ({
  id: i + 1,
  name,
  domains: [],
  items: 0,
  lastContact: null,
}));

function props(over: Record<string, unknown> = {}) {
  return {
    node: folder({ id: 't', name: 'Tailspin', path: 'Clients/Tailspin' }),
    where: 'OneDrive › Clients/Tailspin',
    clients,
    onmap: vi.fn(),
    onnew: vi.fn(),
    onunmap: vi.fn(),
    onsuppress: vi.fn(),
    onclose: vi.fn(),
    ...over,
  };
}

function options() {
  return screen.getAllByRole('option');
}

describe('FolderTreeMapDialog', () => {
  it('starts in the search field, lists the clients and a new client named after the folder', () => {
    render(FolderTreeMapDialog, props());
    const input = screen.getByTestId('map-search');
    expect(document.activeElement).toBe(input);
    expect(screen.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    expect(options().map((o) => o.textContent?.trim())).toEqual(['Contoso', 'Northwind Traders', 'Tailspin Toys', '+ New client “Tailspin”']);
    expect(input.getAttribute('aria-activedescendant')).toBe('map-opt-0');
    expect(screen.getByText('OneDrive › Clients/Tailspin')).toBeTruthy();
  });

  it('filters as you type; ↓ and Enter map to the highlighted client', async () => {
    const p = props();
    render(FolderTreeMapDialog, p);
    const input = screen.getByTestId('map-search') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'tail' } });
    expect(options().map((o) => o.textContent?.trim())).toEqual(['Tailspin Toys', '+ New client “tail”']);
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(p.onmap).toHaveBeenCalledWith(2);

    await fireEvent.input(input, { target: { value: '' } });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.getAttribute('aria-activedescendant')).toBe('map-opt-1');
    expect(options()[1].getAttribute('aria-selected')).toBe('true');
    await fireEvent.click(screen.getByTestId('map-confirm'));
    expect(p.onmap).toHaveBeenLastCalledWith(3);
  });

  it('creates a new client from what was typed, not offering one that exists', async () => {
    const p = props();
    render(FolderTreeMapDialog, p);
    const input = screen.getByTestId('map-search');
    await fireEvent.input(input, { target: { value: 'contoso' } });
    expect(screen.queryByTestId('map-new')).toBeNull();
    await fireEvent.input(input, { target: { value: 'Litware' } });
    expect(options().map((o) => o.textContent?.trim())).toEqual(['+ New client “Litware”']);
    expect(screen.getByTestId('map-confirm').textContent).toContain('Create and map');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(p.onnew).toHaveBeenCalledWith('Litware');
    expect(p.onmap).not.toHaveBeenCalled();
  });

  it('offers Unmap and "Don’t auto-map" for an automatic mapping; neither for an inherited one', async () => {
    const p = props({ node: folder({ name: 'Contoso', path: 'Clients/Contoso', origin: 'auto', clientId: 1, clientName: 'Contoso' }) });
    const r = render(FolderTreeMapDialog, p);
    await fireEvent.click(screen.getByTestId('map-unmap'));
    expect(p.onunmap).toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('map-suppress'));
    expect(p.onsuppress).toHaveBeenCalled();
    expect(screen.getByText('now, automatically')).toBeTruthy();
    r.unmount();

    render(FolderTreeMapDialog, props({ node: folder({ origin: 'manual', clientId: 1, clientName: 'Contoso' }) }));
    expect(screen.getByTestId('map-unmap')).toBeTruthy();
    expect(screen.queryByTestId('map-suppress')).toBeNull();
  });

  it('Esc closes; busy disables; an error is shown as a sentence', async () => {
    const p = props({ error: 'That client no longer exists; reload the client list.' });
    render(FolderTreeMapDialog, p);
    expect(screen.getByRole('alert').textContent).toBe('That client no longer exists; reload the client list.');
    await fireEvent.keyDown(screen.getByTestId('map-search'), { key: 'Escape' });
    expect(p.onclose).toHaveBeenCalled();
  });

  it('shows hostile names as text', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const { container } = render(
      FolderTreeMapDialog,
      props({ node: folder({ name: evil }), clients: [{ id: 1, name: '<b>x</b>', domains: [], items: 0, lastContact: null }] }),
    );
    expect(container.ownerDocument.querySelector('[data-testid="map-dialog"] img')).toBeNull();
    expect(container.ownerDocument.querySelector('[data-testid="map-dialog"] b')).toBeNull();
    expect(screen.getByRole('heading').textContent).toContain(evil);
  });
});
