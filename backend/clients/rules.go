package clients

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// AutomatedLocalParts are the parts before the @ of senders that are
// machines, not people (shipped as exclusions of kind 'local' by store
// migration 004; the user can edit that list). Such a participant is never
// matched by its domain and never makes a suggestion.
var AutomatedLocalParts = []string{
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
	"notifications", "notification", "notify", "mailer-daemon", "postmaster",
	"bounce", "bounces", "auto-reply", "autoreply",
}

// RoleLocalParts are shared mailboxes of an organisation (info@, sales@…).
// Mail with them is still client activity when their domain is a client's,
// but they are not a person: they never count as two-way contact for a
// suggestion (a newsletter or a sales pitch answered once is not a client).
var RoleLocalParts = []string{
	"info", "sales", "support", "hello", "contact", "admin", "office", "billing", "invoice", "invoices",
	"accounts", "newsletter", "newsletters", "news", "marketing", "team", "help", "helpdesk", "service",
	"services", "enquiries", "inquiries", "feedback", "careers", "jobs", "hr", "press", "events",
	"webmaster", "security", "abuse", "orders", "reply", "replies", "digest", "alerts", "updates",
	"mailer", "community", "receipts", "deals", "offers", "promo",
}

// LocalPart is the part of an address before its last @.
func LocalPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// Errors shown to users when they edit contacts and exclusions.
var (
	ErrBadAddress   = errors.New("not a valid e-mail address")
	ErrBadExclusion = errors.New("not something Rapport can exclude")
)

// NormalizeAddress accepts "alice@contoso.com", "Alice <Alice@Contoso.com>"
// or "mailto:alice@contoso.com" and returns the lower-cased address as
// participants store it.
func NormalizeAddress(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t,;<>()[]\\\"") || !strings.Contains(s[at+1:], ".") {
		return "", fmt.Errorf("%q is %w (expected something like alice@contoso.com)", raw, ErrBadAddress)
	}
	return s, nil
}

// Exclusion kinds (store.Exclude*).
const (
	ExcludeDomain  = "domain"
	ExcludeAddress = "address"
	ExcludeLocal   = "local"
)

// NormalizeExclusion validates an entry for the never-matched list. kind ""
// guesses from the value: "@contoso.com" or "contoso.com" is a domain,
// "jo@partner.com" an address, "noreply@" (or a bare word) a local part.
func NormalizeExclusion(kind, raw string) (string, string, error) {
	v := strings.ToLower(strings.TrimSpace(raw))
	if kind == "" {
		switch at := strings.LastIndexByte(v, '@'); {
		case at == 0:
			kind = ExcludeDomain
		case at > 0 && at == len(v)-1:
			kind = ExcludeLocal
		case at > 0:
			kind = ExcludeAddress
		case strings.Contains(v, "."):
			kind = ExcludeDomain
		default:
			kind = ExcludeLocal
		}
	}
	switch kind {
	case ExcludeDomain:
		d := strings.TrimPrefix(v, "@")
		d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
		if i := strings.IndexAny(d, "/?#"); i >= 0 {
			d = d[:i]
		}
		d = strings.Trim(d, ".")
		if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " \t,;:'\"<>()[]{}\\@") {
			return "", "", fmt.Errorf("%q is %w (expected a domain such as partner.com)", raw, ErrBadDomain)
		}
		if _, err := publicsuffix.EffectiveTLDPlusOne(d); err != nil {
			return "", "", fmt.Errorf("%q is %w: it is a public suffix", raw, ErrBadDomain)
		}
		return kind, RegistrableDomain(d), nil
	case ExcludeAddress:
		a, err := NormalizeAddress(v)
		return kind, a, err
	case ExcludeLocal:
		l := strings.TrimSuffix(v, "@")
		if l == "" || strings.ContainsAny(l, "@ \t,;<>()[]\\\"") {
			return "", "", fmt.Errorf("%q is %w (expected the part before @, such as noreply)", raw, ErrBadExclusion)
		}
		return kind, l, nil
	}
	return "", "", fmt.Errorf("kind %q is %w: use domain, address or local", kind, ErrBadExclusion)
}

// corporateWords end a company's domain label often enough to split it
// off: "tailspintoys" is "Tailspin Toys", "litwareinc" is "Litware Inc".
var corporateWords = []string{
	"international", "technologies", "consulting", "industries", "solutions", "logistics", "insurance",
	"healthcare", "partners", "software", "ventures", "holdings", "capital", "systems", "networks",
	"traders", "trading", "digital", "airlines", "pharma", "studios", "foods", "motors", "energy",
	"health", "group", "media", "works", "labs", "bank", "tech", "toys", "corp", "gmbh", "inc",
	"llc", "ltd", "plc",
}

