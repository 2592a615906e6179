package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"rapport/backend/model"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	return openTestAt(t, filepath.Join(t.TempDir(), "data", "rapport.db"))
}

// openTestAt opens the store at path, closed when the test ends.
func openTestAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenMigratesAndIsPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "rapport.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("schema version = %d, %v; want >= 1", v, err)
	}
	s.Close()
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", p, got, want)
		}
	}
	// Reopening an up-to-date database applies nothing and keeps the version.
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v2, _ := s2.SchemaVersion(context.Background()); v2 != v {
		t.Fatalf("version changed on reopen: %d -> %d", v, v2)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil {
		t.Fatal("opening a database from a newer version succeeded; want a clear error")
	}
}

func TestAccountsHoldNoTokens(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, err := s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", DisplayName: "Avery", HomeAccountID: "uid.tid", Scopes: []string{"User.Read"}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.UpsertAccount(ctx, model.Account{UPN: "AVERY@adatum.com", DisplayName: "Avery B"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != a.ID {
		t.Fatalf("same UPN got a new account id: %d vs %d", again.ID, a.ID)
	}
	got, err := s.AccountByUPN(ctx, "avery@adatum.com")
	if err != nil || got.DisplayName != "Avery B" {
		t.Fatalf("AccountByUPN = %+v, %v", got, err)
	}
	if _, err := s.AccountByUPN(ctx, "nobody@x.com"); err == nil {
		t.Fatal("unknown UPN found")
	}
}
