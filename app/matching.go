package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"rapport/backend/clients"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// The client page's rule editing (domains, contacts, one item by hand), the
// never-matched list, the "which client?" prompt and the suggestions
// inbox. Every change re-links only the items it concerns, in one
// transaction, then tells the UI through data:changed which clients moved.

// changed emits data:changed for the clients a rule change touched.
func (a *App) changed(ids []int64) {
	if ids == nil {
		ids = []int64{}
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{"clients"}, ClientIDs: ids})
}

func needClient(clientID int64) error {
	if clientID <= 0 {
		return errors.New("no client selected")
	}
	return nil
}

// ownDomains are the registrable domains of every signed-in account's
// organisation: never a client's, always excluded.
func (a *App) ownDomains() (map[string]string, error) {
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return nil, err
	}
	own := map[string]string{}
	for _, acct := range accts {
		for d := range clients.MailboxFor(acct).OwnDomains {
			own[d] = acct.UPN
		}
	}
	return own, nil
}

// syncTenantExclusions keeps the never-matched list's 'tenant' entries equal
// to the accounts' own domains.
func (a *App) syncTenantExclusions() error {
	own, err := a.ownDomains()
	if err != nil {
		return err
	}
	ds := make([]string, 0, len(own))
	for d := range own {
		ds = append(ds, d)
	}
	ids, err := a.st().SetTenantDomains(a.ctx, ds)
	if len(ids) > 0 {
		a.changed(ids)
	}
	return err
}

// clientDomain validates a domain for a client: registrable, not a public
// mail provider, not the user's own organisation.
func (a *App) clientDomain(raw string) (string, error) {
	d, err := clients.NormalizeDomain(raw)
	if err != nil {
		return "", err
	}
	own, err := a.ownDomains()
	if err != nil {
		return "", err
	}
	if upn, ok := own[d]; ok {
		return "", fmt.Errorf("%s is your own organisation's domain (%s), so it cannot identify a client", d, upn)
	}
	return d, nil
}

// AddClientDomain adds a mail domain to a client ("mail.contoso.co.uk" is
// stored as contoso.co.uk) and links its existing activity. A domain
// another client already has becomes contested: it links neither until
// ResolveDomain.
func (a *App) AddClientDomain(clientID int64, domain string) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	d, err := a.clientDomain(domain)
	if err != nil {
		return err
	}
	if err := a.syncTenantExclusions(); err != nil {
		return err
	}
	ids, err := a.st().AddClientDomain(a.ctx, clientID, d)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// RemoveClientDomain takes a domain from a client; its mail and meetings
// leave the client's timeline (unless a contact or a manual link keeps them).
func (a *App) RemoveClientDomain(clientID int64, domain string) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	d := clients.RegistrableDomain(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	ids, err := a.st().RemoveClientDomain(a.ctx, clientID, d)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// ClientContacts lists a client's explicit contacts (addresses).
func (a *App) ClientContacts(clientID int64) ([]string, error) {
	if err := needClient(clientID); err != nil {
		return nil, err
	}
	return a.st().ClientContacts(a.ctx, clientID)
}

// AddClientContact says an address belongs to a client, whatever its
// domain says (a person on gmail.com, one unit of a group whose domain two
// clients share). It outranks the domain rule.
func (a *App) AddClientContact(clientID int64, address string) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	addr, err := clients.NormalizeAddress(address)
	if err != nil {
		return err
	}
	own, err := a.ownDomains()
	if err != nil {
		return err
	}
	if _, ok := own[clients.AddressDomain(addr)]; ok {
		return fmt.Errorf("%s is in your own organisation, so it cannot be a client's contact", addr)
	}
	ids, err := a.st().AddClientContact(a.ctx, clientID, addr)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// RemoveClientContact removes an explicit contact.
func (a *App) RemoveClientContact(clientID int64, address string) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	addr := strings.ToLower(strings.TrimSpace(address))
	ids, err := a.st().RemoveClientContact(a.ctx, clientID, addr)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// LinkItem puts one item (kind mail, meeting or file; its itemId as the
// timeline gives it) on a client's timeline, whatever the rules say.
func (a *App) LinkItem(kind, itemID string, clientID int64) error {
	return a.setItemLink(kind, itemID, clientID, true)
}

// UnlinkItem takes one item off a client's timeline, whatever the rules say.
func (a *App) UnlinkItem(kind, itemID string, clientID int64) error {
	return a.setItemLink(kind, itemID, clientID, false)
}

// ClearItemLink forgets a LinkItem/UnlinkItem decision: the rules decide again.
func (a *App) ClearItemLink(kind, itemID string, clientID int64) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	ids, err := a.st().ClearManualLink(a.ctx, strings.ToLower(kind), itemID, clientID)
	if err != nil {
		return itemError(err)
	}
	a.changed(ids)
	return nil
}

