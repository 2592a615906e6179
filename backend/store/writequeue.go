package store

import (
	"context"

	"rapport/backend/handoff"
)

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
// idle between them, and polls are short. One slot, ordinary writes in the
// first lane.
type writeQueue struct{ slots *handoff.Slots }

func newWriteQueue() writeQueue { return writeQueue{handoff.New(1)} }

// lock takes the write lock, after every queued write of its class and,
// for a bulk write, after every queued write of the other class too. A
// write transaction is not abandoned while queued, so it never gives up.
func (q writeQueue) lock(bulk bool) { q.slots.Take(context.Background(), !bulk) }

// unlock hands the lock to the next waiter, if any.
func (q writeQueue) unlock() { q.slots.Release() }

// holdBulk keeps bulk writes waiting, even while no other write is queued,
// until the returned release is called: for a run of short writes with
// work between them (a discovery saving folders and streams one by one),
// each of which would otherwise wait for a bulk write that took the lock
// in the gap (docs/PERFORMANCE.md §45). A bulk write under way finishes.
func (q writeQueue) holdBulk() (release func()) { return q.slots.Hold() }
