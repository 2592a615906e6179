package app

import (
	"context"
	"errors"
	"os"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// A desktop app cannot receive Graph's webhooks (they need a public HTTPS
// endpoint), so freshness comes from cheap delta polls: a round that finds
// nothing new is one small request. The scheduler polls per stream, not in
// whole passes: Inbox, Sent Items and the default calendar often, the other
// folders and calendars rarely, folder discovery every few minutes, a
// backfill continuously until it is done. Every request of an account goes
// through the engine's gate (4 in flight, throttling pauses all), so the
// polls stay inside Graph's limits: the default intervals make about 20
// requests a minute per mailbox, against 10,000 per 10 minutes allowed.

// PollIntervals configure the scheduler. Zero fields take the defaults.
type PollIntervals struct {
	Focused    time.Duration // Inbox, Sent Items, calendar while the window is focused: 15 s
	Background time.Duration // the same streams otherwise: 60 s
	Other      time.Duration // every other folder and calendar: 5 min
	Discovery  time.Duration // new folders and calendars: 5 min
	// OfflineProbe is the first wait before checking whether the network is
	// back; it doubles up to OfflineProbeMax.
	OfflineProbe    time.Duration // 5 s
	OfflineProbeMax time.Duration // 2 min
}

// DefaultPollIntervals are the intervals the app runs with.
func DefaultPollIntervals() PollIntervals {
	return PollIntervals{Focused: 15 * time.Second, Background: time.Minute, Other: 5 * time.Minute,
		Discovery: 5 * time.Minute, OfflineProbe: 5 * time.Second, OfflineProbeMax: 2 * time.Minute}
}

func (p PollIntervals) withDefaults() PollIntervals {
	d := DefaultPollIntervals()
	for _, f := range []struct{ v, def *time.Duration }{{&p.Focused, &d.Focused}, {&p.Background, &d.Background},
		{&p.Other, &d.Other}, {&p.Discovery, &d.Discovery}, {&p.OfflineProbe, &d.OfflineProbe}, {&p.OfflineProbeMax, &d.OfflineProbeMax}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return p
}

// pollFromEnv reads RAPPORT_POLL, e.g. "focused=15s,background=1m,other=5m,
// discovery=5m" (any subset), over the defaults.
func pollFromEnv() PollIntervals {
	p := DefaultPollIntervals()
	for _, item := range strings.Split(os.Getenv("RAPPORT_POLL"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if !ok || err != nil || d <= 0 {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "focused":
			p.Focused = d
		case "background":
			p.Background = d
		case "other":
			p.Other = d
		case "discovery":
			p.Discovery = d
		}
	}
	return p
}

// scheduler decides which stream polls when. One per App.
type scheduler struct {
	a  *App
	mu gosync.Mutex
	iv PollIntervals

	focused bool
	active  bool // run is under way
	wake    chan struct{}
	engine  *rsync.Engine // the engine the state below belongs to

	running      map[int64]bool      // stream id -> a round is in flight
	lastRun      map[int64]time.Time // stream id -> when its last round ended
	discovering  map[int64]bool      // account id
	lastDiscover map[int64]time.Time // account id
	probeAt      map[int64]time.Time // account id -> next offline probe
	probeWait    map[int64]time.Duration
	force        map[int64]bool // account id -> Sync now: everything is due
	kicked       map[int64]bool // stream id -> due now (files.go: a local change, a new library)
	wasSyncing   bool
	wasOffline   bool
	// now is the scheduler's clock (nil: time.Now); lastTick is when the
	// previous tick ran, to notice a sleep or a clock change (clockJumped).
	now      func() time.Time
	lastTick time.Time
	work     gosync.WaitGroup
	stopped  chan struct{} // closed when run ends (nil: never ran)
}

// sched returns the App's scheduler, creating it on first use.
func (a *App) sched() *scheduler {
	a.schedOnce.Do(func() {
		a.scheduler = &scheduler{a: a, iv: pollFromEnv().withDefaults(), wake: make(chan struct{}, 1)}
		a.scheduler.reset(nil)
	})
	return a.scheduler
}

func (s *scheduler) reset(e *rsync.Engine) {
	s.engine = e
	s.running, s.lastRun = map[int64]bool{}, map[int64]time.Time{}
	s.discovering, s.lastDiscover = map[int64]bool{}, map[int64]time.Time{}
	s.probeAt, s.probeWait, s.force = map[int64]time.Time{}, map[int64]time.Duration{}, map[int64]bool{}
	s.kicked = map[int64]bool{}
}

func (s *scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// SetFocused tells the backend whether the window has the focus (the UI
// calls it on focus and blur): focused, Inbox, Sent Items and the calendar
// are polled every 15 s, else every 60 s. Gaining focus polls them at once
// if their last poll is older than the focused interval.
func (a *App) SetFocused(focused bool) error {
	s := a.sched()
	s.mu.Lock()
	s.focused = focused
	s.mu.Unlock()
	s.poke()
	return nil
}

// runScheduler polls until ctx (or the app) ends. The desktop window and
// `rapport serve` run it; `rapport sync` runs it unfocused.
func (a *App) runScheduler(ctx context.Context) {
	// A store opening behind the window (opening.go) is polled once open,
	// after a retry if the first attempt failed.
	select {
	case <-a.opening.ready:
	case <-ctx.Done():
		return
	case <-a.ctx.Done():
		return
	}
	s := a.sched()
	s.mu.Lock()
	if s.active {
		s.mu.Unlock()
		return
	}
	s.active = true
	stopped := make(chan struct{})
	s.stopped = stopped
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(a.ctx, cancel)
	stopWatch := a.startWatching(ctx) // files.go: a local change polls its drive at once
	defer func() {
		stop()
		cancel()
		stopWatch()
		s.work.Wait()
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
		close(stopped)
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastKeep time.Time // the first round's tick copies at once
	for {
		next := s.tick(ctx)
		if time.Since(lastKeep) >= keepEvery {
			a.keepHandMade(a.st())
			lastKeep = time.Now()
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// waitStopped waits for a running scheduler to end (after the app's
// context is cancelled) and for its rounds to return.
func (s *scheduler) waitStopped() {
	s.mu.Lock()
	ch, active := s.stopped, s.active
	s.mu.Unlock()
	if active && ch != nil {
		<-ch
	}
}

// syncNow makes everything due at once when the scheduler runs, and reports
// whether it did.
func (s *scheduler) syncNow() bool {
	s.mu.Lock()
	active := s.active
	if active {
		for id := range s.lastDiscover {
			s.force[id] = true
		}
		s.force[0] = true // accounts not seen yet
	}
	s.mu.Unlock()
	if active {
		s.poke()
	}
	return active
}

func (s *scheduler) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// maxTickWait bounds the wait between ticks, so that a laptop waking up
// (timers run on the monotonic clock, which stops during sleep) is noticed
// within seconds rather than at the next poll of a slow stream.
const maxTickWait = 15 * time.Second

// clockJumpSlack is how far the wall clock may drift from the monotonic
// one between two ticks before it counts as a sleep or a clock change.
const clockJumpSlack = 20 * time.Second

// clockJumped compares how much time passed by the monotonic clock (mono)
// and by the wall clock (wall) between two ticks: they part when the
// computer slept (the monotonic clock stops, the wall clock goes on) or
// the wall clock was set (NTP, a time zone trip, the user).
func clockJumped(mono, wall time.Duration) bool {
	d := wall - mono
	return d > clockJumpSlack || d < -clockJumpSlack
}

// tick launches whatever is due and returns how long to wait for the next.
func (s *scheduler) tick(ctx context.Context) time.Duration {
	a := s.a
	eng, st := a.eng(), a.st()
	now := s.clock()
	next := maxTickWait
	soon := func(at time.Time) {
		if d := at.Sub(now); d < next {
			next = max(d, 10*time.Millisecond)
		}
	}
	accts, err := st.Accounts(ctx)
	if err != nil {
		return 5 * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.engine != eng { // the app switched to the demo: a new store
		s.reset(eng)
	}
	forceAll := s.force[0]
	delete(s.force, 0)
	if !s.lastTick.IsZero() && clockJumped(now.Sub(s.lastTick), now.Round(0).Sub(s.lastTick.Round(0))) {
		// Back from sleep, or the clock was set: what is due by the old
		// reckoning means nothing now. Poll everything, as "Sync now" does,
		// and probe offline accounts at once.
		a.log.Info("the computer slept or its clock changed; polling every stream")
		forceAll = true
		s.probeAt = map[int64]time.Time{}
	}
	s.lastTick = now
	syncing, allOffline := false, len(accts) > 0
	for _, acct := range accts {
		if accountBlocked(acct) != nil {
			allOffline = false
			continue
		}
		if forceAll {
			s.force[acct.ID] = true
		}
		syncing = syncing || eng.Busy(acct.ID)
		offline, _ := eng.Offline(acct.ID)
		allOffline = allOffline && offline
		streams, err := st.Streams(ctx, acct.ID)
		if err != nil {
			continue
		}
		if offline {
			s.probe(ctx, eng, acct, streams, now, soon)
			continue
		}
		delete(s.probeWait, acct.ID)
		delete(s.probeAt, acct.ID)
		force := s.force[acct.ID]
		delete(s.force, acct.ID)
		if !s.discovering[acct.ID] && (force || now.Sub(s.lastDiscover[acct.ID]) >= s.iv.Discovery || now.Before(s.lastDiscover[acct.ID])) {
			s.launchDiscovery(ctx, eng, acct)
		} else if !s.discovering[acct.ID] {
			soon(s.lastDiscover[acct.ID].Add(s.iv.Discovery))
		}
		var backfillFrom *time.Time
		for _, stream := range streams {
			if stream.Kind == model.StreamMailBackfill {
				if set, err := st.SyncSettings(ctx, acct.ID, now); err == nil {
					backfillFrom = set.BackfillFrom
				}
				break
			}
		}
		for _, stream := range streams {
			if s.running[stream.ID] {
				continue
			}
			iv, ok := s.interval(stream, backfillFrom)
			if !ok {
				continue
			}
			last := s.lastRun[stream.ID]
			// A last run "in the future" means the clock went back: due now,
			// rather than waiting for the clock to catch up.
			if force || s.kicked[stream.ID] || now.Sub(last) >= iv || now.Before(last) {
				delete(s.kicked, stream.ID)
				s.launch(ctx, eng, acct, stream.ID)
				continue
			}
			soon(last.Add(iv))
		}
	}
	if syncing != s.wasSyncing || (allOffline != s.wasOffline) {
		s.wasSyncing, s.wasOffline = syncing, allOffline
		go a.emitState()
	}
	return next
}

// interval is how often a stream is polled; ok=false for a stream that has
// nothing to do (a finished backfill).
func (s *scheduler) interval(st model.Stream, backfillFrom *time.Time) (time.Duration, bool) {
	hot := s.iv.Background
	if s.focused {
		hot = s.iv.Focused
	}
	failed := st.LastError != ""
	switch {
	case st.Kind != model.StreamMail && st.Kind != model.StreamCalendar && st.Kind != model.StreamMailBackfill && st.Kind != model.StreamDrive:
		return 0, false
	case st.Kind == model.StreamMailBackfill:
		switch {
		case backfillFrom == nil:
			return 0, false
		case failed:
			return s.iv.Background, true
		case st.NextLink != "" || st.WindowStart.After(*backfillFrom):
			return 0, true // carry on at once until it reaches the date
		case st.WindowStart.IsZero():
			return s.iv.Focused, true // waits for the folder's first round to fix its window
		}
		return 0, false // done
	case (st.LastSyncAt == nil || st.NextLink != "") && !failed:
		return 0, true // a first round or one under way: carry on
	case st.Kind == model.StreamDrive && strings.Contains(st.Resource, "/"):
		return s.iv.Other, true // a shared folder, walked folder by folder: costly
	case st.Hot, st.Kind == model.StreamDrive:
		return hot, true // a drive delta with nothing new is one small request
	}
	return s.iv.Other, true
}

// kick makes a stream due at once when the scheduler runs (a round under
// way runs again when it ends), and reports whether it did.
func (s *scheduler) kick(streamID int64) bool {
	s.mu.Lock()
	active := s.active
	if active {
		s.kicked[streamID] = true
	}
	s.mu.Unlock()
	if active {
		s.poke()
	}
	return active
}

func (s *scheduler) launch(ctx context.Context, eng *rsync.Engine, acct model.Account, streamID int64) {
	s.running[streamID] = true
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		_, err := eng.SyncStream(ctx, acct, streamID)
		if err != nil && ctx.Err() == nil && !errors.Is(err, model.ErrOffline) {
			s.a.log.Debug("stream round failed", "error", rsync.Explain(err))
		}
		s.mu.Lock()
		delete(s.running, streamID)
		s.lastRun[streamID] = s.clock()
		s.mu.Unlock()
		s.poke()
	}()
}

func (s *scheduler) launchDiscovery(ctx context.Context, eng *rsync.Engine, acct model.Account) {
	s.discovering[acct.ID] = true
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		err := eng.Discover(ctx, acct)
		if err != nil && ctx.Err() == nil {
			s.a.log.Warn("folder discovery failed", "account", acct.UPN, "error", rsync.Explain(err))
		}
		if err := eng.DiscoverDrives(ctx, acct); err != nil && ctx.Err() == nil { // OneDrive, libraries, shared folders
			s.a.log.Warn("drive discovery failed", "account", acct.UPN, "error", rsync.Explain(err))
		}
		s.mu.Lock()
		delete(s.discovering, acct.ID)
		s.lastDiscover[acct.ID] = s.clock()
		s.mu.Unlock()
		s.poke()
	}()
}

// probe runs, while an account is offline, one cheap poll (its Inbox) with
// a doubling wait between tries; when it gets through, everything is due.
func (s *scheduler) probe(ctx context.Context, eng *rsync.Engine, acct model.Account, streams []model.Stream, now time.Time, soon func(time.Time)) {
	for _, st := range streams {
		if s.running[st.ID] {
			return // a probe (or a round) is under way
		}
	}
	if s.discovering[acct.ID] {
		return
	}
	wait := s.probeWait[acct.ID]
	at, ok := s.probeAt[acct.ID]
	if !ok {
		wait = s.iv.OfflineProbe
		at = now.Add(wait)
		s.probeWait[acct.ID], s.probeAt[acct.ID] = wait, at
	}
	// (A probe further away than its own wait means the clock went back.)
	if now.Before(at) && at.Sub(now) <= wait {
		soon(at)
		return
	}
	s.probeWait[acct.ID] = min(2*wait, s.iv.OfflineProbeMax)
	s.probeAt[acct.ID] = now.Add(s.probeWait[acct.ID])
	s.force[acct.ID] = true // once back: everything at once
	var pick *model.Stream
	for i := range streams {
		if streams[i].Kind == model.StreamMail && (pick == nil || streams[i].Hot) {
			pick = &streams[i]
		}
	}
	if pick == nil {
		s.launchDiscovery(ctx, eng, acct)
		return
	}
	s.launch(ctx, eng, acct, pick.ID)
}

// emitState tells the UI that syncing or offline changed.
func (a *App) emitState() {
	st, err := a.Status()
	if err != nil {
		return
	}
	a.emit("sync:state", map[string]any{"syncing": st.Syncing, "offline": st.Offline})
}
