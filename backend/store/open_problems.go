package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-sqlite3"
)

// What can stop a store from opening, told apart so that the app's window
// can say what to do about each (app/opening.go).

// ErrNewerVersion: the file was migrated by a newer Rapport. Opening it
// with this one would mean not knowing its tables; nothing is changed.
var ErrNewerVersion = errors.New("this database was written by a newer version of Rapport; update Rapport to open it")

// Damaged reports an error that says the file is not a usable SQLite
// database: not one at all, or one whose pages do not hold together (met
// by a statement, or found by the check at open).
func Damaged(err error) bool {
	var se sqlite3.Error
	return errors.Is(err, errFailedCheck) ||
		errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt)
}

var errFailedCheck = errors.New("the store's pages do not hold together")

// Busy reports an error that says another program held the database
// locked for longer than the busy timeout.
func Busy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// Full reports an error that says the disk (or the file system's quota)
// has no room for what a write needed.
func Full(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// A damaged page is usually met by a statement long after the store
// opened: a write that meets one leaves a mark beside the file
// (rapport.db.check), every later write fails the same way, and the sync
// says to restart Rapport. The next open then reads the whole file
// (PRAGMA quick_check) before using it, and a store that fails the check
// is refused as damaged, so the window offers to start afresh. A store
// that passes loses its mark.
func checkMark(path string) string { return path + ".check" }

// noteDamage leaves the mark when err says a page is damaged.
func (s *Store) noteDamage(err error) { NoteDamage(s.path, err) }

// NoteDamage leaves the mark beside the store at path when err says a
// page is damaged, and reports whether it did: for the reads that meet
// one, which the app sees only as a method's error.
func NoteDamage(path string, err error) bool {
	if !Damaged(err) {
		return false
	}
	if f, ferr := os.OpenFile(checkMark(path), os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
		f.Close()
	}
	return true
}

// checkIfMarked runs the check when the mark is there; checking (may be
// nil) hears that it starts.
func (s *Store) checkIfMarked(ctx context.Context, checking func()) error {
	if _, err := os.Stat(checkMark(s.path)); err != nil {
		return nil
	}
	if checking != nil {
		checking()
	}
	lines, err := queryRows(ctx, s.db, func(r *sql.Rows) (line string, err error) {
		err = r.Scan(&line)
		return line, err
	}, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("check the store: %w", err)
	}
	// One "ok", or the problems found, never both.
	if len(lines) > 0 && lines[0] != "ok" {
		return fmt.Errorf("%w (%s)", errFailedCheck, lines[0])
	}
	return os.Remove(checkMark(s.path))
}

// SetAside renames the database at path, with its WAL, shared-memory and
// check-mark files and the copy of what the user made (keep.go), to
// path.damaged-<time>(-wal, -shm, .check, .keep), so that a
// new store can be made at path while the old file stays for whoever
// wants to look at it or restore it. It returns the new name of the
// database file. Only for a store no connection has open.
func SetAside(path string, now time.Time) (string, error) {
	aside := fmt.Sprintf("%s.damaged-%s", path, now.UTC().Format("20060102-150405"))
	if _, err := os.Lstat(aside); err == nil {
		return "", fmt.Errorf("%s already exists; try again in a second", aside)
	}
	// They go together or not at all: a WAL left behind would be
	// replayed into the new store, a database moved without its WAL would
	// lose the pages the WAL holds.
	var moved []string
	for _, suffix := range []string{"-wal", "-shm", ".check", ".keep", ""} {
		err := os.Rename(path+suffix, aside+suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			for _, m := range moved {
				os.Rename(aside+m, path+m)
			}
			return "", fmt.Errorf("set the store aside: %w", err)
		}
		moved = append(moved, suffix)
	}
	return aside, nil
}
