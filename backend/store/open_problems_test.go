package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// pendingAfter counts the embedded migrations numbered above version.
func pendingAfter(t *testing.T, version int) int {
	t.Helper()
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		var v int
		if _, err := fmt.Sscanf(e.Name(), "%d_", &v); err == nil && v > version {
			n++
		}
	}
	return n
}

type progressCall struct{ done, total int }

// An older store's migrations are told one by one, then as all done; a
// new store and a current one tell nothing (their windows show no
// "updating" screen).
func TestOpenTellsTheMigrationsOfAnOlderStore(t *testing.T) {
	db, path := openAtVersion(t, 13)
	db.Close()
	var calls []progressCall
	record := func(done, total int) { calls = append(calls, progressCall{done, total}) }
	s, err := OpenWithProgress(context.Background(), path, OpenProgress{Migrating: record})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	n := pendingAfter(t, 13)
	if n < 2 {
		t.Fatalf("expected at least migrations 014 and 015 after 13, found %d", n)
	}
	var want []progressCall
	for i := 0; i <= n; i++ {
		want = append(want, progressCall{i, n})
	}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("progress of an older store: %v, want %v", calls, want)
	}

	calls = nil
	s, err = OpenWithProgress(context.Background(), path, OpenProgress{Migrating: record})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fresh, err := OpenWithProgress(context.Background(), filepath.Join(t.TempDir(), "new.db"), OpenProgress{Migrating: record})
	if err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	if len(calls) != 0 {
		t.Fatalf("a current and a new store told progress: %v", calls)
	}
}

// Closing the window while an older store migrates cancels the migration
// that has not committed: the store stays at the version it had, and the
// next start migrates it.
func TestOpenCancelledLeavesTheOlderVersion(t *testing.T) {
	db, path := openAtVersion(t, 13)
	db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := OpenWithProgress(ctx, path, OpenProgress{Migrating: func(done, total int) {
		if done == 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("open cancelled before its first migration: %v, want context.Canceled", err)
	}
	if v := userVersion(t, path); v != 13 {
		t.Fatalf("a cancelled migration left version %d, want 13", v)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fresh := openTest(t)
	want, _ := fresh.SchemaVersion(context.Background())
	if v, _ := s.SchemaVersion(context.Background()); v != want {
		t.Fatalf("the next open left version %d, want %d", v, want)
	}
}

// A migration that fails leaves no connection to the file open: "Start
// afresh" renames it next, which Windows refuses for an open file.
func TestAFailedMigrationClosesTheFile(t *testing.T) {
	db, path := openAtVersion(t, 13)
	// Migration 014 creates drive_keys: a table of that name makes its
	// first statement fail inside its transaction.
	execAll(t, db, `CREATE TABLE drive_keys (x)`)
	db.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "drive_keys") {
		t.Fatalf("open with a migration that cannot run: %v", err)
	}
	if n := openFilesNamed(t, path); n != 0 {
		t.Fatalf("%d file descriptors still open on %s after the failed open", n, path)
	}
	if v := userVersion(t, path); v != 13 {
		t.Fatalf("the failed migration left version %d, want 13", v)
	}
}

// openFilesNamed counts this process's descriptors open on path (Linux).
func openFilesNamed(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("this test reads /proc/self/fd: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
			n++
		}
	}
	return n
}

// A store written by a newer Rapport is refused untouched.
func TestOpenRefusesANewerStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`PRAGMA user_version = 9999`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("open of a newer store: %v, want ErrNewerVersion", err)
	}
	if v := userVersion(t, path); v != 9999 {
		t.Fatalf("the refused store's version became %d", v)
	}
}

// A file that is not a database is told as damaged; set aside with its
// WAL, it keeps its bytes under the new name and a new store opens in its
// place.
func TestADamagedStoreIsToldAndSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	junk := []byte("These are not the pages of an SQLite database, only words where its header should be.\n")
	for len(junk) < 8192 {
		junk = append(junk, junk...)
	}
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if err == nil || !Damaged(err) || Busy(err) {
		t.Fatalf("open of a file that is not a database: %v (damaged %v)", err, Damaged(err))
	}
	// (The failed open drops a WAL it cannot read: this one stands for
	// one left by a store damaged since it was last closed.)
	if err := os.WriteFile(path+"-wal", []byte("a WAL"), 0o600); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 11, 24, 10, 30, 5, 0, time.UTC)
	aside, err := SetAside(path, when)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".damaged-20261124-103005"; aside != want {
		t.Fatalf("set aside as %s, want %s", aside, want)
	}
	if b, err := os.ReadFile(aside); err != nil || string(b) != string(junk) {
		t.Fatalf("the damaged file's bytes were not kept: %v", err)
	}
	if b, err := os.ReadFile(aside + "-wal"); err != nil || string(b) != "a WAL" {
		t.Fatalf("its WAL did not go with it: %v", err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a WAL was left at the store's path: %v", err)
	}
	if _, err := SetAside(path, when); err == nil {
		t.Fatal("a second set-aside at the same second overwrote the first")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("a new store in the damaged one's place: %v", err)
	}
	s.Close()
}

