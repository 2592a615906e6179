package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"rapport/backend/model"
)

// keep opens the store at path, refreshes its copy of the hand-made
// tables, closes it and says whether the copy was written.
func keep(t *testing.T, path string, change ...string) bool {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	execAll(t, s.DB(), change...)
	wrote, err := s.Keep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return wrote
}

// The copy is written when what the user made changes, and only then:
// not again for the counts and times the sync updates, nor by the next
// process to open the store when nothing changed.
func TestKeepCopiesWhatTheUserMadeWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	if !keep(t, path) {
		t.Fatal("the first Keep wrote no copy")
	}
	info, err := os.Stat(keepPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the copy's mode is %v, want 0600 like the store's", info.Mode().Perm())
	}
	if keep(t, path) {
		t.Error("a copy was written again with nothing changed")
	}
	s := openTestAt(t, path)
	if wrote, err := s.Keep(context.Background()); err != nil || wrote {
		t.Fatalf("Keep with nothing changed: %v %v", wrote, err)
	}
	if err := os.Remove(keepPath(path)); err != nil {
		t.Fatal(err)
	}
	if wrote, err := s.Keep(context.Background()); err != nil || !wrote {
		t.Errorf("a copy deleted while the store was open was not written again: %v %v", wrote, err)
	}
	s.Close()
	if keep(t, path, `UPDATE clients SET items = items + 7`, `UPDATE sync_settings SET first_sync_at = 5, discovered_at = 9`,
		`UPDATE accounts SET state = 'signin_required', state_at = 3`) {
		t.Error("a copy was written again for counts and times the sync keeps")
	}
	// A copy cut short by a crash is left as a temporary file.
	if err := os.WriteFile(keepPath(path)+".tmp", []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !keep(t, path, `INSERT INTO clients(name, created_at) VALUES('Northwind', 0)`) {
		t.Fatal("a new client wrote no copy")
	}
	if _, err := os.Stat(keepPath(path) + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there: %v", err)
	}
	s = openTestAt(t, path)
	var names []string
	err = s.withAttached(context.Background(), keepPath(path), "keep", func(c *sql.Conn) error {
		rows, err := c.QueryContext(context.Background(), `SELECT name FROM keep.clients ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		return rows.Err()
	})
	if err != nil || !slices.Equal(names, []string{"Contoso", "Fabrikam", "Northwind"}) {
		t.Errorf("clients in the copy: %v %v", names, err)
	}
}

// headerGone overwrites the first bytes of the file: SQLite then says it
// is not a database.
func headerGone(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, 100), 0); err != nil {
		t.Fatal(err)
	}
}

// A store whose header is gone gives nothing; the copy gives back what
// the user made, the library with a stream to sync it included.
func TestStartAfreshRestoresFromTheCopy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	before := time.Now().Add(-time.Second)
	keep(t, path)
	headerGone(t, path)
	s, got := afresh(t, path)
	if len(got.Rows) != 0 || len(got.Skipped) != 0 {
		t.Errorf("read from a file with no header: %v, skipped %v", got.Rows, got.Skipped)
	}
	if got.Restored["clients"] != 2 || got.Restored["client_domains"] != 2 || got.Restored["folder_mappings"] != 1 || got.Restored["accounts"] != 1 {
		t.Errorf("restored %v, want 1 account, 2 clients, 2 domains, 1 mapping", got.Restored)
	}
	if got.KeptAt.Before(before) || got.KeptAt.After(time.Now()) {
		t.Errorf("the copy's time %v is not when it was written", got.KeptAt)
	}
	cl, err := s.Clients(ctx)
	if err != nil || len(cl) != 2 || cl[0].Items != 0 {
		t.Errorf("clients in the new store: %+v %v", cl, err)
	}
	streams, err := s.Streams(ctx, 1)
	if err != nil || !slices.ContainsFunc(streams, func(st model.Stream) bool { return st.Kind == model.StreamDrive && st.Resource == "b!lib1" }) {
		t.Errorf("the library restored has no stream to sync it: %+v %v", streams, err)
	}
	// The copy restored from went aside with the store; the new store
	// makes its own from what it now holds.
	if _, err := os.Stat(keepPath(path)); !os.IsNotExist(err) {
		t.Errorf("the copy restored from was left for the new store: %v", err)
	}
	if wrote, err := s.Keep(ctx); err != nil || !wrote {
		t.Errorf("the new store's first Keep: wrote %v, %v", wrote, err)
	}
	if wrote, err := s.Keep(ctx); err != nil || wrote {
		t.Errorf("Keep again after restoring: wrote %v, %v; want nothing new to write", wrote, err)
	}
}

// The copy fills in only what the store set aside cannot give: a damaged
// clients page takes the clients from the copy, while the rest, newer in
// the store set aside, comes from there, the clients' domains and
// mappings included (the clients keep their ids).
func TestStartAfreshTakesFromTheCopyOnlyWhatIsLost(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	clients := handMade(t, path)
	keep(t, path)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetHistory(ctx, 1, 30, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	clients.overwrite(t, path)
	s, got := afresh(t, path)
	if len(got.Restored) != 1 || got.Restored["clients"] != 2 || len(got.Skipped) != 0 {
		t.Errorf("restored from the copy %v, skipped %v: want the 2 clients only", got.Restored, got.Skipped)
	}
	if got.Rows["accounts"] != 1 || got.Rows["sync_settings"] != 1 || got.Rows["client_domains"] != 2 || got.Rows["folder_mappings"] != 1 {
		t.Errorf("from the store set aside %v: want the account, settings, domains and mapping", got.Rows)
	}
	if set, err := s.SyncSettings(ctx, 1, time.Now()); err != nil || set.HistoryDays != 30 {
		t.Errorf("history %+v %v: want the newer setting of the store set aside", set, err)
	}
	if cl, err := s.Clients(ctx); err != nil || len(cl) != 2 {
		t.Errorf("clients in the new store: %+v %v", cl, err)
	}
}

// copyOfVersion makes the copy beside the store at path look written by
// a Rapport of another schema version.
func copyOfVersion(t *testing.T, path string, version int) {
	t.Helper()
	s := openTestAt(t, filepath.Join(t.TempDir(), "other.db"))
	err := s.withAttached(context.Background(), keepPath(path), "keep", func(c *sql.Conn) error {
		_, err := c.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA keep.user_version = %d`, version))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A store migrated since its copy was written gets a new copy, though
// what the user made is the same.
func TestKeepRewritesACopyOfAnOlderVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	keep(t, path)
	copyOfVersion(t, path, 14)
	if !keep(t, path) {
		t.Fatal("a copy of version 14 was left as the store's copy")
	}
	s := openTestAt(t, path)
	err := s.withAttached(context.Background(), keepPath(path), "keep", func(c *sql.Conn) error {
		return sameVersion(context.Background(), c, "keep")
	})
	if err != nil {
		t.Errorf("the new copy: %v", err)
	}
}

// A copy of another schema version is not read.
func TestStartAfreshReadsOnlyACopyOfItsOwnVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	keep(t, path)
	headerGone(t, path)
	copyOfVersion(t, path, 14)
	aside, err := SetAside(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh := openTestAt(t, path)
	got, err := fresh.Salvage(context.Background(), aside)
	if err == nil || len(got.Restored) != 0 {
		t.Fatalf("salvage from a copy of another version: %v, restored %v", err, got.Restored)
	}
}
