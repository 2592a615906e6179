package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"rapport/backend/model"
)

// seedMessages writes n messages straight into the tables (as ApplyMailPage
// would leave them): each from someone at domain to the account, with a
// colleague in copy, plus noise messages on other domains.
func seedMessages(tb testing.TB, s *Store, acct int64, domain string, n, noise int) {
	tb.Helper()
	ctx := context.Background()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		msg, err := tx.Prepare(`INSERT INTO messages(account_id, id, conversation_id, subject, from_name, from_address, sent_at, received_at, direction, conv_key)
			VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,text_key(?3))`)
		if err != nil {
			return err
		}
		defer msg.Close()
		part, err := tx.Prepare(`INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer part.Close()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		for i := 0; i < n+noise; i++ {
			d := domain
			if i >= n {
				d = fmt.Sprintf("noise%d.com", i%500)
			}
			id := fmt.Sprintf("m%07d", i)
			from := fmt.Sprintf("person%d@%s", i%40, d)
			at := base + int64(i)*60000
			if _, err := msg.Exec(acct, id, fmt.Sprintf("c%d", i/4), fmt.Sprintf("Subject %d", i), "Person", from, at, at, "in"); err != nil {
				return err
			}
			for k, p := range [][3]string{{"from", from, d}, {"to", "me@adatum.com", "adatum.com"}, {"cc", "colleague@adatum.com", "adatum.com"}} {
				if _, err := part.Exec(acct, id, k, p[0], "Name", p[1], p[2]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkAddDomainRelinks50k: adding a domain that matches 50k messages
// re-links them in one transaction (target: < 1 s).
func BenchmarkAddDomainRelinks50k(b *testing.B) {
	ctx := context.Background()
	s := openTB(b)
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "me@adatum.com"})
	if err != nil {
		b.Fatal(err)
	}
	seedMessages(b, s, acct.ID, "newco.com", 50000, 50000)
	c, err := s.AddClient(ctx, "NewCo", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := s.AddClientDomain(ctx, c.ID, "newco.com"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/relink")
		b.StopTimer()
		var n int
		s.db.QueryRow(`SELECT COUNT(*) FROM links WHERE client_id = ?`, c.ID).Scan(&n)
		if n != 50000 {
			b.Fatalf("linked %d messages, want 50000", n)
		}
		if _, err := s.RemoveClientDomain(ctx, c.ID, "newco.com"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func openTB(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "rapport.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
