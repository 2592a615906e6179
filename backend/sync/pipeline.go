package sync

import "context"

// Pipelining (issue 7): a stream's requests run ahead of its writes. A
// stream still has at most one request in flight (each page names the
// next), and its pages are still applied in order, each with its
// checkpoint; only the network no longer waits for the store. (When the
// store falls behind, the pages that have arrived meanwhile are applied
// in one transaction: see ready.) One page ahead was not enough: while a
// drive's round end or a checkpoint held the single writer for a second,
// the mailbox's longest folder (the sync's critical path) stopped
// requesting, and those stalls added up to a quarter of the first sync
// (docs/PERFORMANCE.md §29).
// Pages fetched but not applied when the app stops are simply fetched
// again from the last saved link.

// Pages a stream may hold fetched but not yet applied. A mail or calendar
// page is 100 small items; a drive page is up to 1,000, so fewer. Two
// drive pages were too few: drive writes yield to mail writes, so the
// OneDrive's fetcher sat idle ~200 ms per request waiting for the writer,
// and its round ended seconds after the mail's. With six, the pages wait
// for the writer instead, which applies those that have arrived together
// (drivePages; docs/PERFORMANCE.md §40); a page of 1,000 decoded items is
// about 1.5 MB, and the heavy sync's heap peak did not move. Eight mail
// pages were then too few: a batch of drive pages, or the OneDrive's
// round end (1.4–1.8 s for 30,000 items), holds the writer longer than
// eight 100 ms requests, and the mailbox's longest folder stopped again
// (its gaps between requests 11 → 24 ms on average). Twenty-four pages of
// 100 messages are a few MB.
const (
	itemPagesAhead  = 24
	drivePagesAhead = 6
)

// Pages applied in one transaction at most: a write holds the one writer
// for its whole length, and a user's change waits for it. A mail batch
// stays as long as before §40.
const (
	itemPagesPerWrite  = 8
	drivePagesPerWrite = drivePagesAhead
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
	held   *fetched[T] // a failed fetch ready() saw, for wait to report
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
	if f := p.held; f != nil {
		p.held = nil
		return f.page, f.err
	}
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

// ready returns the next page if it has already arrived, without
// waiting: the pages a writer can apply together (docs/PERFORMANCE.md
// §33). A failed fetch is not returned but kept for wait, so the pages
// before it are applied first.
func (p *pager[T]) ready() (T, bool) {
	var zero T
	if p.held != nil {
		return zero, false
	}
	select {
	case f, ok := <-p.pages:
		if !ok {
			return zero, false // wait reports why
		}
		if f.err != nil {
			p.held = &f
			return zero, false
		}
		return f.page, true
	default:
		return zero, false
	}
}

// close abandons the fetches under way (the round ended or failed).
func (p *pager[T]) close() { p.cancel() }
