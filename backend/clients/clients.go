// Package clients holds the rules that tie activity to clients: which
// domain an address belongs to, which messages are the consultant's own,
// which are internal-only (never stored), and how client names and domains
// are validated. The SQL that applies these rules lives in store.
package clients

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"

	"rapport/backend/model"
)

// GenericDomains are mail providers shared by unrelated people: they never
// identify a client. (Issue 6 makes this list editable.)
var GenericDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"msn.com": true, "yahoo.com": true, "ymail.com": true, "icloud.com": true, "me.com": true, "mac.com": true,
	"aol.com": true, "proton.me": true, "protonmail.com": true, "gmx.com": true, "gmx.de": true, "web.de": true,
	"mail.com": true, "zoho.com": true, "yandex.com": true, "fastmail.com": true, "hey.com": true,
}

// RegistrableDomain reduces a host or an address's domain to the part a
// company registers: mail.contoso.co.uk -> contoso.co.uk.
func RegistrableDomain(host string) string {
	host = strings.Trim(strings.ToLower(strings.TrimSpace(host)), ".")
	if host == "" || net.ParseIP(host) != nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host // a bare suffix or an odd name: keep it as given
	}
	return d
}

// AddressDomain returns the registrable domain of an e-mail address.
func AddressDomain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return RegistrableDomain(addr[at+1:])
}

// Errors shown to users when they add a client.
var (
	ErrEmptyName     = errors.New("a client needs a name")
	ErrBadDomain     = errors.New("not a valid domain")
	ErrGenericDomain = errors.New("is a public mail provider shared by unrelated people, so it cannot identify a client; add the person's own address later instead")
)

// NormalizeClient validates a new client's name and domains and returns the
// domains reduced to registrable domains, de-duplicated.
func NormalizeClient(name string, domains []string) (string, []string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", nil, ErrEmptyName
	}
	if len([]rune(name)) > 200 {
		return "", nil, errors.New("a client name can have at most 200 characters")
	}
	var out []string
	seen := map[string]bool{}
	for _, raw := range domains {
		d, err := NormalizeDomain(raw)
		if err != nil {
			return "", nil, err
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return name, out, nil
}

// NormalizeDomain accepts "contoso.com", "@contoso.com", "https://www.contoso.com/x"
// or "someone@contoso.com" and returns the registrable domain.
func NormalizeDomain(raw string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(raw))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	if i := strings.LastIndexByte(d, '@'); i >= 0 {
		d = d[i+1:]
	}
	d = strings.Trim(d, ".")
	if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " \t,;:'\"<>()[]{}\\") {
		return "", fmt.Errorf("%q is %w (expected something like contoso.com)", raw, ErrBadDomain)
	}
	if _, err := publicsuffix.EffectiveTLDPlusOne(d); err != nil {
		return "", fmt.Errorf("%q is %w: it is a public suffix, not a company's domain", raw, ErrBadDomain)
	}
	r := RegistrableDomain(d)
	if GenericDomains[r] {
		return "", fmt.Errorf("%s %w", r, ErrGenericDomain)
	}
	return r, nil
}

// Mailbox describes whose mail is being classified: the account's own
// addresses and the domains of its organisation.
type Mailbox struct {
	Addresses  map[string]bool // lower-cased
	OwnDomains map[string]bool // registrable domains of the tenant
}

// MailboxFor builds the classification context of an account from its UPN
// and primary address (tenant verified domains come with a later issue).
func MailboxFor(a model.Account) Mailbox {
	mb := Mailbox{Addresses: map[string]bool{}, OwnDomains: map[string]bool{}}
	for _, addr := range []string{a.UPN, a.Mail} {
		addr = strings.ToLower(strings.TrimSpace(addr))
		if addr == "" {
			continue
		}
		mb.Addresses[addr] = true
		if d := AddressDomain(addr); d != "" && !GenericDomains[d] && !strings.HasSuffix(d, "onmicrosoft.com") {
			mb.OwnDomains[d] = true
		}
	}
	return mb
}

// Classify turns a Graph message into a record to store, or reports
// keep=false for mail that is nobody's client activity: threads whose every
// participant is on the account's own domains stay off the disk.
func (mb Mailbox) Classify(m model.Message) (rec model.MailRecord, keep bool) {
	rec.Message = m
	add := func(role string, r model.Recipient) {
		addr := strings.ToLower(strings.TrimSpace(r.Address))
		if addr == "" {
			return
		}
		rec.Participants = append(rec.Participants, model.Participant{Role: role, Name: strings.TrimSpace(r.Name), Address: addr, Domain: AddressDomain(addr)})
	}
	add(model.RoleFrom, m.From)
	for _, r := range m.To {
		add(model.RoleTo, r)
	}
	for _, r := range m.Cc {
		add(model.RoleCc, r)
	}
	for _, r := range m.Bcc {
		add(model.RoleBcc, r)
	}
	rec.Direction = model.DirectionIn
	if mb.Addresses[strings.ToLower(strings.TrimSpace(m.From.Address))] {
		rec.Direction = model.DirectionOut
	}
	if len(rec.Participants) == 0 {
		return rec, true // nothing to judge by; keep it rather than lose it
	}
	for _, p := range rec.Participants {
		if !mb.OwnDomains[p.Domain] {
			return rec, true
		}
	}
	return rec, false
}

// ClassifyEvent turns a Graph event into a record to store, or reports
// keep=false for a meeting that is nobody's client activity: every
// participant (organizer and attendees) on the account's own domains, which
// includes appointments with nobody invited.
func (mb Mailbox) ClassifyEvent(ev model.Event) (rec model.EventRecord, keep bool) {
	rec.Event = ev
	seen := map[string]bool{}
	add := func(role string, r model.Recipient) {
		addr := strings.ToLower(strings.TrimSpace(r.Address))
		if addr == "" || seen[addr] {
			return
		}
		seen[addr] = true
		rec.Participants = append(rec.Participants, model.Participant{Role: role, Name: strings.TrimSpace(r.Name), Address: addr, Domain: AddressDomain(addr)})
	}
	add(model.RoleOrganizer, ev.Organizer)
	for _, a := range ev.Attendees {
		role := strings.ToLower(a.Type)
		switch role {
		case model.RoleRequired, model.RoleOptional, model.RoleResource:
		default:
			role = model.RoleRequired
		}
		add(role, a.Email)
	}
	for _, p := range rec.Participants {
		if !mb.OwnDomains[p.Domain] && !mb.Addresses[p.Address] {
			return rec, true
		}
	}
	// No participants at all (an event Graph gave no organizer) is kept only
	// if the mailbox has no own domain to judge by.
	return rec, len(rec.Participants) == 0 && len(mb.OwnDomains) == 0
}
