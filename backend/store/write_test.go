package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// A big write inside a transaction keeps its statement journal in memory:
// no SQLite temporary file is open in the process after it. Checked on a
// new store, whose writer the migrations opened, and on a store opened
// again, whose writer opens at the first write.
func TestABigWriteSpillsNoTemporaryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	for _, name := range []string{"new store", "reopened store"} {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var open []string
		err = s.tx(ctx, func(tx *sql.Tx) error {
			// 20,000 rows, then one statement that changes all of them
			// and may fail on the unique index: it keeps a journal of the
			// hundreds of pages it changes, far past SQLite's 64 KiB
			// spill size.
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS scratch(id INTEGER PRIMARY KEY, v TEXT UNIQUE);
				DELETE FROM scratch;
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000)
				INSERT INTO scratch SELECT i, printf('%040d', i) FROM n;
				UPDATE scratch SET v = v || '-changed'`); err != nil {
				return err
			}
			open = sqliteTempFiles(t)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(open) > 0 {
			t.Errorf("%s: a big write spilled to temporary files: %v", name, open)
		}
		s.Close()
	}
}

// Migrations keep file-backed temporary storage: they rebuild whole tables
// and indexes, and an index's sort in memory has no bound.
func TestMigrationsSortOnDisk(t *testing.T) {
	last := 0
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil {
			last = max(last, n)
		}
	}
	saved, had := migrationHooks[last]
	defer func() {
		if had {
			migrationHooks[last] = saved
		} else {
			delete(migrationHooks, last)
		}
	}()
	store := -1
	migrationHooks[last] = func(ctx context.Context, tx *sql.Tx) error {
		if had {
			if err := saved(ctx, tx); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&store)
	}
	s := openTest(t)
	if store != 0 {
		t.Fatalf("temp_store during migration %d = %d, want 0 (the default, file-backed)", last, store)
	}
	var after int
	if err := s.tx(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`PRAGMA temp_store`).Scan(&after)
	}); err != nil {
		t.Fatal(err)
	}
	if after != 2 {
		t.Fatalf("temp_store of the writer after the migrations = %d, want 2 (memory)", after)
	}
}

// sqliteTempName matches how Linux names an open SQLite temporary file:
// SQLite opens it with O_TMPFILE where it can ("/var/tmp/#1234"), else
// as etilqs_… and unlinks it at once.
var sqliteTempName = regexp.MustCompile(`(/#\d+|/etilqs_\w+) \(deleted\)$`)

// sqliteTempFiles lists the SQLite temporary files this process holds
// open (Linux: /proc/self/fd).
func sqliteTempFiles(t *testing.T) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && sqliteTempName.MatchString(target) {
			found = append(found, target)
		}
	}
	return found
}
