package sync_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// Progress comes per page and per stream in order: counts never go back,
// each stream ends with exactly one done, and the first-sync summary comes
// after every stream is done, with the store's figures.
func TestProgressEventsInOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	type state struct {
		items int
		done  bool
		pages int
	}
	streams := map[float64]*state{}
	firstAt := -1
	events := h.emittedEvents()
	for i, e := range events {
		switch e.name {
		case rsync.EventProgress:
			p := e.payload.(map[string]any)
			for _, k := range []string{"account", "stream", "streamId", "kind", "items", "total", "done"} {
				if _, ok := p[k]; !ok {
					t.Fatalf("progress without %q: %v", k, p)
				}
			}
			id := p["streamId"].(float64)
			s := streams[id]
			if s == nil {
				s = &state{}
				streams[id] = s
			}
			if s.done {
				t.Fatalf("progress for %v after its done", p["stream"])
			}
			items := int(p["items"].(float64))
			if items < s.items {
				t.Fatalf("%v went back from %d to %d items", p["stream"], s.items, items)
			}
			s.items, s.done = items, p["done"].(bool)
			s.pages++
			if firstAt >= 0 {
				t.Fatal("progress after sync:first-complete")
			}
		case rsync.EventFirstComplete:
			if firstAt >= 0 {
				t.Fatal("sync:first-complete twice")
			}
			firstAt = i
		}
	}
	all := mustStreams(t, h)
	if len(streams) != len(all) {
		t.Fatalf("progress for %d streams, %d exist", len(streams), len(all))
	}
	var multiPage bool
	for _, s := range all {
		st := streams[float64(s.ID)]
		if st == nil || !st.done || st.items != s.Items {
			t.Fatalf("stream %s: progress %+v, store %d items", s.Name, st, s.Items)
		}
		multiPage = multiPage || st.pages > 2
	}
	if !multiPage {
		t.Fatal("no stream had several pages: the test proves nothing")
	}
	if firstAt < 0 {
		t.Fatal("no sync:first-complete")
	}
	sum := events[firstAt].payload.(map[string]any)
	ctx := context.Background()
	msgs, _ := h.store.MessageIDs(ctx, h.acct.ID)
	want, err := h.store.FirstSyncSummary(ctx, h.acct.ID)
	if err != nil || want == nil {
		t.Fatalf("summary: %v %v", want, err)
	}
	if int(sum["messages"].(float64)) != len(msgs) || int(sum["meetings"].(float64)) != want.Meetings ||
		int(sum["clients"].(float64)) != 6 || sum["account"] != h.acct.UPN || want.Meetings < 20 {
		t.Fatalf("first-complete %v, store %+v (%d messages)", sum, want, len(msgs))
	}
	// The folder's totalItemCount is the denominator.
	inbox := h.stream(t, model.StreamMail, "Inbox")
	for _, f := range h.sim.Folders() {
		if f.WellKnown == "inbox" && inbox.Total != f.TotalItemCount {
			t.Fatalf("Inbox total %d, folder holds %d", inbox.Total, f.TotalItemCount)
		}
	}
	// Sent once only.
	h.sync(t)
	for _, e := range h.emittedEvents()[len(events):] {
		if e.name == rsync.EventFirstComplete {
			t.Fatal("sync:first-complete sent again")
		}
	}
}

// "Load older history" lists each folder's older mail back to the chosen
// date, page by page with progress, resumes where it stopped, and never
// restarts a delta stream; the calendar window widens with it.
func TestLoadOlderHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	if err := h.store.SetHistory(ctx, h.acct.ID, 30, nil); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.assertMirrors(t)
	short, _ := h.store.MessageIDs(ctx, h.acct.ID)
	calBefore := h.stream(t, model.StreamCalendar, "Calendar")
	mark := len(h.sim.Requests())

	from := h.now().AddDate(0, 0, -90)
	if err := h.engine.LoadOlderHistory(ctx, h.acct, from); err != nil {
		t.Fatal(err)
	}
	// Interrupt the Inbox's backfill after its first page. Its second page
	// stalls until then: otherwise, on a busy machine, every page could
	// arrive before the first is written and be written with it.
	inbox := h.stream(t, model.StreamMailBackfill, "Inbox")
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultSlow, Path: inbox.Resource + "/messages", Skip: 1, Times: 1, RetryAfter: "60"}))
	rctx, cancel := context.WithCancel(ctx)
	h.mu.Lock()
	h.hook = func(e emitted) { // synchronous: before the next page is asked for
		p, _ := e.payload.(map[string]any)
		if e.name == rsync.EventProgress && p["kind"] == model.StreamMailBackfill && p["streamId"] == float64(inbox.ID) {
			cancel()
		}
	}
	h.mu.Unlock()
	_, err := h.engine.SyncStream(rctx, h.acct, inbox.ID)
	cancel()
	h.sim.SetFaults(graphsim.Faults{})
	h.mu.Lock()
	h.hook = nil
	h.mu.Unlock()
	if err == nil {
		t.Fatal("the interrupted backfill reported success")
	}
	cut := h.stream(t, model.StreamMailBackfill, "Inbox")
	if cut.NextLink == "" || cut.Items == 0 || cut.Total <= cut.Items {
		t.Fatalf("after one page: next %q, %d of %d", cut.NextLink, cut.Items, cut.Total)
	}
	resume := len(h.sim.Requests())
	h.sync(t)
	// The resumed Inbox backfill went on from its stored link.
	for _, r := range h.sim.Requests()[resume:] {
		if strings.HasSuffix(r.Path, "/messages") && strings.Contains(r.Path, inbox.Resource) {
			q, _ := url.ParseQuery(r.Query)
			if q.Get("$skip") == "" {
				t.Fatalf("the backfill started over: %s?%s", r.Path, r.Query)
			}
			break
		}
	}
	h.assertMirrors(t)
	long, _ := h.store.MessageIDs(ctx, h.acct.ID)
	if len(long) <= len(short) {
		t.Fatalf("older history added nothing: %d -> %d", len(short), len(long))
	}
	for _, r := range h.sim.Requests()[mark:] {
		if strings.HasSuffix(r.Path, "/messages/delta") && !strings.Contains(r.Query, "token=") {
			t.Fatalf("a delta stream was restarted: %s?%s", r.Path, r.Query)
		}
	}
	for _, s := range mustStreams(t, h) {
		if s.Kind == model.StreamMailBackfill && (s.NextLink != "" || s.WindowStart.After(from)) {
			t.Fatalf("backfill %s not done: %+v", s.Name, s)
		}
	}
	cal := h.stream(t, model.StreamCalendar, "Calendar")
	if !cal.WindowStart.Before(calBefore.WindowStart) || cal.WindowStart.After(from) {
		t.Fatalf("calendar window starts %s (was %s), want by %s", cal.WindowStart, calBefore.WindowStart, from)
	}
	h.assertEvents(t)

	// Going further back resumes from where the last backfill reached.
	mark = len(h.sim.Requests())
	if err := h.engine.LoadOlderHistory(ctx, h.acct, from.AddDate(0, 0, -30)); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	for _, r := range h.sim.Requests()[mark:] {
		if strings.HasSuffix(r.Path, "/messages") {
			q, _ := url.ParseQuery(r.Query)
			if f := q.Get("$filter"); !strings.Contains(f, "lt "+from.UTC().Format(time.RFC3339)) {
				t.Fatalf("the second backfill did not continue from the first: %s", f)
			}
		}
	}
	h.assertMirrors(t)
}
