package clients

import (
	"errors"
	"testing"
	"time"
)

func TestProposedName(t *testing.T) {
	for in, want := range map[string]string{
		"litwareinc.com":         "Litware Inc",
		"adventure-works.com":    "Adventure Works",
		"northwindtraders.com":   "Northwind Traders",
		"tailspintoys.com":       "Tailspin Toys",
		"woodgrovebank.com":      "Woodgrove Bank",
		"contoso.co.uk":          "Contoso",
		"fabrikam.com":           "Fabrikam",
		"acmegmbh.de":            "Acme GmbH",
		"bigcorpllc.com":         "Bigcorp LLC",
		"ing.com":                "Ing", // too short to split "inc"/"ing" off
		"école-polytechnique.fr": "École Polytechnique",
	} {
		if got := ProposedName(in); got != want {
			t.Errorf("ProposedName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"Alice@Contoso.com":                  "alice@contoso.com",
		" Alice Moreau <Alice@Contoso.com> ": "alice@contoso.com",
		"mailto:bob@fabrikam.com":            "bob@fabrikam.com",
	} {
		if got, err := NormalizeAddress(in); err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "alice", "@contoso.com", "alice@", "alice@contoso", "a b@c.com"} {
		if _, err := NormalizeAddress(bad); !errors.Is(err, ErrBadAddress) {
			t.Errorf("NormalizeAddress(%q) accepted (%v)", bad, err)
		}
	}
}

func TestNormalizeExclusion(t *testing.T) {
	for _, c := range []struct{ kind, in, wantKind, want string }{
		{"", "@Partner.com", "domain", "partner.com"},
		{"", "mail.partner.co.uk", "domain", "partner.co.uk"},
		{"", "Jo@Partner.com", "address", "jo@partner.com"},
		{"", "NoReply@", "local", "noreply"},
		{"", "alerts", "local", "alerts"},
		{"domain", "https://www.partner.com/x", "domain", "partner.com"},
		{"local", "bounce", "local", "bounce"},
	} {
		k, v, err := NormalizeExclusion(c.kind, c.in)
		if err != nil || k != c.wantKind || v != c.want {
			t.Errorf("NormalizeExclusion(%q, %q) = %q %q %v", c.kind, c.in, k, v, err)
		}
	}
	for _, bad := range [][2]string{{"domain", "co.uk"}, {"domain", "x"}, {"address", "nope"}, {"local", "a b"}, {"color", "red"}, {"", ""}} {
		if _, _, err := NormalizeExclusion(bad[0], bad[1]); err == nil {
			t.Errorf("NormalizeExclusion(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestCandidatesNeedTwoWayContact(t *testing.T) {
	now := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	cs := []Candidate{
		{Domain: "cold.com", Messages: 40, Received: 40, LastContact: now},               // never answered
		{Domain: "answered.com", Messages: 2, Received: 1, Replied: 1, LastContact: now}, // answered in their thread
		{Domain: "wrote.com", Messages: 1, Sent: 1, LastContact: now.AddDate(0, 0, -30)}, // the user wrote: half the weight after 30 days
		{Domain: "invited.com", Meetings: 1, Organized: 1, LastContact: now},
		{Domain: "gmail.com", Messages: 9, Sent: 5, LastContact: now}, // a public provider is never a client
	}
	got := Suggest(cs, now)
	var ds []string
	for _, s := range got {
		ds = append(ds, s.Domain)
	}
	// Scores: answered 2, invited 1, wrote 1 × 0.5 = 0.5.
	if len(ds) != 3 || ds[0] != "answered.com" || ds[1] != "invited.com" || ds[2] != "wrote.com" || got[2].Score != 0.5 {
		t.Fatalf("suggestions = %+v", got)
	}
}
