package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"rapport/backend/model"
)

// BenchmarkLinkPage computes the client links of a page of 100 stored
// messages (the rules of rules.go over the page's ids, as ApplyMailPage
// does), in a store of 20,000 messages and 40 clients (every
// page re-linked repeatedly: the links are deleted and written again).
func BenchmarkLinkPage(b *testing.B) {
	ctx := context.Background()
	s, err := Open(filepath.Join(b.TempDir(), "links.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", Mail: "avery@adatum.com"})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		if _, err := s.AddClient(ctx, fmt.Sprintf("Client %02d", i), []string{fmt.Sprintf("client%02d.com", i)}); err != nil {
			b.Fatal(err)
		}
	}
	seedMessages(b, s, acct.ID, "client00.com", 10000, 10000) // half a client's, half on other domains
	var pages []string
	for p := 0; p < 200; p++ {
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = fmt.Sprintf("m%07d", p*100+i) // seedMessages' ids
		}
		pages = append(pages, pageIDs(ids))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.tx(ctx, func(tx *sql.Tx) error { return relinkPage(ctx, tx, mailKind, acct.ID, pages[i%len(pages)]) })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
}
