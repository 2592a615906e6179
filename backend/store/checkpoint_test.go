package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// The WAL is copied back into the database by the background checkpointer
// once a commit leaves walCheckpoint pages or more, not by the writer:
// the writer's own (the backstop) would only start at walBackstop. And
// walPending reads the WAL index as SQLite's own checkpoint reports it.
func TestCheckpointsInTheBackground(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var busy, logFrames, copied int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &copied); err != nil {
		t.Fatal(err)
	}
	// One small write: walPending sees its frames, as the checkpoint
	// (which counts them) does; the checkpointer leaves them.
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO clients(name, created_at) VALUES('Contoso', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n, ok := walPending(s.path)
	if !ok || n == 0 || n >= walCheckpoint {
		t.Fatalf("after a small write the WAL index says %d pending (ok %v)", n, ok)
	}
	// Writes past the threshold: 40 MB of 4 KB pages, in one transaction.
	blob := strings.Repeat("x", 3000)
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE filler(v TEXT)`); err != nil {
			return err
		}
		for i := 0; i < 10000; i++ {
			if _, err := tx.Exec(`INSERT INTO filler(v) VALUES(?)`, blob); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		n, ok = walPending(s.path)
		if ok && n < walCheckpoint {
			break // copied back without anyone asking
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the commit the WAL still holds %d uncopied pages", n)
		}
		time.Sleep(10 * time.Millisecond) // polling for the outcome, not a timing assumption
	}
	if n, ok := walPending(s.path + ".missing"); ok || n != 0 {
		t.Fatal("walPending of a database without a WAL index")
	}
}
