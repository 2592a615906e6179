package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"rapport/backend/model"
)

func ev(id string, start time.Time, attendee string) model.EventRecord {
	r := model.EventRecord{}
	r.ID, r.Subject, r.Type = id, "Meeting "+id, model.EventSingle
	r.Start, r.End = start, start.Add(time.Hour)
	r.Organizer = model.Recipient{Name: "Me", Address: "me@adatum.com"}
	r.Participants = []model.Participant{
		{Role: model.RoleOrganizer, Name: "Me", Address: "me@adatum.com", Domain: "adatum.com"},
		{Role: model.RoleRequired, Name: "Dana", Address: attendee, Domain: domainOf(attendee)},
	}
	return r
}

func (f *fixture) eventIDs(t *testing.T) []string {
	t.Helper()
	ids, err := f.s.EventIDs(context.Background(), f.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// calendarStream is a calendar's stream whose window is the 30 days from
// t0.
func (f *fixture) calendarStream(t *testing.T, resource, name string) model.Stream {
	t.Helper()
	ctx := context.Background()
	st, err := f.s.EnsureStream(ctx, f.acct.ID, model.StreamCalendar, resource, name, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.StartBaseline(ctx, st.ID, t0, t0.AddDate(0, 0, 30), t0); err != nil {
		t.Fatal(err)
	}
	return st
}

// @removed deletes only rows inside the stream's window; a full round's
// end sweeps what it did not report inside the window; meetings link to
// clients by domain.
func TestApplyEventPageWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cal := f.calendarStream(t, "CAL", "Calendar")
	apply := func(p EventPage) ApplyResult {
		t.Helper()
		if _, err := f.s.BeginRound(ctx, cal.ID); err != nil {
			t.Fatal(err)
		}
		p.StreamID, p.AccountID, p.CalendarID = cal.ID, f.acct.ID, "CAL"
		res, err := f.s.ApplyEventPage(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := apply(EventPage{Records: []model.EventRecord{ev("a", t0.AddDate(0, 0, 1), "dana@contoso.com"), ev("b", t0.AddDate(0, 0, 2), "x@other.org"),
		ev("old", t0.AddDate(0, 0, -5), "dana@contoso.com")}, DeltaLink: "d1", Complete: true})
	if !reflect.DeepEqual(res.ClientIDs, []int64{f.contoso.ID}) {
		t.Fatalf("clients %v", res.ClientIDs)
	}
	page, _ := f.s.Timeline(ctx, f.contoso.ID, "", 10)
	if len(page.Items) != 2 || page.Items[0].Kind != model.KindMeeting || page.Items[0].Counterpart != "Dana" || page.Items[0].End == nil {
		t.Fatalf("timeline %+v", page.Items)
	}
	// "old" lies before the window: @removed leaves it alone.
	apply(EventPage{Removed: []string{"old", "b"}, DeltaLink: "d2", Complete: true})
	if got := f.eventIDs(t); !reflect.DeepEqual(got, []string{"a", "old"}) {
		t.Fatalf("after @removed: %v", got)
	}
	// A full round (after a reset) that reports only "c": "a" inside the
	// window goes, "old" outside it stays.
	if err := f.s.ResetStream(ctx, cal.ID); err != nil {
		t.Fatal(err)
	}
	apply(EventPage{Records: []model.EventRecord{ev("c", t0.AddDate(0, 0, 3), "dana@contoso.com")}, NextLink: "n1"})
	if got := f.eventIDs(t); !reflect.DeepEqual(got, []string{"a", "c", "old"}) {
		t.Fatalf("mid-round rows must stay: %v", got)
	}
	apply(EventPage{DeltaLink: "d3", Complete: true})
	if got := f.eventIDs(t); !reflect.DeepEqual(got, []string{"c", "old"}) {
		t.Fatalf("after the full round: %v", got)
	}
	// Dropped (became internal-only) goes whatever its time.
	apply(EventPage{Dropped: []string{"old"}, DeltaLink: "d4", Complete: true})
	if got := f.eventIDs(t); !reflect.DeepEqual(got, []string{"c"}) {
		t.Fatalf("after dropping: %v", got)
	}
	// A client added later links existing meetings too.
	fab, err := f.s.AddClient(ctx, "Other", []string{"other.org"})
	if err != nil {
		t.Fatal(err)
	}
	apply(EventPage{Records: []model.EventRecord{ev("d", t0.AddDate(0, 0, 4), "y@other.org")}, DeltaLink: "d5", Complete: true})
	if p, _ := f.s.Timeline(ctx, fab.ID, "", 10); len(p.Items) != 1 {
		t.Fatalf("Other's timeline %+v", p.Items)
	}
	st, _ := f.s.Stream(ctx, cal.ID)
	if st.Items != 2 || st.LastSyncAt == nil {
		t.Fatalf("stream %+v", st)
	}
}

func TestPurgeThreshold(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if th, err := f.s.PurgeThreshold(ctx, f.acct.ID); err != nil || !th.IsZero() {
		t.Fatalf("before any round: %v %v", th, err)
	}
	f.apply(t, f.inbox, "INBOX", nil, nil, "", "d")
	f.apply(t, f.sent, "SENT", nil, nil, "", "d")
	if th, _ := f.s.PurgeThreshold(ctx, f.acct.ID); !th.IsZero() {
		t.Fatal("a threshold without a discovery")
	}
	disc := time.Now().Add(time.Hour)
	if err := f.s.SetDiscovered(ctx, f.acct.ID, disc); err != nil {
		t.Fatal(err)
	}
	th, _ := f.s.PurgeThreshold(ctx, f.acct.ID)
	if th.IsZero() || !th.Before(disc) {
		t.Fatalf("threshold %v: want the oldest round start", th)
	}
}

func TestSettingsAndFolders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC)
	s, err := f.s.SyncSettings(ctx, f.acct.ID, now)
	if err != nil || s.HistoryDays != 90 || !s.HistoryStart.Equal(time.Date(2026, 8, 22, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("defaults %+v %v", s, err)
	}
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := f.s.SetHistory(ctx, f.acct.ID, 0, &since); err != nil {
		t.Fatal(err)
	}
	older := since.AddDate(0, -1, 0)
	if err := f.s.ExtendBackfill(ctx, f.acct.ID, older); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ExtendBackfill(ctx, f.acct.ID, since); err != nil { // never forward
		t.Fatal(err)
	}
	s, _ = f.s.SyncSettings(ctx, f.acct.ID, now)
	if !s.HistoryStart.Equal(older) || s.HistoryDays != 0 || !s.HistorySince.Equal(since) {
		t.Fatalf("settings %+v", s)
	}

	rows := []FolderRow{{ID: "INBOX", Name: "Inbox", Path: "Inbox", WellKnown: "inbox", DefaultIncluded: true, Total: 3},
		{ID: "JUNK", Name: "Junk Email", Path: "Junk Email", WellKnown: "junkemail"}}
	if gone, err := f.s.SaveFolders(ctx, f.acct.ID, rows, now); err != nil || len(gone) != 0 {
		t.Fatalf("save: %v %v", gone, err)
	}
	if err := f.s.SetFolderIncluded(ctx, f.acct.ID, "JUNK", true); err != nil {
		t.Fatal(err)
	}
	inc, _ := f.s.IncludedFolders(ctx, f.acct.ID)
	if len(inc) != 2 {
		t.Fatalf("included %+v", inc)
	}
	gone, _ := f.s.SaveFolders(ctx, f.acct.ID, rows[:1], now.Add(time.Minute))
	if !reflect.DeepEqual(gone, []string{"JUNK"}) {
		t.Fatalf("gone %v", gone)
	}
	if err := f.s.SetFolderIncluded(ctx, f.acct.ID, "NOPE", true); err == nil {
		t.Fatal("unknown folder accepted")
	}
}

// A listing (a calendar other than the default one) reports its whole
// window every round: an event stored with the same change key and time
// zones is kept as it is, one that changed is written again, and the
// round's end still deletes what the listing no longer reports.
func TestListingRewritesOnlyChangedEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	side := f.calendarStream(t, "SIDE", "Side projects")
	list := func(recs ...model.EventRecord) ApplyResult {
		t.Helper()
		if _, err := f.s.BeginRound(ctx, side.ID); err != nil {
			t.Fatal(err)
		}
		res, err := f.s.ApplyEventPage(ctx, EventPage{StreamID: side.ID, AccountID: f.acct.ID, CalendarID: "SIDE", Records: recs, Complete: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	keyed := func(id string, day int, key string) model.EventRecord {
		r := ev(id, t0.AddDate(0, 0, day), "dana@contoso.com")
		r.ChangeKey, r.TimeZone, r.EndTimeZone = key, "UTC", "UTC"
		return r
	}
	if res := list(keyed("a", 1, "k1"), keyed("b", 2, "k1"), keyed("c", 3, "k1")); res.Upserted != 3 {
		t.Fatalf("first listing wrote %d events, want 3", res.Upserted)
	}

	b := keyed("b", 2, "k2")
	b.Subject = "Moved to Thursday"
	c := keyed("c", 3, "k1")
	c.TimeZone, c.EndTimeZone = "Pacific Standard Time", "Pacific Standard Time"
	if res := list(keyed("a", 1, "k1"), b, c); res.Upserted != 2 {
		t.Errorf("second listing wrote %d events, want 2 (b changed, c in another zone)", res.Upserted)
	}
	if got, _ := f.s.Event(ctx, f.acct.ID, "b"); got.Subject != "Moved to Thursday" {
		t.Errorf("b's subject %q: a new change key was not written", got.Subject)
	}
	if got, _ := f.s.Event(ctx, f.acct.ID, "c"); got.TimeZone != "Pacific Standard Time" {
		t.Errorf("c's zone %q: the same change key in another zone was not written", got.TimeZone)
	}

	res := list(keyed("a", 1, "k1"), b)
	if res.Upserted != 0 || res.Removed != 1 || !reflect.DeepEqual(res.ClientIDs, []int64{f.contoso.ID}) {
		t.Errorf("third listing: %+v, want nothing written, c removed, Contoso touched", res)
	}
	if got := f.eventIDs(t); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("after the third listing: %v, want a and b kept, c gone", got)
	}
	a, err := f.s.Event(ctx, f.acct.ID, "a")
	if err != nil || a.Subject != "Meeting a" || len(a.Participants) != 2 {
		t.Errorf("a kept as it was: %+v, %v", a, err)
	}
	page, _ := f.s.Timeline(ctx, f.contoso.ID, "", 10)
	if len(page.Items) != 2 {
		t.Errorf("Contoso's timeline has %d meetings, want a and b", len(page.Items))
	}
}

// An account is discovered once a complete discovery recorded its start:
// not before its settings exist, nor while they exist without one.
func TestDiscovered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	check := func(when string, want bool) {
		t.Helper()
		if got, err := f.s.Discovered(ctx, f.acct.ID); err != nil || got != want {
			t.Fatalf("%s: discovered = %v, %v; want %v", when, got, err, want)
		}
	}
	check("a new account", false)
	if _, err := f.s.SyncSettings(ctx, f.acct.ID, time.Now()); err != nil { // creates the settings row
		t.Fatal(err)
	}
	check("settings without a discovery", false)
	if err := f.s.SetDiscovered(ctx, f.acct.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("after a discovery", true)
}
