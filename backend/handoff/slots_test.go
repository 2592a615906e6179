package handoff

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"rapport/internal/poll"
)

// taker takes a slot in the background and reports when it has one.
func taker(s *Slots, ctx context.Context, first bool) <-chan error {
	got := make(chan error, 1)
	go func() { got <- s.Take(ctx, first) }()
	return got
}

func waitQueued(t *testing.T, s *Slots, first, second int) {
	t.Helper()
	var f, r int
	poll.Until(t, func() bool { f, r = s.Waiting(); return f == first && r == second },
		func() string {
			return fmt.Sprintf("%d first-lane and %d second-lane waiters, want %d and %d", f, r, first, second)
		})
}

// While held, the second lane waits even for free slots and the first
// lane takes them at once; the release hands every free slot to a waiter,
// oldest first, and the rest wait for slots to be freed.
func TestHeldSecondLaneWaitsAndTheReleaseFillsEveryFreeSlot(t *testing.T) {
	s := New(3)
	ctx := context.Background()
	release := s.Hold()
	var second []<-chan error
	for i := range 4 {
		second = append(second, taker(s, ctx, false))
		waitQueued(t, s, 0, i+1)
	}
	if err := s.Take(ctx, true); err != nil { // first lane: not held
		t.Fatal(err)
	}
	if n := s.InUse(); n != 1 {
		t.Fatalf("%d slots taken while the second lane is held, want 1", n)
	}
	s.Release() // freed, not handed to the held lane
	if n := s.InUse(); n != 0 {
		t.Fatalf("%d slots taken after a release under the hold, want 0", n)
	}
	waitQueued(t, s, 0, 4)
	if err := s.Take(ctx, true); err != nil {
		t.Fatal(err)
	}
	release()
	release() // once only: a second call must not undo another hold
	for i := range 2 {
		if err := <-second[i]; err != nil {
			t.Fatal(err)
		}
	}
	waitQueued(t, s, 0, 2)
	if n := s.InUse(); n != 3 {
		t.Fatalf("%d slots taken after the release, want 3", n)
	}
	s.Release()
	if err := <-second[2]; err != nil {
		t.Fatal(err)
	}
	waitQueued(t, s, 0, 1)
	for range 3 {
		s.Release()
	}
	if err := <-second[3]; err != nil {
		t.Fatal(err)
	}
	s.Release()
	if n := s.InUse(); n != 0 {
		t.Fatalf("%d slots taken after every holder released", n)
	}
}

// Two holds: the second lane waits until both are released.
func TestEveryHoldMustBeReleased(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	a, b := s.Hold(), s.Hold()
	got := taker(s, ctx, false)
	waitQueued(t, s, 0, 1)
	a()
	a()
	waitQueued(t, s, 0, 1) // still held by b
	if n := s.InUse(); n != 0 {
		t.Fatalf("%d slots taken under a hold", n)
	}
	b()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// A waiter that gives up leaves its lane and takes no slot, whichever
// lane it waited in and whether or not that lane was held.
func TestAWaiterThatGivesUpTakesNothing(t *testing.T) {
	for _, c := range []struct {
		name        string
		first, held bool
	}{{"first lane", true, false}, {"second lane", false, false}, {"held second lane", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			s := New(1)
			ctx := context.Background()
			if err := s.Take(ctx, true); err != nil {
				t.Fatal(err)
			}
			if c.held {
				defer s.Hold()()
			}
			short, cancel := context.WithCancel(ctx)
			got := taker(s, short, c.first)
			if c.first {
				waitQueued(t, s, 1, 0)
			} else {
				waitQueued(t, s, 0, 1)
			}
			cancel()
			if err := <-got; err == nil {
				t.Fatal("a waiter whose context ended got a slot")
			}
			waitQueued(t, s, 0, 0)
			s.Release()
			if n := s.InUse(); n != 0 {
				t.Fatalf("%d slots taken after the holder released", n)
			}
		})
	}
}

// A freed slot goes to the first lane's oldest waiter, then the second's,
// each lane in the order its waiters came.
func TestFirstLaneGoesFirstThenEachLaneInOrder(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	if err := s.Take(ctx, false); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	for i, w := range []struct {
		name  string
		first bool
	}{{"second 1", false}, {"first 1", true}, {"second 2", false}, {"first 2", true}} {
		go func() {
			if err := s.Take(ctx, w.first); err != nil {
				got <- err.Error()
				return
			}
			got <- w.name
		}()
		f, r := (i+1)/2, (i+2)/2 // queued once this one is
		waitQueued(t, s, f, r)
	}
	var order []string
	for range 4 {
		s.Release()
		order = append(order, <-got)
	}
	if want := []string{"first 1", "first 2", "second 1", "second 2"}; !slices.Equal(order, want) {
		t.Fatalf("slots went to %v, want %v", order, want)
	}
}
