package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	gosync "sync"
	"testing"
	"time"

	"rapport/backend/model"
	"rapport/internal/poll"
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
	var f, b int
	poll.Until(t, func() bool { f, b = s.writes.slots.Waiting(); return f == first && b == second },
		func() string {
			return fmt.Sprintf("%d ordinary and %d bulk writes queued, want %d and %d", f, b, first, second)
		})
}

// A single-statement write — a user's change (rename a client, exclude a
// folder, dismiss a suggestion) or a sync's bookkeeping (a stream's window
// or error, the discovery's time) — takes its turn in the write queue,
// ahead of queued drive pages, like every other write. On a connection
// of its own it waited for SQLite's lock in the busy handler's sleeps,
// behind every page write that kept coming, and could fail with "database
// is locked" after busy_timeout during a first sync.
func TestSingleWritesWaitInTheWriteQueue(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "a@contoso.com", Mail: "a@contoso.com", HomeAccountID: "h.t"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.EnsureStream(ctx, acct.ID, model.StreamMail, "inbox", "Inbox", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveFolder(ctx, acct.ID, FolderRow{ID: "inbox", Name: "Inbox", Path: "Inbox"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := s.AddClient(ctx, "Contoso", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"rename a client", func() error { return s.RenameClient(ctx, c.ID, "Contoso Ltd") }},
		{"exclude a folder", func() error { return s.SetFolderIncluded(ctx, acct.ID, "inbox", false) }},
		{"dismiss a suggestion", func() error { return s.DismissSuggestion(ctx, "fabrikam.com") }},
		{"set the history", func() error { return s.SetHistory(ctx, acct.ID, 30, nil) }},
		{"a stream's window", func() error { return s.SetStreamWindow(ctx, st.ID, now.AddDate(0, 0, -30), now) }},
		{"a stream's error", func() error { return s.SetStreamError(ctx, st.ID, "offline", "retry") }},
		{"the discovery's time", func() error { return s.SetDiscovered(ctx, acct.ID, now) }},
		{"the account's state", func() error {
			_, err := s.SetAccountState(ctx, acct.ID, model.AccountSignInRequired, "expired", "")
			return err
		}},
	} {
		t.Run(w.name, func(t *testing.T) {
			release := holdWriter(t, s)
			defer release() // also when failing: the store's Close waits for the writer
			done := make(chan error, 1)
			go func() { done <- w.write() }()
			waitQueued(t, s, 1, 0) // times out for a write that bypasses the queue
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
	got, err := s.Client(ctx, c.ID)
	if err != nil || got.Name != "Contoso Ltd" {
		t.Fatalf("client after the rename: %+v (%v)", got, err)
	}
}

// Reading an account's sync settings (the status does at every refresh)
// does not wait for the writer once the account has its settings.
func TestReadingTheSettingsDoesNotWaitForTheWriter(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "a@contoso.com", Mail: "a@contoso.com", HomeAccountID: "h.t"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.SyncSettings(ctx, acct.ID, time.Now()) // the first read gives it the defaults
	if err != nil || first.HistoryDays != DefaultHistoryDays {
		t.Fatalf("first settings %+v (%v)", first, err)
	}
	defer holdWriter(t, s)()
	done := make(chan error, 1)
	go func() { _, err := s.SyncSettings(ctx, acct.ID, time.Now()); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading the settings waited for the writer")
	}
}

// holdWriter holds the writer with a bulk write (a drive page being
// written) until the returned release is called; release waits for that
// write to end, and later calls do nothing.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	held, free := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- s.bulkTx(context.Background(), func(tx *sql.Tx) error {
			close(held)
			<-free
			return nil
		})
	}()
	<-held
	var once gosync.Once
	return func() {
		once.Do(func() {
			close(free)
			if err := <-holder; err != nil {
				t.Error(err)
			}
		})
	}
}
