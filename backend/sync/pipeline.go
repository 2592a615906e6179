package sync

import "context"

// Pipelining (issue 7): a stream's requests run ahead of its writes. A
// stream still has at most one request in flight (each page names the
// next), and its pages are still applied one by one in order, each in its
// own transaction with its checkpoint; only the network no longer waits
// for the store. One page ahead was not enough: while a drive's round end
// or a checkpoint held the single writer for a second, the mailbox's
// longest folder (the sync's critical path) stopped requesting, and those
// stalls added up to a quarter of the first sync (docs/PERFORMANCE.md §29).
// Pages fetched but not applied when the app stops are simply fetched
// again from the last saved link.

// Pages a stream may hold fetched but not yet applied. A mail or calendar
// page is 100 small items; a drive page is up to 1,000, so fewer.
const (
	itemPagesAhead  = 8
	drivePagesAhead = 2
)

type fetched[T any] struct {
	page T
	err  error
}

// pager fetches the pages of one round ahead of the caller.
type pager[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	pages  chan fetched[T]
}

// newPager starts fetching link at once and follows next(page) from page
// to page until there is no next link, an error (delivered in its turn),
// or close. At most ahead pages wait for the caller.
func newPager[T any](ctx context.Context, link string, ahead int, fetch func(ctx context.Context, link string) (T, error), next func(T) string) *pager[T] {
	ctx, cancel := context.WithCancel(ctx)
	p := &pager[T]{ctx: ctx, cancel: cancel, pages: make(chan fetched[T], ahead)}
	go func() {
		defer close(p.pages)
		for link != "" {
			page, err := fetch(ctx, link)
			select {
			case p.pages <- fetched[T]{page, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
			link = next(page)
		}
	}()
	return p
}

// wait returns the next page, in order.
func (p *pager[T]) wait() (T, error) {
	f, ok := <-p.pages
	if !ok { // cancelled (callers stop at the page without a next link)
		var zero T
		if err := p.ctx.Err(); err != nil {
			return zero, err
		}
		return zero, context.Canceled
	}
	return f.page, f.err
}

// close abandons the fetches under way (the round ended or failed).
func (p *pager[T]) close() { p.cancel() }
