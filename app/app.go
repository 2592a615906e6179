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
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/auth"
	"rapport/backend/clients"
	"rapport/backend/graph"
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
	wailsCtx  context.Context // set when running in the desktop window
	syncMu    gosync.Mutex
	syncing   bool
	lastSync  *time.Time
	closeOnce gosync.Once
}

// New opens the data directory and wires the backend. In demo mode it also
// starts the in-process Microsoft 365 simulator and signs in to it.
func New(cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{cfg: cfg, ctx: ctx, cancel: cancel, hub: newHub(), log: cfg.Log, http: http.DefaultClient}
	dataDir := cfg.DataDir
	if cfg.Demo {
		// The demo tenant is regenerated on every start, so its store is
		// too; it never mixes with a real account's data.
		dataDir = filepath.Join(cfg.DataDir, "demo")
		if err := os.RemoveAll(dataDir); err != nil {
			cancel()
			return nil, fmt.Errorf("reset demo data: %w", err)
		}
		d, err := startDemo(cfg.Log)
		if err != nil {
			cancel()
			return nil, err
		}
		a.demo = d
		a.http = d.sim.HTTPClient()
		a.cfg.Authority, a.cfg.GraphURL = d.sim.AuthorityURL(), d.sim.GraphURL()
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		a.close()
		return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
	}
	st, err := store.Open(filepath.Join(dataDir, "rapport.db"))
	if err != nil {
		a.close()
		return nil, err
	}
	a.store = st
	opener := a.cfg.OpenURL
	if a.demo != nil {
		opener = a.demo.sim.Browse
	}
	au, err := auth.New(auth.Config{
		ClientID: a.cfg.ClientID, Authority: a.cfg.Authority, HTTPClient: a.http,
		CachePath: filepath.Join(dataDir, "tokens.json"), OpenURL: opener,
	})
	if err != nil {
		a.close()
		return nil, err
	}
	a.auth = au
	a.engine = rsync.New(rsync.Options{
		Store: st, GraphURL: a.cfg.GraphURL, HTTPClient: a.http, Tokens: au,
		Emit: a.emit, Log: a.log,
	})
	if a.demo != nil {
		if err := a.demo.setup(a); err != nil {
			a.close()
			return nil, err
		}
	}
	return a, nil
}

// close stops background work and closes the store and the simulator.
func (a *App) close() {
	a.closeOnce.Do(func() {
		a.cancel()
		a.syncMu.Lock() // wait for a running pass to notice the cancel
		a.syncMu.Unlock()
		if a.store != nil {
			a.store.Close()
		}
		if a.demo != nil {
			a.demo.sim.Close()
		}
	})
}

// Clients lists the clients with their item counts and last contact.
func (a *App) Clients() ([]model.ClientSummary, error) {
	return a.store.Clients(a.ctx)
}

// Timeline returns a page of a client's timeline, newest first.
func (a *App) Timeline(clientID int64, cursor string, limit int) (model.TimelinePage, error) {
	if clientID <= 0 {
		return model.TimelinePage{}, errors.New("no client selected")
	}
	p, err := a.store.Timeline(a.ctx, clientID, cursor, limit)
	if errors.Is(err, store.ErrBadCursor) {
		return p, errors.New("the timeline position is no longer valid; reload the client")
	}
	return p, err
}

// timelineByName is the command line's way in: clients are named there.
func (a *App) timelineByName(name string, limit int) ([]model.TimelineItem, error) {
	c, err := a.store.ClientByName(a.ctx, name)
	if err != nil {
		return nil, err
	}
	var out []model.TimelineItem
	cursor := ""
	for {
		p, err := a.store.Timeline(a.ctx, c.ID, cursor, min(limit-len(out), 1000))
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
	accts, err := a.store.Accounts(a.ctx)
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
	c, err := a.store.AddClient(a.ctx, name, ds)
	if err != nil {
		return c, err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{"clients"}, ClientIDs: []int64{c.ID}})
	return c, nil
}

// Status reports accounts, streams and the sync state.
func (a *App) Status() (model.Status, error) {
	st := model.Status{Accounts: []model.AccountStatus{}, Demo: a.demo != nil}
	a.syncMu.Lock()
	st.Syncing = a.syncing
	a.syncMu.Unlock()
	accts, err := a.store.Accounts(a.ctx)
	if err != nil {
		return st, err
	}
	for _, acct := range accts {
		as := model.AccountStatus{UPN: acct.UPN, DisplayName: acct.DisplayName, Streams: []model.StreamStatus{}}
		streams, err := a.store.Streams(a.ctx, acct.ID)
		if err != nil {
			return st, err
		}
		for _, s := range streams {
			as.Streams = append(as.Streams, model.StreamStatus{Kind: s.Kind, Resource: s.Resource, Name: s.Name,
				Items: s.Items, Total: s.Total, LastSync: s.LastSyncAt, Error: s.LastError})
			if s.LastSyncAt != nil && (st.LastSync == nil || s.LastSyncAt.After(*st.LastSync)) {
				st.LastSync = s.LastSyncAt
			}
		}
		st.Accounts = append(st.Accounts, as)
	}
	return st, nil
}

// SyncNow starts a pass over every account in the background; the UI learns
// of progress and changes through events.
func (a *App) SyncNow() error {
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
func (a *App) syncAll(ctx context.Context, upn string) error {
	a.syncMu.Lock()
	if a.syncing {
		a.syncMu.Unlock()
		return ErrSyncRunning
	}
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
	accts, err := a.store.Accounts(ctx)
	if err != nil {
		return err
	}
	if upn != "" {
		acct, err := a.store.AccountByUPN(ctx, upn)
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
		if err := a.engine.SyncAccount(ctx, acct); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", acct.UPN, err))
		}
	}
	return errors.Join(errs...)
}

// OpenURL opens an https link (an item's webLink) in the system browser.
// Anything else is refused: links come from untrusted mail metadata.
func (a *App) OpenURL(link string) error {
	if !strings.HasPrefix(strings.ToLower(link), "https://") {
		return errors.New("only https links can be opened")
	}
	return auth.OpenBrowser(link)
}

// accountFromSignIn completes a sign-in: reads the profile and stores the
// account (identity only; tokens stay in the auth cache).
func (a *App) accountFromSignIn(ctx context.Context, res auth.SignInResult) (model.Account, error) {
	gc := graph.New(a.cfg.GraphURL, a.http, a.auth, res.HomeAccountID)
	me, err := gc.Me(ctx)
	if err != nil {
		return model.Account{}, fmt.Errorf("read your profile: %w", err)
	}
	upn := me.UserPrincipalName
	if upn == "" {
		upn = res.UPN
	}
	return a.store.UpsertAccount(ctx, model.Account{
		UPN: upn, DisplayName: me.DisplayName, Mail: me.Mail, TenantID: res.TenantID,
		HomeAccountID: res.HomeAccountID, Scopes: res.Scopes,
	})
}

// signIn runs the interactive sign-in and stores the account.
func (a *App) signIn(ctx context.Context, scopes []string) (model.Account, error) {
	res, err := a.auth.SignIn(ctx, scopes)
	if err != nil {
		return model.Account{}, err
	}
	return a.accountFromSignIn(ctx, res)
}

// Accounts lists the signed-in accounts.
func (a *App) Accounts() ([]model.Account, error) { return a.store.Accounts(a.ctx) }
