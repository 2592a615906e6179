package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"rapport/backend/clients"
	"rapport/backend/model"
)

// Only two-way contact with a person at a domain no client claims makes a
// suggestion: a cold inbound, a role mailbox (sales@), an automated sender
// (no-reply@), a public mail provider, the user's own organisation, a
// client's contact and a dismissed domain never do.
func TestSuggestions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.SetTenantDomains(ctx, []string{"adatum.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddClientContact(ctx, f.contoso.ID, "pat@solo.dev"); err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	out := func(id, conv, to string, h int) model.MailRecord {
		return rec(id, conv, "s", "me@adatum.com", model.DirectionOut, at(h), to)
	}
	in := func(id, conv, from string, h int) model.MailRecord {
		return rec(id, conv, "s", from, model.DirectionIn, at(h), "me@adatum.com")
	}
	f.put(t,
		in("l1", "L", "kim@litwareinc.com", 0), out("l2", "L", "kim@litwareinc.com", 1), // answered: two-way
		in("l3", "L2", "kim@litwareinc.com", 5),                                           // a later cold message of theirs still counts in the volume
		in("c1", "C", "ben@fourthcoffee.com", 2),                                          // cold inbound
		in("r1", "R", "sales@relecloud.com", 2), out("r2", "R", "sales@relecloud.com", 3), // a role mailbox, even answered
		in("n1", "N", "no-reply@relecloud.com", 2),                              // automated
		in("g1", "G", "ravi@gmail.com", 2), out("g2", "G", "ravi@gmail.com", 3), // public provider
		out("p1", "P", "lee@prospect.io", 4),                                // the user wrote first: two-way
		in("s1", "S", "pat@solo.dev", 2), out("s2", "S", "pat@solo.dev", 3), // a client's contact
		in("d1", "D", "x@dismissed.net", 2), out("d2", "D", "x@dismissed.net", 3),
		in("z1", "Z", "zoe@contoso.com", 2), out("z2", "Z", "zoe@contoso.com", 3), // a client's domain
	)
	org := ev("e1", at(6), "amy@meetco.org") // a meeting the user organised (ev: organizer me)
	org.IsOrganizer = true
	f.putEvents(t, org)
	if err := f.s.DismissSuggestion(ctx, "dismissed.net"); err != nil {
		t.Fatal(err)
	}
	acts, err := f.s.UnclaimedDomains(ctx, clients.RoleLocalParts, at(24))
	if err != nil {
		t.Fatal(err)
	}
	var cands []clients.Candidate
	for _, a := range acts {
		cands = append(cands, clients.Candidate{Domain: a.Domain, Messages: a.Messages, Sent: a.Sent, Received: a.Received,
			Replied: a.Replied, Meetings: a.Meetings, Organized: a.Organized, LastContact: a.LastContact})
	}
	got := clients.Suggest(cands, at(24))
	var domains []string
	for _, s := range got {
		domains = append(domains, s.Domain)
	}
	// Scores at t0+24h: litwareinc 3 messages, last at +5h → 3 × 0.5^(19/24/30) ≈ 2.95;
	// meetco 1 meeting at +6h → 0.5^(18/24/30) ≈ 0.98; prospect 1 message at +4h → 0.5^(20/24/30) ≈ 0.98 (older, lower).
	if want := []string{"litwareinc.com", "meetco.org", "prospect.io"}; !reflect.DeepEqual(domains, want) {
		t.Fatalf("suggested %v, want %v (%+v)", domains, want, got)
	}
	lit := got[0]
	if lit.ProposedName != "Litware Inc" || lit.Messages != 3 || lit.Sent != 1 || lit.Received != 2 || !lit.LastContact.Equal(at(5)) || lit.Meetings != 0 {
		t.Errorf("litware = %+v", lit)
	}
	if got[1].Meetings != 1 || got[1].Messages != 0 || !got[1].LastContact.Equal(at(6)) {
		t.Errorf("meetco = %+v", got[1])
	}
	// Accepting (a client claims the domain) removes it.
	if _, err := f.s.AddClient(ctx, "Litware Inc", []string{"litwareinc.com"}); err != nil {
		t.Fatal(err)
	}
	acts, _ = f.s.UnclaimedDomains(ctx, clients.RoleLocalParts, at(24))
	for _, a := range acts {
		if a.Domain == "litwareinc.com" {
			t.Error("a client's domain is still a candidate")
		}
	}
}
