// Package store is Rapport's local SQLite database: embedded forward-only
// migrations, delta pages written in one transaction together with their
// checkpoint link, and the timeline queries. It knows nothing of HTTP.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // build with -tags sqlite_fts5
)

// Write performance (issue 7, docs/PERFORMANCE.md). A page of 100
// messages dirties about 1,100 database pages (the indexes keyed by Graph
// ids get random keys; §18): with SQLite's default 2 MB page cache the
// writer spills them to the WAL mid-transaction and reads them back, so
// each connection may keep up to 64 MB of pages (a cache, grown only as
// used). The WAL is checkpointed every 8,192 pages (32 MB) instead of
// every 1,000, so the checkpoint (which fsyncs) runs once per few pages,
// not after every one, and in the background (checkpoint.go), not in the
// writer.
const (
	cacheSizeKiB  = "-65536"
	walCheckpoint = 8192
	driverName    = "sqlite3_rapport"
)

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.RegisterFunc(textKeySQL, textKey, true); err != nil {
			return err
		}
		_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walBackstop), nil)
		return err
	}})
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationHooks run after the migration of their number, in its
// transaction: data a migration fills from rules kept in Go.
var migrationHooks = map[int]func(context.Context, *sql.Tx) error{
	10: backfillLinkFacts,
}

// Store is an open Rapport database.
type Store struct {
	db   *sql.DB
	path string

	clockMu sync.Mutex
	lastMS  int64

	// writes queues this process's write transactions (tx, bulkTx;
	// writequeue.go).
	writes writeQueue
	// writer is the connection every write transaction runs on (holding
	// writes). SQLite keeps a page cache per connection and a connection
	// drops its cache when another one has written since its last
	// transaction: writes handed to whichever pooled connection was free
	// re-read their B-trees' pages from the file at each page of a sync.
	// One writer connection keeps them warm (issue 7). Opened lazily,
	// replaced if the driver reports it broken.
	writer *sql.Conn
	// migrated: the migrations have run, and the writer keeps its
	// temporary files in memory (write.go, tempInMemory).
	migrated bool
	// Read statements prepared once (prepared.go).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// The copy of the hand-made tables (keep.go): the hash it was last
	// written with, "" until known.
	keepMu  sync.Mutex
	keptSum string
	// The background checkpointer (checkpoint.go).
	ckptKick chan struct{}
	ckptDone chan struct{}
}

// Tick returns the current time, strictly later (by at least a millisecond)
// than any earlier Tick of this store. The orphan purge compares "removal
// seen at" with "round or discovery started at"; two events recorded in the
// same millisecond must still be ordered as they happened.
func (s *Store) Tick() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	t := time.Now().UnixMilli()
	if t <= s.lastMS {
		t = s.lastMS + 1
	}
	s.lastMS = t
	return time.UnixMilli(t).UTC()
}

// clockMS is now by the store's clock, in milliseconds: the wall clock, or
// the last Tick when several Ticks in one millisecond ran ahead of it — so
// what the store has just recorded is never in its future.
func (s *Store) clockMS() int64 {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return max(time.Now().UnixMilli(), s.lastMS)
}

// Open opens (creating if needed) the database file at path. The file and
// its WAL are created 0600 inside a 0700 directory: it holds private mail
// metadata.
func Open(path string) (*Store, error) {
	return OpenWithProgress(context.Background(), path, OpenProgress{})
}

// OpenProgress hears what a slow open is doing. Either may be nil.
type OpenProgress struct {
	// Checking: a write met a damaged page last time, and the whole file
	// is read before it is used (open_problems.go).
	Checking func()
	// Migrating: an older store's migrations, before each pending one
	// (done of total) and once when all are done (total of total). Not
	// called for a store that needs none.
	Migrating func(done, total int)
}

// OpenWithProgress is Open for the app's windows, which show the
// migrations of an older store as they run (they can take seconds at a
// million items). Cancelling ctx rolls back the migration running then;
// the store stays at the version it reached.
func OpenWithProgress(ctx context.Context, path string, progress OpenProgress) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	// Create the file ourselves so its mode is 0600 from the first byte;
	// SQLite derives the WAL/SHM modes from the main file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()
	// _stmt_cache_size: mattn/go-sqlite3 keeps that many statements per
	// connection prepared; the one-shot statements a page write or a poll
	// runs (links, search, checkpoints) are then compiled once per
	// connection instead of on every call (PERFORMANCE.md §38).
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_busy_timeout=10000&_txlock=immediate" +
		"&_cache_size=" + cacheSizeKiB + "&_stmt_cache_size=64"
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, writes: newWriteQueue()}
	if err := s.checkIfMarked(ctx, progress.Checking); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx, progress.Migrating); err != nil {
		// The writer too: a connection left open would keep the file
		// open, and Windows refuses to rename an open file (SetAside).
		if s.writer != nil {
			s.writer.Close()
		}
		db.Close()
		return nil, err
	}
	// From here on the writer keeps its temporary files in memory
	// (write.go, tempInMemory); the migrations above did not.
	s.migrated = true
	if s.writer != nil {
		if err := tempInMemory(context.Background(), s.writer); err != nil {
			s.writer.Close()
			db.Close()
			return nil, err
		}
	}
	s.startCheckpointer()
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.writes.lock(false)
	s.stopCheckpointer()
	s.closePrepared()
	if s.writer != nil {
		s.writer.Close()
		s.writer = nil
	}
	s.writes.unlock()
	return s.db.Close()
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// DB exposes the handle for tests and benchmarks in other packages.
func (s *Store) DB() *sql.DB { return s.db }

// migrate applies every embedded migration newer than PRAGMA user_version,
// each in its own transaction, so a crash mid-migration leaves the previous
// version intact.
func (s *Store) migrate(ctx context.Context, progress func(done, total int)) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	latest := 0
	type migration struct {
		n    int
		name string
	}
	var pending []migration
	for _, name := range names {
		var n int
		if _, err := fmt.Sscanf(name, "%d_", &n); err != nil {
			return fmt.Errorf("migration %s: name must start with its number", name)
		}
		latest = max(latest, n)
		if n > version {
			pending = append(pending, migration{n, name})
		}
	}
	// Numbers may have gaps (migrations are written on parallel branches),
	// so compare with the newest one, not with how many there are.
	if version > latest {
		return ErrNewerVersion
	}
	// A new file runs them all in a blink: only an older store's
	// migrations are worth showing.
	if version == 0 {
		progress = nil
	}
	for i, m := range pending {
		if progress != nil {
			progress(i, len(pending))
		}
		n, name := m.n, m.name
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if hook := migrationHooks[n]; hook != nil {
				if err := hook(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	if progress != nil && len(pending) > 0 {
		progress(len(pending), len(pending))
	}
	return nil
}

// SchemaVersion returns PRAGMA user_version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid || v.Int64 == 0 {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func joinList(v []string) string { return strings.Join(v, "\x1f") }
func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\x1f")
}
