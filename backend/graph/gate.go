package graph

import (
	"context"
	gosync "sync"
	"time"

	"rapport/backend/handoff"
)

// Gate is the per-mailbox traffic control shared by every stream of one
// account: at most N requests in flight (Outlook allows 4 per app per
// mailbox, and counts mail and calendar together), and a pause that a
// throttling answer imposes on all of them — Microsoft's guidance is to stop
// every request to the service until Retry-After has passed, since throttled
// calls count against the limit too.
type Gate struct {
	slots *handoff.Slots // urgent requests in the first lane

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
	return &Gate{slots: handoff.New(n), now: time.Now}
}

type urgentKey struct{}

// Urgent marks ctx's requests as the ones a slot goes to first: those of
// the stream whose chain of pages ends the pass (the largest folder, begun
// while the discovery's requests still fill the gate). Each request still
// takes one slot; urgent ones do not wait behind others already queued.
func Urgent(ctx context.Context) context.Context { return context.WithValue(ctx, urgentKey{}, true) }

func isUrgent(ctx context.Context) bool { v, _ := ctx.Value(urgentKey{}).(bool); return v }

// HoldOrdinary keeps the requests that are not urgent waiting, even for a
// free slot, until release is called (once; later calls do nothing): on a
// first sync, the discovery's four main lookups and then its largest
// folder's first request go before the rest of the discovery's requests,
// which would otherwise take the slots as the lookups answer
// (docs/PERFORMANCE.md §55).
func (g *Gate) HoldOrdinary() (release func()) { return g.slots.Hold() }

type acquiredKey struct{}

// OnAcquire makes ctx's requests call f each time one has its slot.
func OnAcquire(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, acquiredKey{}, f)
}

// acquire waits until the gate is not paused and a slot is free. A pause
// that starts while waiting for a slot is honoured too.
func (g *Gate) acquire(ctx context.Context) error {
	for {
		if err := g.waitPause(ctx); err != nil {
			return err
		}
		if err := g.slots.Take(ctx, isUrgent(ctx)); err != nil {
			return err
		}
		if g.pausedFor() <= 0 {
			if f, ok := ctx.Value(acquiredKey{}).(func()); ok {
				f()
			}
			return nil
		}
		g.release() // paused meanwhile: give the slot back and wait again
	}
}

// release frees a slot, or hands it to the next waiter: urgent ones first.
func (g *Gate) release() { g.slots.Release() }

// inFlight is the number of slots taken.
func (g *Gate) inFlight() int { return g.slots.InUse() }

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
