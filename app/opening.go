package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// The window's store opens behind it. An older store's migrations can take
// seconds (16 s at a million items for migration 015), and a store that
// cannot open at all (damaged, written by a newer Rapport, locked by
// another program) used to end the process with a line on a terminal the
// desktop user never sees. With Config.OpenInBackground the window and
// the browser bridge come up at once and show the store's state (the
// StoreState method and the store:state event): the migrations' progress,
// or what went wrong and what to do. The command line opens the store
// before it does anything, as before.

// StoreState is the store's state as the window shows it.
type StoreState struct {
	// Phase: "opening", "checking" (a damaged page was met last time:
	// the whole file is read), "updating" (an older store's migrations
	// run), "ready" or "failed".
	Phase string `json:"phase"`
	// Step of Steps migrations are done ("updating").
	Step  int `json:"step"`
	Steps int `json:"steps"`
	// Problem ("failed"): "damaged" (not a readable database), "newer"
	// (written by a newer Rapport), "busy" (locked by another program) or
	// "other"; Message says it in one sentence.
	Problem string `json:"problem,omitempty"`
	Message string `json:"message,omitempty"`
	// Detail is the error as the store reported it, for whoever helps.
	Detail string `json:"detail,omitempty"`
	// Path is the store's file; SetAside is where StartAfresh moved a
	// damaged one.
	Path     string `json:"path"`
	SetAside string `json:"setAside,omitempty"`
	// Kept says, once a new store is open after Start afresh, what was
	// copied into it from the one set aside (salvage).
	Kept string `json:"kept,omitempty"`
}

const (
	phaseOpening  = "opening"
	phaseChecking = "checking"
	phaseUpdating = "updating"
	phaseReady    = "ready"
	phaseFailed   = "failed"
)

// opening is the App's store-opening bookkeeping.
type opening struct {
	mu    gosync.Mutex
	state StoreState
	// attempt is closed when the running attempt ends; ready when the
	// store is open (once, for the App's life).
	attempt chan struct{}
	ready   chan struct{}
	running gosync.WaitGroup
}

// startOpeningLocked begins an attempt to open the store in the background.
// The caller holds o.mu.
func (a *App) startOpeningLocked(setAside string) {
	o := &a.opening
	o.state = StoreState{Phase: phaseOpening, Path: a.storePath(), SetAside: setAside}
	o.attempt = make(chan struct{})
	attempt := o.attempt
	a.emit("store:state", o.state)
	o.running.Add(1)
	go func() {
		defer o.running.Done()
		err := a.wire(a.cfg.DataDir, store.OpenProgress{
			Checking: func() { a.setStoreState(func(s *StoreState) { s.Phase = phaseChecking }) },
			Migrating: func(done, total int) {
				a.setStoreState(func(s *StoreState) { s.Phase, s.Step, s.Steps = phaseUpdating, done, total })
			},
		})
		if err != nil {
			if a.ctx.Err() == nil { // not a migration stopped by closing the app
				a.log.Error("the store did not open", "err", err)
			}
			a.setStoreState(func(s *StoreState) { *s = a.failedState(err, s.SetAside) })
		} else {
			kept := ""
			if setAside != "" {
				kept = a.salvage(setAside)
			}
			a.setStoreState(func(s *StoreState) { s.Phase, s.Kept = phaseReady, kept })
			close(o.ready)
		}
		close(attempt)
	}()
}

func (a *App) storePath() string { return filepath.Join(a.cfg.DataDir, "rapport.db") }

// setStoreState changes the state and tells the windows, under the lock
// so that the events leave in the order the states were set (an
// attempt's last one before the next attempt's first).
func (a *App) setStoreState(change func(*StoreState)) {
	a.opening.mu.Lock()
	defer a.opening.mu.Unlock()
	change(&a.opening.state)
	a.emit("store:state", a.opening.state)
}

// storeProblem tells what stopped the store from opening: "newer",
// "damaged", "busy" or "other" (StoreState.Problem).
func storeProblem(err error) string {
	switch {
	case errors.Is(err, store.ErrNewerVersion):
		return "newer"
	case store.Damaged(err):
		return "damaged"
	case store.Busy(err):
		return "busy"
	}
	return "other"
}

// failedState says what stopped the store from opening, and what to do.
func (a *App) failedState(err error, setAside string) StoreState {
	s := StoreState{Phase: phaseFailed, Path: a.storePath(), SetAside: setAside, Problem: storeProblem(err), Detail: sentence(err)}
	switch s.Problem {
	case "newer":
		s.Message = "This store was written by a newer version of Rapport. Install that version (or a later one) to open it; nothing in it was changed."
	case "damaged":
		s.Message = "Rapport's store is damaged and cannot be read."
	case "busy":
		s.Message = storeBusySentence
	default:
		s.Message = fmt.Sprintf("Rapport's store did not open: %s.", sentence(err))
		s.Detail = ""
	}
	return s
}

// storeOpenError words, for the command line, why the store did not
// open, as the window does (failedState), with what to do from a
// terminal; the store's own error stays wrapped for errors.Is.
func (a *App) storeOpenError(err error) error {
	switch storeProblem(err) {
	case "damaged":
		return fmt.Errorf("Rapport's store %s is damaged and cannot be read (%w). Open the Rapport window and choose Start afresh, which sets it aside and makes a new one, or move the file away", a.storePath(), err)
	case "busy":
		return fmt.Errorf("another program is using Rapport's store %s (%w); close it, then try again", a.storePath(), err)
	}
	return err
}

