package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// demoTenant is the built-in Microsoft 365 simulator that `--demo` runs
// in-process: the real sign-in, sync and store code run against it over
// loopback HTTPS, so the demo shows exactly what a real account would.
type demoTenant struct {
	sim *graphsim.Server
	log *slog.Logger
}

// demoLiveChanges is the demo tenant's clock (tests turn it off).
var demoLiveChanges = 10 * time.Second

func startDemo(log *slog.Logger) (*demoTenant, error) {
	// Live changes on a clock: new mail every few seconds, now and then a
	// move, a deletion or a meeting edit, so the demo shows sync at work.
	sim, err := graphsim.New(graphsim.Options{Scenario: "demo", LiveChanges: demoLiveChanges})
	if err != nil {
		return nil, fmt.Errorf("start demo tenant: %w", err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start demo tenant: %w", err)
	}
	if os.Getenv("RAPPORT_DEMO_HOSTILE") == "1" {
		// The hostile-input suite's tenant (frontend/e2e/hostile.test.mjs):
		// XSS payloads, javascript: links, bidi overrides, 1 MB subjects...
		// in the first client's timeline. See docs/RELIABILITY.md.
		sim.AddHostileItems()
	}
	return &demoTenant{sim: sim, log: log}, nil
}

// enterDemo points the App at a fresh demo tenant: the simulator, a store
// in <data>/demo (regenerated on every start, so it never mixes with a
// real account's data), tokens in memory only, and the demo's sign-in and
// clients.
func (a *App) enterDemo() error {
	dataDir := filepath.Join(a.cfg.DataDir, "demo")
	if err := os.RemoveAll(dataDir); err != nil {
		return fmt.Errorf("reset demo data: %w", err)
	}
	d, err := startDemo(a.log)
	if err != nil {
		return err
	}
	a.demo = d
	a.http = d.sim.HTTPClient()
	a.cfg.GraphURL = d.sim.GraphURL()
	if err := a.wire(dataDir, store.OpenProgress{}); err != nil {
		return err
	}
	return d.setup(a)
}

// StartDemo switches this running app to the demo tenant (from the
// onboarding screen's "Try the demo"): its data lives in <data>/demo and
// never mixes with a real account's. Listeners get data:changed with no
// client ids: reload everything. Already in the demo: nothing happens.
func (a *App) StartDemo() error {
	if a.demo != nil {
		return nil
	}
	// The demo's store is wiped at start: not while another process has
	// it open (instance.go).
	lock, err := lockDataDir(a.cfg.DataDir, true, "Rapport's demo")
	if err != nil {
		return fmt.Errorf("the demo could not start: %w", err)
	}
	a.acc.mu.Lock()
	a.cancelPendingLocked()
	a.acc.mu.Unlock()
	if err := a.enterDemo(); err != nil {
		lock.release()
		return fmt.Errorf("the demo could not start: %w", err)
	}
	a.demoInstance = lock
	a.cfg.Demo = true
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{"demo"}, ClientIDs: []int64{}})
	a.emitAccounts("")
	go func() {
		if err := a.syncAll(a.ctx, ""); err != nil && a.ctx.Err() == nil {
			a.log.Warn("demo sync failed", "error", rsync.Explain(err))
		}
	}()
	return nil
}

// setup signs in to the demo tenant, creates its clients and starts the
// first sync in the background, so the window shows the client list at once
// and timelines fill in as pages land.
func (d *demoTenant) setup(a *App) error {
	ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
	defer cancel()
	// Mail, calendar and the OneDrive and SharePoint scopes, so the demo
	// shows file activity and the Folders screen too.
	acct, err := a.signIn(ctx, allScopes())
	if err != nil {
		return fmt.Errorf("sign in to the demo tenant: %w", err)
	}
	for i, c := range d.sim.DemoClients() {
		added, err := a.AddClient(c.Name, c.Domains)
		if err != nil {
			return fmt.Errorf("create demo client %s: %w", c.Name, err)
		}
		if i == 0 {
			if err := growDemoTimeline(ctx, a, acct.ID, added.ID); err != nil {
				return err
			}
		}
	}
	// A SharePoint library too: "Fabrikam Projects" on the Client
	// Projects site (the OneDrive and its shared folder come by themselves).
	site, libs, err := a.eng().SiteLibraries(ctx, acct, demoLibrarySite)
	if err != nil {
		return fmt.Errorf("list the demo's SharePoint libraries: %w", err)
	}
	for _, l := range libs {
		if l.Name == demoLibrary {
			if _, err := a.eng().AddLibrary(ctx, acct, site, l); err != nil {
				return fmt.Errorf("add the demo library: %w", err)
			}
		}
	}
	return nil
}

// growDemoTimeline gives the first demo client RAPPORT_DEMO_TIMELINE
// synthetic messages (as `rapport bench --items-1m` grows its store), so the
// UI can be measured on a 100,000-item timeline (frontend/perf/ui-bench.mjs,
// docs/PERFORMANCE.md). Unset: nothing.
func growDemoTimeline(ctx context.Context, a *App, accountID, clientID int64) error {
	v := os.Getenv("RAPPORT_DEMO_TIMELINE")
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 5_000_000 {
		return fmt.Errorf("RAPPORT_DEMO_TIMELINE must be a number of items up to 5000000, not %q", v)
	}
	if err := growStore(ctx, a.st().DB(), accountID, n, clientID); err != nil {
		return fmt.Errorf("grow the demo timeline: %w", err)
	}
	return nil
}

// The demo's SharePoint library.
const (
	demoLibrarySite = "https://adatum.sharepoint.com/sites/ClientProjects"
	demoLibrary     = "Fabrikam Projects"
)
