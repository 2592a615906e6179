package graphsim

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
)

func TestDemoIsDeterministic(t *testing.T) {
	a, err := New(Options{Seed: 7, Anchor: testAnchor})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Options{Seed: 7, Anchor: testAnchor})
	if !reflect.DeepEqual(a.Messages(), b.Messages()) {
		t.Fatal("same seed and anchor gave different messages")
	}
	if !reflect.DeepEqual(a.Folders(), b.Folders()) {
		t.Fatal("same seed and anchor gave different folders")
	}
	c, _ := New(Options{Seed: 8, Anchor: testAnchor})
	if reflect.DeepEqual(a.Messages(), c.Messages()) {
		t.Fatal("a different seed gave the same messages")
	}
}

func TestUnknownScenario(t *testing.T) {
	if _, err := New(Options{Scenario: "nope"}); err == nil {
		t.Fatal("want an error for an unknown scenario")
	}
}

func TestDemoTenantShape(t *testing.T) {
	s, err := New(Options{Anchor: testAnchor})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.User().UPN; got != "avery@adatum.com" {
		t.Fatalf("UPN = %q", got)
	}
	msgs := s.Messages()
	if n := len(msgs); n < 300 || n > 800 {
		t.Fatalf("%d messages, want 300–800", n)
	}
	folders := map[string]string{} // id -> well-known or name
	for _, f := range s.Folders() {
		name := f.WellKnown
		if name == "" {
			name = f.DisplayName
		}
		folders[f.ID] = name
	}
	perFolder := map[string]int{}
	ids := map[string]bool{}
	for _, m := range msgs {
		if ids[m.ID] {
			t.Fatalf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		perFolder[folders[m.ParentFolderID]]++
		if m.ReceivedAt.After(testAnchor) || m.ReceivedAt.Before(testAnchor.AddDate(0, 0, -92)) {
			t.Fatalf("message %q received %v, outside the 90 days before the anchor", m.Subject, m.ReceivedAt)
		}
		if m.SentAt.After(m.ReceivedAt) {
			t.Fatalf("message %q sent after it was received", m.Subject)
		}
		if m.ReceivedAt.Nanosecond() != 0 {
			t.Fatal("times must be whole seconds, as Graph returns them")
		}
	}
	for _, f := range []string{"inbox", "sentitems", "archive", "deleteditems", "Clients", "drafts", "junkemail"} {
		if perFolder[f] == 0 {
			t.Errorf("no messages in %s", f)
		}
	}

	// Per-client volume and silence, by the domain of the external party.
	last := map[string]time.Time{}
	count := map[string]int{}
	for _, c := range s.DemoClients() {
		for _, m := range msgs {
			if involves(m.From.Address, c.Domains) || anyInvolves(m.To, c.Domains) {
				count[c.Name]++
				if m.ReceivedAt.After(last[c.Name]) {
					last[c.Name] = m.ReceivedAt
				}
			}
		}
		if count[c.Name] == 0 {
			t.Errorf("client %s has no mail", c.Name)
		}
	}
	if len(s.DemoClients()) != 6 {
		t.Fatalf("%d clients, want 6", len(s.DemoClients()))
	}
	if count["Contoso"] <= 3*count["Woodgrove Bank"] {
		t.Errorf("Contoso (%d) should be far busier than Woodgrove (%d)", count["Contoso"], count["Woodgrove Bank"])
	}
	if gap := testAnchor.Sub(last["Northwind Traders"]); gap < 21*24*time.Hour {
		t.Errorf("Northwind should be silent for weeks, last mail %v ago", gap)
	}

	// Threads: replies share the conversation, say RE:, come later.
	convs := map[string][]int{}
	for i, m := range msgs {
		convs[m.ConversationID] = append(convs[m.ConversationID], i)
	}
	replies, ccColleague, unanswered := 0, 0, 0
	me := s.User().Mail
	for _, idx := range convs {
		first := msgs[idx[0]]
		for k, i := range idx[1:] {
			m := msgs[i]
			if !strings.HasPrefix(m.Subject, "RE: ") || strings.TrimPrefix(m.Subject, "RE: ") != first.Subject {
				t.Fatalf("reply %q in a thread started by %q", m.Subject, first.Subject)
			}
			if d := m.SentAt.Sub(msgs[idx[k]].SentAt); d < 0 || d > 5*24*time.Hour {
				t.Fatalf("reply %q comes %v after the message it answers", m.Subject, d)
			}
			replies++
		}
		lastMsg := msgs[idx[len(idx)-1]]
		if lastMsg.From.Address != me && involves(lastMsg.From.Address, allClientDomains(s)) {
			unanswered++
		}
		for _, i := range idx {
			if anyInvolves(msgs[i].Cc, []string{"adatum.com"}) {
				ccColleague++
				break
			}
		}
	}
	if replies < 100 || ccColleague == 0 || unanswered == 0 {
		t.Errorf("replies=%d threads with colleagues cc'd=%d unanswered client threads=%d", replies, ccColleague, unanswered)
	}
	var generic, noreply, internal, subdomain bool
	for _, m := range msgs {
		a := m.From.Address
		generic = generic || strings.HasSuffix(a, "@gmail.com")
		noreply = noreply || strings.HasPrefix(a, "no-reply@") || strings.HasPrefix(a, "newsletter@")
		subdomain = subdomain || strings.HasSuffix(a, "@mail.contoso.com")
		if strings.HasSuffix(a, "@adatum.com") && a != me && len(m.To) > 0 && m.To[0].Address == me {
			internal = true
		}
	}
	if !generic || !noreply || !internal || !subdomain {
		t.Errorf("generic=%v no-reply=%v internal=%v subdomain=%v", generic, noreply, internal, subdomain)
	}
}

func allClientDomains(s *Server) []string {
	var out []string
	for _, c := range s.DemoClients() {
		out = append(out, c.Domains...)
	}
	return out
}

func involves(addr string, domains []string) bool {
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return false
	}
	host := addr[at+1:]
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

func anyInvolves(rs []model.Recipient, domains []string) bool {
	for _, r := range rs {
		if involves(r.Address, domains) {
			return true
		}
	}
	return false
}
