// Package app is Rapport's façade: the one type bound to the UI (Wails Bind),
// served over loopback HTTP by the browser bridge (`rapport serve`), and
// called by the command line. Every method validates its input, calls one
// backend function and returns plain structs; no SQL or HTTP lives here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/auth"
	"rapport/backend/clients"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// App is the façade. Its exported methods without a context parameter are
// what the UI can call.
type App struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	store  *store.Store
	auth   *auth.Authenticator
	engine *rsync.Engine
	hub    *hub
	log    *slog.Logger
	http   *http.Client

	demo      *demoTenant
	acc       accountState    // sign-in bookkeeping (accounts.go)
	opening   opening         // the store's opening (opening.go)
	wailsCtx  context.Context // set when running in the desktop window
	syncMu    gosync.Mutex
	syncing   bool
	lastSync  *time.Time
	closeOnce gosync.Once
	scheduler *scheduler // scheduler.go
	schedOnce gosync.Once
	passMu    gosync.Mutex // one syncAll pass at a time
	filesOnce gosync.Once  // files.go: the local-folder watch
	fileWatch *fileWatch
	// instance and demoInstance are the writer locks this process holds
	// on the data directory and on its demo (instance.go).
	instance, demoInstance *instanceLock
}

// New opens the data directory and wires the backend. In demo mode it also
// starts the in-process Microsoft 365 simulator and signs in to it.
func New(cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{cfg: cfg, ctx: ctx, cancel: cancel, hub: newHub(), log: cfg.Log, http: http.DefaultClient}
	if cfg.HTTPClient != nil {
		a.http = cfg.HTTPClient
	}
	a.opening.ready = make(chan struct{})
	if cfg.OpenInBackground && !cfg.Demo {
		a.opening.mu.Lock()
		a.startOpeningLocked("") // opening.go
		a.opening.mu.Unlock()
		return a, nil
	}
	var err error
	if cfg.Demo {
		err = a.enterDemo() // demo.go: the simulator, <data>/demo, its sign-in
	} else {
		if err = a.wire(cfg.DataDir, store.OpenProgress{}); err != nil { // accounts.go: store, authenticator, engine
			err = a.storeOpenError(err) // opening.go
		}
	}
	if err != nil {
		a.close()
		return nil, err
	}
	a.opening.state = StoreState{Phase: phaseReady, Path: a.storePath()}
	close(a.opening.ready)
	return a, nil
}

// close stops background work and closes the store and the simulator.
func (a *App) close() {
	a.closeOnce.Do(func() {
		a.cancel()
		a.opening.running.Wait() // a migration rolls back at the cancel
		a.passMu.Lock()          // wait for a running pass to notice the cancel
		a.passMu.Unlock()
		a.sched().waitStopped() // and for the scheduler's rounds
		a.closeAccounts()
		if st := a.st(); st != nil {
			// The copy of what the user made (keep.go), by the process
			// holding the data directory's writer lock only: a reader
			// changed nothing in it, and two processes must not write it
			// at once.
			if a.instance != nil {
				a.keepHandMade(st)
			}
			st.Close()
		}
		if a.demo != nil {
			a.demo.sim.Close()
		}
		a.demoInstance.release()
		a.instance.release()
	})
}

// Clients lists the clients with their item counts and last contact.
func (a *App) Clients() ([]model.ClientSummary, error) {
	return a.st().Clients(a.ctx)
}

// Timeline returns a page of a client's timeline, newest first.
func (a *App) Timeline(clientID int64, cursor string, limit int) (model.TimelinePage, error) {
	if clientID <= 0 {
		return model.TimelinePage{}, errors.New("no client selected")
	}
	p, err := a.st().Timeline(a.ctx, clientID, cursor, limit)
	if errors.Is(err, store.ErrBadCursor) {
		return p, errors.New("the timeline position is no longer valid; reload the client")
	}
	return p, err
}

// Upcoming lists a client's scheduled meetings, soonest first: the
// "Upcoming" section above the timeline.
func (a *App) Upcoming(clientID int64, limit int) ([]model.TimelineItem, error) {
	if clientID <= 0 {
		return nil, errors.New("no client selected")
	}
	return a.st().Upcoming(a.ctx, clientID, limit)
}