// StoreState is the store's state: the window shows its own screen until
// it is "ready".
func (a *App) StoreState() StoreState {
	a.opening.mu.Lock()
	defer a.opening.mu.Unlock()
	return a.opening.state
}

// RetryOpen tries again to open a store that failed to open (after the
// user closed the program that held it, or installed a newer Rapport).
func (a *App) RetryOpen() (StoreState, error) {
	a.opening.mu.Lock()
	defer a.opening.mu.Unlock()
	if a.opening.state.Phase != phaseFailed {
		return a.opening.state, errors.New("the store is not in a failed state; there is nothing to try again")
	}
	a.startOpeningLocked(a.opening.state.SetAside)
	return a.opening.state, nil
}

// StartAfresh sets a damaged store aside (renamed beside it, never
// deleted) and opens a new one, into which it copies what the user set up
// that can still be read (salvage): the mail, calendar and files come
// back with the next sync.
func (a *App) StartAfresh() (StoreState, error) {
	a.opening.mu.Lock()
	defer a.opening.mu.Unlock()
	if a.opening.state.Phase != phaseFailed || a.opening.state.Problem != "damaged" {
		return a.opening.state, errors.New("only a damaged store can be set aside")
	}
	aside, err := store.SetAside(a.storePath(), time.Now())
	if err != nil {
		return a.opening.state, err
	}
	a.log.Warn("set the damaged store aside", "path", aside)
	a.startOpeningLocked(aside)
	return a.opening.state, nil
}

// salvage copies what the user made by hand from the store set aside into
// the new one (store.Salvage), or from the copy kept beside the store
// what the store set aside cannot give, and says what it kept, before the
// scheduler starts: the accounts kept sync at once with the sign-ins in
// the token cache.
func (a *App) salvage(aside string) string {
	got, err := a.st().Salvage(a.ctx, aside)
	if err != nil {
		a.log.Warn("nothing copied from the store set aside", "err", err)
		return "Nothing could be read from the damaged store: sign in again and set up your clients anew."
	}
	msg := "Nothing you had set up could be read from the damaged store."
	if kept := salvagedCounts(got.Rows); kept != "" {
		msg = "Kept from the damaged store: " + kept + "."
	}
	if restored := salvagedCounts(got.Restored); restored != "" {
		msg += fmt.Sprintf(" Restored from the copy saved %s: %s.", got.KeptAt.Local().Format("2 Jan 2006 at 15:04"), restored)
	}
	if len(got.Skipped) > 0 {
		a.log.Warn("tables not copied from the store set aside", "tables", got.Skipped)
		msg += " Some of what you had set up could not be read and is lost."
	}
	return msg
}

// salvagedCounts says what the user will recognise in rows per table:
// "2 clients, 1 folder mapping", or "" for none of it.
func salvagedCounts(rows map[string]int64) string {
	var said []string
	for _, c := range []struct {
		table, one, many string
	}{
		{"accounts", "account", "accounts"},
		{"clients", "client", "clients"},
		{"client_domains", "domain", "domains"},
		{"client_contacts", "contact", "contacts"},
		{"folder_mappings", "folder mapping", "folder mappings"},
		{"drives", "library or drive", "libraries and drives"},
	} {
		switch n := rows[c.table]; n {
		case 0:
		case 1:
			said = append(said, "1 "+c.one)
		default:
			said = append(said, fmt.Sprintf("%d %s", n, c.many))
		}
	}
	return strings.Join(said, ", ")
}

// What the window says of a store another program holds, or of a full
// disk, instead of SQLite's "database is locked" or "database or disk is
// full".
const (
	storeBusySentence = "Another program is using Rapport's store (a backup or a database tool?). Close it, then try again."
	diskFullSentence  = "The disk is full: Rapport cannot save this. Free some space, then try again."
)

// windowError is what the window hears of a method's error (the bridge's
// dispatch and the desktop's error formatter): the store's failures in
// words that say what to do. A read that met a damaged page leaves the
// mark a write leaves (store.NoteDamage), so that the next start checks
// the store and offers Start afresh.
func (a *App) windowError(err error) error {
	path := a.storePath()
	if st := a.st(); st != nil {
		path = st.Path() // the demo's, in its own folder, while it runs
	}
	switch {
	case store.NoteDamage(path, err):
		a.log.Error("a damaged page of the store", "err", err)
		return errors.New(rsync.StoreDamaged) // instead of "database disk image is malformed"
	case store.Full(err):
		return errors.New(diskFullSentence)
	case store.Busy(err):
		return errors.New(storeBusySentence)
	}
	return err
}

// storeReady waits until the running attempt to open the store ends, and
// says whether the store is open.
func (a *App) storeReady() bool {
	a.opening.mu.Lock()
	attempt := a.opening.attempt
	a.opening.mu.Unlock()
	if attempt != nil {
		select {
		case <-attempt:
		case <-a.ctx.Done():
			return false
		}
	}
	return a.StoreState().Phase == phaseReady
}

// openingMethods are the methods the window may call before its store is
// open: the bridge answers the others only once it is.
var openingMethods = map[string]bool{"StoreState": true, "RetryOpen": true, "StartAfresh": true, "About": true}

// notOpenError answers a call that needs the store while it is not open.
func (a *App) notOpenError() error {
	if msg := a.StoreState().Message; msg != "" {
		return errors.New(strings.TrimSuffix(msg, "."))
	}
	return errors.New("Rapport's store is not open")
}
