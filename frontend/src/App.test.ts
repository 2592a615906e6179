import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { ClientSummary, Status } from './lib/types';

const h = vi.hoisted(() => {
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  return {
    handlers,
    api: {
      Clients: vi.fn(),
      Timeline: vi.fn(),
      SyncNow: vi.fn(),
      Status: vi.fn(),
      OpenURL: vi.fn(),
    },
    emit(name: string, d: unknown) {
      handlers.get(name)?.forEach((cb) => cb(d));
    },
  };
});

vi.mock('./lib/api', async (orig) => {
  const real = await orig<typeof import('./lib/api')>();
  return {
    ...real,
    api: h.api,
    on: (name: string, cb: (d: unknown) => void) => {
      if (!h.handlers.has(name)) h.handlers.set(name, new Set());
      h.handlers.get(name)!.add(cb);
      return () => h.handlers.get(name)!.delete(cb);
    },
  };
});

import App from './App.svelte';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const demoStatus: Status = { demo: true, syncing: false, lastSync: ago(12_000), accounts: [] };
const clients: ClientSummary[] = [
  { id: 2, name: 'Fabrikam', domains: ['fabrikam.com'], items: 4, lastContact: ago(9 * 86400e3) },
  { id: 6, name: 'Adventure Works', domains: ['adventure-works.com'], items: 0, lastContact: null },
  { id: 1, name: 'Contoso', domains: ['contoso.com'], items: 2, lastContact: ago(2 * 3600e3) },
];

beforeEach(() => {
  sessionStorage.clear();
  h.handlers.clear();
  h.api.Clients.mockResolvedValue(clients);
  h.api.Status.mockResolvedValue(demoStatus);
  h.api.SyncNow.mockResolvedValue(undefined);
  h.api.Timeline.mockResolvedValue({
    items: [{ kind: 'mail', direction: 'in', at: ago(60_000), counterpart: 'Alice', title: 'Hello', itemId: 'm1' }],
    cursor: '',
  });
});

describe('App', () => {
  it('lists clients by last contact, shows the demo badge and the sync status', async () => {
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
    expect(screen.getAllByTestId('client-row').map((r) => r.querySelector('.name')?.textContent)).toEqual([
      'Contoso',
      'Fabrikam',
      'Adventure Works',
    ]);
    await waitFor(() => expect(screen.getByTestId('demo-badge').textContent).toBe('Demo data'));
    expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced \d+ s ago$/);
  });

  it('opens a client and shows its timeline', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.click(screen.getAllByTestId('client-row')[0]);
    await waitFor(() => expect(screen.getByTestId('timeline-title').textContent).toBe('Contoso'));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));
    expect(h.api.Timeline).toHaveBeenCalledWith(1, '', 50);
  });

  it('refreshes the client list on data:changed', async () => {
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(3));
    h.api.Clients.mockResolvedValue([...clients, { id: 7, name: 'Litware', domains: ['litware.com'], items: 1, lastContact: ago(1000) }]);
    h.emit('data:changed', { kinds: ['mail'], clientIds: [7] });
    await waitFor(() => expect(screen.getAllByTestId('client-row')).toHaveLength(4));
    expect(screen.getAllByTestId('client-row')[0].textContent).toContain('Litware');
  });

  it('explains how to add a client when there is none', async () => {
    h.api.Clients.mockResolvedValue([]);
    render(App);
    await waitFor(() => expect(document.body.textContent).toContain('No clients yet — add one with rapport clients add <name> --domain <domain>'));
  });

  it('shows the error sentence when the backend fails', async () => {
    h.api.Clients.mockRejectedValue(new Error("This page's access token is missing or wrong. Open the link that `rapport serve` printed."));
    render(App);
    await waitFor(() => expect(screen.getAllByRole('alert')[0].textContent).toContain('access token is missing or wrong'));
  });

  it('syncs on "r" and on the button, and follows sync:progress', async () => {
    render(App);
    await waitFor(() => screen.getAllByTestId('client-row'));
    await fireEvent.keyDown(window, { key: 'r' });
    expect(h.api.SyncNow).toHaveBeenCalledTimes(1);
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 300, total: 1200, done: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing… 300 of 1,200'));
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 1200, total: 1200, done: true });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
    await fireEvent.click(screen.getByRole('button', { name: /Sync now/ }));
    expect(h.api.SyncNow).toHaveBeenCalledTimes(2);
  });

  it('follows sync:state, and a pass that ends clears stale progress', async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
    h.api.Status.mockResolvedValue({ ...demoStatus, syncing: true });
    h.emit('sync:state', { syncing: true });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing…'));
    h.emit('sync:progress', { account: 'a', stream: 'Inbox', items: 10, total: 100, done: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toBe('Syncing… 10 of 100'));
    h.api.Status.mockResolvedValue(demoStatus);
    h.emit('sync:state', { syncing: false });
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toMatch(/^Synced/));
  });
});
