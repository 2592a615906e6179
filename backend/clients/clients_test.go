package clients

import (
	"errors"
	"testing"

	"rapport/backend/model"
)

func TestRegistrableDomain(t *testing.T) {
	for in, want := range map[string]string{
		"mail.contoso.co.uk":    "contoso.co.uk",
		"Contoso.COM":           "contoso.com",
		"eu.mail.fabrikam.com.": "fabrikam.com",
		"adventure-works.com":   "adventure-works.com",
	} {
		if got := RegistrableDomain(in); got != want {
			t.Errorf("RegistrableDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeDomainAcceptsWhatUsersPaste(t *testing.T) {
	for in, want := range map[string]string{
		"contoso.com":                   "contoso.com",
		"@Contoso.com":                  "contoso.com",
		"https://www.contoso.com/about": "contoso.com",
		"alice@mail.contoso.co.uk":      "contoso.co.uk",
	} {
		got, err := NormalizeDomain(in)
		if err != nil || got != want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "contoso", "co.uk", "con toso.com", "gmail.com", "x@outlook.com"} {
		if _, err := NormalizeDomain(bad); err == nil {
			t.Errorf("NormalizeDomain(%q) accepted", bad)
		}
	}
	if _, err := NormalizeDomain("gmail.com"); !errors.Is(err, ErrGenericDomain) {
		t.Errorf("gmail.com error = %v, want ErrGenericDomain", err)
	}
}

func TestNormalizeClient(t *testing.T) {
	name, ds, err := NormalizeClient("  Northwind   Traders ", []string{"northwindtraders.com", "mail.northwindtraders.com"})
	if err != nil || name != "Northwind Traders" || len(ds) != 1 || ds[0] != "northwindtraders.com" {
		t.Fatalf("NormalizeClient = %q %v %v", name, ds, err)
	}
	if _, _, err := NormalizeClient("   ", nil); !errors.Is(err, ErrEmptyName) {
		t.Fatalf("blank name error = %v", err)
	}
}

func TestClassify(t *testing.T) {
	mb := MailboxFor(model.Account{UPN: "avery@adatum.com", Mail: "Avery@adatum.com"})
	msg := func(from string, to ...string) model.Message {
		m := model.Message{ID: "1", From: model.Recipient{Name: "F", Address: from}}
		for _, a := range to {
			m.To = append(m.To, model.Recipient{Address: a})
		}
		return m
	}
	r, keep := mb.Classify(msg("Alice@Mail.Contoso.com", "avery@adatum.com"))
	if !keep || r.Direction != "in" || r.Participants[0].Domain != "contoso.com" || r.Participants[0].Address != "alice@mail.contoso.com" {
		t.Fatalf("inbound = %+v keep=%v", r, keep)
	}
	if r, _ := mb.Classify(msg("AVERY@adatum.com", "bob@contoso.com")); r.Direction != "out" {
		t.Fatalf("outbound direction = %q", r.Direction)
	}
	if _, keep := mb.Classify(msg("colleague@adatum.com", "avery@adatum.com")); keep {
		t.Fatal("internal-only message kept; it must never reach the disk")
	}
	if _, keep := mb.Classify(msg("colleague@adatum.com", "avery@adatum.com", "x@gmail.com")); !keep {
		t.Fatal("message with an outside participant dropped")
	}
}
