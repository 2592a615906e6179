// Package sync is the sync engine: for each account it discovers the delta
// streams (one per mail folder, one per calendar, a backfill per folder when
// asked for older history), runs each stream's round page by page — every
// page applied in one transaction together with its checkpoint — and
// reports progress and changes as events. A failing stream records its
// error and the others carry on. All requests of one account pass one
// graph.Gate: at most 4 in flight per mailbox, and a throttling answer
// pauses all of them.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	gosync "sync"
	"time"

	"rapport/backend/clients"
	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
)

// Event names the UI subscribes to.
const (
	EventDataChanged = "data:changed"
	EventProgress    = "sync:progress"
	// EventFirstComplete is sent once per account, when every stream has
	// completed its first round: the "We found…" card.
	EventFirstComplete = "sync:first-complete"
)

// DataChanged is the payload of "data:changed".
type DataChanged struct {
	Account   string   `json:"account"`
	Kinds     []string `json:"kinds"`
	ClientIDs []int64  `json:"clientIds"`
}

// Progress is the payload of "sync:progress", sent after every page.
type Progress struct {
	Account  string `json:"account"`
	Stream   string `json:"stream"`   // display name: "Inbox", "Calendar"
	StreamID int64  `json:"streamId"` // stable key for the UI
	Kind     string `json:"kind"`     // mail | calendar | mail-backfill
	Items    int    `json:"items"`    // rows the stream holds (backfill: listed so far)
	Total    int    `json:"total"`    // denominator when known (folders: totalItemCount), else 0
	Done     bool   `json:"done"`     // the round completed
}

// FirstComplete is the payload of "sync:first-complete".
type FirstComplete = model.FirstSyncSummary

// Options wires the engine.
type Options struct {
	Store      *store.Store
	GraphURL   string
	HTTPClient *http.Client
	Tokens     model.TokenSource
	// MaxConcurrent caps requests in flight per mailbox (Graph allows 4).
	MaxConcurrent int
	PageSize      int
	// DrivePageSize is the $top of drive delta requests: Graph's largest,
	// 1000, unless PageSize is set (tests page drives as small as mail).
	DrivePageSize int
	// CalendarAhead is how far ahead the calendar window reaches (180 days).
	CalendarAhead time.Duration
	// SlideEvery is how often the calendar window slides (a new baseline
	// round): 7 days.
	SlideEvery time.Duration
	// BackoffBase is the first step of the backoff when an answer gives no
	// Retry-After (1 s); tests make it small.
	BackoffBase time.Duration
	// RequestTimeout bounds one Graph request (graph.DefaultRequestTimeout).
	RequestTimeout time.Duration
	Now            func() time.Time
	// Emit receives the Event* names above; may be nil.
	Emit func(name string, payload any)
	// OnConnectivity is told when an account goes offline or comes back.
	OnConnectivity func(acct model.Account, offline bool)
	Log            *slog.Logger
}

// Engine syncs accounts into the store.
type Engine struct {
	o     Options
	mu    gosync.Mutex
	accts map[int64]*acctState
	// driveGates: one per drive host (drive.go), created on first use.
	driveGates map[string]*graph.Gate
}

// acctState is what the engine keeps per account between rounds.
type acctState struct {
	gate        *graph.Gate
	discoverMu  gosync.Mutex
	streamMu    map[int64]*gosync.Mutex // one writer per stream
	wellKnown   map[string]string       // folder id -> well-known name (ids never change)
	offline     bool
	offlineAt   time.Time
	discErr     error // the last discovery's failure (nil: it worked)
	driveErr    error // the last drive discovery's failure (drive.go)
	running     int   // rounds in progress
	full        int   // of which full rounds (first sync, slide, backfill)
	firstRounds int   // of which mail and calendar rounds (see SyncStream's lastOut)
	firstDone   bool  // the first complete sync was recorded: no more checks after polls
}

