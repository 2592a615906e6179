package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"rapport/backend/model"
)

// linkFacts maps "client:kind:item" to the facts its link carries: the
// conversation and internet message id whose keys it holds (text_keys.go;
// "#key" for a key of no stored message's id) and its flags.
func linkFacts(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	ids := map[int64]string{0: ""}
	names, err := queryRows(context.Background(), db, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT conversation_id FROM messages UNION SELECT internet_message_id FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range names {
		ids[textKey(id)] = id
	}
	name := func(key int64) string {
		if id, ok := ids[key]; ok {
			return id
		}
		return fmt.Sprintf("#%d", key)
	}
	type row struct {
		key        string
		conv, imid int64
		flags      int
	}
	rows, err := queryRows(context.Background(), db, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.key, &x.conv, &x.imid, &x.flags)
	}, `SELECT c.name || ':' || l.kind || ':' || l.item_id, l.conv_key, l.imid_key, l.flags
		FROM links l JOIN clients c ON c.id = l.client_id`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.key] = fmt.Sprintf("%s %s %d", name(r.conv), name(r.imid), r.flags)
	}
	return out
}

// legacyLinkFacts is linkFacts from the columns migration 010 gave links,
// which held the ids themselves (015 replaced them with keys).
func legacyLinkFacts(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	type row struct{ key, facts string }
	rows, err := queryRows(context.Background(), db, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.key, &x.facts)
	}, `SELECT c.name || ':' || l.kind || ':' || l.item_id, l.conv || ' ' || l.imid || ' ' || l.flags
		FROM links l JOIN clients c ON c.id = l.client_id`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.key] = r.facts
	}
	return out
}

func expectFacts(t *testing.T, s *Store, when string, want map[string]string) {
	t.Helper()
	if got := linkFacts(t, s.db); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: links carry\n %v\nwant\n %v", when, got, want)
	}
}

// A link carries its message's conversation and internet id and what the
// rules found — sender of the client (2), recipient of the client (4),
// linked by hand (8), the user's own mail (1) — and they change with the
// rules and with the user's accounts.
func TestLinkFactsFollowTheRulesAndTheAccounts(t *testing.T) {
	f := newFixture(t) // Contoso owns contoso.com; the user is me@adatum.com
	ctx := context.Background()
	fab, err := f.s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"})
	if err != nil {
		t.Fatal(err)
	}
	mail := func(id, conv, from, dir string, at time.Time, to ...string) model.MailRecord {
		r := rec(id, conv, "Subject", from, dir, at, to...)
		r.InternetMessageID = "<" + id + "@x>"
		return r
	}
	f.put(t,
		mail("in", "c1", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		mail("out", "c1", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice@contoso.com", "dan@fabrikam.com"),
		mail("cc", "c2", "alice@contoso.com", model.DirectionIn, t0, "dan@fabrikam.com"),
		mail("alias", "c3", "me@adatum.org", model.DirectionIn, t0, "bob@contoso.com"),
		mail("other", "c4", "x@elsewhere.org", model.DirectionIn, t0, "me@adatum.com"),
	)
	f.putEvents(t, ev("meet", t0, "bob@contoso.com"))
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "other", fab.ID, true); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Contoso:mail:in":      "c1 <in@x> 2",
		"Contoso:mail:out":     "c1 <out@x> 5",
		"Fabrikam:mail:out":    "c1 <out@x> 5",
		"Contoso:mail:cc":      "c2 <cc@x> 2",
		"Fabrikam:mail:cc":     "c2 <cc@x> 4",
		"Contoso:mail:alias":   "c3 <alias@x> 4",
		"Fabrikam:mail:other":  "c4 <other@x> 8",
		"Contoso:meeting:meet": "  4",
	}
	expectFacts(t, f.s, "as synced", want)

	// Alice becomes Fabrikam's contact (a contact outranks a domain): her
	// mail leaves Contoso, and Fabrikam's link of "cc" gains its sender.
	if _, err := f.s.AddClientContact(ctx, fab.ID, "alice@contoso.com"); err != nil {
		t.Fatal(err)
	}
	delete(want, "Contoso:mail:in")
	delete(want, "Contoso:mail:cc")
	delete(want, "Contoso:mail:out")
	want["Fabrikam:mail:in"] = "c1 <in@x> 2"
	want["Fabrikam:mail:cc"] = "c2 <cc@x> 6"
	expectFacts(t, f.s, "Alice made Fabrikam's contact", want)

	// me@adatum.org becomes one of the user's accounts: its mail is theirs;
	// removing the account makes it someone else's again.
	acct2, err := f.s.UpsertAccount(ctx, model.Account{UPN: "me@adatum.org"})
	if err != nil {
		t.Fatal(err)
	}
	want["Contoso:mail:alias"] = "c3 <alias@x> 5"
	expectFacts(t, f.s, "me@adatum.org added", want)
	if _, err := f.s.PurgeAccount(ctx, acct2.ID); err != nil {
		t.Fatal(err)
	}
	want["Contoso:mail:alias"] = "c3 <alias@x> 4"
	expectFacts(t, f.s, "me@adatum.org removed", want)

	// Migration 010 fills the links written before it from the same rules,
	// into the columns it added (given back here: 015 dropped them).
	execAll(t, f.s.db, `ALTER TABLE links ADD COLUMN conv TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE links ADD COLUMN imid TEXT NOT NULL DEFAULT ''`, `UPDATE links SET flags = 0`)
	if err := f.s.tx(ctx, func(tx *sql.Tx) error { return backfillLinkFacts(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	if got := legacyLinkFacts(t, f.s.db); !reflect.DeepEqual(got, want) {
		t.Errorf("after migration 010's backfill: links carry\n %v\nwant\n %v", got, want)
	}
}

// A client's item count (the client list's) follows its links through
// syncs, rule changes, manual links and an account's removal.
func TestClientItemCountsFollowTheLinks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fab, err := f.s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		cs, err := f.s.Clients(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			var n int
			if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM links WHERE client_id = ?`, c.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if c.Items != n {
				t.Errorf("%s: %s lists %d items, has %d links", when, c.Name, c.Items, n)
			}
		}
	}
	f.put(t,
		rec("a", "c1", "One", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("b", "c1", "Two", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice@contoso.com", "dan@fabrikam.com"),
		rec("c", "c2", "Three", "dan@fabrikam.com", model.DirectionIn, t0, "me@adatum.com"))
	f.putEvents(t, ev("meet", t0, "bob@contoso.com"))
	check("synced")
	f.put(t, rec("b", "c1", "Two (again)", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice@contoso.com", "dan@fabrikam.com"))
	check("a page again")
	if _, err := f.s.AddClientContact(ctx, fab.ID, "alice@contoso.com"); err != nil {
		t.Fatal(err)
	}
	check("a contact moved")
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "c", f.contoso.ID, true); err != nil {
		t.Fatal(err)
	}
	check("a manual link")
	other, st := f.secondAccount(t, "other@adatum.com")
	if _, err := f.s.ApplyMailPage(ctx, MailPage{StreamID: st.ID, AccountID: other.ID, FolderID: "INBOX", NextLink: "more",
		Records: []model.MailRecord{rec("x", "c9", "Other", "bob@contoso.com", model.DirectionIn, t0, "other@adatum.com")}}); err != nil {
		t.Fatal(err)
	}
	check("another account's mail")
	if _, err := f.s.PurgeAccount(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	check("that account removed")
	cs, _ := f.s.Clients(ctx)
	if len(cs) != 2 || cs[0].Items+cs[1].Items != 5 {
		t.Errorf("clients %+v, want 5 items between them", cs)
	}
}
