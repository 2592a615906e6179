import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import HelpDialog from './HelpDialog.svelte';

const info = { name: 'Rapport', version: 'v0.4.0-3-gabc1234', platform: 'linux/amd64', dataDir: '/home/avery/.config/Rapport', demo: false };

describe('HelpDialog', () => {
  it('lists the shortcuts and names the build and its data folder', async () => {
    const About = vi.fn(async () => info);
    render(HelpDialog, { backend: { About }, onclose: () => {} });
    const dialog = screen.getByTestId('help-dialog');
    expect(dialog.textContent).toContain('Sync now');
    expect(dialog.textContent).toContain('g then f');
    await waitFor(() => expect(screen.getByTestId('about-version').textContent).toBe('v0.4.0-3-gabc1234'));
    expect(screen.getByTestId('about-data-dir').textContent).toBe('/home/avery/.config/Rapport');
    expect(dialog.textContent).toContain('Delete the folder');
    expect(document.activeElement).toBe(screen.getByTestId('help-close'));
  });

  it('says the demo keeps its own folder', async () => {
    render(HelpDialog, { backend: { About: async () => ({ ...info, demo: true, dataDir: '/tmp/r/demo' }) }, onclose: () => {} });
    await waitFor(() => expect(screen.getByTestId('about').textContent).toContain('/tmp/r/demo'));
    expect(screen.getByTestId('help-dialog').textContent).toContain('built-in demo tenant');
  });

  it('shows a failed About as a sentence and still closes with Esc', async () => {
    const onclose = vi.fn();
    render(HelpDialog, { backend: { About: async () => Promise.reject(new Error('Rapport is not running.')) }, onclose });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Rapport is not running.'));
    expect((screen.getByTestId('about-copy') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(screen.getByTestId('help-dialog'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });
});