// upperWords are shown in capitals.
var upperWords = map[string]bool{"llc": true, "plc": true, "gmbh": false, "ag": true, "sa": true, "bv": true, "nv": true}

// ProposedName derives a client name from a registrable domain:
// "adventure-works.com" → "Adventure Works", "litwareinc.com" → "Litware
// Inc", "northwindtraders.com" → "Northwind Traders", "contoso.co.uk" →
// "Contoso". A heuristic: the user edits it before accepting.
func ProposedName(domain string) string {
	label := domain
	if suffix, _ := publicsuffix.PublicSuffix(domain); suffix != "" && strings.HasSuffix(domain, "."+suffix) {
		label = strings.TrimSuffix(domain, "."+suffix)
	}
	if i := strings.LastIndexByte(label, '.'); i >= 0 {
		label = label[i+1:]
	}
	words := strings.FieldsFunc(label, func(r rune) bool { return r == '-' || r == '_' })
	if len(words) == 1 {
		w := words[0]
		for _, cw := range corporateWords {
			if len(w) > len(cw)+2 && strings.HasSuffix(w, cw) {
				words = []string{w[:len(w)-len(cw)], cw}
				break
			}
		}
	}
	for i, w := range words {
		switch {
		case upperWords[w]:
			words[i] = strings.ToUpper(w)
		case w == "gmbh":
			words[i] = "GmbH"
		case w != "":
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			words[i] = string(r)
		}
	}
	if name := strings.Join(words, " "); strings.TrimSpace(name) != "" {
		return name
	}
	return domain
}

// Candidate is an external domain's activity as the store counts it:
// every figure over messages and meetings with a person (not a role
// mailbox, not an automated sender, not excluded) at the domain.
type Candidate struct {
	Domain      string
	Messages    int // distinct messages with such a person
	Sent        int // of which the user sent (to them)
	Received    int // of which they sent
	Replied     int // their messages the user answered in the same thread
	Meetings    int // non-cancelled meetings with such a person
	Organized   int // of which the user organised
	LastContact time.Time
}

// TwoWay says whether the domain shows two-way contact: the user wrote to
// them, answered them in their thread, or invited them to a meeting. A
// cold inbound nobody answered is not two-way.
func (c Candidate) TwoWay() bool { return c.Sent > 0 || c.Replied > 0 || c.Organized > 0 }

// Score ranks suggestions by volume and recency: (messages + meetings)
// halved for every 30 days since the last contact.
func (c Candidate) Score(now time.Time) float64 {
	days := now.Sub(c.LastContact).Hours() / 24
	if days < 0 {
		days = 0
	}
	return float64(c.Messages+c.Meetings) * math.Pow(0.5, days/30)
}

// RankCandidates keeps the two-way candidates that could be a client's
// domain and orders them best first (score, then domain).
func RankCandidates(cs []Candidate, now time.Time) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if !c.TwoWay() || GenericDomains[c.Domain] {
			continue
		}
		if _, err := NormalizeDomain(c.Domain); err != nil {
			continue
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := out[i].Score(now), out[j].Score(now)
		if si != sj {
			return si > sj
		}
		return out[i].Domain < out[j].Domain
	})
	return out
}

// Suggestion is a proposed new client: an external domain with two-way
// contact that no client claims. JSON names are a contract with the UI and
// `rapport suggestions --json`.
type Suggestion struct {
	Domain       string    `json:"domain"`
	ProposedName string    `json:"proposedName"`
	Messages     int       `json:"messages"`
	Meetings     int       `json:"meetings"`
	Sent         int       `json:"sent"`
	Received     int       `json:"received"`
	LastContact  time.Time `json:"lastContact"`
	Score        float64   `json:"score"`
}

// Suggest ranks candidates into suggestions, best first.
func Suggest(cs []Candidate, now time.Time) []Suggestion {
	out := []Suggestion{}
	for _, c := range RankCandidates(cs, now) {
		out = append(out, Suggestion{Domain: c.Domain, ProposedName: ProposedName(c.Domain), Messages: c.Messages, Meetings: c.Meetings,
			Sent: c.Sent, Received: c.Received, LastContact: c.LastContact.UTC(), Score: math.Round(c.Score(now)*100) / 100})
	}
	return out
}
