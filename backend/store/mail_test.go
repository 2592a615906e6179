package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"rapport/backend/model"
)

var t0 = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

func rec(id, conv, subject, fromAddr, dir string, at time.Time, to ...string) model.MailRecord {
	r := model.MailRecord{Direction: dir}
	r.ID, r.ConversationID, r.Subject = id, conv, subject
	r.From = model.Recipient{Name: "From " + fromAddr, Address: fromAddr}
	r.SentAt, r.ReceivedAt = at, at
	r.Participants = append(r.Participants, model.Participant{Role: model.RoleFrom, Name: r.From.Name, Address: fromAddr, Domain: domainOf(fromAddr)})
	for _, a := range to {
		r.Participants = append(r.Participants, model.Participant{Role: model.RoleTo, Name: "To " + a, Address: a, Domain: domainOf(a)})
	}
	return r
}

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return ""
}

type fixture struct {
	s       *Store
	acct    model.Account
	inbox   model.Stream
	sent    model.Stream
	contoso model.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{s: openTest(t)}
	var err error
	if f.acct, err = f.s.UpsertAccount(ctx, model.Account{UPN: "me@adatum.com"}); err != nil {
		t.Fatal(err)
	}
	if f.inbox, err = f.s.EnsureStream(ctx, f.acct.ID, model.StreamMail, "INBOX", "Inbox", 0); err != nil {
		t.Fatal(err)
	}
	if f.sent, err = f.s.EnsureStream(ctx, f.acct.ID, model.StreamMail, "SENT", "Sent Items", 0); err != nil {
		t.Fatal(err)
	}
	if f.contoso, err = f.s.AddClient(ctx, "Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) apply(t *testing.T, st model.Stream, folder string, recs []model.MailRecord, removed []string, next, delta string) ApplyResult {
	t.Helper()
	ctx := context.Background()
	if _, err := f.s.BeginRound(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	res, err := f.s.ApplyMailPage(ctx, MailPage{StreamID: st.ID, AccountID: f.acct.ID, FolderID: folder, Records: recs, Removed: removed, NextLink: next, DeltaLink: delta})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) ids(t *testing.T) []string {
	ids, err := f.s.MessageIDs(context.Background(), f.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestApplyPageIsIdempotentAndLinks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	recs := []model.MailRecord{
		rec("A", "c1", "Budget", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("b", "c1", "RE: Budget", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice@contoso.com"),
		rec("C", "c2", "Lunch?", "friend@gmail.com", model.DirectionIn, t0, "me@adatum.com"),
	}
	res := f.apply(t, f.inbox, "INBOX", recs, nil, "https://g/next1", "")
	if res.Upserted != 3 || !reflect.DeepEqual(res.ClientIDs, []int64{f.contoso.ID}) {
		t.Fatalf("first apply = %+v", res)
	}
	st, _ := f.s.Stream(ctx, f.inbox.ID)
	if st.NextLink != "https://g/next1" || st.DeltaLink != "" {
		t.Fatalf("checkpoint not stored with the page: %+v", st)
	}
	before := dump(t, f.s)
	f.apply(t, f.inbox, "INBOX", recs, nil, "https://g/next1", "")
	if after := dump(t, f.s); !reflect.DeepEqual(before, after) {
		t.Fatalf("applying the same page twice changed the store:\n%v\n%v", before, after)
	}
	page, err := f.s.Timeline(ctx, f.contoso.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("timeline has %d items, want 2 (gmail message must not link)", len(page.Items))
	}
	if it := page.Items[0]; it.Title != "RE: Budget" || it.Direction != "out" || it.Counterpart != "To alice@contoso.com" {
		t.Fatalf("newest item = %+v", it)
	}
	if it := page.Items[1]; it.Title != "Budget" || it.Direction != "in" || it.Counterpart != "From alice@contoso.com" {
		t.Fatalf("older item = %+v", it)
	}
}

func TestIdsAreCaseSensitiveAndLastOccurrenceWins(t *testing.T) {
	f := newFixture(t)
	recs := []model.MailRecord{
		rec("x", "c", "first", "alice@contoso.com", model.DirectionIn, t0),
		rec("X", "c", "other", "alice@contoso.com", model.DirectionIn, t0),
		rec("x", "c", "second", "alice@contoso.com", model.DirectionIn, t0),
	}
	f.apply(t, f.inbox, "INBOX", recs, nil, "", "d1")
	if got := f.ids(t); !reflect.DeepEqual(got, []string{"X", "x"}) {
		t.Fatalf("ids = %v", got)
	}
	m, err := f.s.Message(context.Background(), f.acct.ID, "x")
	if err != nil || m.Subject != "second" {
		t.Fatalf("message x = %q, %v; want the last occurrence", m.Subject, err)
	}
}

// A move arrives as a removal in one folder and an addition in another, in
// either order; the message must survive both.
func TestMoveInEitherOrderKeepsMessage(t *testing.T) {
	for _, removalFirst := range []bool{true, false} {
		f := newFixture(t)
		ctx := context.Background()
		m := rec("M", "c", "Contract", "alice@contoso.com", model.DirectionIn, t0)
		f.apply(t, f.inbox, "INBOX", []model.MailRecord{m}, nil, "", "d1")
		pass := time.Now()
		if removalFirst {
			f.apply(t, f.inbox, "INBOX", nil, []string{"M"}, "", "d2")
			f.apply(t, f.sent, "SENT", []model.MailRecord{m}, nil, "", "d2")
		} else {
			f.apply(t, f.sent, "SENT", []model.MailRecord{m}, nil, "", "d2")
			f.apply(t, f.inbox, "INBOX", nil, []string{"M"}, "", "d2")
		}
		if _, err := f.s.PurgeOrphans(ctx, f.acct.ID, pass.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := f.ids(t); !reflect.DeepEqual(got, []string{"M"}) {
			t.Fatalf("removalFirst=%v: ids after move = %v", removalFirst, got)
		}
	}
}

func TestRemovalFromLastFolderDeletesAfterPass(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{rec("D", "c", "bye", "alice@contoso.com", model.DirectionIn, t0)}, nil, "", "d1")
	passStart := time.Now().Add(-time.Second)
	f.apply(t, f.inbox, "INBOX", nil, []string{"D"}, "", "d2")
	// Orphaned during this pass: kept until a later pass confirms it.
	if _, err := f.s.PurgeOrphans(ctx, f.acct.ID, passStart); err != nil {
		t.Fatal(err)
	}
	if got := f.ids(t); len(got) != 1 {
		t.Fatalf("message purged in the pass that orphaned it: %v", got)
	}
	ids, err := f.s.PurgeOrphans(ctx, f.acct.ID, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ids(t); len(got) != 0 {
		t.Fatalf("deleted message still stored: %v", got)
	}
	if !reflect.DeepEqual(ids, []int64{f.contoso.ID}) {
		t.Fatalf("purge reported clients %v", ids)
	}
	page, _ := f.s.Timeline(ctx, f.contoso.ID, "", 10)
	if len(page.Items) != 0 {
		t.Fatalf("timeline still shows a deleted message: %+v", page.Items)
	}
}

func TestFullRoundSweepsUnreportedMessages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{
		rec("keep", "c", "k", "alice@contoso.com", model.DirectionIn, t0),
		rec("gone", "c", "g", "alice@contoso.com", model.DirectionIn, t0),
	}, nil, "", "d1")
	// Graph rejected the link (410): a new full round reports only "keep".
	if err := f.s.ResetStream(ctx, f.inbox.ID); err != nil {
		t.Fatal(err)
	}
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{rec("keep", "c", "k", "alice@contoso.com", model.DirectionIn, t0)}, nil, "", "d9")
	if _, err := f.s.PurgeOrphans(ctx, f.acct.ID, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := f.ids(t); !reflect.DeepEqual(got, []string{"keep"}) {
		t.Fatalf("after full round ids = %v", got)
	}
}

func dump(t *testing.T, s *Store) []string {
	t.Helper()
	return dumpQueries(t, s,
		`SELECT account_id||'|'||id||'|'||subject||'|'||direction FROM messages ORDER BY 1`,
		`SELECT account_id||'|'||message_id||'|'||ord||'|'||address FROM participants ORDER BY 1`,
		`SELECT message_id||'|'||folder_id FROM message_folders ORDER BY 1`,
		`SELECT client_id||'|'||item_id||'|'||at FROM links ORDER BY 1`,
	)
}

// dumpQueries lists what each query returns (one text column), in turn.
func dumpQueries(t *testing.T, s *Store, queries ...string) []string {
	t.Helper()
	var out []string
	for _, q := range queries {
		vals, err := queryColumn[string](context.Background(), s.db, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vals...)
	}
	return out
}

// The pages the sync applies together (ApplyMailPages) leave what the same
// pages applied one by one leave, the last page's checkpoint included, and
// a batch that fails leaves nothing of any of its pages.
func TestPagesAppliedTogetherLeaveWhatPagesOneByOneLeave(t *testing.T) {
	ctx := context.Background()
	pages := func(f *fixture) []MailPage {
		return []MailPage{
			{StreamID: f.inbox.ID, AccountID: f.acct.ID, FolderID: "INBOX", NextLink: "https://g/next1", Records: []model.MailRecord{
				rec("A", "c1", "Budget", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
				rec("b", "c1", "RE: Budget", "me@adatum.com", model.DirectionOut, t0.Add(time.Hour), "alice@contoso.com"),
			}},
			// The next page moves A out of the folder and adds a thread.
			{StreamID: f.inbox.ID, AccountID: f.acct.ID, FolderID: "INBOX", DeltaLink: "https://g/delta1", Removed: []string{"A"}, Records: []model.MailRecord{
				rec("C", "c2", "Steering deck", "bob@contoso.com", model.DirectionIn, t0.Add(2*time.Hour), "me@adatum.com"),
			}},
		}
	}
	one, together := newFixture(t), newFixture(t)
	var want ApplyResult
	for _, p := range pages(one) {
		r := one.apply(t, one.inbox, "INBOX", p.Records, p.Removed, p.NextLink, p.DeltaLink)
		want.Upserted, want.Removed = want.Upserted+r.Upserted, want.Removed+r.Removed
	}
	want.ClientIDs = []int64{one.contoso.ID}
	if _, err := together.s.BeginRound(ctx, together.inbox.ID); err != nil {
		t.Fatal(err)
	}
	got, err := together.s.ApplyMailPages(ctx, pages(together))
	if err != nil {
		t.Fatal(err)
	}
	if got.Upserted != 3 || got.Removed != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("together: %+v; one by one: %+v", got, want)
	}
	if a, b := dump(t, one.s), dump(t, together.s); !reflect.DeepEqual(a, b) {
		t.Fatalf("one by one:\n%v\ntogether:\n%v", a, b)
	}
	st, _ := together.s.Stream(ctx, together.inbox.ID)
	if st.NextLink != "" || st.DeltaLink != "https://g/delta1" {
		t.Fatalf("checkpoint after the pages: next %q delta %q, want the last page's", st.NextLink, st.DeltaLink)
	}
	if hits, err := together.s.Search(ctx, "steering", 10); err != nil || len(hits) != 1 || hits[0].Title != "Steering deck" {
		t.Fatalf("search after the pages: %+v, %v", hits, err)
	}

	// A batch whose second page cannot be applied (its stream is gone)
	// leaves the store and the checkpoint as they were.
	before := dump(t, together.s)
	bad := []MailPage{
		{StreamID: together.inbox.ID, AccountID: together.acct.ID, FolderID: "INBOX", NextLink: "https://g/next2", Records: []model.MailRecord{
			rec("D", "c3", "Invoice", "alice@contoso.com", model.DirectionIn, t0.Add(3*time.Hour), "me@adatum.com"),
		}},
		{StreamID: together.inbox.ID + 1000, AccountID: together.acct.ID, FolderID: "INBOX", DeltaLink: "https://g/delta2"},
	}
	if _, err := together.s.ApplyMailPages(ctx, bad); err == nil {
		t.Fatal("a batch with a page of an unknown stream was applied")
	}
	if after := dump(t, together.s); !reflect.DeepEqual(before, after) {
		t.Fatalf("a failed batch changed the store:\n%v\n%v", before, after)
	}
	if st, _ := together.s.Stream(ctx, together.inbox.ID); st.DeltaLink != "https://g/delta1" || st.NextLink != "" {
		t.Fatalf("a failed batch moved the checkpoint: next %q delta %q", st.NextLink, st.DeltaLink)
	}
}