// A write lock held by another program past the busy timeout is told as
// busy, not as damage.
func TestALockedStoreIsToldAsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	holder, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer holder.ExecContext(ctx, `ROLLBACK`)
	other, err := sql.Open(driverName, "file:"+path+"?_busy_timeout=0&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`PRAGMA user_version = 3`)
	if err == nil || !Busy(err) || Damaged(err) {
		t.Fatalf("a write while another program holds the lock: %v (busy %v)", err, Busy(err))
	}
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A write that meets a damaged page marks the store; the next open reads
// the whole file, refuses it as damaged and keeps the mark; set aside, the
// mark goes with it and a new store opens without a check.
func TestADamagedPageIsCheckedAtTheNextOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClient(ctx, "Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	page := rootPageOf(t, s.DB(), "clients")
	s.Close()
	page.overwrite(t, path)

	s, err = Open(path)
	if err != nil {
		t.Fatalf("the damage is not where an open looks, yet the open failed: %v", err)
	}
	_, err = s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"})
	s.Close()
	if !Damaged(err) {
		t.Fatalf("a write on the damaged page: %v, want an error Damaged reports", err)
	}
	if _, err := os.Stat(checkMark(path)); err != nil {
		t.Fatalf("the failed write left no mark: %v", err)
	}

	checked := 0
	_, err = OpenWithProgress(ctx, path, OpenProgress{Checking: func() { checked++ }})
	if !Damaged(err) || checked != 1 {
		t.Fatalf("the open after the mark: %v (checked %d times), want a damaged store, checked once", err, checked)
	}
	if _, err := os.Stat(checkMark(path)); err != nil {
		t.Fatalf("the mark went away with the store still damaged: %v", err)
	}
	aside, err := SetAside(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(checkMark(aside)); err != nil {
		t.Fatalf("the mark did not go with the store set aside: %v", err)
	}
	checked = 0
	fresh, err := OpenWithProgress(ctx, path, OpenProgress{Checking: func() { checked++ }})
	if err != nil || checked != 0 {
		t.Fatalf("the new store: %v, checked %d times", err, checked)
	}
	fresh.Close()
}

// A mark on a store that passes the check is removed: the next open is
// a plain one.
func TestAHealthyStorePassesTheCheckAndLosesTheMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(checkMark(path), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	checked := 0
	s, err = OpenWithProgress(context.Background(), path, OpenProgress{Checking: func() { checked++ }})
	if err != nil || checked != 1 {
		t.Fatalf("a healthy store with the mark: %v, checked %d times", err, checked)
	}
	s.Close()
	if _, err := os.Stat(checkMark(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the mark stayed after a passed check: %v", err)
	}
}

// tablePage is where a table's root page lies in its database file.
type tablePage struct{ root, size int64 }

// rootPageOf finds table's root page, with the WAL checkpointed into the
// file so that the page there is the one SQLite reads.
func rootPageOf(t *testing.T, db *sql.DB, table string) tablePage {
	t.Helper()
	var p tablePage
	if err := db.QueryRow(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&p.root); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&p.size); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	return p
}

// overwrite does to the closed database file at path what a failing disk
// or a careless copy does: the page holds bytes no page has.
func (p tablePage) overwrite(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, int(p.size)), (p.root-1)*p.size); err != nil {
		t.Fatal(err)
	}
}

// A write that finds no room (here the file capped at its size by
// max_page_count, which fails as a full disk does: SQLITE_FULL) is told
// apart as Full, not as damage; it leaves no mark, the store keeps what it
// held, and the same write succeeds once there is room.
func TestAFullDiskIsToldApartAndLosesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	s := openTestAt(t, path)
	if _, err := s.AddClient(ctx, "Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := s.writer.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	domains := make([]string, 400)
	for i := range domains {
		domains[i] = fmt.Sprintf("subsidiary-%03d.fabrikam-holdings.example", i)
	}
	_, err := s.AddClient(ctx, "Fabrikam", domains)
	if !Full(err) || Damaged(err) {
		t.Fatalf("a write with no room: %v (Full %v, Damaged %v)", err, Full(err), Damaged(err))
	}
	if _, err := os.Stat(checkMark(path)); !os.IsNotExist(err) {
		t.Errorf("a full disk left the damage mark: %v", err)
	}
	if cl, err := s.Clients(ctx); err != nil || len(cl) != 1 || cl[0].Name != "Contoso" {
		t.Fatalf("clients after the failed write: %+v %v", cl, err)
	}
	if _, err := s.writer.ExecContext(ctx, `PRAGMA max_page_count = 4294967294`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClient(ctx, "Fabrikam", domains); err != nil {
		t.Fatalf("the same write with room: %v", err)
	}
}
