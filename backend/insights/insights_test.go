package insights_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without relying on the machine's zone files

	"rapport/backend/clients"
	"rapport/backend/insights"
	"rapport/backend/model"
	"rapport/backend/store"
)

// The fixture: a consultant with two accounts — A me@adatum.com (work) and
// B avery@brooks.io (their own company) — and two clients, Contoso
// (contoso.com, plus Alice's personal gmail address as an explicit
// contact) and Fabrikam (fabrikam.com). The user lives in Paris, where
// summer time ends on Sunday 2026-10-25 at 01:00 UTC (03:00 CEST becomes
// 02:00 CET): before it local time is UTC+2, after it UTC+1.
//
// now = Wed 2026-11-04 12:00 UTC, range = 28 days: [Wed 2026-10-07 12:00 UTC, now).
// ISO weeks touched (Paris): W41 Mon 10-05, W42 10-12, W43 10-19, W44 10-26, W45 11-02.
// Months touched: 2026-10, 2026-11.

var (
	now   = time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)
	paris *time.Location
)

func utc(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, time.UTC) }

type fixture struct {
	t                 *testing.T
	s                 *store.Store
	a, b              model.Account
	mbA, mbB          clients.Mailbox
	inboxA, sentA     model.Stream
	inboxB, sentB     model.Stream
	calA, calB        model.Stream
	contoso, fabrikam model.Client
	ctx               context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	var err error
	if paris, err = time.LoadLocation("Europe/Paris"); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(filepath.Join(t.TempDir(), "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{t: t, s: s, ctx: context.Background()}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.a, err = s.UpsertAccount(f.ctx, model.Account{UPN: "me@adatum.com", Mail: "me@adatum.com"})
	must(err)
	f.b, err = s.UpsertAccount(f.ctx, model.Account{UPN: "avery@brooks.io", Mail: "avery@brooks.io"})
	must(err)
	f.mbA, f.mbB = clients.MailboxFor(f.a), clients.MailboxFor(f.b)
	_, err = s.SetTenantDomains(f.ctx, []string{"adatum.com", "brooks.io"})
	must(err)
	stream := func(acct model.Account, kind, res string) model.Stream {
		st, err := s.EnsureStream(f.ctx, acct.ID, kind, res, res, 0)
		must(err)
		return st
	}
	f.inboxA, f.sentA = stream(f.a, model.StreamMail, "INBOX"), stream(f.a, model.StreamMail, "SENT")
	f.inboxB, f.sentB = stream(f.b, model.StreamMail, "INBOX"), stream(f.b, model.StreamMail, "SENT")
	f.calA, f.calB = stream(f.a, model.StreamCalendar, "CAL"), stream(f.b, model.StreamCalendar, "CAL")
	f.contoso, err = s.AddClient(f.ctx, "Contoso", []string{"contoso.com"})
	must(err)
	f.fabrikam, err = s.AddClient(f.ctx, "Fabrikam", []string{"fabrikam.com"})
	must(err)
	_, err = s.AddClientContact(f.ctx, f.contoso.ID, "alice.personal@gmail.com")
	must(err)
	return f
}

func recips(addrs []string) []model.Recipient {
	var out []model.Recipient
	for _, a := range addrs {
		out = append(out, model.Recipient{Name: "", Address: a})
	}
	return out
}

// mail stores a message in one account's folder, classified exactly as
// sync would.
func (f *fixture) mail(acct model.Account, st model.Stream, id, conv, from string, to, cc []string, at time.Time) {
	f.t.Helper()
	mb := f.mbA
	if acct.ID == f.b.ID {
		mb = f.mbB
	}
	m := model.Message{ID: id, ConversationID: conv, InternetMessageID: "<" + id + "@mail>", Subject: "Subject " + id,
		From: model.Recipient{Name: "From " + from, Address: from}, To: recips(to), Cc: recips(cc), SentAt: at, ReceivedAt: at,
		WebLink: "https://outlook.office.com/mail/" + id}
	rec, keep := mb.Classify(m)
	if !keep {
		f.t.Fatalf("message %s classified internal-only", id)
	}
	if _, err := f.s.ApplyMailPage(f.ctx, store.MailPage{StreamID: st.ID, AccountID: acct.ID, FolderID: st.Resource,
		Records: []model.MailRecord{rec}, NextLink: "more"}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) event(acct model.Account, st model.Stream, ev model.Event) {
	f.t.Helper()
	mb := f.mbA
	if acct.ID == f.b.ID {
		mb = f.mbB
	}
	ev.Organizer = model.Recipient{Name: "Me", Address: acct.UPN}
	ev.IsOrganizer = true
	rec, keep := mb.ClassifyEvent(ev)
	if !keep {
		f.t.Fatalf("event %s classified internal-only", ev.ID)
	}
	if _, err := f.s.ApplyEventPage(f.ctx, store.EventPage{StreamID: st.ID, AccountID: acct.ID, CalendarID: st.Resource,
		Records: []model.EventRecord{rec}, NextLink: "more"}); err != nil {
		f.t.Fatal(err)
	}
}

func attendees(addrs ...string) []model.Attendee {
	var out []model.Attendee
	for _, a := range addrs {
		out = append(out, model.Attendee{Type: "required", Email: model.Recipient{Address: a}})
	}
	return out
}

const (
	me     = "me@adatum.com"
	meB    = "avery@brooks.io"
	alice  = "alice@contoso.com"
	bob    = "bob@contoso.com"
	carol  = "carol@mail.contoso.com" // a subdomain: registrable domain contoso.com
	aliceG = "alice.personal@gmail.com"
	dan    = "dan@fabrikam.com"
)

// seed writes the scenario every figure below is worked out from.
func (f *fixture) seed() {
	// Contoso, thread T1: replies from both of the user's accounts.
	f.mail(f.a, f.inboxA, "m1", "T1", alice, []string{me}, nil, utc(10, 8, 9, 0))            // in  Thu 10-08 W41
	f.mail(f.a, f.sentA, "m2", "T1", me, []string{alice}, nil, utc(10, 8, 11, 30))           // out 150 min after m1
	f.mail(f.a, f.inboxA, "m3", "T1", alice, []string{me}, nil, utc(10, 9, 9, 30))           // in  22 h after m2
	f.mail(f.b, f.sentB, "m4", "T1", meB, []string{alice}, []string{me}, utc(10, 9, 10, 0))  // out from account B, 30 min after m3
	f.mail(f.a, f.inboxA, "m4", "T1", meB, []string{alice}, []string{me}, utc(10, 9, 10, 0)) // …and its copy in A (same internet id)
	// Thread T2 spans the range start (10-07 12:00 UTC).
	f.mail(f.a, f.inboxA, "m5", "T2", bob, []string{me}, nil, utc(10, 6, 8, 0))  // in, before the range: not counted
	f.mail(f.a, f.sentA, "m6", "T2", me, []string{bob}, nil, utc(10, 7, 13, 0))  // out, in the range (its cause is not)
	f.mail(f.a, f.inboxA, "m7", "T2", bob, []string{me}, nil, utc(10, 7, 15, 0)) // in, 120 min after m6; never answered
	// Thread T3 across the DST change.
	f.mail(f.a, f.inboxA, "m8", "T3", carol, []string{me}, nil, utc(10, 25, 0, 30)) // in  02:30 CEST Sun 10-25: W43
	f.mail(f.a, f.sentA, "m9", "T3", me, []string{carol}, nil, utc(10, 25, 22, 30)) // out 23:30 CET Sun 10-25: W43 (UTC+2 would say Mon, W44)
	// Thread T4: inbound 24 h before now, unanswered but not yet for 48 h.
	f.mail(f.a, f.inboxA, "m10", "T4", alice, []string{me}, nil, utc(11, 3, 12, 0)) // in Tue 11-03 W45
	// Thread T5: one message to two clients, and Fabrikam's answer with Alice in copy.
	f.mail(f.a, f.sentA, "m11", "T5", me, []string{dan, alice}, nil, utc(10, 20, 10, 0))       // out to both, Tue W43
	f.mail(f.a, f.inboxA, "m12", "T5", dan, []string{me}, []string{alice}, utc(10, 20, 12, 0)) // in for Fabrikam only
	// Thread T6: Alice from her personal address (an explicit contact of Contoso).
	f.mail(f.a, f.inboxA, "m13", "T6", aliceG, []string{me}, nil, utc(10, 30, 10, 0)) // in Fri W44
	f.mail(f.a, f.sentA, "m14", "T6", me, []string{aliceG}, nil, utc(10, 30, 11, 0))  // out, 60 min later

	// Fabrikam alone.
	f.mail(f.a, f.inboxA, "f20", "F1", dan, []string{me}, nil, utc(10, 8, 10, 0))  // in  Thu W41
	f.mail(f.a, f.sentA, "f21", "F1", me, []string{dan}, nil, utc(10, 8, 14, 0))   // out 240 min later
	f.mail(f.a, f.inboxA, "f22", "F1", dan, []string{me}, nil, utc(10, 10, 10, 0)) // in  Sat W41, 44 h after f21
	f.mail(f.a, f.sentA, "f23", "F1", me, []string{dan}, nil, utc(10, 12, 10, 0))  // out Mon W42, 2880 min after f22
	f.mail(f.a, f.inboxA, "f24", "F2", dan, []string{me}, nil, utc(10, 14, 10, 0)) // in  Wed W42
	f.mail(f.a, f.sentA, "f25", "F2", me, []string{dan}, nil, utc(10, 14, 10, 30)) // out 30 min later

	// Meetings.
	steering := model.Event{ID: "e1", ICalUID: "uid-e1", Subject: "Steering", Start: utc(10, 14, 8, 0), End: utc(10, 14, 9, 30), Attendees: attendees(alice)}
	f.event(f.a, f.calA, steering)
	steering.ID = "e1-in-B" // the same meeting in account B's calendar: counted once
	f.event(f.b, f.calB, steering)
	// Both clients; 01:30 CEST → 02:30 CET on the night the clocks go back: 2 real hours.
	f.event(f.a, f.calA, model.Event{ID: "e2", ICalUID: "uid-e2", Subject: "Night migration", Start: utc(10, 24, 23, 30), End: utc(10, 25, 1, 30), Attendees: attendees(alice, dan)})
	f.event(f.a, f.calA, model.Event{ID: "e3", ICalUID: "uid-e3", Subject: "Offsite", IsAllDay: true, Start: utc(10, 28, 0, 0), End: utc(10, 29, 0, 0),
		StartDate: "2026-10-28", EndDate: "2026-10-29", Attendees: attendees(bob)})
	f.event(f.a, f.calA, model.Event{ID: "e4", ICalUID: "uid-e4", Subject: "Cancelled review", IsCancelled: true, Start: utc(11, 3, 15, 0), End: utc(11, 3, 16, 0), Attendees: attendees(alice)})
	f.event(f.a, f.calA, model.Event{ID: "e5", ICalUID: "uid-e5", Subject: "Next steering", Start: utc(11, 10, 9, 0), End: utc(11, 10, 10, 0), Attendees: attendees(alice)})
	f.event(f.a, f.calA, model.Event{ID: "e6", ICalUID: "uid-e6", Subject: "Kick-off", Start: utc(9, 30, 9, 0), End: utc(9, 30, 10, 0), Attendees: attendees(alice)})

	// Files (issue 5's tables), linked to Contoso as its folder rules would.
	f.file(utc(10, 1, 9, 0), "Alice Moreau", "edited", "Old.docx")     // before the range
	f.file(utc(10, 12, 9, 0), "Alice Moreau", "edited", "SOW.docx")    // Mon W42
	f.file(utc(10, 13, 10, 0), "Avery Brooks", "created", "Plan.xlsx") // Tue W42
	f.file(utc(11, 1, 10, 0), "Lee Gu", "renamed", "SOW v2.docx")      // Sun 11-01 11:00 CET: W44
}

// file records a change of a file of Contoso's.
func (f *fixture) file(at time.Time, actor, action, name string) {
	f.t.Helper()
	db := f.s.DB()
	res, err := db.Exec(`INSERT INTO file_activity(account_id, drive_key, item_id, at, actor_name, action, name, path_at_time, pending)
		VALUES(?, 1, ?, ?, ?, ?, ?, ?, 0)`, f.a.ID, "file-"+name, at.UnixMilli(), actor, action, name, "Clients/Contoso/"+name)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := db.Exec(`INSERT INTO links(client_id, kind, account_id, item_id, at) VALUES(?, 'file', ?, ?, ?)`,
		f.contoso.ID, f.a.ID, fmt.Sprint(id), at.UnixMilli()); err != nil {
		f.t.Fatal(err)
	}
}

func opts() insights.Options { return insights.Options{Now: now, Days: 28, Loc: paris} }

func fp(v float64) *float64 { return &v }

func eqF(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func show(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func checkLatency(t *testing.T, what string, got insights.Latency, count, unanswered int, median, p90 *float64) {
	t.Helper()
	if got.Count != count || got.Unanswered != unanswered || !eqF(got.MedianMinutes, median) || !eqF(got.P90Minutes, p90) {
		t.Errorf("%s = count %d unanswered %d median %s p90 %s; want %d %d %s %s", what, got.Count, got.Unanswered,
			show(got.MedianMinutes), show(got.P90Minutes), count, unanswered, show(median), show(p90))
	}
}

type vol struct{ in, out int }

func checkVolume(t *testing.T, got []insights.WeekVolume, want map[string]vol) {
	t.Helper()
	weeks := []string{"2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45"}
	starts := []string{"2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"}
	if len(got) != len(weeks) {
		t.Fatalf("volume has %d weeks, want %d (empty weeks as zero): %+v", len(got), len(weeks), got)
	}
	for i, w := range got {
		if w.Week.Week != weeks[i] || w.Start != starts[i] || w.In != want[weeks[i]].in || w.Out != want[weeks[i]].out {
			t.Errorf("week %d = %+v, want %s %s in %d out %d", i, w, weeks[i], starts[i], want[weeks[i]].in, want[weeks[i]].out)
		}
	}
}

func TestContosoFigures(t *testing.T) {
	f := newFixture(t)
	f.seed()
	in, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts())
	if err != nil {
		t.Fatal(err)
	}

	// Email volume. Inbound = linked, not mine, sender is Contoso's:
	//   m1 (W41), m3 (W41), m7 (W41), m8 (W43, 02:30 CEST Sunday), m13 (W44, contact rule), m10 (W45) = 6.
	//   Not m5 (before the range), not m12 (Fabrikam's Dan wrote it; Alice only in copy).
	// Outbound = linked, mine, a Contoso recipient:
	//   m2, m4 (account B; two copies, one message), m6 (W41); m9 (23:30 CET Sunday: W43), m11 (W43); m14 (W44) = 6.
	checkVolume(t, in.EmailVolume, map[string]vol{"2026-W41": {3, 3}, "2026-W43": {1, 2}, "2026-W44": {1, 1}, "2026-W45": {1, 0}})
	if in.EmailIn != 6 || in.EmailOut != 6 {
		t.Errorf("email in/out = %d/%d, want 6/6", in.EmailIn, in.EmailOut)
	}

	// My reply latency, per inbound message in the range:
	//   m1 09:00 → m2 11:30                 = 150 min
	//   m3 09:30 → m4 10:00 (from account B) =  30 min
	//   m7 → nothing mine after it in T2     = unanswered
	//   m8 00:30 → m9 22:30                  = 22 h = 1320 min
	//   m10 → nothing                        = unanswered
	//   m13 10:00 → m14 11:00                =  60 min
	// sorted 30, 60, 150, 1320: median (60+150)/2 = 105; p90 = ⌈0.9·4⌉ = 4th = 1320.
	checkLatency(t, "my reply", in.MyReply, 4, 2, fp(105), fp(1320))

	// Their reply latency, per outbound message in the range:
	//   m2 10-08 11:30 → m3 10-09 09:30 = 22 h = 1320 min
	//   m4 → no Contoso message after it in T1 = unanswered
	//   m6 13:00 → m7 15:00 = 120 min (m6's own cause, m5, is before the range: irrelevant)
	//   m9 → nothing = unanswered
	//   m11 → m12 is from Fabrikam, not Contoso = unanswered
	//   m14 → nothing = unanswered
	// sorted 120, 1320: median 720; p90 = ⌈1.8⌉ = 2nd = 1320.
	checkLatency(t, "their reply", in.TheirReply, 2, 4, fp(720), fp(1320))

	// My reply per week of the inbound message: W41 m1 150, m3 30 (m7 none) → median 90;
	// W43 m8 1320; W44 m13 60; W45 only m10, unanswered → nil.
	wantWeekly := map[string]*float64{"2026-W41": fp(90), "2026-W43": fp(1320), "2026-W44": fp(60)}
	for _, w := range in.MyReplyWeekly {
		if !eqF(w.MedianMinutes, wantWeekly[w.Week.Week]) {
			t.Errorf("my reply in %s = %s, want %s", w.Week.Week, show(w.MedianMinutes), show(wantWeekly[w.Week.Week]))
		}
	}

	// Meeting cadence. Non-cancelled meetings started in the range: e1 10-14 (once,
	// though both accounts hold it), e2 10-25 01:30 CEST, e3 all-day 10-28 → 3
	// (e4 cancelled, e5 in the future, e6 before the range).
	//   per 30 days = 3 × 30 / 28 = 3.2142857…
	//   last = e3 (10-28), days since = 10-28 → 11-04 = 7; next = e5.
	//   meeting days 10-14, 10-25, 10-28: gaps 11, 3 → median 7.
	m := in.Meetings
	if m.Count != 3 || math.Abs(m.Per30Days-90.0/28) > 1e-9 || m.DaysSinceLast == nil || *m.DaysSinceLast != 7 ||
		m.Next == nil || m.Next.ItemID != "e5" || !m.Next.At.Equal(utc(11, 10, 9, 0)) || !eqF(m.MedianGapDays, fp(7)) {
		t.Errorf("cadence = %+v (next %+v, days since %v, gap %s)", m, m.Next, m.DaysSinceLast, show(m.MedianGapDays))
	}

	// Meeting hours: e1 1.5 h (W42), e2 2 h of real time though the wall clock
	// says 01:30 → 02:30 (W43, October); e3 is all-day: excluded. Total 3.5.
	wantHours := map[string]float64{"2026-W42": 1.5, "2026-W43": 2}
	for _, w := range in.MeetingHoursWeekly {
		if math.Abs(w.Hours-wantHours[w.Week.Week]) > 1e-9 {
			t.Errorf("hours in %s = %v, want %v", w.Week.Week, w.Hours, wantHours[w.Week.Week])
		}
	}
	if want := []insights.MonthHours{{Month: "2026-10", Hours: 3.5}, {Month: "2026-11", Hours: 0}}; !reflect.DeepEqual(in.MeetingHoursMonthly, want) || in.MeetingHours != 3.5 {
		t.Errorf("monthly hours = %+v total %v, want %+v and 3.5", in.MeetingHoursMonthly, in.MeetingHours, want)
	}

	// Files: 10-12 and 10-13 in W42, 11-01 (a Sunday, 11:00 CET) in W44; 10-01 is
	// before the range. Last change: the rename by Lee Gu.
	wantFiles := map[string]int{"2026-W42": 2, "2026-W44": 1}
	for _, w := range in.Files.Weekly {
		if w.Changes != wantFiles[w.Week.Week] {
			t.Errorf("file changes in %s = %d, want %d", w.Week.Week, w.Changes, wantFiles[w.Week.Week])
		}
	}
	if in.Files.Changes != 3 || in.Files.LastChange == nil || in.Files.LastChange.Actor != "Lee Gu" || in.Files.LastChange.Action != "renamed" ||
		!in.Files.LastChange.At.Equal(utc(11, 1, 10, 0)) {
		t.Errorf("files = %+v last %+v", in.Files, in.Files.LastChange)
	}

	// Last contact: m10 (11-03 12:00); the cancelled e4 at 15:00 that day and
	// the future e5 do not count.
	if in.LastContact == nil || !in.LastContact.Equal(utc(11, 3, 12, 0)) {
		t.Errorf("last contact = %v, want 2026-11-03 12:00 UTC", in.LastContact)
	}

	// Contact days in the range (Paris): mail 10-07 (m6, m7), 10-08, 10-09,
	// 10-20 (m11, m12), 10-25 (m8, m9), 10-30, 11-03; meetings 10-14, 10-25, 10-28.
	// Days 07 08 09 14 20 25 28 30 11-03: gaps 1 1 5 6 5 3 2 4 → sorted
	// 1 1 2 3 4 5 5 6 → usual gap (3+4)/2 = 3.5. Silent since 11-03: 1 day ≤ 7.
	if in.ContactDays != 9 || !eqF(in.UsualGapDays, fp(3.5)) || in.SilentDays == nil || *in.SilentDays != 1 {
		t.Errorf("contact days %d usual gap %s silent %v; want 9, 3.5, 1", in.ContactDays, show(in.UsualGapDays), in.SilentDays)
	}
	// Attention: not silent; one thread unanswered for more than 48 h — T2
	// (m7, 10-07). T4's m10 is only 24 h old.
	if len(in.Attention) != 1 || in.Attention[0].Kind != insights.AttentionUnanswered || in.Attention[0].Threads != 1 {
		t.Errorf("attention = %+v", in.Attention)
	}
	if len(in.Unanswered) != 1 || in.Unanswered[0].ItemID != "m7" || in.Unanswered[0].Conversation != "T2" || in.Unanswered[0].Count != 1 {
		t.Errorf("unanswered = %+v", in.Unanswered)
	} else if u := in.Unanswered[0]; u.Subject != "Subject m7" || u.From != "From "+bob || u.WebLink != "https://outlook.office.com/mail/m7" {
		t.Errorf("the unanswered thread shows %q from %q (%q), want m7's subject, sender and link", u.Subject, u.From, u.WebLink)
	}
}

// An answer is the user's next message in the conversation whoever it went
// to: passing a client's question on to someone outside the client is not
// on the client's timeline, but it answers. Mail from one of the user's
// addresses counts as theirs once that address is one of their accounts.
func TestRepliesOffTheClientsTimeline(t *testing.T) {
	f := newFixture(t)
	f.mail(f.a, f.inboxA, "q1", "Q", alice, []string{me}, nil, utc(10, 20, 9, 0))                // in, Contoso
	f.mail(f.a, f.sentA, "q2", "Q", me, []string{dan}, nil, utc(10, 20, 10, 30))                 // out to Fabrikam only, 90 min later
	f.mail(f.a, f.inboxA, "q3", "R", bob, []string{me}, nil, utc(10, 21, 9, 0))                  // in, Contoso
	f.mail(f.a, f.inboxA, "q4", "R", "me@other.example", []string{bob}, nil, utc(10, 21, 9, 45)) // from an address not (yet) the user's
	in, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts())
	if err != nil {
		t.Fatal(err)
	}
	checkLatency(t, "my reply", in.MyReply, 1, 1, fp(90), fp(90))
	if _, err := f.s.UpsertAccount(f.ctx, model.Account{UPN: "me@other.example"}); err != nil {
		t.Fatal(err)
	}
	if in, err = insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts()); err != nil {
		t.Fatal(err)
	}
	checkLatency(t, "my reply once me@other.example is an account", in.MyReply, 2, 0, fp(67.5), fp(90))
}

func TestFabrikamFigures(t *testing.T) {
	f := newFixture(t)
	f.seed()
	in, err := insights.ForClient(f.ctx, f.s, f.fabrikam.ID, "Fabrikam", opts())
	if err != nil {
		t.Fatal(err)
	}
	// Inbound: f20 (W41), f22 (W41, Saturday), f24 (W42), m12 (W43) = 4.
	// Outbound: f21 (W41), f23 (W42), f25 (W42), m11 (W43; also Contoso's) = 4.
	checkVolume(t, in.EmailVolume, map[string]vol{"2026-W41": {2, 1}, "2026-W42": {1, 2}, "2026-W43": {1, 1}})
	// My latency: f20 → f21 240; f22 (10-10 10:00) → f23 (10-12 10:00) 2880;
	// f24 → f25 30; m12 → nothing: unanswered. Sorted 30 240 2880: median 240, p90 3rd = 2880.
	checkLatency(t, "my reply", in.MyReply, 3, 1, fp(240), fp(2880))
	// Their latency: f21 (10-08 14:00) → f22 (10-10 10:00) 44 h = 2640; f23, f25 → nothing;
	// m11 10:00 → m12 12:00 = 120. Sorted 120 2640: median 1380, p90 2nd = 2640.
	checkLatency(t, "their reply", in.TheirReply, 2, 2, fp(1380), fp(2640))
	// Meetings: only e2, shared with Contoso: count 1, per 30 days 30/28,
	// last on 10-25 (Paris) → 10 days; no gap; 2 h in W43 and October.
	m := in.Meetings
	if m.Count != 1 || math.Abs(m.Per30Days-30.0/28) > 1e-9 || m.DaysSinceLast == nil || *m.DaysSinceLast != 10 || m.Next != nil || m.MedianGapDays != nil || in.MeetingHours != 2 {
		t.Errorf("cadence = %+v, hours %v", m, in.MeetingHours)
	}
	// Last contact: e2 at 10-24 23:30 UTC (newer than m12, 10-20). In Paris that
	// is 10-25 01:30, so the silence runs 10-25 → 11-04 = 10 days (11 if
	// counted in UTC days).
	// Contact days: 10-08, 10-10, 10-12, 10-14, 10-20, 10-25: gaps 2 2 2 6 5 →
	// sorted 2 2 2 5 6 → usual gap 2. 10 > 2 × 2: silent.
	if in.LastContact == nil || !in.LastContact.Equal(utc(10, 24, 23, 30)) || in.SilentDays == nil || *in.SilentDays != 10 ||
		in.ContactDays != 6 || !eqF(in.UsualGapDays, fp(2)) {
		t.Errorf("last contact %v silent %v contact days %d usual gap %s", in.LastContact, in.SilentDays, in.ContactDays, show(in.UsualGapDays))
	}
	// Attention: silent 10 d, and thread T5 (m12, 10-20) unanswered.
	if len(in.Attention) != 2 || in.Attention[0].Kind != insights.AttentionSilent || in.Attention[0].SilentDays != 10 ||
		in.Attention[0].Label != "silent 10d" || in.Attention[1].Kind != insights.AttentionUnanswered {
		t.Errorf("attention = %+v", in.Attention)
	}
	if len(in.Unanswered) != 1 || in.Unanswered[0].ItemID != "m12" || !in.Unanswered[0].Since.Equal(utc(10, 20, 12, 0)) {
		t.Errorf("unanswered = %+v", in.Unanswered)
	}
	// No files are Fabrikam's.
	if in.Files.Changes != 0 || in.Files.LastChange != nil || len(in.Files.Weekly) != 5 {
		t.Errorf("files = %+v", in.Files)
	}
}

func TestOverviewAndAttentionList(t *testing.T) {
	f := newFixture(t)
	f.seed()
	cs := []model.Client{f.contoso, f.fabrikam}
	ov, all, err := insights.Overview(f.ctx, f.s, cs, opts())
	if err != nil {
		t.Fatal(err)
	}
	// Sparkline = in + out per week: Contoso W41 3+3, W42 0, W43 1+2, W44 1+1, W45 1+0.
	if !reflect.DeepEqual(ov[0].WeeklyVolume, []int{6, 0, 3, 2, 1}) || !eqF(ov[0].MyMedianReplyMinutes, fp(105)) ||
		ov[0].NextMeeting == nil || ov[0].NextMeeting.Title != "Next steering" || len(ov[0].Attention) != 1 {
		t.Errorf("Contoso overview = %+v", ov[0])
	}
	if !reflect.DeepEqual(ov[1].WeeklyVolume, []int{3, 3, 2, 0, 0}) || len(ov[1].Attention) != 2 {
		t.Errorf("Fabrikam overview = %+v", ov[1])
	}
	// Attention list: threads waiting longest first (Contoso's T2 since 10-07,
	// Fabrikam's T5 since 10-20), then silent clients. The label counts whole
	// days waited: 10-07 15:00 → 11-04 12:00 is 27 d 21 h → "unanswered 27d".
	list := insights.AttentionList(all)
	if len(list) != 3 || list[0].ClientName != "Contoso" || list[0].Thread == nil || list[0].Thread.ItemID != "m7" ||
		list[0].Label != "unanswered 27d" || list[1].ClientName != "Fabrikam" || list[1].Thread == nil || list[1].Thread.ItemID != "m12" ||
		list[2].Kind != insights.AttentionSilent || list[2].ClientName != "Fabrikam" {
		for _, it := range list {
			t.Logf("%+v", it)
		}
		t.Error("attention list out of order or incomplete")
	}
}

func TestMedianAndP90(t *testing.T) {
	// Odd count: the middle value. Even: the mean of the two middle values.
	// p90 by nearest rank: n = 10 → ⌈9⌉ = 9th; n = 11 → ⌈9.9⌉ = 10th; n = 1 → 1st.
	for _, c := range []struct {
		in          []float64
		median, p90 float64
	}{
		{[]float64{5}, 5, 5},
		{[]float64{3, 1, 2}, 2, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 4},
		{[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 55, 90},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	} {
		if m, p := insights.Median(append([]float64(nil), c.in...)), insights.P90(append([]float64(nil), c.in...)); *m != c.median || *p != c.p90 {
			t.Errorf("%v: median %v p90 %v, want %v %v", c.in, *m, *p, c.median, c.p90)
		}
	}
	if insights.Median(nil) != nil || insights.P90(nil) != nil {
		t.Error("no values must give no median")
	}
}

func TestSilenceWithoutContactInRange(t *testing.T) {
	f := newFixture(t)
	// A single Contoso message 40 days before now: nothing in a 28-day range,
	// so no usual gap — but contact once and none since the range began is
	// silence: 09-25 → 11-04 = 40 days.
	f.mail(f.a, f.inboxA, "old", "X", alice, []string{me}, nil, utc(9, 25, 10, 0))
	f.mail(f.a, f.sentA, "old-re", "X", me, []string{alice}, nil, utc(9, 25, 11, 0))
	in, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts())
	if err != nil {
		t.Fatal(err)
	}
	if in.UsualGapDays != nil || len(in.Attention) != 1 || in.Attention[0].Kind != insights.AttentionSilent || in.Attention[0].SilentDays != 40 {
		t.Errorf("attention = %+v usual gap %s", in.Attention, show(in.UsualGapDays))
	}
	if in.EmailIn != 0 || in.MyReply.Count != 0 || in.MyReply.Unanswered != 0 {
		t.Errorf("mail outside the range counted: %+v", in.MyReply)
	}
	// Files changed only before the range: none in it, the newest is shown.
	f.file(utc(9, 1, 9, 0), "Alice Moreau", "created", "Brief.docx")
	f.file(utc(9, 20, 9, 0), "Lee Gu", "edited", "Brief.docx")
	f.file(utc(9, 10, 9, 0), "Lee Gu", "edited", "Notes.docx")
	if in, err = insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts()); err != nil {
		t.Fatal(err)
	}
	if last := in.Files.LastChange; in.Files.Changes != 0 || last == nil || !last.At.Equal(utc(9, 20, 9, 0)) || last.Actor != "Lee Gu" || last.Name != "Brief.docx" {
		t.Errorf("files = %d changes, last %+v; want none, Lee Gu's edit of Brief.docx on 09-20", in.Files.Changes, last)
	}
	// Fabrikam never had contact: no attention at all.
	fab, err := insights.ForClient(f.ctx, f.s, f.fabrikam.ID, "Fabrikam", opts())
	if err != nil || len(fab.Attention) != 0 || fab.LastContact != nil || fab.SilentDays != nil {
		t.Errorf("Fabrikam = %+v, %v", fab.Attention, err)
	}
}

// A client's page names its oldest unanswered threads only (Details): the
// list and the counts are the same as the attention list's, and only
// those threads carry a subject, a sender and a link; the home screen
// (negative Details) names none.
func TestOnlyTheShownThreadsAreReadInFull(t *testing.T) {
	f := newFixture(t)
	for i, day := range []int{20, 10, 15} { // T0 is the newest, T1 the oldest
		id := fmt.Sprintf("u%d", i)
		f.mail(f.a, f.inboxA, id, fmt.Sprintf("T%d", i), alice, []string{me}, nil, utc(10, day, 9, 0))
	}
	all, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", opts())
	if err != nil {
		t.Fatal(err)
	}
	o := opts()
	o.Details = 2
	page, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Unanswered) != 3 || len(page.Unanswered) != 3 || page.Attention[len(page.Attention)-1].Threads != 3 {
		t.Fatalf("unanswered: %d threads with every detail, %d on the page (attention %+v); want 3 and 3", len(all.Unanswered), len(page.Unanswered), page.Attention)
	}
	for i, want := range []string{"u1", "u2", "u0"} {
		a, p := all.Unanswered[i], page.Unanswered[i]
		if a.ItemID != want || p.ItemID != want || a.Subject != "Subject "+want || a.From != "From "+alice {
			t.Errorf("thread %d: %+v / %+v, want %s oldest first with its subject everywhere", i, a, p, want)
		}
		shown := i < 2
		if (p.Subject != "") != shown || (p.From != "") != shown || (p.WebLink != "") != shown || (shown && p.Subject != a.Subject) {
			t.Errorf("thread %d on the page: subject %q from %q link %q; details wanted: %v", i, p.Subject, p.From, p.WebLink, shown)
		}
	}
	o.Details = -1
	home, err := insights.ForClient(f.ctx, f.s, f.contoso.ID, "Contoso", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(home.Unanswered) != 3 || home.Unanswered[0].ItemID != "u1" || home.Unanswered[0].Subject != "" || home.Unanswered[2].Subject != "" {
		t.Errorf("without details: %+v, want the 3 threads, none with a subject", home.Unanswered)
	}
}
