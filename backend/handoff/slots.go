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
	"sync"
)

// Slots hands out n slots to waiters in two lanes. A freed slot goes to
// the oldest waiter of the first lane, else to the oldest of the second,
// unless the second lane is held (Hold).
type Slots struct {
	mu    sync.Mutex
	n     int
	used  int
	lanes [2][]chan struct{} // waiters, oldest first; [0] is served first
	holds int                // Hold calls not yet released
}

// New returns n free slots (at least one).
func New(n int) *Slots {
	return &Slots{n: max(n, 1)}
}

// Take waits for a slot: at once when one is free and no waiter that
// would go first is queued, else in its lane (the first when first is
// true) until a release hands it one. It gives up, taking nothing, when
// ctx ends first.
func (s *Slots) Take(ctx context.Context, first bool) error {
	lane := 1
	if first {
		lane = 0
	}
	s.mu.Lock()
	if s.free(lane) {
		s.used++
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
			s.Release() // handed a slot as ctx ended: pass it on
		}
		return ctx.Err()
	}
}

// free reports whether a newcomer to lane may take a slot at once. No
// queued waiter can be passed over: a waiter queues only when no slot is
// free to it, and a freed slot is handed to a waiter before it counts as
// free — so while a slot is free, only a held second lane has waiters.
func (s *Slots) free(lane int) bool {
	return s.used < s.n && (lane == 0 || s.holds == 0)
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

// next pops the waiter a freed slot goes to, nil when none may have it.
func (s *Slots) next() chan struct{} {
	for lane := range s.lanes {
		if lane == 1 && s.holds > 0 {
			break
		}
		if q := s.lanes[lane]; len(q) > 0 {
			s.lanes[lane] = q[1:]
			return q[0]
		}
	}
	return nil
}

// Release frees a slot taken by Take, or hands it to the next waiter.
func (s *Slots) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.next(); w != nil {
		close(w) // handed over still taken
		return
	}
	s.used--
}

// Hold keeps the second lane's waiters waiting, even for a free slot,
// until the returned release is called (once; later calls do nothing).
// Slots already handed out are kept.
func (s *Slots) Hold() (release func()) {
	s.mu.Lock()
	s.holds++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.holds--
			for s.used < s.n {
				w := s.next()
				if w == nil {
					break
				}
				s.used++
				close(w)
			}
		})
	}
}

// InUse is the number of slots taken.
func (s *Slots) InUse() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}

// Waiting is the number of queued waiters in the first and second lanes.
func (s *Slots) Waiting() (first, second int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lanes[0]), len(s.lanes[1])
}
