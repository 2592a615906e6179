package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"rapport/backend/model"
	"rapport/backend/store"
)

// Benchmarks of the store's hot paths (issue 7): applying a delta page,
// computing client links, reading a timeline. Compare runs with benchstat:
//
//	go test -tags sqlite_fts5 -run '^$' -bench . -count 8 ./backend/store > new.txt
//	benchstat old.txt new.txt

const benchClients = 40

// benchStore is a store with one account, its mail streams and 40 clients.
type benchStore struct {
	s       *store.Store
	acct    model.Account
	inbox   model.Stream
	cal     model.Stream
	domains []string
	r       *rand.Rand
	seq     int
}

func newBenchStore(b *testing.B) *benchStore {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	bs := &benchStore{s: s, r: rand.New(rand.NewPCG(1, 2))}
	if bs.acct, err = s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", Mail: "avery@adatum.com"}); err != nil {
		b.Fatal(err)
	}
	if bs.inbox, err = s.EnsureStream(ctx, bs.acct.ID, model.StreamMail, "INBOX", "Inbox", 0); err != nil {
		b.Fatal(err)
	}
	if bs.cal, err = s.EnsureStream(ctx, bs.acct.ID, model.StreamCalendar, "CAL", "Calendar", 0); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchClients; i++ {
		d := fmt.Sprintf("client%02d.com", i)
		bs.domains = append(bs.domains, d)
		if _, err := s.AddClient(ctx, fmt.Sprintf("Client %02d", i), []string{d}); err != nil {
			b.Fatal(err)
		}
	}
	return bs
}

func (bs *benchStore) id(prefix string, n int) string {
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(bs.r.Uint32())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw)
}

// mailPage is a page of n new messages shaped like the heavy tenant's: a
// client contact and the consultant, sometimes a colleague on cc.
func (bs *benchStore) mailPage(n int) []model.MailRecord {
	recs := make([]model.MailRecord, n)
	at := time.Now().Add(-time.Duration(bs.r.IntN(90*24)) * time.Hour)
	for i := range recs {
		bs.seq++
		d := bs.domains[bs.r.IntN(len(bs.domains))]
		contact := model.Participant{Name: "Megan Bowen", Address: fmt.Sprintf("megan.bowen%d@%s", bs.seq%7, d), Domain: d}
		me := model.Participant{Name: "Avery Brooks", Address: "avery@adatum.com", Domain: "adatum.com"}
		r := model.MailRecord{Direction: model.DirectionIn}
		r.ID = bs.id("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A", 30)
		r.ConversationID = bs.id("AAQkADAwATM0MDAAMS1", 27)
		r.InternetMessageID = "<" + bs.id("", 15) + "@mail." + d + ">"
		r.Subject = fmt.Sprintf("Steering committee deck %d", bs.seq)
		r.SentAt, r.ReceivedAt = at.Add(-time.Minute), at
		r.WebLink = "https://outlook.office365.com/owa/?ItemID=" + r.ID + "&exvsurl=1&viewmodel=ReadMessageItem"
		r.ChangeKey = bs.id("CQAAABYAAAA", 21)
		from, to := contact, me
		if i%2 == 1 {
			r.Direction, from, to = model.DirectionOut, me, contact
		}
		r.From = model.Recipient{Name: from.Name, Address: from.Address}
		from.Role, to.Role = model.RoleFrom, model.RoleTo
		r.Participants = []model.Participant{from, to}
		if i%3 == 0 {
			r.Participants = append(r.Participants, model.Participant{Role: model.RoleCc, Name: "Jordan Lee", Address: "jordan.lee@adatum.com", Domain: "adatum.com"})
		}
		recs[i] = r
	}
	return recs
}

func (bs *benchStore) applyMail(b *testing.B, recs []model.MailRecord, next string) {
	res, err := bs.s.ApplyMailPage(context.Background(), store.MailPage{StreamID: bs.inbox.ID, AccountID: bs.acct.ID, FolderID: "INBOX",
		Records: recs, NextLink: next})
	if err != nil {
		b.Fatal(err)
	}
	if res.Upserted != len(recs) {
		b.Fatalf("upserted %d of %d", res.Upserted, len(recs))
	}
}

