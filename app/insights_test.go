package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"rapport/backend/clients"
	"rapport/backend/model"
	"rapport/backend/store"
)

// seedApp gives a test app an account and a few messages, classified as
// sync would.
func seedApp(t *testing.T, a *App) model.Account {
	t.Helper()
	acct, err := a.st().UpsertAccount(a.ctx, model.Account{UPN: "me@adatum.com", Mail: "me@adatum.com"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.st().EnsureStream(a.ctx, acct.ID, model.StreamMail, "INBOX", "Inbox", 0)
	if err != nil {
		t.Fatal(err)
	}
	mb := clients.MailboxFor(acct)
	t0 := time.Now().Add(-72 * time.Hour).Truncate(time.Second)
	var recs []model.MailRecord
	for i, m := range []struct{ id, conv, from, to, subject string }{
		{"m1", "A", "alice@contoso.com", "me@adatum.com", "=cmd|' /C calc'!A0"},
		{"m2", "A", "me@adatum.com", "alice@contoso.com", "RE: budget"},
		{"m3", "B", "kim@litwareinc.com", "me@adatum.com", "Proposal request"},
		{"m4", "B", "me@adatum.com", "kim@litwareinc.com", "RE: Proposal request"},
		{"m5", "C", "alice.home@gmail.com", "me@adatum.com", "From home"},
	} {
		rec, keep := mb.Classify(model.Message{ID: m.id, ConversationID: m.conv, Subject: m.subject, From: model.Recipient{Address: m.from},
			To: []model.Recipient{{Address: m.to}}, SentAt: t0.Add(time.Duration(i) * time.Hour), ReceivedAt: t0.Add(time.Duration(i) * time.Hour)})
		if !keep {
			t.Fatal("dropped")
		}
		recs = append(recs, rec)
	}
	if _, err := a.st().ApplyMailPage(a.ctx, store.MailPage{StreamID: st.ID, AccountID: acct.ID, FolderID: "INBOX", Records: recs, NextLink: "more"}); err != nil {
		t.Fatal(err)
	}
	return acct
}

func TestRuleEditingEmitsDataChanged(t *testing.T) {
	a := newTestApp(t)
	seedApp(t, a)
	c, err := a.AddClient("Contoso", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	if err := a.AddClientContact(c.ID, "Alice <Alice.Home@Gmail.com>"); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-ch:
		if ev.Name != "data:changed" || !strings.Contains(string(ev.Data), `"clientIds":[1]`) {
			t.Fatalf("event %s %s", ev.Name, ev.Data)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no data:changed after a rule change")
	}
	if cs, _ := a.ClientContacts(c.ID); len(cs) != 1 || cs[0] != "alice.home@gmail.com" {
		t.Fatalf("contacts = %v", cs)
	}
	p, _ := a.Timeline(c.ID, "", 10)
	if len(p.Items) != 3 {
		t.Fatalf("timeline after the contact = %+v", p.Items)
	}
	// The user's own organisation and public providers are refused.
	for _, bad := range []func() error{
		func() error { return a.AddClientDomain(c.ID, "adatum.com") },
		func() error { return a.AddClientDomain(c.ID, "gmail.com") },
		func() error { return a.AddClientContact(c.ID, "colleague@adatum.com") },
		func() error { return a.AddClientContact(c.ID, "not an address") },
		func() error { return a.AddClientDomain(0, "x.com") },
		func() error { return a.RemoveExclusion("domain", "adatum.com") },
	} {
		if err := bad(); err == nil {
			t.Error("accepted")
		}
	}
	// The tenant's domain shows as excluded.
	ex, err := a.Exclusions()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ex {
		found = found || (e.Value == "adatum.com" && e.Source == store.SourceTenant)
	}
	if !found {
		t.Errorf("own domain not in Exclusions: %+v", ex)
	}
	if err := a.UnlinkItem("mail", "m2", c.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.TimelineFiltered(c.ID, "", 10, []string{"mail"}, "out"); len(p.Items) != 0 {
		t.Fatalf("unlinked item still on the timeline: %+v", p.Items)
	}
	if err := a.ClearItemLink("mail", "m2", c.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.TimelineFiltered(c.ID, "", 10, []string{"mail"}, "out"); len(p.Items) != 1 {
		t.Fatalf("cleared decision did not restore the rule: %+v", p.Items)
	}
	if err := a.LinkItem("mail", "gone", c.ID); err == nil || !strings.Contains(err.Error(), "no longer stored") {
		t.Errorf("linking a missing item: %v", err)
	}
}

func TestSuggestionsAcceptMergeDismiss(t *testing.T) {
	a := newTestApp(t)
	seedApp(t, a)
	s, err := a.Suggestions()
	if err != nil || len(s) != 2 || s[0].Domain == s[1].Domain {
		t.Fatalf("Suggestions = %+v, %v", s, err)
	}
	// contoso.com and litwareinc.com (both answered); not gmail.com.
	byDomain := map[string]clients.Suggestion{}
	for _, x := range s {
		byDomain[x.Domain] = x
	}
	if byDomain["litwareinc.com"].ProposedName != "Litware Inc" || byDomain["contoso.com"].Sent != 1 {
		t.Fatalf("suggestions = %+v", s)
	}
	c, err := a.AcceptSuggestion("litwareinc.com", "")
	if err != nil || c.Name != "Litware Inc" {
		t.Fatalf("accept = %+v, %v", c, err)
	}
	if err := a.DismissSuggestion("contoso.com"); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Suggestions(); len(s) != 0 {
		t.Fatalf("after accept and dismiss: %+v", s)
	}
	if err := a.MergeSuggestion("contoso.com", c.ID); err != nil {
		t.Fatal(err)
	}
	if cl, _ := a.st().Client(a.ctx, c.ID); len(cl.Domains) != 2 {
		t.Errorf("merged client domains = %v", cl.Domains)
	}
}

// The bound insight, search and export methods through the browser bridge:
// JSON in, JSON out, arrays never null, hostile search text harmless.
func TestBoundInsightMethodsOverBridge(t *testing.T) {
	a := newTestApp(t)
	seedApp(t, a)
	c, err := a.AddClient("Contoso", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method string, args ...any) any {
		t.Helper()
		raw := make([]json.RawMessage, len(args))
		for i, v := range args {
			raw[i], _ = json.Marshal(v)
		}
		out, err := a.dispatch(method, raw)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		b, _ := json.Marshal(out)
		var v any
		json.Unmarshal(b, &v)
		return v
	}
	for _, m := range []string{"Overview", "Attention", "Ambiguities", "Exclusions", "Suggestions"} {
		if _, ok := call(m).([]any); !ok {
			t.Errorf("%s did not return a JSON array", m)
		}
	}
	ov := call("Overview").([]any)[0].(map[string]any)
	if ov["name"] != "Contoso" || len(ov["weeklyVolume"].([]any)) < 13 || ov["myMedianReplyMinutes"] != 60.0 {
		t.Errorf("overview = %v", ov)
	}
	in := call("ClientInsights", c.ID, 30).(map[string]any)
	if in["emailIn"] != 1.0 || in["emailOut"] != 1.0 || in["days"] != 30.0 {
		t.Errorf("insights = %v", in)
	}
	for _, q := range []string{`"`, `NEAR(`, `*`, `-`, "\x00", `budget`} {
		if _, ok := call("Search", q, 10).([]any); !ok {
			t.Errorf("Search(%q) did not return an array", q)
		}
	}
	hits := call("Search", "budg", 0).([]any)
	if len(hits) != 1 || hits[0].(map[string]any)["itemId"] != "m2" {
		t.Errorf("Search(budg) = %v", hits)
	}
	page := call("TimelineFiltered", c.ID, "", 10, []string{"mail"}, "in").(map[string]any)
	if items := page["items"].([]any); len(items) != 1 || items[0].(map[string]any)["itemId"] != "m1" {
		t.Errorf("filtered timeline = %v", page)
	}
	file := call("ExportClient", c.ID, "csv").(map[string]any)
	content := file["content"].(string)
	if !strings.HasSuffix(file["name"].(string), ".csv") || !strings.HasPrefix(file["name"].(string), "Contoso-") ||
		file["mime"] != "text/csv;charset=utf-8" || !strings.HasPrefix(content, "\uFEFF") || !strings.Contains(content, `'=cmd|' /C calc'!A0`) {
		t.Errorf("export = %v", file)
	}
	if _, err := a.ExportClient(c.ID, "xml"); err == nil {
		t.Error("unknown export format accepted")
	}
	if _, err := a.ClientInsights(c.ID, -1); err == nil {
		t.Error("negative range accepted")
	}
	if name := exportName(`../..\evil:name*?`, "json", time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)); strings.ContainsAny(name, `/\:*?`) {
		t.Errorf("unsafe export name %q", name)
	}
}
