package sync

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
)

// chain is a stream of pages p0, p1, … whose fetches the test releases
// one by one; page i names page i+1 until last.
type chain struct {
	asked   chan string // each fetch announces its link
	release chan error  // and answers when the test sends (nil: the page)
	last    int
}

func newChain(last int) *chain {
	return &chain{asked: make(chan string), release: make(chan error), last: last}
}

func (c *chain) fetch(ctx context.Context, link string) (string, error) {
	select {
	case c.asked <- link:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case err := <-c.release:
		return link, err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (c *chain) next(page string) string {
	var i int
	fmt.Sscanf(page, "p%d", &i)
	if i >= c.last {
		return ""
	}
	return fmt.Sprintf("p%d", i+1)
}

// The requests run ahead of a caller that is still writing its first page,
// up to the pages it may hold, and the pages come out in order.
func TestPagerFetchesAheadOfTheWriter(t *testing.T) {
	c := newChain(9)
	p := newPager(context.Background(), "p0", 3, c.fetch, c.next)
	defer p.close()
	// The caller has not asked for anything yet: p0..p3 are fetched (three
	// wait in the buffer, one in hand), and p4 is not asked for until the
	// caller takes a page.
	for i := 0; i < 4; i++ {
		if got := <-c.asked; got != fmt.Sprintf("p%d", i) {
			t.Fatalf("fetch %d asked for %s", i, got)
		}
		c.release <- nil
	}
	select {
	case link := <-c.asked:
		t.Fatalf("asked for %s with 4 pages unread and room for 3", link)
	default:
	}
	if page, err := p.wait(); page != "p0" || err != nil {
		t.Fatalf("first page %q, %v", page, err)
	}
	if got := <-c.asked; got != "p4" {
		t.Fatalf("after one page was taken the pager asked for %s, want p4", got)
	}
	c.release <- errors.New("throttled for good")
	for i := 1; i < 4; i++ {
		if page, err := p.wait(); page != fmt.Sprintf("p%d", i) || err != nil {
			t.Fatalf("page %d: %q, %v", i, page, err)
		}
	}
	if _, err := p.wait(); err == nil || err.Error() != "throttled for good" {
		t.Fatalf("the failed fetch came out as %v, want its error after the pages before it", err)
	}
	if _, err := p.wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("nothing is fetched after an error: got %v", err)
	}
}

// A round of one page fetches it and stops; closing a pager abandons the
// fetch under way.
func TestPagerStopsAtTheLastPageAndOnClose(t *testing.T) {
	c := newChain(0)
	p := newPager(context.Background(), "p0", 2, c.fetch, c.next)
	<-c.asked
	c.release <- nil
	if page, err := p.wait(); page != "p0" || err != nil {
		t.Fatalf("only page: %q, %v", page, err)
	}
	if _, err := p.wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("after the last page: %v", err)
	}
	p.close()

	c = newChain(5)
	p = newPager(context.Background(), "p0", 2, c.fetch, c.next)
	<-c.asked
	p.close() // the fetch of p0 is under way and must give up
	if _, err := p.wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("closed pager: %v", err)
	}
}

// ready hands over only the pages that have arrived, in order, and keeps a
// failed fetch for wait, so the pages before it are applied first.
func TestPagerReadyTakesOnlyArrivedPages(t *testing.T) {
	c := newChain(9)
	p := newPager(context.Background(), "p0", 3, c.fetch, c.next)
	defer p.close()
	for i := 0; i < 2; i++ {
		<-c.asked
		c.release <- nil
	}
	<-c.asked // p2 is asked for once p1 is in the buffer
	if page, err := p.wait(); page != "p0" || err != nil {
		t.Fatalf("first page %q, %v", page, err)
	}
	if page, ok := p.ready(); page != "p1" || !ok {
		t.Fatalf("ready after p0: %q, %v; want p1", page, ok)
	}
	if page, ok := p.ready(); ok {
		t.Fatalf("ready handed over %q while its fetch was under way", page)
	}
	c.release <- nil // p2
	<-c.asked        // p3
	c.release <- errors.New("throttled for good")
	var got []string
	for p.held == nil { // until the failed fetch has arrived
		if page, ok := p.ready(); ok {
			got = append(got, page)
		} else {
			runtime.Gosched()
		}
	}
	if len(got) != 1 || got[0] != "p2" {
		t.Fatalf("ready handed over %v before the failed fetch, want [p2]", got)
	}
	if page, ok := p.ready(); ok {
		t.Fatalf("ready handed over %q past a failed fetch", page)
	}
	if _, err := p.wait(); err == nil || err.Error() != "throttled for good" {
		t.Fatalf("wait after ready: %v, want the failed fetch's error", err)
	}
}
