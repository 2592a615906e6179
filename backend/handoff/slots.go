// Package handoff holds Slots, the hand-off lock that both of Rapport's
// queues are made of: a mailbox's Graph requests (graph.Gate, 4 slots) and
// this process's SQLite write transactions (the store's write queue, 1
// slot). In both, a waiter must never sleep and retry — a freed slot is
// handed straight to the next waiter — and some waiters go before others
// already queued: the requests of a first sync's longest chain of pages,
// and ordinary writes before drive pages.
package handoff

import (
	"context"
	"slices"
	"sync"
)

// Slots hands out n slots to waiters in two lanes. A freed slot goes to
// the oldest waiter of the first lane, else to the oldest of the second,
// unless the second lane holds as many slots as a limit in force allows
// (Limit; Hold is a limit of none).
type Slots struct {
	mu     sync.Mutex
	n      int
	used   [2]int             // slots taken by each lane
	lanes  [2][]chan struct{} // waiters, oldest first; [0] is served first
	limits []int              // the second lane's limits in force; the lowest applies
}

// New returns n free slots (at least one).
func New(n int) *Slots {
	return &Slots{n: max(n, 1)}
}

func laneOf(first bool) int {
	if first {
		return 0
	}
	return 1
}

// Take waits for a slot: at once when one is free to its lane (the first
// when first is true) and no waiter that would go first is queued, else
// in its lane until a release hands it one. It gives up, taking nothing,
// when ctx ends first. Release(first) gives the slot back.
func (s *Slots) Take(ctx context.Context, first bool) error {
	lane := laneOf(first)
	s.mu.Lock()
	if s.free(lane) {
		s.used[lane]++
		s.mu.Unlock()
		return nil
	}
	w := make(chan struct{})
	s.lanes[lane] = append(s.lanes[lane], w)
	s.mu.Unlock()
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		queued := s.drop(lane, w)
		s.mu.Unlock()
		if !queued {
			s.Release(first) // handed a slot as ctx ended: pass it on
		}
		return ctx.Err()
	}
}

// free reports whether lane may take a slot now. No queued waiter can be
// passed over by a newcomer to its lane: a waiter queues only when no
// slot is free to it, and every change that frees one (a release, a
// limit lifted) hands it to the waiters first (fill).
func (s *Slots) free(lane int) bool {
	if s.used[0]+s.used[1] >= s.n {
		return false
	}
	if lane == 0 {
		return true
	}
	for _, m := range s.limits {
		if s.used[1] >= m {
			return false
		}
	}
	return true
}

// drop removes w from lane; false when it is not there (it was handed a
// slot already).
func (s *Slots) drop(lane int, w chan struct{}) bool {
	for i, x := range s.lanes[lane] {
		if x == w {
			s.lanes[lane] = append(s.lanes[lane][:i], s.lanes[lane][i+1:]...)
			return true
		}
	}
	return false
}

// fill hands the slots free to each lane to its waiters, the first
// lane's first, oldest first.
func (s *Slots) fill() {
	for lane := range s.lanes {
		for len(s.lanes[lane]) > 0 && s.free(lane) {
			w := s.lanes[lane][0]
			s.lanes[lane] = s.lanes[lane][1:]
			s.used[lane]++
			close(w) // handed over taken
		}
	}
}

// Release gives back a slot that Take(ctx, first) took, handing it to
// the next waiter it is free to, if any.
func (s *Slots) Release(first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used[laneOf(first)]--
	s.fill()
}

// Limit lets the second lane hold at most m slots until the returned
// release is called (once; later calls do nothing): its waiters wait,
// even for a free slot, while it holds m. Slots already handed out are
// kept.
func (s *Slots) Limit(m int) (release func()) {
	s.mu.Lock()
	s.limits = append(s.limits, max(m, 0))
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			i := slices.Index(s.limits, max(m, 0))
			s.limits = slices.Delete(s.limits, i, i+1)
			s.fill()
		})
	}
}

// Hold keeps the second lane's waiters waiting, even for a free slot,
// until the returned release is called (once; later calls do nothing):
// a limit of none.
func (s *Slots) Hold() (release func()) { return s.Limit(0) }

// Size is the number of slots.
func (s *Slots) Size() int { return s.n }

// InUse is the number of slots taken.
func (s *Slots) InUse() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used[0] + s.used[1]
}

// Waiting is the number of queued waiters in the first and second lanes.
func (s *Slots) Waiting() (first, second int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lanes[0]), len(s.lanes[1])
}
