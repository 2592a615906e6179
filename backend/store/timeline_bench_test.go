package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"rapport/backend/insights"
	"rapport/backend/model"
	"rapport/backend/store"
)

// seedTimeline writes n messages with their participants and client links
// straight into a store with 40 clients (as a sync would have left them),
// spread over three years, the clients weighted 1/rank. It returns the
// store and the client with the most items.
func seedTimeline(b *testing.B, n int) (*store.Store, int64) {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(filepath.Join(b.TempDir(), "timeline.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", Mail: "avery@adatum.com"})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i := 0; i < benchClients; i++ {
		c, err := s.AddClient(ctx, fmt.Sprintf("Client %02d", i), []string{fmt.Sprintf("client%02d.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	cum := make([]float64, len(ids))
	sum := 0.0
	for i := range ids {
		sum += 1 / float64(i+1)
		cum[i] = sum
	}
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now().UnixMilli()
	db := s.DB()
	for done := 0; done < n; {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := tx.Prepare(`INSERT INTO messages(account_id, id, conversation_id, subject, from_name, from_address, sent_at, received_at,
			direction, web_link, change_key, conv_key) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,text_key(?3))`)
		part, _ := tx.Prepare(`INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(?,?,?,?,?,?,?)`)
		link, _ := tx.Prepare(`INSERT INTO links(client_id, kind, account_id, item_id, at, conv_key, flags) VALUES(?, 'mail', ?, ?, ?, text_key(?), ?)`)
		for k := 0; k < 20000 && done < n; k, done = k+1, done+1 {
			x := r.Float64() * sum
			ci := 0
			for ci < len(cum)-1 && cum[ci] < x {
				ci++
			}
			d := fmt.Sprintf("client%02d.com", ci)
			id := fmt.Sprintf("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A%040dAAA=", done)
			at := now - r.Int64N(3*365*864e5)
			dir, from := "in", "megan.bowen@"+d
			if done%2 == 1 {
				dir, from = "out", "avery@adatum.com"
			}
			conv := fmt.Sprintf("conv%d", done/3)
			if _, err := msg.Exec(acct.ID, id, conv, "Steering committee deck", "Megan Bowen", from, at-1000, at, dir,
				"https://outlook.office365.com/owa/?ItemID="+id+"&exvsurl=1&viewmodel=ReadMessageItem", "CQAAABYAAAAfdkq"); err != nil {
				b.Fatal(err)
			}
			if _, err := part.Exec(acct.ID, id, 0, "from", "Megan Bowen", "megan.bowen@"+d, d); err != nil {
				b.Fatal(err)
			}
			if _, err := part.Exec(acct.ID, id, 1, "to", "Avery Brooks", "avery@adatum.com", "adatum.com"); err != nil {
				b.Fatal(err)
			}
			flags := store.LinkFromClient
			if dir == "out" {
				flags = store.LinkMine
			}
			if _, err := link.Exec(ids[ci], acct.ID, id, at, conv, flags); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s, ids[0]
}

// BenchmarkTimelineFirstPage reads the first page (100 items) of the
// biggest client's timeline in a store of 200,000 timeline items.
func BenchmarkTimelineFirstPage(b *testing.B) {
	s, client := seedTimeline(b, 200_000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := s.Timeline(ctx, client, "", 100)
		if err != nil || len(p.Items) != 100 {
			b.Fatalf("%d items, %v", len(p.Items), err)
		}
	}
}

// BenchmarkTimelineDeepPage reads a page 50 pages deep (keyset cursor).
func BenchmarkTimelineDeepPage(b *testing.B) {
	s, client := seedTimeline(b, 200_000)
	ctx := context.Background()
	cursor := ""
	for i := 0; i < 50; i++ {
		p, err := s.Timeline(ctx, client, cursor, 100)
		if err != nil {
			b.Fatal(err)
		}
		cursor = p.Cursor
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := s.Timeline(ctx, client, cursor, 100)
		if err != nil || len(p.Items) != 100 {
			b.Fatalf("%d items, %v", len(p.Items), err)
		}
	}
}

// BenchmarkClientMailFacts reads the biggest client's mail facts for the
// last 90 days (what every figure of its page starts from) in a store of
// 200,000 timeline items.
func BenchmarkClientMailFacts(b *testing.B) {
	s, client := seedTimeline(b, 200000)
	ctx := context.Background()
	to := time.Now()
	from := to.AddDate(0, 0, -90)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		facts, err := s.ClientMailFacts(ctx, client, from, to)
		if err != nil || len(facts) == 0 {
			b.Fatalf("%d facts, %v", len(facts), err)
		}
	}
}

// BenchmarkClientInsights computes every figure of the biggest client's
// page (90 days) in a store of 200,000 timeline items: its mail facts, the
// user's replies, meetings, files, last contact.
func BenchmarkClientInsights(b *testing.B) {
	s, client := seedTimeline(b, 200000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in, err := insights.ForClient(ctx, s, client, "Client 00", insights.Options{})
		if err != nil || in.EmailIn == 0 {
			b.Fatalf("%d messages in, %v", in.EmailIn, err)
		}
	}
}
