import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SearchDialog from './SearchDialog.svelte';
import type { SearchHit } from './types';

const hit = (over: Partial<SearchHit>): SearchHit => ({
  kind: 'mail',
  title: 'Invoice INV-2032',
  at: '2026-11-20T10:00:00Z',
  counterpart: 'Alex Wilber',
  clientIds: [1],
  clientNames: ['Contoso'],
  itemId: 'm1',
  direction: 'in',
  ...over,
});

describe('SearchDialog', () => {
  it('searches after a pause, lists kind, title and clients, and opens with Enter', async () => {
    const Search = vi.fn(async () => [hit({}), hit({ kind: 'file', title: 'Invoice 2042.pdf', itemId: 'f1', clientIds: [], clientNames: [], direction: '' })]);
    const onopen = vi.fn();
    render(SearchDialog, { backend: { Search }, onopen, onclose: () => {}, delay: 5 });
    const input = screen.getByTestId('search-input');
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: 'Invoice' } });
    await waitFor(() => expect(screen.getAllByTestId('search-result')).toHaveLength(2));
    expect(Search).toHaveBeenCalledTimes(1);
    expect(Search).toHaveBeenCalledWith('Invoice', 30);
    const [mail, file] = screen.getAllByTestId('search-result');
    expect(mail.dataset.kind).toBe('mail');
    expect(mail.textContent).toContain('from Alex Wilber');
    expect(mail.querySelector('[data-testid="search-clients"]')?.textContent).toContain('Contoso');
    expect(file.textContent).toContain('no client');
    expect(file.getAttribute('aria-disabled')).toBe('true');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(file.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onopen).not.toHaveBeenCalled(); // no client, no https link: nothing to open
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ itemId: 'm1' }));
  });

  it('searches at once on Enter when typed faster than the pause, and drops stale answers', async () => {
    let resolveFirst: (v: SearchHit[]) => void = () => {};
    const Search = vi
      .fn()
      .mockImplementationOnce(() => new Promise<SearchHit[]>((r) => (resolveFirst = r)))
      .mockImplementation(async (q: string) => [hit({ title: 'Result for ' + q })]);
    const onopen = vi.fn();
    render(SearchDialog, { backend: { Search }, onopen, onclose: () => {}, delay: 1000 });
    const input = screen.getByTestId('search-input');
    await fireEvent.input(input, { target: { value: 'Inv' } });
    await fireEvent.keyDown(input, { key: 'Enter' }); // first, slow search
    await fireEvent.input(input, { target: { value: 'Invoice' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ title: 'Result for Invoice' })));
    resolveFirst([hit({ title: 'Stale' })]);
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByText('Stale')).toBeNull();
  });

  it('shows nothing found, an error sentence, and closes with Esc', async () => {
    const Search = vi.fn().mockResolvedValueOnce([]).mockRejectedValueOnce(new Error('The search index is being rebuilt.'));
    const onclose = vi.fn();
    render(SearchDialog, { backend: { Search }, onopen: () => {}, onclose, delay: 1 });
    const input = screen.getByTestId('search-input');
    await fireEvent.input(input, { target: { value: 'zzz' } });
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Nothing found for “zzz”.'));
    await fireEvent.input(input, { target: { value: 'zzzz' } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The search index is being rebuilt.'));
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });

  it('renders titles and names as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const Search = vi.fn(async () => [hit({ title: evil, counterpart: '<b>Mallory</b>', clientNames: ['<i>C</i>'] })]);
    render(SearchDialog, { backend: { Search }, onopen: () => {}, onclose: () => {}, delay: 1 });
    await fireEvent.input(screen.getByTestId('search-input'), { target: { value: 'x' } });
    await waitFor(() => screen.getByTestId('search-result'));
    expect(document.querySelector('.results img, .results b, .results i')).toBeNull();
    expect(screen.getByTestId('search-result').textContent).toContain(evil);
  });
});
