import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import HomeScreen from './HomeScreen.svelte';
import type { ClientOverview } from '../lib/types';

const now = new Date('2026-11-22T12:00:00Z');
const row = (over: Partial<ClientOverview> & { id: number; name: string }): ClientOverview => ({
  domains: [over.name.toLowerCase().replace(/\W/g, '') + '.com'],
  lastContact: '2026-11-20T12:00:00Z',
  weeklyVolume: [1, 0, 3],
  weeks: ['2026-W45', '2026-W46', '2026-W47'],
  emailIn: 2,
  emailOut: 2,
  myMedianReplyMinutes: 190,
  nextMeeting: null,
  attention: [],
  ...over,
});

const rows = [
  row({ id: 1, name: 'Contoso', weeklyVolume: [10, 10, 10], attention: [{ kind: 'unanswered', label: '13 unanswered', threads: 13 }] }),
  row({
    id: 3,
    name: 'Northwind Traders',
    lastContact: '2026-10-15T12:00:00Z',
    myMedianReplyMinutes: null,
    attention: [
      { kind: 'unanswered', label: '6 unanswered', threads: 6 },
      { kind: 'silent', label: 'silent 38d', silentDays: 38, usualGapDays: 6 },
    ],
  }),
  row({
    id: 2,
    name: 'Fabrikam',
    lastContact: '2026-11-21T12:00:00Z',
    nextMeeting: { at: '2026-11-24T15:00:00Z', end: '2026-11-24T15:45:00Z', allDay: false, title: 'Pilot check-in', itemId: 'e1' },
  }),
];

const names = () => screen.getAllByTestId('overview-row').map((r) => r.querySelector('.name')?.textContent);

beforeEach(() => localStorage.clear());

describe('HomeScreen', () => {
  it('shows every client with its badges, figures and sparkline; most urgent first', () => {
    render(HomeScreen, { rows, now, onopen: () => {} });
    expect(names()).toEqual(['Northwind Traders', 'Contoso', 'Fabrikam']);
    const [north, contoso, fab] = screen.getAllByTestId('overview-row');
    expect([...north.querySelectorAll('[data-testid="attention-badge"]')].map((b) => b.textContent)).toEqual(['silent 38d', '6 unanswered']);
    expect(north.querySelector('[data-kind="silent"]')?.getAttribute('title')).toBe('No contact for 38 days; usually every 6 days.');
    expect(north.querySelector('.c-reply')?.textContent).toBe('—');
    expect(contoso.querySelector('.c-reply')?.textContent).toBe('3 h 10 m');
    expect(contoso.querySelector('.total')?.textContent).toBe('30');
    expect(contoso.querySelector('[role="img"]')?.getAttribute('aria-label')).toContain('30 messages in 3 weeks');
    expect(fab.querySelector('.c-next')?.textContent).toContain('Pilot check-in');
    expect(screen.getByText(/2 need attention/)).toBeTruthy();
  });

  it('sorts by name, last contact or volume, and remembers the choice', async () => {
    render(HomeScreen, { rows, now, onopen: () => {} });
    await fireEvent.change(screen.getByTestId('overview-sort'), { target: { value: 'name' } });
    expect(names()).toEqual(['Contoso', 'Fabrikam', 'Northwind Traders']);
    await fireEvent.change(screen.getByTestId('overview-sort'), { target: { value: 'lastContact' } });
    expect(names()).toEqual(['Fabrikam', 'Contoso', 'Northwind Traders']);
    await fireEvent.change(screen.getByTestId('overview-sort'), { target: { value: 'volume' } });
    expect(names()[0]).toBe('Contoso');
    expect(localStorage.getItem('rapport.overview.sort')).toBe('volume');
  });

  it('filters by name or domain and to the clients needing attention', async () => {
    render(HomeScreen, { rows, now, onopen: () => {} });
    await fireEvent.input(screen.getByTestId('overview-filter'), { target: { value: 'fabrikam.com' } });
    expect(names()).toEqual(['Fabrikam']);
    await fireEvent.input(screen.getByTestId('overview-filter'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('overview-attention-only'));
    expect(names()).toEqual(['Northwind Traders', 'Contoso']);
    await fireEvent.input(screen.getByTestId('overview-filter'), { target: { value: 'zzz' } });
    expect(screen.getByText('No client matches.')).toBeTruthy();
  });

  it('moves with j/k and arrows, opens with Enter or a click', async () => {
    const onopen = vi.fn();
    render(HomeScreen, { rows, now, onopen });
    const r = screen.getAllByTestId('overview-row');
    r[0].focus();
    await fireEvent.keyDown(r[0], { key: 'j' });
    expect(document.activeElement).toBe(r[1]);
    await fireEvent.keyDown(r[1], { key: 'ArrowDown' });
    await fireEvent.keyDown(r[2], { key: 'k' });
    expect(document.activeElement).toBe(r[1]);
    await fireEvent.keyDown(r[1], { key: 'Enter' });
    expect(onopen).toHaveBeenLastCalledWith(1);
    await fireEvent.click(r[2]);
    expect(onopen).toHaveBeenLastCalledWith(2);
  });

  it('renders names as text, and says when it is loading or failed', async () => {
    const onretry = vi.fn();
    const { rerender } = render(HomeScreen, { rows: [row({ id: 9, name: '<img src=x onerror=alert(1)>' })], now, onopen: () => {} });
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    await rerender({ rows: [], loaded: false, error: 'Rapport is not answering.', now, onopen: () => {}, onretry });
    expect(screen.getByRole('alert').textContent).toContain('Rapport is not answering.');
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onretry).toHaveBeenCalled();
  });
});
