package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"rapport/backend/auth"
	"rapport/backend/graphsim"
)

// demoTenant is the built-in Microsoft 365 simulator that `--demo` runs
// in-process: the real sign-in, sync and store code run against it over
// loopback HTTPS, so the demo shows exactly what a real account would.
type demoTenant struct {
	sim *graphsim.Server
	log *slog.Logger
}

func startDemo(log *slog.Logger) (*demoTenant, error) {
	sim, err := graphsim.New(graphsim.Options{Scenario: "demo"})
	if err != nil {
		return nil, fmt.Errorf("start demo tenant: %w", err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start demo tenant: %w", err)
	}
	return &demoTenant{sim: sim, log: log}, nil
}

// setup signs in to the demo tenant, creates its clients and starts the
// first sync in the background, so the window shows the client list at once
// and timelines fill in as pages land.
func (d *demoTenant) setup(a *App) error {
	ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
	defer cancel()
	if _, err := a.signIn(ctx, auth.MailScopes); err != nil {
		return fmt.Errorf("sign in to the demo tenant: %w", err)
	}
	for _, c := range d.sim.DemoClients() {
		if _, err := a.AddClient(c.Name, c.Domains); err != nil {
			return fmt.Errorf("create demo client %s: %w", c.Name, err)
		}
	}
	return nil
}
