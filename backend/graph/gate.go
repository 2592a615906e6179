package graph

import (
	"context"
	gosync "sync"
	"time"
)

// Gate is the per-mailbox traffic control shared by every stream of one
// account: at most N requests in flight (Outlook allows 4 per app per
// mailbox, and counts mail and calendar together), and a pause that a
// throttling answer imposes on all of them — Microsoft's guidance is to stop
// every request to the service until Retry-After has passed, since throttled
// calls count against the limit too.
type Gate struct {
	slots chan struct{}
	mu    gosync.Mutex
	until time.Time
	now   func() time.Time
}

// DefaultConcurrency is Outlook's per-mailbox limit.
const DefaultConcurrency = 4

// NewGate returns a gate with n slots (DefaultConcurrency when n <= 0 or above it).
func NewGate(n int) *Gate {
	if n <= 0 || n > DefaultConcurrency {
		n = DefaultConcurrency
	}
	return &Gate{slots: make(chan struct{}, n), now: time.Now}
}

// acquire waits until the gate is not paused and a slot is free. A pause
// that starts while waiting for a slot is honoured too.
func (g *Gate) acquire(ctx context.Context) error {
	for {
		if err := g.waitPause(ctx); err != nil {
			return err
		}
		select {
		case g.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		if g.pausedFor() <= 0 {
			return nil
		}
		<-g.slots // paused meanwhile: give the slot back and wait again
	}
}

func (g *Gate) release() { <-g.slots }

func (g *Gate) pausedFor() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until.Sub(g.now())
}

func (g *Gate) waitPause(ctx context.Context) error {
	for {
		d := g.pausedFor()
		if d <= 0 {
			return nil
		}
		if err := sleepCtx(ctx, d); err != nil {
			return err
		}
	}
}

// Pause stops every request through the gate for d from now (a longer
// pause already in force is kept).
func (g *Gate) Pause(d time.Duration) {
	if d <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := g.now().Add(d); t.After(g.until) {
		g.until = t
	}
}

// PausedUntil is the end of the current pause (zero or past when none).
func (g *Gate) PausedUntil() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}
