import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import type { StoreState } from './lib/types';

const h = await vi.hoisted(async () => {
  const { backendMock } = await import('./testdata/backendMock');
  return backendMock(['StoreState', 'RetryOpen', 'StartAfresh']);
});

vi.mock('./lib/api', async (orig) => ({ ...(await orig<typeof import('./lib/api')>()), api: h.api, on: h.on }));
vi.mock('./App.svelte', async () => await import('./testdata/AppStub.svelte'));

import StoreGate from './StoreGate.svelte';

const path = '/home/me/.config/Rapport/rapport.db';
const state = (over: Partial<StoreState>): StoreState => ({ phase: 'ready', step: 0, steps: 0, path, ...over });

beforeEach(() => {
  vi.clearAllMocks();
  h.handlers.clear();
});

describe('the store gate', () => {
  it('shows the app at once when the store is open', async () => {
    h.api.StoreState.mockResolvedValue(state({}));
    render(StoreGate);
    expect(await screen.findByTestId('the-app')).toBeTruthy();
    expect(screen.queryByTestId('store-opening')).toBeNull();
  });

  it("shows an older store's update step by step, then the app", async () => {
    h.api.StoreState.mockResolvedValue(state({ phase: 'updating', step: 0, steps: 2 }));
    render(StoreGate);
    expect((await screen.findByRole('heading')).textContent).toBe('Updating your store for this version of Rapport');
    expect(screen.getByTestId('store-step').textContent).toBe('Step 1 of 2.');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Step 1 of 2');
    expect(screen.queryByTestId('the-app')).toBeNull();
    h.emit('store:state', state({ phase: 'updating', step: 1, steps: 2 }));
    await waitFor(() => expect(screen.getByTestId('store-step').textContent).toBe('Step 2 of 2.'));
    h.emit('store:state', state({}));
    expect(await screen.findByTestId('the-app')).toBeTruthy();
    // Once up, the app stays up whatever arrives late.
    h.emit('store:state', state({ phase: 'opening' }));
    expect(screen.getByTestId('the-app')).toBeTruthy();
  });

  it('asks for the state while the store opens, and stops once it is open', async () => {
    vi.useFakeTimers();
    try {
      h.api.StoreState.mockResolvedValue(state({ phase: 'opening' }));
      render(StoreGate);
      await vi.advanceTimersByTimeAsync(3500);
      expect(h.api.StoreState.mock.calls.length).toBe(4); // the first ask, then one a second
      h.emit('store:state', state({}));
      await vi.advanceTimersByTimeAsync(0);
      expect(screen.getByTestId('the-app')).toBeTruthy();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(h.api.StoreState.mock.calls.length).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says, when the open takes seconds, that another program may hold the store', async () => {
    vi.useFakeTimers();
    try {
      h.api.StoreState.mockResolvedValue(state({ phase: 'opening' }));
      render(StoreGate);
      await vi.advanceTimersByTimeAsync(2900);
      expect(screen.getByTestId('store-opening')).toBeTruthy();
      expect(screen.queryByTestId('store-slow')).toBeNull();
      await vi.advanceTimersByTimeAsync(200);
      expect(screen.getByTestId('store-slow').textContent).toContain('Another program');
      h.emit('store:state', state({ phase: 'failed', problem: 'busy', message: 'Another program is using Rapport\'s store.' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(screen.getByTestId('store-opening').getAttribute('data-phase')).toBe('failed');
      expect(screen.queryByTestId('store-slow')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('says why it reads the whole store after a damaged page', async () => {
    h.api.StoreState.mockResolvedValue(state({ phase: 'checking' }));
    render(StoreGate);
    expect((await screen.findByRole('heading')).textContent).toBe('Checking your store');
    expect(screen.getByTestId('store-checking').textContent).toContain('damaged page');
    h.emit('store:state', state({ phase: 'failed', problem: 'damaged', message: "Rapport's store is damaged and cannot be read." }));
    expect(await screen.findByTestId('store-afresh')).toBeTruthy();
  });

  it('does not let a stale answer undo a newer event', async () => {
    let answer!: (s: StoreState) => void;
    h.api.StoreState.mockReturnValue(new Promise<StoreState>((r) => (answer = r)));
    render(StoreGate);
    h.emit('store:state', state({ phase: 'failed', problem: 'busy', message: 'Another program is using the store.' }));
    answer(state({ phase: 'opening' }));
    expect((await screen.findByTestId('store-problem')).textContent).toBe('Another program is using the store.');
    await new Promise((r) => setTimeout(r, 0)); // one macrotask turn: the stale answer's callbacks have run
    expect(screen.getByTestId('store-opening').getAttribute('data-phase')).toBe('failed');
  });

  it('tells a damaged store, as text, and starts afresh', async () => {
    const message = "Rapport's store is damaged and cannot be read.";
    h.api.StoreState.mockResolvedValue(
      state({
        phase: 'failed',
        problem: 'damaged',
        message,
        detail: 'read schema version: file is not a database',
        path: '/home/<b>me</b>/rapport.db',
      }),
    );
    h.api.StartAfresh.mockResolvedValue(state({ phase: 'opening', setAside: path + '.damaged-20261124-103005' }));
    render(StoreGate);
    expect((await screen.findByRole('heading')).textContent).toBe("Rapport's store cannot be read");
    expect(screen.getByTestId('store-problem').textContent).toBe(message);
    expect(screen.getByTestId('store-detail').textContent).toBe('Details: read schema version: file is not a database');
    expect(screen.getByTestId('store-path').textContent).toBe('/home/<b>me</b>/rapport.db');
    expect(screen.getByRole('alert').querySelector('b')).toBeNull();
    await fireEvent.click(screen.getByTestId('store-afresh'));
    expect(h.api.StartAfresh).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId('store-set-aside')).textContent).toContain('rapport.db.damaged-20261124-103005');
    h.emit(
      'store:state',
      state({ setAside: path + '.damaged-20261124-103005', kept: 'Kept from the damaged store: 1 account, 2 clients.' }),
    );
    expect(await screen.findByTestId('the-app')).toBeTruthy();
    const note = screen.getByTestId('store-afresh-note');
    expect(note.textContent).toContain('rapport.db.damaged-20261124-103005');
    expect(note.textContent).toContain('Kept from the damaged store: 1 account, 2 clients.');
    await fireEvent.click(screen.getByTestId('store-afresh-dismiss'));
    expect(screen.queryByTestId('store-afresh-note')).toBeNull();
    expect(screen.getByTestId('the-app')).toBeTruthy();
  });

  it('offers only "Try again" for a newer store, and shows why a retry failed', async () => {
    h.api.StoreState.mockResolvedValue(
      state({ phase: 'failed', problem: 'newer', message: 'This store was written by a newer version of Rapport.' }),
    );
    h.api.RetryOpen.mockRejectedValue(new Error('Rapport is not answering.'));
    render(StoreGate);
    expect((await screen.findByRole('heading')).textContent).toBe('This store is from a newer Rapport');
    expect(screen.queryByTestId('store-afresh')).toBeNull();
    await fireEvent.click(screen.getByTestId('store-retry'));
    expect((await screen.findByTestId('store-action-error')).textContent).toBe('Rapport is not answering.');
    expect(h.api.RetryOpen).toHaveBeenCalledTimes(1);
  });
});