// timelineByName is the command line's way in: clients are named there.
func (a *App) timelineByName(name string, limit int) ([]model.TimelineItem, error) {
	c, err := a.st().ClientByName(a.ctx, name)
	if err != nil {
		return nil, err
	}
	var out []model.TimelineItem
	cursor := ""
	for {
		p, err := a.st().Timeline(a.ctx, c.ID, cursor, min(limit-len(out), 1000))
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Cursor == "" || len(out) >= limit {
			return out, nil
		}
		cursor = p.Cursor
	}
}

// AddClient creates a client with its domains and links existing activity.
func (a *App) AddClient(name string, domains []string) (model.Client, error) {
	name, ds, err := clients.NormalizeClient(name, domains)
	if err != nil {
		return model.Client{}, err
	}
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return model.Client{}, err
	}
	for _, acct := range accts {
		own := clients.MailboxFor(acct).OwnDomains
		for _, d := range ds {
			if own[d] {
				return model.Client{}, fmt.Errorf("%s is your own organisation's domain (%s), so it cannot identify a client", d, acct.UPN)
			}
		}
	}
	c, err := a.st().AddClient(a.ctx, name, ds)
	if err != nil {
		return c, err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{"clients"}, ClientIDs: []int64{c.ID}})
	a.autoMapFolders() // files.go: folders named after it
	return c, nil
}

// SyncNow polls every stream of every account at once (or, when no
// scheduler runs, starts a pass in the background); the UI learns of
// progress and changes through events.
func (a *App) SyncNow() error {
	if a.sched().syncNow() {
		return nil
	}
	go func() {
		if err := a.syncAll(a.ctx, ""); err != nil && a.ctx.Err() == nil {
			a.log.Warn("sync pass failed", "error", rsync.Explain(err))
		}
	}()
	return nil
}

// ErrSyncRunning means another pass is under way.
var ErrSyncRunning = errors.New("a sync is already running")

// syncAll runs one pass over every account (or only upn) and waits for it.
// Passes run one at a time: a caller that comes while one runs waits for
// its turn, since it wants data fresher than the running pass started with.
func (a *App) syncAll(ctx context.Context, upn string) error {
	a.passMu.Lock()
	defer a.passMu.Unlock()
	a.syncMu.Lock()
	a.syncing = true
	a.syncMu.Unlock()
	defer func() {
		a.syncMu.Lock()
		a.syncing = false
		now := time.Now().UTC()
		a.lastSync = &now
		a.syncMu.Unlock()
		a.emit("sync:state", map[string]any{"syncing": false})
	}()
	a.emit("sync:state", map[string]any{"syncing": true})
	accts, err := a.st().Accounts(ctx)
	if err != nil {
		return err
	}
	if upn != "" {
		acct, err := a.st().AccountByUPN(ctx, upn)
		if err != nil {
			return err
		}
		accts = []model.Account{acct}
	}
	if len(accts) == 0 {
		return errors.New("no account yet: sign in with `rapport account add`")
	}
	var errs []error
	for _, acct := range accts {
		if err := accountBlocked(acct); err != nil {
			// Signed out, or its sign-in expired: the user must act first.
			errs = append(errs, fmt.Errorf("%s: %w", acct.UPN, err))
			continue
		}
		if err := a.eng().SyncAccount(ctx, acct); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", acct.UPN, err))
		}
	}
	return errors.Join(errs...)
}

// OpenURL opens an https link (an item's webLink) in the system browser.
// Anything else is refused: links come from untrusted mail metadata. So is
// an https link with a user name in it ("https://outlook.office365.com@
// attacker.example/" reads as Outlook and opens the attacker's page), one
// without a host, or one with spaces or control characters in it.
func (a *App) OpenURL(link string) error {
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(strings.ToLower(link), "https://") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(link, " \t\r\n\\") {
		return errors.New("only https links can be opened")
	}
	return auth.OpenBrowser(link)
}
