package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
)

func hitIDs(hs []SearchHit) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Kind+":"+h.ItemID)
	}
	return out
}

func TestSearchFindsSubjectsPeopleMeetingsClients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m1 := rec("m1", "c", "Q3 plan — budget question", "alice.moreau@contoso.com", model.DirectionIn, t0, "me@adatum.com")
	m1.Participants[0].Name, m1.From.Name = "Alice Moreau", "Alice Moreau"
	f.put(t,
		m1,
		rec("m2", "c", "RE: Q3 plan — budget question", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice.moreau@contoso.com"),
		rec("m3", "d", "Café déjà vu", "zoë@elsewhere.org", model.DirectionIn, t0.Add(2*time.Hour), "me@adatum.com"),
	)
	f.putEvents(t, ev("e1", t0.Add(3*time.Hour), "dana@contoso.com"))
	search := func(q string) []SearchHit {
		t.Helper()
		hs, err := f.s.Search(ctx, q, 0)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return hs
	}
	// Subject words, prefixes, ANDed; the better match first (m1's title has
	// no extra "RE").
	if got := hitIDs(search("budg plan")); !reflect.DeepEqual(got, []string{"mail:m1", "mail:m2"}) {
		t.Errorf("budg plan = %v", got)
	}
	// A participant's name or address.
	hs := search("moreau")
	if got := hitIDs(hs); !reflect.DeepEqual(got, []string{"mail:m1", "mail:m2"}) {
		t.Errorf("moreau = %v", got)
	}
	if hs[0].Counterpart != "Alice Moreau" || hs[1].Counterpart != "To alice.moreau@contoso.com" || hs[0].Direction != "in" ||
		!reflect.DeepEqual(hs[0].ClientIDs, []int64{f.contoso.ID}) || !reflect.DeepEqual(hs[0].ClientNames, []string{"Contoso"}) || !hs[0].At.Equal(t0) {
		t.Errorf("hit = %+v / %+v", hs[0], hs[1])
	}
	// Accents are ignored both ways.
	if got := hitIDs(search("cafe deja")); !reflect.DeepEqual(got, []string{"mail:m3"}) {
		t.Errorf("cafe deja = %v", got)
	}
	if got := hitIDs(search("ZOE")); !reflect.DeepEqual(got, []string{"mail:m3"}) {
		t.Errorf("ZOE = %v", got)
	}
	// Meetings by subject and attendee; clients by name.
	if got := hitIDs(search("meeting e1")); !reflect.DeepEqual(got, []string{"meeting:e1"}) {
		t.Errorf("meeting e1 = %v", got)
	}
	if got := hitIDs(search("dana")); !reflect.DeepEqual(got, []string{"meeting:e1"}) {
		t.Errorf("dana = %v", got)
	}
	hs = search("conto")
	if len(hs) < 4 || hs[0].Kind != "client" || hs[0].Title != "Contoso" || !reflect.DeepEqual(hs[0].ClientIDs, []int64{f.contoso.ID}) {
		t.Errorf("conto = %+v", hitIDs(hs))
	}
	// A changed subject is searched under its new words only; a removed
	// message is gone.
	f.put(t, rec("m3", "d", "Renamed thread", "zoë@elsewhere.org", model.DirectionIn, t0.Add(2*time.Hour), "me@adatum.com"))
	if got := search("café"); len(got) != 0 {
		t.Errorf("old subject still found: %v", hitIDs(got))
	}
	if got := hitIDs(search("renamed")); !reflect.DeepEqual(got, []string{"mail:m3"}) {
		t.Errorf("renamed = %v", got)
	}
	if _, err := f.s.db.Exec(`DELETE FROM messages WHERE id = 'm3'`); err != nil {
		t.Fatal(err)
	}
	if got := search("renamed"); len(got) != 0 {
		t.Errorf("deleted message found: %v", hitIDs(got))
	}
	// A client renamed, then deleted.
	if err := f.s.RenameClient(ctx, f.contoso.ID, "Contoso Europe"); err != nil {
		t.Fatal(err)
	}
	if got := search("europe"); len(got) != 1 || got[0].Kind != "client" {
		t.Errorf("europe = %v", hitIDs(got))
	}
	// The index agrees with its content table (FTS5 integrity check).
	if _, err := f.s.db.Exec(`INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 1)`); err != nil {
		t.Fatalf("FTS index out of step: %v", err)
	}
}

