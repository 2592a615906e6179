package app

import (
	"sync/atomic"
	"testing"
	"time"

	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// Regression (issue 8, suite 7): the scheduler compared "now" with the end
// of each stream's last round, so a clock set back (by hand, by NTP, a
// wall-clock-only time source) made every stream look freshly polled until
// the clock caught up: no poll for as long as the jump. A last run "in the
// future" now counts as due; a sleep or a clock change (the wall and the
// monotonic clocks parting) makes everything due at once, and the wait
// between ticks is bounded so a wake-up is noticed within seconds.
func TestSchedulerSurvivesClockJumps(t *testing.T) {
	t.Parallel()
	const poll = 200 * time.Millisecond
	a := newDemoApp(t, PollIntervals{Focused: poll, Background: poll, Other: 2 * poll, Discovery: 5 * poll})
	var offset atomic.Int64
	// A wall clock without a monotonic reading, so a jump is visible to
	// the scheduler's arithmetic, as it would be to anything stored.
	a.sched().now = func() time.Time { return time.Now().Round(0).Add(time.Duration(offset.Load())) }
	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	startScheduler(t, a)
	waitEvent(t, ch, 60*time.Second, "sync:first-complete", func(ev event) bool { return ev.Name == rsync.EventFirstComplete })
	sim := a.demo.sim
	acct, err := a.st().AccountByUPN(a.ctx, sim.User().UPN)
	if err != nil {
		t.Fatal(err)
	}
	for _, jump := range []time.Duration{-2 * time.Hour, 3 * time.Hour, -30 * 24 * time.Hour} {
		offset.Add(int64(jump))
		added := sim.AddMessage("inbox", model.Message{Subject: "After the clock moved " + jump.String(),
			From: model.Recipient{Address: "megan.bowen@contoso.com"}, To: []model.Recipient{{Address: sim.User().UPN}}})
		start := time.Now()
		waitEvent(t, ch, 10*time.Second, "the new mail after a clock jump of "+jump.String(), func(ev event) bool {
			_, err := a.st().Message(a.ctx, acct.ID, added.ID)
			return err == nil
		})
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("after a clock jump of %v, new mail took %v with %v polls", jump, d, poll)
		}
	}
}

func TestClockJumpedTellsSleepFromWork(t *testing.T) {
	cases := []struct {
		mono, wall time.Duration
		want       bool
	}{
		{15 * time.Second, 15 * time.Second, false},
		{15 * time.Second, 16 * time.Second, false}, // NTP slew
		{15 * time.Second, 2 * time.Hour, true},     // slept two hours
		{15 * time.Second, -time.Hour, true},        // clock set back
		{time.Minute, 0, true},                      // clock set back by a minute
	}
	for _, c := range cases {
		if got := clockJumped(c.mono, c.wall); got != c.want {
			t.Errorf("clockJumped(mono %v, wall %v) = %v", c.mono, c.wall, got)
		}
	}
	if maxTickWait > 30*time.Second {
		t.Fatalf("ticks %v apart: a wake-up would go unnoticed that long", maxTickWait)
	}
}
