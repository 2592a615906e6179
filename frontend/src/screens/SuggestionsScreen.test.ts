import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SuggestionsScreen from './SuggestionsScreen.svelte';
import type { Ambiguity, Suggestion } from '../lib/types';

const now = new Date('2026-11-22T12:00:00Z');
const suggestions: Suggestion[] = [
  { domain: 'litwareinc.com', proposedName: 'Litware Inc', messages: 10, meetings: 1, sent: 5, received: 5, lastContact: '2026-10-19T14:43:28Z', score: 5 },
  { domain: 'proseware.com', proposedName: 'Proseware', messages: 4, meetings: 0, sent: 2, received: 2, lastContact: '2026-11-01T10:00:00Z', score: 2 },
];
const ambiguities: Ambiguity[] = [{ domain: 'shared.com', clientIds: [1, 2], clientNames: ['Contoso', 'Fabrikam'], messages: 4, meetings: 1 }];
const clients = [
  { id: 1, name: 'Contoso' },
  { id: 2, name: 'Fabrikam' },
];

function backend() {
  return {
    AcceptSuggestion: vi.fn(async (domain: string, name: string) => ({ id: 7, name, domains: [domain] })),
    MergeSuggestion: vi.fn().mockResolvedValue(undefined),
    DismissSuggestion: vi.fn().mockResolvedValue(undefined),
    ResolveDomain: vi.fn().mockResolvedValue(undefined),
  };
}

describe('SuggestionsScreen', () => {
  it('lists the questions first, then the suggestions with their figures', () => {
    render(SuggestionsScreen, { suggestions, ambiguities, clients, now, backend: backend() });
    expect(screen.getByTestId('ambiguity').textContent).toContain('is claimed by Contoso and Fabrikam: 4 messages and 1 meeting');
    const cards = screen.getAllByTestId('suggestion');
    expect(cards).toHaveLength(2);
    expect(cards[0].textContent).toContain('10 messages (5 sent, 5 received), 1 meeting');
    expect((cards[0].querySelector('input') as HTMLInputElement).value).toBe('Litware Inc');
  });

  it('accepts with an edited name, then hides the card', async () => {
    const b = backend();
    const onchanged = vi.fn();
    render(SuggestionsScreen, { suggestions, ambiguities: [], clients, now, backend: b, onchanged });
    const input = screen.getAllByTestId('suggestion-name')[0];
    await fireEvent.input(input, { target: { value: 'Litware' } });
    await fireEvent.click(screen.getAllByTestId('suggestion-accept')[0]);
    await waitFor(() => expect(screen.getAllByTestId('suggestion')).toHaveLength(1));
    expect(b.AcceptSuggestion).toHaveBeenCalledWith('litwareinc.com', 'Litware');
    expect(onchanged).toHaveBeenCalled();
    expect(screen.getByRole('status').textContent).toBe('Added Litware with litwareinc.com.');
  });

  it('merges into an existing client, dismisses, and answers "which client?"', async () => {
    const b = backend();
    render(SuggestionsScreen, { suggestions, ambiguities, clients, now, backend: b });
    const select = screen.getByLabelText('Merge litwareinc.com into');
    await fireEvent.change(select, { target: { value: '2' } });
    await fireEvent.click(screen.getAllByTestId('suggestion-merge')[0]);
    await waitFor(() => expect(b.MergeSuggestion).toHaveBeenCalledWith('litwareinc.com', 2));
    await fireEvent.click(screen.getAllByTestId('suggestion-dismiss')[0]);
    await waitFor(() => expect(b.DismissSuggestion).toHaveBeenCalledWith('proseware.com'));
    await fireEvent.click(screen.getByRole('button', { name: 'Fabrikam' }));
    await waitFor(() => expect(b.ResolveDomain).toHaveBeenCalledWith('shared.com', 2));
    await waitFor(() => expect(screen.getByTestId('suggestions-empty')).toBeTruthy());
  });

  it('keeps a card and shows the sentence when the backend refuses', async () => {
    const b = backend();
    b.AcceptSuggestion.mockRejectedValue(new Error('A client named Litware Inc already exists.'));
    render(SuggestionsScreen, { suggestions: [suggestions[0]], ambiguities: [], clients, now, backend: b });
    await fireEvent.click(screen.getByTestId('suggestion-accept'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('A client named Litware Inc already exists.'));
    expect(screen.getAllByTestId('suggestion')).toHaveLength(1);
  });
});