// BenchmarkApplyMailPage writes pages of 100 new messages (with their
// participants, folder membership, client links and checkpoint) into a
// store that grows as it runs, like a first sync.
func BenchmarkApplyMailPage(b *testing.B) {
	bs := newBenchStore(b)
	if _, err := bs.s.BeginRound(context.Background(), bs.inbox.ID); err != nil {
		b.Fatal(err)
	}
	// A mailbox that already holds some mail.
	for i := 0; i < 50; i++ {
		bs.applyMail(b, bs.mailPage(100), "https://graph/next")
	}
	pages := make([][]model.MailRecord, b.N)
	for i := range pages {
		pages[i] = bs.mailPage(100)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs.applyMail(b, pages[i], "https://graph/next")
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkApplyMailPages writes the same pages as BenchmarkApplyMailPage,
// several to a transaction, as the sync does with the pages a folder's
// fetcher has ready (docs/PERFORMANCE.md §33).
func BenchmarkApplyMailPages(b *testing.B) {
	for _, per := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("per-tx-%d", per), func(b *testing.B) {
			bs := newBenchStore(b)
			// The sync's context can be cancelled (the app quits, the user
			// signs out): so can this one.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := bs.s.BeginRound(ctx, bs.inbox.ID); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 50; i++ {
				bs.applyMail(b, bs.mailPage(100), "https://graph/next")
			}
			pages := make([]store.MailPage, b.N)
			for i := range pages {
				pages[i] = store.MailPage{StreamID: bs.inbox.ID, AccountID: bs.acct.ID, FolderID: "INBOX", Records: bs.mailPage(100), NextLink: "https://graph/next"}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += per {
				res, err := bs.s.ApplyMailPages(ctx, pages[i:min(i+per, b.N)])
				if err != nil {
					b.Fatal(err)
				}
				if want := 100 * (min(i+per, b.N) - i); res.Upserted != want {
					b.Fatalf("upserted %d of %d", res.Upserted, want)
				}
			}
			b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkApplyMailPageAgain applies a page that is already stored: the
// upsert path of a repeated page (Graph repeats items across pages).
func BenchmarkApplyMailPageAgain(b *testing.B) {
	bs := newBenchStore(b)
	if _, err := bs.s.BeginRound(context.Background(), bs.inbox.ID); err != nil {
		b.Fatal(err)
	}
	page := bs.mailPage(100)
	bs.applyMail(b, page, "https://graph/next")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs.applyMail(b, page, "https://graph/next")
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
}

// eventPage makes n new meetings with a client attendee.
func (bs *benchStore) eventPage(n int) []model.EventRecord {
	recs := make([]model.EventRecord, n)
	for i := range recs {
		bs.seq++
		d := bs.domains[bs.r.IntN(len(bs.domains))]
		st := time.Now().Add(time.Duration(bs.r.IntN(200*24)-90*24) * time.Hour).Truncate(time.Minute)
		var r model.EventRecord
		r.ID = bs.id("AAMkAGI2TG93AAA", 33)
		r.ICalUID = bs.id("040000008200E00074C5B7101A82E008", 28)
		r.ChangeKey = bs.id("DwAAABYAAAA", 16)
		r.Subject = fmt.Sprintf("Weekly sync %d", bs.seq)
		r.Start, r.End, r.TimeZone, r.Type = st, st.Add(45*time.Minute), "Eastern Standard Time", model.EventOccurrence
		r.Organizer = model.Recipient{Name: "Avery Brooks", Address: "avery@adatum.com"}
		r.WebLink = "https://outlook.office365.com/owa/?itemid=" + r.ID + "&exvsurl=1&path=/calendar/item"
		r.Participants = []model.Participant{
			{Role: model.RoleOrganizer, Name: "Avery Brooks", Address: "avery@adatum.com", Domain: "adatum.com"},
			{Role: model.RoleRequired, Name: "Megan Bowen", Address: "megan.bowen@" + d, Domain: d},
		}
		recs[i] = r
	}
	return recs
}

// BenchmarkApplyEventPage writes pages of 100 new meetings with a client
// attendee.
func BenchmarkApplyEventPage(b *testing.B) {
	bs := newBenchStore(b)
	ctx := context.Background()
	if _, err := bs.s.BeginRound(ctx, bs.cal.ID); err != nil {
		b.Fatal(err)
	}
	pages := make([][]model.EventRecord, b.N)
	for i := range pages {
		pages[i] = bs.eventPage(100)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bs.s.ApplyEventPage(ctx, store.EventPage{StreamID: bs.cal.ID, AccountID: bs.acct.ID, CalendarID: "CAL",
			Records: pages[i], NextLink: "https://graph/next"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkListingPollNoChange is a round of a calendar listed each poll
// (no delta in v1.0 for calendars other than the default) that reports
// the same 100 meetings it stored before (§38).
func BenchmarkListingPollNoChange(b *testing.B) {
	bs := newBenchStore(b)
	ctx := context.Background()
	page := bs.eventPage(100)
	round := func() {
		if _, err := bs.s.BeginRound(ctx, bs.cal.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := bs.s.ApplyEventPage(ctx, store.EventPage{StreamID: bs.cal.ID, AccountID: bs.acct.ID, CalendarID: "CAL",
			Records: page, Complete: true}); err != nil {
			b.Fatal(err)
		}
	}
	round()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round()
	}
}

// BenchmarkMailPollNoChange is a poll of an Inbox of 20,000 messages that
// brings nothing: one empty page with the new delta link (issue 7's
// incremental cost per stream).
func BenchmarkMailPollNoChange(b *testing.B) {
	bs := newBenchStore(b)
	ctx := context.Background()
	if _, err := bs.s.BeginRound(ctx, bs.inbox.ID); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		bs.applyMail(b, bs.mailPage(100), "https://graph/next")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bs.s.ApplyMailPage(ctx, store.MailPage{StreamID: bs.inbox.ID, AccountID: bs.acct.ID, FolderID: "INBOX",
			DeltaLink: "https://graph/delta"}); err != nil {
			b.Fatal(err)
		}
	}
}
