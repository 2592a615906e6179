package sync

import (
	"context"
	"errors"
	"sort"

	"rapport/backend/graph"
	"rapport/backend/model"
)

// earlyRun is the round of an account's first sync that the largest main
// folder (the Inbox, Sent Items, Archive or Deleted Items) begins while
// the discovery still lists the other folders (discover, startEarly). A
// first sync ends when that folder's pages do, as they come one after
// another, so they no longer wait for a dozen discovery requests first
// (docs/PERFORMANCE.md §51). Its requests are urgent at the mailbox's
// gate: the discovery's, already queued, do not delay its chain; the
// pass's other mailbox streams run one fewer at once until it ends
// (syncStreams).
type earlyRun struct {
	e    *Engine
	ctx  context.Context
	acct model.Account
	id   int64 // the stream, once started
	done chan StreamError
	over chan struct{} // closed when the round has ended
	// letGo lifts holdGate's hold on the mailbox's other requests.
	letGo func()
}

// holdGate keeps the mailbox's requests that are not urgent waiting
// (graph.Gate.HoldOrdinary) until the early round's first request has its
// slot, or until no early round is to start (release).
func (r *earlyRun) holdGate(g *graph.Gate) { r.letGo = g.HoldOrdinary() }

// release lifts holdGate's hold, if any (once; later calls do nothing).
func (r *earlyRun) release() {
	if r.letGo != nil {
		r.letGo()
	}
}

// start runs the stream's round in the background. Until the discovery is
// over (discovered), the account's first-complete announcement waits: the
// round may end before the other folders have streams to wait for.
func (r *earlyRun) start(streamID int64) {
	as := r.e.state(r.acct.ID)
	r.e.mu.Lock()
	as.firstRounds++
	r.e.mu.Unlock()
	r.id = streamID
	r.done = make(chan StreamError, 1)
	r.over = make(chan struct{})
	ctx := graph.Urgent(r.ctx)
	if r.letGo != nil {
		ctx = graph.OnAcquire(ctx, r.letGo)
	}
	go func() {
		defer r.release() // a round that failed before asking anything
		name, err := r.e.SyncStream(ctx, r.acct, streamID)
		r.done <- StreamError{Stream: name, Err: err}
		close(r.over)
	}()
}

// ended is closed when the early round has ended; nil when none started.
func (r *earlyRun) ended() <-chan struct{} { return r.over }

// discovered lifts start's hold; when no round is running any more (the
// early one ended during the discovery and no other is to run), the
// announcement is checked here, as the last round to end would have.
func (r *earlyRun) discovered() {
	if r.done == nil {
		return
	}
	as := r.e.state(r.acct.ID)
	r.e.mu.Lock()
	as.firstRounds--
	last := as.firstRounds == 0
	r.e.mu.Unlock()
	if last {
		_ = r.e.checkFirstComplete(context.WithoutCancel(r.ctx), r.acct)
	}
}

// join waits for the early round and adds its failure to err, the pass's
// result for the other streams (a *PassError when some failed).
func (r *earlyRun) join(err error) error {
	if r.done == nil {
		return err
	}
	se := <-r.done
	if se.Err == nil || r.ctx.Err() != nil {
		return err
	}
	var pass *PassError
	if errors.As(err, &pass) {
		pass.Failed = append(pass.Failed, se)
		sort.Slice(pass.Failed, func(i, j int) bool { return pass.Failed[i].Stream < pass.Failed[j].Stream })
		return err
	}
	return errors.Join(err, &PassError{Failed: []StreamError{se}})
}
