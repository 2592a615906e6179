package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// A database written before migration 004 gets its stored mail, meetings
// and clients indexed for search when it is opened.
func TestMigration004IndexesExistingData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"001_init.sql", "002_accounts.sql", "003_sync.sql"} {
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, q := range []string{
		`PRAGMA user_version = 3`,
		`INSERT INTO accounts(id, upn, added_at) VALUES(1, 'me@adatum.com', 0)`,
		`INSERT INTO messages(account_id, id, subject, direction, received_at) VALUES(1, 'm1', 'Quarterly budget', 'in', 1000)`,
		`INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(1, 'm1', 0, 'from', 'Zoë Smith', 'zoe@contoso.com', 'contoso.com')`,
		`INSERT INTO events(account_id, id, calendar_id, subject, start_at, end_at) VALUES(1, 'e1', 'c', 'Steering', 2000, 3000)`,
		`INSERT INTO clients(id, name, created_at) VALUES(7, 'Contoso', 0)`,
		`INSERT INTO client_domains(client_id, domain) VALUES(7, 'contoso.com')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