// Whatever the user types, no FTS5 syntax error surfaces: operators,
// quotes, stars, column filters and odd Unicode are searched as text.
func TestSearchEscapesHostileInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t,
		rec("m1", "c", `He said "NEAR(" and -minus * star`, "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("m2", "c", "Budget: title:secret AND OR NOT", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("m3", "c", "日本語の件名 and emoji 🎉 party", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
	)
	for _, q := range []string{
		`"`, `""`, `"unterminated`, `*`, `**`, `a*b*`, `NEAR(`, `NEAR(a b`, `near(he said)`, `-`, `-minus`, `--`,
		`AND`, `OR`, `NOT`, `a AND`, `title:secret`, `people:zoe`, `{title}: x`, `^start`, `(`, `)`, `:`, `+`, `'`, `\`,
		"\x00", "tab\there", "🎉", "日本", "zoë", strings.Repeat("x", 5000), strings.Repeat("a ", 500), "\xff\xfe", "‮reversed",
	} {
		if _, err := f.s.Search(ctx, q, 50); err != nil {
			t.Errorf("Search(%q) = %v; want results or none, never an error", q, err)
		}
	}
	for q, want := range map[string][]string{
		`"NEAR("`:      {"mail:m1"},
		`NEAR(`:        {"mail:m1"},
		`-minus`:       {"mail:m1"},
		`title:secret`: {"mail:m2"},
		`AND OR`:       {"mail:m2"},
		`日本語の件名`:       {"mail:m3"},
		"🎉":            {}, // no letters: nothing to search for
		`budget NOT`:   {"mail:m2"},
	} {
		hs, _ := f.s.Search(ctx, q, 50)
		if got := hitIDs(hs); !reflect.DeepEqual(got, want) {
			t.Errorf("Search(%q) = %v, want %v", q, got, want)
		}
	}
	if q := FTSQuery(`a"b NEAR( -x *`); q != `"a""b"* "NEAR("* "-x"*` {
		t.Errorf("FTSQuery = %s", q)
	}
}

func TestSearchLimitAndRankThenRecency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var recs []model.MailRecord
	for i := 0; i < 60; i++ {
		recs = append(recs, rec("m"+string(rune('A'+i/26))+string(rune('a'+i%26)), "c", "weekly report", "zoe@contoso.com", model.DirectionIn, t0.Add(time.Duration(i)*time.Minute), "me@adatum.com"))
	}
	// The phrase in the title, with fewer other words: ranks first though oldest.
	recs = append(recs, rec("best", "c", "report", "zoe@contoso.com", model.DirectionIn, t0.Add(-time.Hour), "me@adatum.com"))
	f.put(t, recs...)
	hs, err := f.s.Search(ctx, "report", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 50 {
		t.Fatalf("%d hits, want the first 50", len(hs))
	}
	if hs[0].ItemID != "best" {
		t.Errorf("first hit %s, want the best match", hs[0].ItemID)
	}
	for i := 2; i < len(hs); i++ {
		if hs[i].At.After(hs[i-1].At) {
			t.Fatalf("equal-rank hits not newest first at %d", i)
		}
	}
}

// Files (issue 5) join the index by writing search_docs rows.
func TestSearchFileDocs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.db.Exec(`INSERT INTO search_docs(kind, account_id, item_id, title, people, at) VALUES('file', ?, 'drv/item1', 'SOW v2.docx', 'Alice Moreau', ?)`,
		f.acct.ID, t0.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	hs, err := f.s.Search(ctx, "sow", 0)
	if err != nil || len(hs) != 1 || hs[0].Kind != "file" || hs[0].Title != "SOW v2.docx" || hs[0].ItemID != "drv/item1" {
		t.Fatalf("file hit = %+v, %v", hs, err)
	}
}

// A word in more documents than Search ranks: the hits come from the most
// recently indexed ones, still best match first, then newest.
func TestSearchRanksTheNewestMatchesOfACommonWord(t *testing.T) {
	old := searchRankWindow
	searchRankWindow = 20
	t.Cleanup(func() { searchRankWindow = old })
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 40; i++ { // indexed one page at a time, oldest first
		f.put(t, rec(fmt.Sprintf("m%02d", i), "c", "weekly status report", "zoe@contoso.com", model.DirectionIn, t0.Add(time.Duration(i)*time.Hour), "me@adatum.com"))
	}
	f.put(t, rec("best", "c", "report", "zoe@contoso.com", model.DirectionIn, t0.Add(-time.Hour), "me@adatum.com"))
	hs, err := f.s.Search(ctx, "report", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 20 || hs[0].ItemID != "best" {
		t.Fatalf("%d hits, first %q; want 20 with the best match first", len(hs), hs[0].ItemID)
	}
	for _, h := range hs[1:] {
		if h.ItemID < "m21" {
			t.Fatalf("hit %s is older than the 19 newest matches", h.ItemID)
		}
	}
}

// A message written by a path that does not flush the search index (a SQL
// repair, a future writer) is indexed by the next search, once however many
// times it was written, with its latest subject.
func TestSearchIndexesWhatWasWrittenSinceTheLastFlush(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO messages(account_id, id, subject, direction, received_at) VALUES(` + fmt.Sprint(f.acct.ID) + `, 'raw1', 'Draft agenda', 'in', 1000)`,
		`UPDATE messages SET subject = 'Final agenda' WHERE id = 'raw1'`,
		`UPDATE messages SET received_at = 2000 WHERE id = 'raw1'`,
	} {
		if _, err := f.s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var notes int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM search_dirty`).Scan(&notes); err != nil || notes != 3 {
		t.Fatalf("%d notes before the search (%v), want one per write", notes, err)
	}
	hs, err := f.s.Search(ctx, "agenda", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(hs); !reflect.DeepEqual(got, []string{"mail:raw1"}) || hs[0].Title != "Final agenda" {
		t.Fatalf("Search(agenda) = %v", hs)
	}
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM search_dirty`).Scan(&notes); err != nil || notes != 0 {
		t.Fatalf("%d notes left after the search (%v)", notes, err)
	}
}
