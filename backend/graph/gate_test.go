package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"rapport/internal/poll"
)

// A freed slot goes to an urgent request before those that queued earlier
// (the lanes themselves: handoff.Slots).
func TestGateServesUrgentRequestsFirst(t *testing.T) {
	g := NewGate(1)
	ctx := context.Background()
	if err := g.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 2)
	for i, c := range []struct {
		name string
		ctx  context.Context
	}{{"ordinary", ctx}, {"urgent", Urgent(ctx)}} {
		go func() {
			if err := g.acquire(c.ctx); err != nil {
				got <- "error: " + err.Error()
				return
			}
			got <- c.name
		}()
		waitFor(t, func() bool { first, rest := g.slots.Waiting(); return first+rest == i+1 }) // queued before the next comes
	}
	var order []string
	for range 2 {
		g.release()
		order = append(order, <-got)
	}
	if want := []string{"urgent", "ordinary"}; !slices.Equal(order, want) {
		t.Fatalf("slots went to %v, want %v", order, want)
	}
	g.release()
	if n := g.inFlight(); n != 0 {
		t.Fatalf("%d slots taken", n)
	}
}

// A request that gives up while queued leaves the queue and takes no slot:
// once the holders release, every slot is free again.
func TestGateWaiterThatGivesUpLeavesNoSlotTaken(t *testing.T) {
	g := NewGate(2)
	ctx := context.Background()
	for range 2 {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- g.acquire(Urgent(short)) }()
	waitFor(t, func() bool { first, _ := g.slots.Waiting(); return first == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled request got a slot")
	}
	g.release()
	g.release()
	if n := g.inFlight(); n != 0 {
		t.Fatalf("%d slots taken after every holder released", n)
	}
	for range 2 {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.inFlight(); n != 2 {
		t.Fatalf("%d slots taken, want 2", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	poll.Until(t, cond, nil)
}

// A throttling answer holds the mailbox's other requests for its
// Retry-After, also when the throttled request gives up (no retries left
// here): a request queued for its slot reaches the service only after the
// pause.
func TestThrottlingPausesBeforeTheSlotIsFreed(t *testing.T) {
	var calls atomic.Int32
	answer := make(chan struct{})
	var mu gosync.Mutex
	var throttledAt, nextAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-answer
			mu.Lock()
			throttledAt = time.Now()
			mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"slow down"}}`))
			return
		}
		mu.Lock()
		nextAt = time.Now()
		mu.Unlock()
		w.Write([]byte(`{"id":"me"}`))
	}))
	defer srv.Close()
	c := New(srv.URL+"/v1.0", srv.Client(), staticToken{}, "acct")
	c.Gate = NewGate(1)
	c.MaxRetries = 0
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { _, err := c.Me(ctx); first <- err }()
	waitFor(t, func() bool { return calls.Load() == 1 }) // at the service, holding the slot
	second := make(chan error, 1)
	go func() { _, err := c.Me(ctx); second <- err }()
	waitFor(t, func() bool { _, rest := c.Gate.slots.Waiting(); return rest == 1 })
	close(answer)
	if err := <-first; err == nil {
		t.Fatal("the throttled request reported success")
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if d := nextAt.Sub(throttledAt); d < 900*time.Millisecond {
		t.Fatalf("the queued request reached the service %v after a 429 with Retry-After 1s", d.Round(time.Millisecond))
	}
}
