package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// tx runs fn in a write transaction on the writer connection and commits
// it, or rolls it back when fn fails. Write transactions run one at a
// time, in the order they asked, bulk ones last (writequeue.go).
//
// Tried and dropped (issue 7, docs/PERFORMANCE.md §16): committing the
// writes that queued meanwhile together (group commit, each in a
// savepoint). Pages of different streams share few database pages, so the
// commits cost as much in total, and every savepoint copies the pages it
// touches into a sub-journal: the heavy ingest took 22 s instead of 18 s.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.write(ctx, false, fn)
}

// exec runs one write statement as a write transaction of its own: in the
// write queue, on the writer connection, like every other write. Run on a
// pooled connection, it waited for SQLite's lock in the busy handler's
// sleeps, behind every page write that kept coming during a sync, and
// could fail with "database is locked" after busy_timeout; it also made
// the writer connection drop its page cache.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// pageCtx is the context for the statements of a page's write
// transaction: ctx without its cancellation, or ctx's error if it is
// already cancelled. Given a context that can be cancelled,
// mattn/go-sqlite3 runs each statement on a goroutine of its own and waits
// for it; a page is hundreds of statements, and on two busy cores the
// writer can then wait for a processor after each one, holding the write
// lock (docs/PERFORMANCE.md §34). A page's transaction is short, and the
// sync stops between pages.
func pageCtx(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// bulkTx is tx for a big write that others need not wait for: a drive
// page. It runs when no other write is queued.
func (s *Store) bulkTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.write(ctx, true, fn)
}

// HoldBulkWrites keeps bulk writes (drive pages) waiting, even between
// other writes, until release is called: for a run of short writes that
// must not each wait for a drive page, as a discovery's (writequeue.go).
func (s *Store) HoldBulkWrites() (release func()) { return s.writes.holdBulk() }

func (s *Store) write(ctx context.Context, bulk bool, fn func(*sql.Tx) error) error {
	s.writes.lock(bulk)
	defer s.writes.unlock()
	tx, err := s.begin(ctx)
	if err != nil {
		s.noteDamage(err) // open_problems.go
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.noteDamage(err)
		return err
	}
	if err := tx.Commit(); err != nil {
		s.noteDamage(err)
		return err
	}
	s.kickCheckpointer()
	return nil
}

// begin starts a write transaction on the writer connection, opening it
// first if needed (and again if the driver reports it broken).
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	if s.writer == nil {
		c, err := s.db.Conn(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		if s.migrated {
			if err := tempInMemory(ctx, c); err != nil {
				c.Close()
				return nil, err
			}
		}
		s.writer = c
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		s.writer.Close()
		s.writer = nil
	}
	if err != nil {
		return nil, fmt.Errorf("begin a write: %w", err)
	}
	return tx, nil
}

// tempInMemory keeps the writer connection's temporary files in memory
// (PRAGMA temp_store). A write statement that changes many rows inside a
// transaction (a page's multi-row inserts, a round end's links and
// activity updates) keeps a statement journal, a copy of every page it
// changes so that a failing statement can be undone alone; past 64 KiB
// SQLite spills it to a file in the temporary directory. A first sync of
// the heavy tenant wrote 2.1 GB that way and through the WAL for a 170 MB
// store; with them in memory, 1.3 GB, and `rapport bench` ingested about a
// tenth more items a second (docs/PERFORMANCE.md §49). Such a journal
// lives for one statement.
//
// Migrations run before this is set: a migration rebuilds whole tables
// and their indexes, and SQLite sorts an index's keys in memory without
// limit when temporary storage is in memory, where a file-backed sort
// spills past the page cache.
func tempInMemory(ctx context.Context, c *sql.Conn) error {
	if _, err := c.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return fmt.Errorf("keep the writer's temporary files in memory: %w", err)
	}
	return nil
}