// New returns an engine.
func New(o Options) *Engine {
	if o.MaxConcurrent <= 0 || o.MaxConcurrent > graph.DefaultConcurrency {
		o.MaxConcurrent = graph.DefaultConcurrency
	}
	if o.DrivePageSize <= 0 {
		o.DrivePageSize = maxDrivePageSize
		if o.PageSize > 0 {
			o.DrivePageSize = o.PageSize
		}
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.CalendarAhead <= 0 {
		o.CalendarAhead = 180 * 24 * time.Hour
	}
	if o.SlideEvery <= 0 {
		o.SlideEvery = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Emit == nil {
		o.Emit = func(string, any) {}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.GraphURL == "" {
		o.GraphURL = graph.DefaultBaseURL
	}
	return &Engine{o: o, accts: map[int64]*acctState{}}
}

func (e *Engine) state(accountID int64) *acctState {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.accts[accountID]
	if st == nil {
		st = &acctState{gate: graph.NewGate(e.o.MaxConcurrent), streamMu: map[int64]*gosync.Mutex{}, wellKnown: map[string]string{}}
		e.accts[accountID] = st
	}
	return st
}

func (e *Engine) streamLock(accountID, streamID int64) *gosync.Mutex {
	as := e.state(accountID)
	e.mu.Lock()
	defer e.mu.Unlock()
	m := as.streamMu[streamID]
	if m == nil {
		m = &gosync.Mutex{}
		as.streamMu[streamID] = m
	}
	return m
}

// client is a Graph client for the account that shares its gate.
func (e *Engine) client(acct model.Account) *graph.Client {
	gc := graph.New(e.o.GraphURL, e.o.HTTPClient, e.o.Tokens, acct.HomeAccountID)
	gc.PageSize = e.o.PageSize
	gc.Gate = e.state(acct.ID).gate
	if e.o.BackoffBase > 0 {
		gc.BackoffBase = e.o.BackoffBase
	}
	if e.o.RequestTimeout > 0 {
		gc.RequestTimeout = e.o.RequestTimeout
	}
	gc.Log = e.o.Log
	return gc
}

// Offline says whether the account's service could not be reached at all
// on its last attempt, and since when.
func (e *Engine) Offline(accountID int64) (bool, time.Time) {
	as := e.state(accountID)
	e.mu.Lock()
	defer e.mu.Unlock()
	return as.offline, as.offlineAt
}

// Busy says whether a full round (a first sync, a window slide, a backfill)
// is running for the account — what the UI shows as "Syncing…". Polls that
// find nothing new do not count.
func (e *Engine) Busy(accountID int64) bool {
	as := e.state(accountID)
	e.mu.Lock()
	defer e.mu.Unlock()
	return as.full > 0
}

func (e *Engine) setOffline(acct model.Account, offline bool) {
	as := e.state(acct.ID)
	e.mu.Lock()
	changed := as.offline != offline
	as.offline = offline
	if changed && offline {
		as.offlineAt = e.o.Now()
	}
	e.mu.Unlock()
	if changed {
		if offline {
			e.o.Log.Warn("offline: Microsoft 365 cannot be reached", "account", acct.UPN)
		} else {
			e.o.Log.Info("back online", "account", acct.UPN)
		}
		if e.o.OnConnectivity != nil {
			e.o.OnConnectivity(acct, offline)
		}
	}
}

// StreamError is one stream's failure inside a pass.
type StreamError struct {
	Stream string
	Err    error
}

// PassError collects the failed streams of a pass.
type PassError struct{ Failed []StreamError }

func (e *PassError) Error() string {
	if len(e.Failed) == 1 {
		return fmt.Sprintf("%s: %v", e.Failed[0].Stream, e.Failed[0].Err)
	}
	return fmt.Sprintf("%d streams failed; first: %s: %v", len(e.Failed), e.Failed[0].Stream, e.Failed[0].Err)
}

func (e *PassError) Unwrap() []error {
	out := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f.Err
	}
	return out
}

// SyncAccount runs one pass over every stream of the account: discovery,
// then each stream's round to its end, then the purge of messages no folder
// holds any more. It is `rapport sync --once` and "Sync now".
//
// The drives' streams start as soon as the drives are found, without
// waiting for the mailbox's discovery (five turns of its four request
// slots in the heavy tenant's first sync, ~0.55 s at 100 ms a request):
// the one writer sat idle meanwhile, and the first sync ends when the
// writer has written everything (docs/PERFORMANCE.md §45). A mailbox that
// cannot be listed no longer holds the files back either.
func (e *Engine) SyncAccount(ctx context.Context, acct model.Account) error {
	drivesDone := make(chan error, 1)
	go func() { drivesDone <- e.syncDrives(ctx, acct) }()
	early := &earlyRun{e: e, ctx: ctx, acct: acct} // early.go: a first discovery starts the largest folder
	discErr := e.discover(ctx, acct, early)
	early.discovered()
	var calErr *CalendarAccessError
	switch {
	case discErr == nil:
	case ctx.Err() != nil:
		<-drivesDone
		early.join(nil)
		return ctx.Err()
	case errors.As(discErr, &calErr):
		// Mail goes on without the calendar.
	default:
		if errors.Is(discErr, model.ErrOffline) {
			e.setOffline(acct, true)
		}
		return errors.Join(fmt.Errorf("list mail folders and calendars: %w", discErr), <-drivesDone, early.join(nil))
	}
	ids, err := e.streamIDs(ctx, acct.ID, func(s model.Stream) bool { return s.Kind != model.StreamDrive && s.ID != early.id })
	if err != nil {
		return errors.Join(err, <-drivesDone, early.join(nil))
	}
	if err := errors.Join(early.join(e.syncStreams(ctx, acct, ids, early.ended())), <-drivesDone); err != nil {
		return errors.Join(err, discErr)
	}
	return discErr
}

// syncDrives finds the account's drives, then runs their streams, then the
// streams the pass itself found (shared folders in the OneDrive). A failed
// discovery is logged and the drives already known still sync.
func (e *Engine) syncDrives(ctx context.Context, acct model.Account) error {
	if err := e.DiscoverDrives(ctx, acct); err != nil && ctx.Err() == nil { // drive.go
		e.o.Log.Warn("drive discovery failed", "account", acct.UPN, "error", Explain(err))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ids, err := e.streamIDs(ctx, acct.ID, func(s model.Stream) bool { return s.Kind == model.StreamDrive })
	if err != nil {
		return err
	}
	return errors.Join(e.SyncStreams(ctx, acct, ids), e.syncNewDriveStreams(ctx, acct, ids))
}

// streamIDs lists the account's streams that keep selects.
func (e *Engine) streamIDs(ctx context.Context, accountID int64, keep func(model.Stream) bool) ([]int64, error) {
	streams, err := e.o.Store.Streams(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, s := range streams {
		if keep(s) {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// CalendarAccessError is a discovery that listed the mail folders but was
// refused the calendars (a sign-in without Calendars.ReadBasic): mail syncs,
// the calendar waits for the user to re-authorize.
type CalendarAccessError struct{ Err error }

func (e *CalendarAccessError) Error() string { return "calendars: " + e.Err.Error() }
func (e *CalendarAccessError) Unwrap() error { return e.Err }

// DiscoveryError is the last folder discovery's failure in words, with the
// action that fixes it ("" when it worked): an account whose mailbox cannot
// be listed at all (on-premises, no permission) has no streams to show it.
func (e *Engine) DiscoveryError(accountID int64) (msg, action string) {
	as := e.state(accountID)
	e.mu.Lock()
	err := as.discErr
	e.mu.Unlock()
	if err == nil || errors.Is(err, model.ErrOffline) || errors.Is(err, context.Canceled) {
		return "", ""
	}
	return Explain(err), Action(err)
}

// SyncStreams runs the rounds of the given streams concurrently and
// returns a *PassError naming the ones that failed; the others complete
// regardless. On each host (the mailbox, each drive host) at most
// MaxConcurrent streams run at once, longest first (schedule.go): each
// keeps one request in flight (pipelined with its writes), so the host's
// slots stay busy and the longest stream's chain of pages never waits for
// a slot.
func (e *Engine) SyncStreams(ctx context.Context, acct model.Account, ids []int64) error {
	return e.syncStreams(ctx, acct, ids, nil)
}

// syncStreams is SyncStreams beside a mailbox stream already running
// until mailboxBusy is closed (early.go; nil: none), which keeps its slot:
// until then the mailbox's streams here run one fewer at once. Otherwise
// a running stream's slot, freed as each answer came, went to the request
// queued behind it, and the running stream's next request waited for the
// next answer (9 ms more per page of the heavy tenant's largest folder,
// docs/PERFORMANCE.md §51). Once it ends, the worker it kept out starts:
// a mailbox whose largest main folder is not its longest stream would
// otherwise sync the rest of its folders one fewer at a time.
func (e *Engine) syncStreams(ctx context.Context, acct model.Account, ids []int64, mailboxBusy <-chan struct{}) error {
	var (
		wg     gosync.WaitGroup
		failMu gosync.Mutex
		failed []StreamError
	)
	for _, hq := range e.schedule(ctx, acct, ids) {
		queue := hq.ids
		next := make(chan int64, len(queue))
		for _, id := range queue {
			next <- id
		}
		close(next)
		work := func() {
			for id := range next {
				name, err := e.SyncStream(ctx, acct, id)
				if err != nil {
					failMu.Lock()
					failed = append(failed, StreamError{Stream: name, Err: err})
					failMu.Unlock()
				}
			}
		}
		workers := e.o.MaxConcurrent
		if hq.host == "mailbox" && mailboxBusy != nil && workers > 1 && len(queue) >= workers {
			workers--
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-mailboxBusy // ends with ctx too
				work()        // nothing when the queue is done
			}()
		}
		for w := 0; w < min(workers, len(queue)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work()
			}()
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(failed) > 0 {
		sort.Slice(failed, func(i, j int) bool { return failed[i].Stream < failed[j].Stream })
		return &PassError{Failed: failed}
	}
	return nil
}

// SyncStream runs one stream's round to its end (a delta poll is one small
// request when nothing changed), records its error or success, purges what
// may be purged and announces the first complete sync. It returns the
// stream's name for messages.
func (e *Engine) SyncStream(ctx context.Context, acct model.Account, streamID int64) (string, error) {
	lock := e.streamLock(acct.ID, streamID)
	lock.Lock()
	defer lock.Unlock()
	st, err := e.o.Store.Stream(ctx, streamID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return "", nil // dropped meanwhile (folder excluded)
		}
		return "", err
	}
	full := st.LastSyncAt == nil || (st.Kind == model.StreamMailBackfill && st.NextLink != "")
	countsForFirst := st.Kind == model.StreamMail || st.Kind == model.StreamCalendar
	as := e.state(acct.ID)
	e.mu.Lock()
	as.running++
	if full {
		as.full++
	}
	if countsForFirst {
		as.firstRounds++
	}
	e.mu.Unlock()
	// lastOut leaves the count of mail and calendar rounds in progress and
	// says whether none is left. Only then may the first-complete summary be
	// sent: a round that has stored its last page but not yet sent its final
	// progress would otherwise see that progress arrive after the summary.
	left := false
	lastOut := func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		if countsForFirst && !left {
			left = true
			as.firstRounds--
		}
		return as.firstRounds == 0
	}
	defer func() {
		lastOut()
		e.mu.Lock()
		as.running--
		if full {
			as.full--
		}
		e.mu.Unlock()
	}()

	gc := e.client(acct)
	mb := clients.MailboxFor(acct)
	switch st.Kind {
	case model.StreamMail:
		err = e.runMailStream(ctx, gc, acct, mb, st)
	case model.StreamMailBackfill:
		err = e.runBackfill(ctx, gc, acct, mb, st)
	case model.StreamCalendar:
		if st.Hot {
			err = e.runCalendarDelta(ctx, gc, acct, mb, st)
		} else {
			err = e.runCalendarListing(ctx, gc, acct, mb, st)
		}
	case model.StreamDrive:
		err = e.runDriveStream(ctx, acct, st) // drive.go
	default:
		return st.Name, nil
	}
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return st.Name, ctx.Err()
		}
		if errors.Is(err, model.ErrNotFound) && st.Kind != model.StreamCalendar {
			// The folder is gone: the next discovery forgets it. Not an error
			// the user can act on.
			e.o.Log.Info("folder vanished", "stream", st.Name)
		}
		_ = e.o.Store.SetStreamError(bg, st.ID, Explain(err), Action(err))
		e.o.Log.Warn("stream failed", "stream", st.Name, "error", Explain(err))
		e.setOffline(acct, errors.Is(err, model.ErrOffline))
		if a := Action(err); a != model.ActionNone && lastOut() {
			_ = e.checkFirstComplete(bg, acct) // this one waits for the user
		}
		return st.Name, err
	}
	e.setOffline(acct, false)
	if st.Kind == model.StreamMail {
		if err := e.purge(bg, acct); err != nil {
			return st.Name, err
		}
	}
	if !lastOut() {
		return st.Name, nil // the last mail or calendar round to end checks
	}
	return st.Name, e.checkFirstComplete(bg, acct)
}

// purge deletes messages no synced folder has held since before every
// folder's last completed round began (see store.PurgeThreshold).
func (e *Engine) purge(ctx context.Context, acct model.Account) error {
	before, err := e.o.Store.PurgeThreshold(ctx, acct.ID)
	if err != nil || before.IsZero() {
		return err
	}
	ids, err := e.o.Store.PurgeOrphans(ctx, acct.ID, before)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMail}, ClientIDs: ids})
	}
	return nil
}

