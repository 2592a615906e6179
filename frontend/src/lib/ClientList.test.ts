import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import ClientList from './ClientList.svelte';
import type { ClientSummary } from './types';

const now = new Date('2024-03-14T15:30:00Z');
const clients: ClientSummary[] = [
  { id: 5, name: 'Woodgrove Bank', domains: ['woodgrovebank.com'], items: 1234, lastContact: '2024-03-14T14:50:00Z' },
  { id: 1, name: 'Contoso', domains: ['contoso.com'], items: 141, lastContact: '2024-03-14T13:30:00Z' },
  { id: 2, name: 'Fabrikam', domains: ['fabrikam.com'], items: 9, lastContact: '2024-03-05T10:00:00Z' },
  { id: 6, name: 'Adventure Works', domains: [], items: 0, lastContact: null },
];

function rows() {
  return screen.getAllByTestId('client-row');
}

describe('ClientList', () => {
  it('renders one row per client with name, relative last contact and item count', () => {
    render(ClientList, { clients, now, onopen: () => {} });
    const r = rows();
    expect(r).toHaveLength(4);
    expect(r[0].textContent).toContain('Woodgrove Bank');
    expect(r[0].textContent).toContain('40 min');
    expect(r[0].textContent).toMatch(/1[,.\u202f\u00a0]?234/);
    expect(r[1].textContent).toContain('2 h');
    expect(r[3].textContent).toContain('—');
    expect(screen.getByRole('listbox', { name: 'Clients' })).toBeTruthy();
  });

  it('marks the open client as selected', () => {
    render(ClientList, { clients, now, selectedId: 1, onopen: () => {} });
    const r = rows();
    expect(r[1].getAttribute('aria-selected')).toBe('true');
    expect(r[0].getAttribute('aria-selected')).toBe('false');
    expect(r[1].classList.contains('selected')).toBe(true);
    // the roving tab stop is on the open client
    expect(r[1].tabIndex).toBe(0);
    expect(r[0].tabIndex).toBe(-1);
  });

  it('moves with ↓/↑ and j/k, and opens with Enter', async () => {
    const onopen = vi.fn();
    render(ClientList, { clients, now, onopen });
    const r = rows();
    r[0].focus();
    await fireEvent.keyDown(r[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(r[1]);
    await fireEvent.keyDown(r[1], { key: 'j' });
    expect(document.activeElement).toBe(r[2]);
    await fireEvent.keyDown(r[2], { key: 'j' });
    await fireEvent.keyDown(r[3], { key: 'j' }); // stays on the last row
    expect(document.activeElement).toBe(r[3]);
    await fireEvent.keyDown(r[3], { key: 'k' });
    await fireEvent.keyDown(r[2], { key: 'ArrowUp' });
    expect(document.activeElement).toBe(r[1]);
    expect(onopen).not.toHaveBeenCalled();
    await fireEvent.keyDown(r[1], { key: 'Enter' });
    expect(onopen).toHaveBeenCalledWith(1);
  });

  it('opens on click', async () => {
    const onopen = vi.fn();
    render(ClientList, { clients, now, onopen });
    await fireEvent.click(rows()[2]);
    expect(onopen).toHaveBeenCalledWith(2);
  });

  it('renders client names as text, never as HTML', () => {
    const evil = [{ id: 9, name: '<img src=x onerror=alert(1)>', domains: [], items: 1, lastContact: null }];
    const { container } = render(ClientList, { clients: evil, now, onopen: () => {} });
    expect(container.querySelector('img')).toBeNull();
    expect(rows()[0].textContent).toContain('<img src=x onerror=alert(1)>');
  });
});
