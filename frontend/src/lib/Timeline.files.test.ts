// File rows of the timeline (issue 5): 📄, what happened, the file's name,
// its folder, who — all as text.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Timeline from './Timeline.svelte';
import type { TimelineItem } from './types';
import { fileItem } from './folders.testdata';

const now = new Date(2026, 10, 20, 16, 0);
const at = (h: number, m: number) => new Date(2026, 10, 20, h, m).toISOString();

describe('Timeline file rows', () => {
  it('show the action, the file name, its folder and who, mixed with mail', () => {
    const items: TimelineItem[] = [
      { kind: 'mail', direction: 'in', at: at(14, 2), counterpart: 'Alice Moreau', title: 'Q3 plan', itemId: 'm1' },
      fileItem({ at: at(11, 40), itemId: '19', title: 'SOW.pdf', path: 'Clients/Contoso/SOW.pdf', counterpart: 'Alice Moreau' }),
    ];
    render(Timeline, { items, now, onopenlink: () => {} });
    const rows = screen.getAllByTestId('timeline-row');
    expect(rows.map((r) => r.dataset.kind)).toEqual(['mail', 'file']);
    const file = rows[1];
    expect(file.querySelector('[data-testid="file-action"]')?.textContent).toBe('edited');
    expect(file.querySelector('.file-name')?.textContent).toBe('SOW.pdf');
    expect(file.querySelector('.file-path')?.textContent).toBe('(Clients/Contoso)');
    expect(file.querySelector('.file-actor')?.textContent).toBe('by Alice Moreau');
    expect(file.querySelector('.icon')).toBeTruthy();
    expect(file.querySelector('button')?.getAttribute('aria-label')).toMatch(/^File edited by Alice Moreau: SOW\.pdf in Clients\/Contoso, /);
  });

  it('knows every action; a deleted file is struck through; an unknown action reads "changed"', () => {
    const actions = ['created', 'edited', 'renamed', 'moved', 'deleted', 'mystery'];
    const items = actions.map((a, i) => fileItem({ action: a, itemId: 'f' + i, at: at(15, 50 - i) }));
    render(Timeline, { items, now, onopenlink: () => {} });
    const words = screen.getAllByTestId('file-action').map((b) => b.textContent);
    expect(words).toEqual(['created', 'edited', 'renamed', 'moved', 'deleted', 'changed']);
    const deleted = screen.getAllByTestId('timeline-row')[4];
    expect(deleted.querySelector('.file-name')?.classList.contains('deleted')).toBe(true);
  });

  it('a file at the drive root has no folder; without a title the path names it', () => {
    render(Timeline, { items: [fileItem({ title: '', path: 'Budget.xlsx', counterpart: '' })], now, onopenlink: () => {} });
    const row = screen.getByTestId('timeline-row');
    expect(row.querySelector('.file-name')?.textContent).toBe('Budget.xlsx');
    expect(row.querySelector('.file-path')).toBeNull();
    expect(row.querySelector('.file-actor')).toBeNull();
  });

  it('opens the file on the web (https only)', async () => {
    const onopenlink = vi.fn();
    render(Timeline, {
      items: [fileItem({ itemId: 'a' }), fileItem({ itemId: 'b', at: at(9, 0), webLink: 'javascript:alert(1)' })],
      now,
      onopenlink,
    });
    const rows = screen.getAllByTestId('timeline-row');
    await fireEvent.click(rows[0].querySelector('button')!);
    expect(onopenlink).toHaveBeenCalledWith('https://adatum-my.sharepoint.com/SOW.pdf');
    expect(rows[1].querySelector('button')).toBeNull();
  });

  it('renders hostile file names, paths and actors as text', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const { container } = render(Timeline, {
      items: [fileItem({ title: evil, path: '<b>dir</b>/' + evil, counterpart: '<i>Mallory</i>' })],
      now,
      onopenlink: () => {},
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('i')).toBeNull();
    const row = screen.getByTestId('timeline-row');
    expect(row.querySelector('.file-name')?.textContent).toBe(evil);
    expect(row.querySelector('.file-path')?.textContent).toBe('(<b>dir</b>)');
    expect(row.textContent).toContain('by <i>Mallory</i>');
  });
});
