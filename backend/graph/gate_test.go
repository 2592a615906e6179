package graph

import (
	"context"
	"slices"
	"testing"
	"time"
)

// A freed slot goes to an urgent request before those that queued earlier;
// among each kind, the first to queue goes first.
func TestGateServesUrgentRequestsFirst(t *testing.T) {
	g := NewGate(1)
	ctx := context.Background()
	if err := g.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 3)
	queue := func(name string, c context.Context) {
		go func() {
			if err := g.acquire(c); err != nil {
				got <- "error: " + err.Error()
				return
			}
			got <- name
		}()
		waitFor(t, func() bool { // queued before the next one comes
			g.mu.Lock()
			defer g.mu.Unlock()
			return len(g.first)+len(g.rest) == map[string]int{"rest 1": 1, "rest 2": 2, "urgent": 3}[name]
		})
	}
	queue("rest 1", ctx)
	queue("rest 2", ctx)
	queue("urgent", Urgent(ctx))
	var order []string
	for range 3 {
		g.release()
		order = append(order, <-got)
	}
	if want := []string{"urgent", "rest 1", "rest 2"}; !slices.Equal(order, want) {
		t.Fatalf("slots went to %v, want %v", order, want)
	}
	g.release()
	if n := g.inFlight(); n != 0 {
		t.Fatalf("%d slots still taken", n)
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
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.first) == 1 })
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
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