func (a *App) setItemLink(kind, itemID string, clientID int64, linked bool) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	if strings.TrimSpace(itemID) == "" {
		return errors.New("no item selected")
	}
	ids, err := a.st().SetManualLink(a.ctx, strings.ToLower(kind), itemID, clientID, linked)
	if err != nil {
		return itemError(err)
	}
	a.changed(ids)
	return nil
}

func itemError(err error) error {
	if errors.Is(err, store.ErrNoSuchItem) {
		return errors.New("that item is no longer stored; refresh the timeline")
	}
	return err
}

// RenameClient renames a client.
func (a *App) RenameClient(clientID int64, name string) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	name, _, err := clients.NormalizeClient(name, nil)
	if err != nil {
		return err
	}
	if err := a.st().RenameClient(a.ctx, clientID, name); err != nil {
		return err
	}
	a.changed([]int64{clientID})
	return nil
}

// DeleteClient deletes a client with its domains, contacts and links; the
// mail, meetings and files themselves stay (and may link to other clients).
func (a *App) DeleteClient(clientID int64) error {
	if err := needClient(clientID); err != nil {
		return err
	}
	ids, err := a.st().DeleteClient(a.ctx, clientID)
	if err != nil {
		return err
	}
	a.changed(append(ids, clientID))
	return nil
}

// Ambiguities lists the domains several clients claim (their activity links
// to none of them), with how many messages and meetings wait on the answer.
func (a *App) Ambiguities() ([]store.Ambiguity, error) {
	return a.st().Ambiguities(a.ctx)
}

// ResolveDomain answers the "which client?" prompt: the domain stays with
// clientID only. clientID 0 keeps it contested (linking nobody; use
// contacts or LinkItem instead) and stops asking.
func (a *App) ResolveDomain(domain string, clientID int64) error {
	if clientID < 0 {
		return errors.New("no client selected")
	}
	d := clients.RegistrableDomain(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	ids, err := a.st().ResolveDomain(a.ctx, d, clientID)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// Exclusions is the never-matched list: public mail providers (shipped,
// editable), the accounts' own domains (source tenant, not removable),
// colleagues and automated senders.
func (a *App) Exclusions() ([]store.Exclusion, error) {
	if err := a.syncTenantExclusions(); err != nil {
		return nil, err
	}
	return a.st().Exclusions(a.ctx)
}

// AddExclusion adds to the never-matched list: kind domain ("partner.com"),
// address (a colleague "jo@partner.com") or local (an automated sender's
// "noreply"); kind "" guesses from the value.
func (a *App) AddExclusion(kind, value string) error {
	k, v, err := clients.NormalizeExclusion(strings.ToLower(strings.TrimSpace(kind)), value)
	if err != nil {
		return err
	}
	ids, err := a.st().AddExclusion(a.ctx, k, v, store.SourceUser)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// RemoveExclusion removes an entry from the never-matched list.
func (a *App) RemoveExclusion(kind, value string) error {
	k, v, err := clients.NormalizeExclusion(strings.ToLower(strings.TrimSpace(kind)), value)
	if err != nil {
		return err
	}
	ids, err := a.st().RemoveExclusion(a.ctx, k, v)
	if err != nil {
		return err
	}
	a.changed(ids)
	return nil
}

// Suggestions lists external domains with two-way contact that no client
// claims, best first (volume, halved per 30 days since the last contact),
// with a proposed name. Dismissed ones never come back.
func (a *App) Suggestions() ([]clients.Suggestion, error) {
	if err := a.syncTenantExclusions(); err != nil {
		return nil, err
	}
	now := time.Now()
	acts, err := a.st().UnclaimedDomains(a.ctx, clients.RoleLocalParts, now)
	if err != nil {
		return nil, err
	}
	own, err := a.ownDomains()
	if err != nil {
		return nil, err
	}
	cands := make([]clients.Candidate, 0, len(acts))
	for _, x := range acts {
		if _, mine := own[x.Domain]; mine {
			continue
		}
		cands = append(cands, clients.Candidate{Domain: x.Domain, Messages: x.Messages, Sent: x.Sent, Received: x.Received,
			Replied: x.Replied, Meetings: x.Meetings, Organized: x.Organized, LastContact: x.LastContact})
	}
	return clients.Suggest(cands, now), nil
}

// AcceptSuggestion creates a client with the suggested domain (name "" uses
// the proposed name).
func (a *App) AcceptSuggestion(domain, name string) (model.Client, error) {
	d, err := a.clientDomain(domain)
	if err != nil {
		return model.Client{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = clients.ProposedName(d)
	}
	return a.AddClient(name, []string{d})
}

// MergeSuggestion adds the suggested domain to an existing client.
func (a *App) MergeSuggestion(domain string, clientID int64) error {
	return a.AddClientDomain(clientID, domain)
}

// DismissSuggestion stops suggesting a domain (remembered).
func (a *App) DismissSuggestion(domain string) error {
	d := clients.RegistrableDomain(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	if d == "" {
		return errors.New("no domain given")
	}
	if err := a.st().DismissSuggestion(a.ctx, d); err != nil {
		return err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{"suggestions"}, ClientIDs: []int64{}})
	return nil
}
