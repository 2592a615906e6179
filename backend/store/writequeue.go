package store

import "sync"

// writeQueue hands SQLite's one write lock to this process's write
// transactions in order, with no sleeping (SQLite's busy handler retries in
// sleeps, and eight streams writing pages at once starved the unlucky ones
// past busy_timeout). Writes come in two classes: bulk writes — a drive
// page of up to 1,000 items, ~100 ms of writing — wait while any other
// write is queued. Everything else (mail and calendar pages, a user's
// rule or mapping change) would otherwise queue behind several of them:
// during a first sync the mailbox's longest folder, whose pages are the
// sync's critical path (issue 7's lower bound), waited ~190 ms per page
// instead of its 100 ms request, and a click on "Add domain" waited too.
// Bulk writes cannot starve: a first sync's mail pages leave the writer
// idle between them, and polls are short.
type writeQueue struct {
	mu          sync.Mutex
	held        bool
	first, bulk []chan struct{} // waiters, oldest first
	holds       int             // holdBulk calls not yet released
	onWait      func()          // tests: called once a waiter is queued
}

// lock takes the write lock, after every queued write of its class and,
// for a bulk write, after every queued write of the other class too.
func (q *writeQueue) lock(bulk bool) {
	q.mu.Lock()
	if !q.held && (!bulk || q.holds == 0) {
		q.held = true
		q.mu.Unlock()
		return
	}
	turn := make(chan struct{})
	if bulk {
		q.bulk = append(q.bulk, turn)
	} else {
		q.first = append(q.first, turn)
	}
	onWait := q.onWait
	q.mu.Unlock()
	if onWait != nil {
		onWait()
	}
	<-turn // the lock is handed over held
}

// unlock hands the lock to the next waiter, if any.
func (q *writeQueue) unlock() {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next chan struct{}
	switch {
	case len(q.first) > 0:
		next, q.first = q.first[0], q.first[1:]
	case len(q.bulk) > 0 && q.holds == 0:
		next, q.bulk = q.bulk[0], q.bulk[1:]
	default:
		q.held = false
		return
	}
	close(next)
}

// holdBulk keeps bulk writes waiting, even while no other write is queued,
// until the returned release is called: for a run of short writes with
// work between them (a discovery saving folders and streams one by one),
// each of which would otherwise wait for a bulk write that took the lock
// in the gap (docs/PERFORMANCE.md §45). A bulk write under way finishes.
func (q *writeQueue) holdBulk() (release func()) {
	q.mu.Lock()
	q.holds++
	q.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			q.holds--
			var next chan struct{}
			if q.holds == 0 && !q.held && len(q.bulk) > 0 {
				q.held = true
				next, q.bulk = q.bulk[0], q.bulk[1:]
			}
			q.mu.Unlock()
			if next != nil {
				close(next)
			}
		})
	}
}
