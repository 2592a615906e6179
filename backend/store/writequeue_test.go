package store

import (
	"context"
	"database/sql"
	"reflect"
	gosync "sync"
	"testing"
	"time"
)

// While a write runs, a bulk write (a drive page) that queued first still
// goes after the ordinary writes queued behind it (a mail page, a user's
// change), and writes of one class keep their order.
func TestBulkWritesGoLast(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var mu gosync.Mutex
	var order []string
	write := func(name string, bulk bool) func(*sql.Tx) error {
		return func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO dismissed_suggestions(domain, at) VALUES(?, 0)`, name); err != nil {
				return err
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	running, release := make(chan struct{}), make(chan struct{})
	var wg gosync.WaitGroup
	run := func(name string, bulk bool, fn func(*sql.Tx) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if bulk {
				err = s.bulkTx(ctx, fn)
			} else {
				err = s.tx(ctx, fn)
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	run("holder", false, func(tx *sql.Tx) error {
		close(running)
		<-release
		return write("holder", false)(tx)
	})
	<-running
	for _, w := range []struct {
		name          string
		bulk          bool
		first, second int // writes queued once it is
	}{{"drive page 1", true, 0, 1}, {"mail page 1", false, 1, 1}, {"drive page 2", true, 1, 2}, {"add domain", false, 2, 2}} {
		run(w.name, w.bulk, write(w.name, w.bulk))
		waitQueued(t, s, w.first, w.second) // in the queue before the next one asks
	}
	close(release)
	wg.Wait()
	want := []string{"holder", "mail page 1", "add domain", "drive page 1", "drive page 2"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("writes ran in the order %v, want %v", order, want)
	}
	n, err := queryColumn[int](ctx, s.db, `SELECT COUNT(*) FROM dismissed_suggestions`)
	if err != nil || len(n) != 1 || n[0] != 5 {
		t.Errorf("rows written: %v %v", n, err)
	}
}

// While bulk writes are held (a discovery saving folders and streams one
// by one), a bulk write waits even when nothing else is queued, ordinary
// writes between the held ones run at once, and the release lets the
// bulk write run.
func TestHeldBulkWritesWaitForTheRelease(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	insert := func(name string) func(*sql.Tx) error { // at: the order writes ran in
		return func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO dismissed_suggestions(domain, at)
				VALUES(?, (SELECT COUNT(*) FROM dismissed_suggestions))`, name)
			return err
		}
	}
	release := s.HoldBulkWrites()
	bulkDone := make(chan error, 1)
	go func() { bulkDone <- s.bulkTx(ctx, insert("drive page")) }()
	waitQueued(t, s, 0, 1) // the bulk write waits though the writer is free
	for _, name := range []string{"save folders", "ensure stream"} {
		if err := s.tx(ctx, insert(name)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-bulkDone:
		t.Fatalf("the bulk write ran while held (%v)", err)
	default:
	}
	release()
	release() // a second call changes nothing
	if err := <-bulkDone; err != nil {
		t.Fatal(err)
	}
	got, err := queryColumn[string](ctx, s.db, `SELECT domain FROM dismissed_suggestions ORDER BY at`)
	if err != nil || !reflect.DeepEqual(got, []string{"save folders", "ensure stream", "drive page"}) {
		t.Fatalf("writes ran in the order %v (%v)", got, err)
	}
	// Released: a bulk write takes a free writer at once.
	if err := s.bulkTx(ctx, insert("next drive page")); err != nil {
		t.Fatal(err)
	}
}

// waitQueued waits until the write queue holds first ordinary and second
// bulk writes.
func waitQueued(t *testing.T, s *Store, first, second int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f, b := s.writes.slots.Waiting()
		if f == first && b == second {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d ordinary and %d bulk writes queued, want %d and %d", f, b, first, second)
		}
		time.Sleep(time.Millisecond)
	}
}
