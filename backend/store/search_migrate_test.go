package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// A database written before migration 004 gets its stored mail, meetings
// and clients indexed for search when it is opened.
func TestMigration004IndexesExistingData(t *testing.T) {
	db, path := openAtVersion(t, 3)
	execAll(t, db,
		`INSERT INTO accounts(id, upn, added_at) VALUES(1, 'me@adatum.com', 0)`,
		`INSERT INTO messages(account_id, id, subject, direction, received_at) VALUES(1, 'm1', 'Quarterly budget', 'in', 1000)`,
		`INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(1, 'm1', 0, 'from', 'Zoë Smith', 'zoe@contoso.com', 'contoso.com')`,
		`INSERT INTO events(account_id, id, calendar_id, subject, start_at, end_at) VALUES(1, 'e1', 'c', 'Steering', 2000, 3000)`,
		`INSERT INTO clients(id, name, created_at) VALUES(7, 'Contoso', 0)`,
		`INSERT INTO client_domains(client_id, domain) VALUES(7, 'contoso.com')`,
	)
	s := upgrade(t, db, path)
	ctx := context.Background()
	for q, want := range map[string][]string{"zoe budget": {"mail:m1"}, "steering": {"meeting:e1"}, "contoso": {"client:7", "mail:m1"}} {
		hs, err := s.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := hitIDs(hs); !reflect.DeepEqual(got, want) {
			t.Errorf("Search(%q) = %v, want %v", q, got, want)
		}
	}
	if _, err := s.db.Exec(`INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 1)`); err != nil {
		t.Fatal(fmt.Errorf("index out of step: %w", err))
	}
}
