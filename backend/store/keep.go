package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A copy of what the user made by hand (the tables Salvage copies) is
// kept beside the store, in rapport.db.keep, for when Start afresh cannot
// read them from the damaged store: its header gone, or a damaged page in
// the clients or the mappings themselves. The copy is a small SQLite file
// of the same schema version, written whole to a temporary file and
// renamed over the last one, so a copy cut short by a crash never
// replaces a good one. It is written again only when those tables
// changed (a hash of their rows, kept in the copy), not for the counts
// and times the sync updates in them.

func keepPath(path string) string { return path + ".keep" }

// volatile are the columns of the kept tables that the sync updates: a
// change to them alone does not make a new copy (Salvage resets most of
// them anyway).
var volatile = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{
		"accounts.state", "accounts.state_error", "accounts.claims", "accounts.state_at",
		"clients.items",
		"sync_settings.first_sync_at", "sync_settings.discovered_at",
		"mail_folders.total", "mail_folders.seen_at",
		"calendars.seen_at",
	} {
		m[c] = true
	}
	return m
}()

// Keep writes the copy when the kept tables changed since it was last
// written, and reports whether it wrote. A store it cannot read leaves the
// last copy as it was.
func (s *Store) Keep(ctx context.Context) (bool, error) {
	s.keepMu.Lock()
	defer s.keepMu.Unlock()
	sum, err := s.handMadeSum(ctx)
	if err != nil {
		return false, fmt.Errorf("read what to keep: %w", err)
	}
	if s.keptSum == "" {
		s.keptSum = s.keptSumOnDisk(ctx)
	}
	if _, err := os.Stat(keepPath(s.path)); sum == s.keptSum && err == nil {
		return false, nil // unchanged, and still there
	}
	if err := s.writeKeep(ctx, sum); err != nil {
		return false, fmt.Errorf("keep a copy of what you set up: %w", err)
	}
	s.keptSum = sum
	return true, nil
}

// handMadeSum hashes the kept tables' rows, but for their volatile
// columns, in one read transaction.
func (s *Store) handMadeSum(ctx context.Context) (string, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	h := sha256.New()
	err = inDeferred(ctx, conn, func() error { return hashTables(ctx, conn, h) })
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashTables(ctx context.Context, conn *sql.Conn, h io.Writer) error {
	for _, t := range salvaged {
		rows, err := conn.QueryContext(ctx, "SELECT * FROM main."+t.table)
		if err != nil {
			return err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "%s\x00", t.table)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for i, v := range vals {
				if !volatile[t.table+"."+cols[i]] {
					fmt.Fprintf(h, "%T:%v\x00", v, v)
				}
			}
			h.Write([]byte{'\n'})
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// inDeferred runs fn in a deferred transaction on conn: one snapshot of
// the store, read without its write lock (the store's own transactions
// begin IMMEDIATE, taking it), committed if fn succeeds.
func inDeferred(ctx context.Context, conn *sql.Conn, fn func() error) error {
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		return err
	}
	_, err := conn.ExecContext(ctx, `COMMIT`)
	return err
}

// keptSumOnDisk reads the hash the copy on disk was written with, or ""
// when there is none that can be read or it is of another schema version
// (the store was migrated since: a new copy is due, whatever the hash).
func (s *Store) keptSumOnDisk(ctx context.Context) string {
	var sum string
	s.withAttached(ctx, keepPath(s.path), "keep", func(conn *sql.Conn) error {
		if err := sameVersion(ctx, conn, "keep"); err != nil {
			return err
		}
		return conn.QueryRowContext(ctx, `SELECT sum FROM keep.kept`).Scan(&sum)
	})
	return sum
}

// writeKeep writes the copy to a temporary file and renames it over the
// last one once it is on disk.
func (s *Store) writeKeep(ctx context.Context, sum string) error {
	final := keepPath(s.path)
	tmp := final + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// Made here so that its mode is 0600 from the first byte, as the store's.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	err = s.withAttached(ctx, tmp, "keep", func(conn *sql.Conn) error {
		// The file is new and renamed into place only when whole: it
		// needs no journal, and is synced once below.
		for _, q := range []string{`PRAGMA keep.journal_mode = OFF`, `PRAGMA keep.synchronous = OFF`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return inDeferred(ctx, conn, func() error { return fillKeep(ctx, conn, sum) })
	})
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(final))
	return nil
}

// fillKeep copies the kept tables into the attached copy, with the hash
// and the store's schema version.
func fillKeep(ctx context.Context, conn *sql.Conn, sum string) error {
	for _, t := range salvaged {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE keep.%[1]s AS SELECT * FROM main.%[1]s`, t.table)); err != nil {
			return err
		}
	}
	var version int
	if err := conn.QueryRowContext(ctx, `PRAGMA main.user_version`).Scan(&version); err != nil {
		return err
	}
	for _, q := range []string{
		`CREATE TABLE keep.kept (sum TEXT NOT NULL, at INTEGER NOT NULL)`,
		fmt.Sprintf(`INSERT INTO keep.kept VALUES ('%s', %d)`, sum, time.Now().UnixMilli()),
		fmt.Sprintf(`PRAGMA keep.user_version = %d`, version),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// withAttached runs fn on a connection of its own with the SQLite file at
// path attached as name (attach), and detaches it. A connection that
// could not detach is dropped, so that no later statement finds the file
// still attached.
func (s *Store) withAttached(ctx context.Context, path, name string, fn func(*sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := attach(ctx, conn, path, name); err != nil {
		return err
	}
	err = fn(conn)
	if _, derr := conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE `+name); derr != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err
}

// attach attaches the SQLite file at path to conn as name, if it is there:
// ATTACH would make an empty file.
func attach(ctx context.Context, conn *sql.Conn, path, name string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS `+name, path)
	return err
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir makes a rename in dir durable where the system allows it
// (Windows cannot open a directory to sync it; NTFS journals the rename).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
