package store

import (
	"context"
	"database/sql"
	"encoding/json"
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
	b.Run("page", func(b *testing.B) { // one statement for the page's 100 ids
		for i := 0; i < b.N; i++ {
			err := s.tx(ctx, func(tx *sql.Tx) error { return relinkPage(ctx, tx, mailKind, acct.ID, pages[i%len(pages)]) })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("per-item", func(b *testing.B) { // what ApplyMailPage did before: a delete and linkMailSQL per message
		for i := 0; i < b.N; i++ {
			var ids []string
			_ = json.Unmarshal([]byte(pages[i%len(pages)]), &ids)
			err := s.tx(ctx, func(tx *sql.Tx) error {
				del, err := tx.PrepareContext(ctx, `DELETE FROM links WHERE account_id=? AND item_id=? AND kind='mail'`)
				if err != nil {
					return err
				}
				defer del.Close()
				link, err := tx.PrepareContext(ctx, linkMailSQL)
				if err != nil {
					return err
				}
				defer link.Close()
				for _, id := range ids {
					if _, err := del.ExecContext(ctx, acct.ID, id); err != nil {
						return err
					}
					if _, err := link.ExecContext(ctx, 0, acct.ID, id); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
	})
}
