package sync

import "context"

// Pipelining (issue 7): while one page of a stream is written to the store,
// the request for the next one is already on the network. A stream still
// has at most one request in flight, the pages are still applied one by
// one in order, each in its own transaction with its checkpoint; only the
// wait for the network overlaps the write. On a 100 ms link this takes the
// write time off every page of a stream's chain of requests.

type fetched[T any] struct {
	page T
	err  error
}

// pager fetches the pages of one round, one ahead of the caller.
type pager[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	fetch  func(ctx context.Context, link string) (T, error)
	next   chan fetched[T]
}

// newPager starts fetching link at once.
func newPager[T any](ctx context.Context, link string, fetch func(ctx context.Context, link string) (T, error)) *pager[T] {
	ctx, cancel := context.WithCancel(ctx)
	p := &pager[T]{ctx: ctx, cancel: cancel, fetch: fetch}
	p.start(link)
	return p
}

func (p *pager[T]) start(link string) {
	ch := make(chan fetched[T], 1) // never blocks: an abandoned fetch ends on its own
	p.next = ch
	go func() {
		page, err := p.fetch(p.ctx, link)
		ch <- fetched[T]{page, err}
	}()
}

// wait returns the page being fetched.
func (p *pager[T]) wait() (T, error) {
	f := <-p.next
	p.next = nil
	return f.page, f.err
}

// prefetch starts fetching link (the page after the one just returned)
// while the caller applies that one; "" means there is none.
func (p *pager[T]) prefetch(link string) {
	if link != "" {
		p.start(link)
	}
}

// close abandons a fetch under way (the caller failed to apply a page).
func (p *pager[T]) close() { p.cancel() }
