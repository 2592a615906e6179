import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import DomainsEditor from './DomainsEditor.svelte';

function backend() {
  return {
    ClientContacts: vi.fn().mockResolvedValue(['jo@gmail.com']),
    AddClientDomain: vi.fn().mockResolvedValue(undefined),
    RemoveClientDomain: vi.fn().mockResolvedValue(undefined),
    AddClientContact: vi.fn().mockResolvedValue(undefined),
    RemoveClientContact: vi.fn().mockResolvedValue(undefined),
    RenameClient: vi.fn().mockResolvedValue(undefined),
    DeleteClient: vi.fn().mockResolvedValue(undefined),
  };
}
const client = { id: 1, name: 'Contoso', domains: ['contoso.com'] };

describe('DomainsEditor', () => {
  it('adds and removes domains and contacts', async () => {
    const b = backend();
    render(DomainsEditor, { client, backend: b });
    await waitFor(() => expect(screen.getAllByTestId('contact-chip')[0].textContent).toContain('jo@gmail.com'));
    await fireEvent.input(screen.getByTestId('domain-input'), { target: { value: ' @Contoso.co.uk ' } });
    await fireEvent.submit(screen.getByTestId('domain-input').closest('form')!);
    await waitFor(() => expect(b.AddClientDomain).toHaveBeenCalledWith(1, 'contoso.co.uk'));
    await waitFor(() => expect(screen.getAllByTestId('domain-chip').map((c) => c.querySelector('span')?.textContent)).toEqual(['contoso.com', 'contoso.co.uk']));
    expect(screen.getByRole('status').textContent).toContain('Added contoso.co.uk');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove the domain contoso.com' }));
    await waitFor(() => expect(b.RemoveClientDomain).toHaveBeenCalledWith(1, 'contoso.com'));
    await waitFor(() => expect(screen.getAllByTestId('domain-chip')).toHaveLength(1));

    b.ClientContacts.mockResolvedValue(['jo@gmail.com', 'ann@fabrikam.com']);
    await fireEvent.input(screen.getByPlaceholderText('name@example.com'), { target: { value: 'ann@fabrikam.com' } });
    await fireEvent.submit(screen.getByPlaceholderText('name@example.com').closest('form')!);
    await waitFor(() => expect(screen.getAllByTestId('contact-chip')).toHaveLength(2));
    expect(b.AddClientContact).toHaveBeenCalledWith(1, 'ann@fabrikam.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove the contact jo@gmail.com' }));
    await waitFor(() => expect(screen.getAllByTestId('contact-chip')).toHaveLength(1));
  });

  it("shows the backend's sentence when a rule is refused", async () => {
    const b = backend();
    b.AddClientDomain.mockRejectedValue(new Error("Adatum.com is your own organisation's domain (me@adatum.com), so it cannot identify a client"));
    render(DomainsEditor, { client, backend: b });
    await fireEvent.input(screen.getByTestId('domain-input'), { target: { value: 'adatum.com' } });
    await fireEvent.submit(screen.getByTestId('domain-input').closest('form')!);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain("own organisation's domain"));
    expect(screen.getAllByTestId('domain-chip')).toHaveLength(1);
  });

  it('renames, and deletes only after the confirmation', async () => {
    const b = backend();
    const ondeleted = vi.fn();
    render(DomainsEditor, { client, backend: b, ondeleted });
    await fireEvent.input(screen.getByTestId('rename-input'), { target: { value: 'Contoso Ltd' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    await waitFor(() => expect(b.RenameClient).toHaveBeenCalledWith(1, 'Contoso Ltd'));
    await fireEvent.click(screen.getByTestId('delete-client'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Delete Contoso?');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(b.DeleteClient).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('delete-client'));
    await fireEvent.click(screen.getByTestId('confirm-button'));
    await waitFor(() => expect(ondeleted).toHaveBeenCalled());
    expect(b.DeleteClient).toHaveBeenCalledWith(1);
  });
});