// checkFirstComplete announces the first complete sync of an account: the
// moment every mail and calendar stream has completed a round (or failed in
// a way only the user can fix).
func (e *Engine) checkFirstComplete(ctx context.Context, acct model.Account) error {
	as := e.state(acct.ID)
	e.mu.Lock()
	done := as.firstDone
	e.mu.Unlock()
	if done {
		return nil // once per account: a poll need not read every stream again
	}
	streams, err := e.o.Store.Streams(ctx, acct.ID)
	if err != nil {
		return err
	}
	n := 0
	for _, s := range streams {
		if s.Kind != model.StreamMail && s.Kind != model.StreamCalendar {
			continue
		}
		n++
		// A stream that needs the user (re-authorize, admin consent, an
		// on-premises mailbox) will not complete by itself: the summary
		// does not wait for it. Transient failures are waited for.
		needsUser := s.LastError != "" && s.ErrorAction != "" && s.ErrorAction != model.ActionNone
		if s.LastSyncAt == nil && !needsUser {
			return nil
		}
	}
	if n == 0 {
		return nil
	}
	first, err := e.o.Store.MarkFirstSync(ctx, acct.ID, e.o.Now().UTC())
	if err != nil {
		return err
	}
	e.mu.Lock()
	as.firstDone = true
	e.mu.Unlock()
	if !first {
		return nil
	}
	sum, err := e.o.Store.FirstSyncSummary(ctx, acct.ID)
	if err != nil || sum == nil {
		return err
	}
	e.o.Emit(EventFirstComplete, *sum)
	return nil
}

func (e *Engine) emitProgress(ctx context.Context, acct model.Account, streamID int64, done bool) {
	cur, err := e.o.Store.Stream(ctx, streamID)
	if err != nil {
		return
	}
	e.o.Emit(EventProgress, Progress{Account: acct.UPN, Stream: cur.Name, StreamID: cur.ID, Kind: cur.Kind,
		Items: cur.Items, Total: cur.Total, Done: done})
}

func nonNil(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}
