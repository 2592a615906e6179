package store

import (
	"context"
	"database/sql"
	"reflect"
	gosync "sync"
	"testing"
)

// While a write runs, a bulk write (a drive page) that queued first still
// goes after the ordinary writes queued behind it (a mail page, a user's
// change), and writes of one class keep their order.
func TestBulkWritesGoLast(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	queued := make(chan struct{})
	s.writes.onWait = func() { queued <- struct{}{} }

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
		name string
		bulk bool
	}{{"drive page 1", true}, {"mail page 1", false}, {"drive page 2", true}, {"add domain", false}} {
		run(w.name, w.bulk, write(w.name, w.bulk))
		<-queued // in the queue before the next one asks
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
