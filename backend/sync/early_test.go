package sync_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
	rsync "rapport/backend/sync"
	"rapport/internal/poll"
)

// On a first sync the largest of the main folders (Inbox, Sent Items,
// Deleted Items, Archive) is asked for its pages while the discovery still
// lists the other folders and the calendars: its first delta request goes
// out before the discovery's last request has answered, and every message
// still arrives.
func TestFirstSyncAsksTheLargestMainFolderDuringTheDiscovery(t *testing.T) {
	h := newHarness(t, func(c *config) { c.sim.Latency = 100 * time.Millisecond })
	h.sync(t)
	early := h.largestMainFolder(t)
	var first time.Time
	for _, r := range h.sim.Requests() {
		if strings.Contains(r.Path, "/messages/delta") && strings.Contains(r.Path, early) {
			first = r.At
			break
		}
	}
	discoveryEnd, discovery := h.discoveryEnd()
	if first.IsZero() || discovery < 8 {
		t.Fatalf("folder %q asked at %v; %d discovery requests", early, first, discovery)
	}
	if !first.Before(discoveryEnd) {
		t.Fatalf("the largest main folder was first asked %v after the discovery's last answer", first.Sub(discoveryEnd))
	}
	h.assertMirrors(t)
}

// An early folder that ends before the discovery does (one page here) does
// not announce the first sync as complete: the announcement comes once,
// when the other folders and the calendar are done too, and counts all of
// it.
func TestAFolderDoneDuringTheDiscoveryDoesNotEndTheFirstSync(t *testing.T) {
	h := newHarness(t, func(c *config) {
		c.sim.Latency = 100 * time.Millisecond
		c.sim.PageCap = 1000
		c.engine = func(o *rsync.Options) { o.PageSize = 1000 }
	})
	h.sync(t)
	early := h.largestMainFolder(t)
	var earlyDone time.Time
	for _, r := range h.sim.Requests() {
		if strings.Contains(r.Path, "/messages/delta") && strings.Contains(r.Path, early) && r.Done.After(earlyDone) {
			earlyDone = r.Done
		}
	}
	if discoveryEnd, _ := h.discoveryEnd(); !earlyDone.Before(discoveryEnd) {
		t.Fatalf("the early folder's round ended %v after the discovery: this test needs it to end first", earlyDone.Sub(discoveryEnd))
	}
	var firsts []map[string]any
	for _, e := range h.emittedEvents() {
		if e.name == rsync.EventFirstComplete {
			firsts = append(firsts, e.payload.(map[string]any))
		}
	}
	ids, err := h.store.MessageIDs(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(firsts) != 1 || int(firsts[0]["messages"].(float64)) != len(ids) {
		t.Fatalf("first-complete announcements %v, want one counting all %d messages", firsts, len(ids))
	}
	h.assertMirrors(t)
}

// discoveryEnd is when the last of the discovery's requests (the folder
// tree, the well-known folders, the calendars) was answered, and how many
// there were.
func (h *harness) discoveryEnd() (end time.Time, n int) {
	for _, r := range h.sim.Requests() {
		p := strings.TrimPrefix(r.Path, "/v1.0")
		if (strings.HasPrefix(p, "/me/mailFolders") && !strings.Contains(p, "/messages")) || p == "/me/calendars" {
			n++
			if r.Done.After(end) {
				end = r.Done
			}
		}
	}
	return end, n
}

// largestMainFolder is the simulator's largest of the Inbox, Sent Items,
// Deleted Items and Archive.
func (h *harness) largestMainFolder(t *testing.T) string {
	t.Helper()
	id, most := "", -1
	for _, f := range h.sim.Folders() {
		switch f.WellKnown {
		case "inbox", "sentitems", "deleteditems", "archive":
			if f.TotalItemCount > most {
				id, most = f.ID, f.TotalItemCount
			}
		}
	}
	if id == "" {
		t.Fatal("no main folder")
	}
	return id
}

// While the early folder runs, the pass's other mailbox streams run one
// fewer at once, so the slot the early one frees at each answer is still
// there for its next page: with two streams allowed, the others here go
// one at a time, their requests never overlapping while the early
// folder's are under way.
func TestTheEarlyFolderKeepsItsSlot(t *testing.T) {
	h := newHarness(t, func(c *config) {
		c.sim.Latency = 20 * time.Millisecond
		c.engine = func(o *rsync.Options) { o.MaxConcurrent = 2; o.PageSize = 5 } // the early folder: many pages
	})
	h.sync(t)
	early, others := h.mailboxSpans(t)
	during := startedWhere(others, func(at time.Time) bool { return at.Before(early.end) })
	if len(during) < 4 {
		t.Fatalf("%d requests of the other streams while the early folder ran", len(during))
	}
	if a, b, ok := overlapping(during); ok {
		t.Fatalf("%s and %s had requests in flight together beside the early folder", a, b)
	}
}

// Once the early folder has ended (here during the discovery: one page),
// the worker it kept out runs too: with two streams allowed, the other
// folders and the calendar go two at a time.
func TestTheEarlyFolderGivesItsWorkerBackWhenItEnds(t *testing.T) {
	h := newHarness(t, func(c *config) {
		c.sim.Latency = 20 * time.Millisecond
		c.sim.PageCap = 1000
		c.engine = func(o *rsync.Options) { o.MaxConcurrent = 2; o.PageSize = 1000 }
	})
	h.sync(t)
	early, others := h.mailboxSpans(t)
	after := startedWhere(others, func(at time.Time) bool { return at.After(early.end) })
	if len(after) < 4 {
		t.Fatalf("%d requests of the other streams after the early folder's last", len(after))
	}
	if _, _, ok := overlapping(after); !ok {
		t.Fatal("after the early folder ended, the other streams still ran one at a time")
	}
	h.assertMirrors(t)
}

// span is one request of a mailbox stream: a folder's delta pages or the
// calendar's.
type span struct {
	stream     string
	start, end time.Time
}

// mailboxSpans splits the mailbox streams' requests into the largest main
// folder's (early: its first start to its last end) and the others'.
func (h *harness) mailboxSpans(t *testing.T) (early span, others []span) {
	t.Helper()
	id := h.largestMainFolder(t)
	early.stream = id
	for _, r := range h.sim.Requests() {
		p := strings.TrimPrefix(r.Path, "/v1.0")
		if !(strings.Contains(p, "/messages/delta") || strings.Contains(p, "/calendarView")) {
			continue
		}
		if strings.Contains(p, id) {
			if early.start.IsZero() || r.At.Before(early.start) {
				early.start = r.At
			}
			if r.Done.After(early.end) {
				early.end = r.Done
			}
			continue
		}
		stream := p
		if i := strings.Index(p, "/messages/delta"); i > 0 {
			stream = strings.NewReplacer("('", "/", "')", "").Replace(p[:i]) // both spellings of a folder's path
		}
		if strings.Contains(p, "calendarView") {
			stream = "calendar"
		}
		others = append(others, span{stream, r.At, r.Done})
	}
	if early.end.IsZero() {
		t.Fatalf("folder %q was never asked for", id)
	}
	return early, others
}

// startedWhere keeps the spans whose request started at a time keep accepts.
func startedWhere(spans []span, keep func(time.Time) bool) []span {
	var out []span
	for _, sp := range spans {
		if keep(sp.start) {
			out = append(out, sp)
		}
	}
	return out
}

// overlapping finds two streams with requests in flight together.
func overlapping(spans []span) (a, b string, ok bool) {
	for i, x := range spans {
		for _, y := range spans[i+1:] {
			if x.stream != y.stream && x.start.Before(y.end) && y.start.Before(x.end) {
				return x.stream, y.stream, true
			}
		}
	}
	return "", "", false
}

// A folder's round asks for its first page before it writes the round's
// bookkeeping, which waits for the store's writer: with the writer held
// by a long write, the folder's delta request still reaches the service,
// and the round completes once the writer is free.
func TestAFolderAsksForItsFirstPageWhileTheWriterIsBusy(t *testing.T) {
	h := newHarness(t)
	h.sync(t)
	ctx := context.Background()
	inbox := h.folderID(t, "inbox")
	conn, err := h.store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil { // the write lock, as a long write holds it
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			conn.ExecContext(ctx, `ROLLBACK`)
		}
	}()
	before := len(h.sim.Requests())
	done := make(chan error, 1)
	go func() {
		_, err := h.engine.SyncStream(ctx, h.acct, h.stream(t, model.StreamMail, "Inbox").ID)
		done <- err
	}()
	waitFor(t, func() bool {
		for _, r := range h.sim.Requests()[before:] {
			if strings.Contains(r.Path, inbox) && strings.Contains(r.Path, "/messages/delta") {
				return true
			}
		}
		return false
	})
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	held = false
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.assertMirrors(t)
}

// waitFor polls cond until it holds; it fails the test after 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	poll.Until(t, cond, nil)
}

// On a first sync the four main folders' lookups take the mailbox's
// slots before the discovery's other requests, and the largest folder's
// first page is asked for before any of those others has answered: the
// rest of the discovery waits until that request has its slot (and no
// longer), instead of taking the slots as the lookups answer.
func TestTheMainLookupsAndTheLargestFolderGoFirst(t *testing.T) {
	h := newHarness(t, func(c *config) { c.sim.Latency = 100 * time.Millisecond })
	h.sync(t)
	early := h.largestMainFolder(t)
	var mainStarts, otherStarts []time.Time
	var earlyAt, earlyNext, othersFirstDone time.Time
	for _, r := range h.sim.Requests() {
		p := strings.TrimPrefix(r.Path, "/v1.0")
		switch {
		case strings.Contains(p, "/messages/delta") && strings.Contains(p, early):
			switch {
			case earlyAt.IsZero():
				earlyAt = r.At
			case earlyNext.IsZero():
				earlyNext = r.At
			}
		case p == "/me/mailFolders/inbox" || p == "/me/mailFolders/sentitems" || p == "/me/mailFolders/deleteditems" || p == "/me/mailFolders/archive":
			mainStarts = append(mainStarts, r.At)
		case (strings.HasPrefix(p, "/me/mailFolders") && !strings.Contains(p, "/messages")) || p == "/me/calendars":
			otherStarts = append(otherStarts, r.At)
			if othersFirstDone.IsZero() || r.Done.Before(othersFirstDone) {
				othersFirstDone = r.Done
			}
		}
	}
	if len(mainStarts) != 4 || len(otherStarts) < 8 || earlyNext.IsZero() {
		t.Fatalf("%d main lookups, %d other discovery requests, early folder asked at %v and %v", len(mainStarts), len(otherStarts), earlyAt, earlyNext)
	}
	lastMain, firstOther := slices.MaxFunc(mainStarts, time.Time.Compare), slices.MinFunc(otherStarts, time.Time.Compare)
	if !lastMain.Before(firstOther) {
		t.Errorf("a discovery request started %v before the last main lookup", lastMain.Sub(firstOther))
	}
	if !firstOther.Before(earlyNext) { // held no longer than the early folder's first request
		t.Errorf("the rest of the discovery started %v after the largest folder's second request", firstOther.Sub(earlyNext))
	}
	if !earlyAt.Before(othersFirstDone) {
		t.Errorf("the largest folder was first asked %v after one of the other discovery requests answered", earlyAt.Sub(othersFirstDone))
	}
	h.assertMirrors(t)
}

// A first sync whose mailbox has none of the main folders (their lookups
// answer 404) starts no folder early, and the rest of the discovery is not
// held back for one: the sync completes and mirrors the mailbox.
func TestNoMainFolderHoldsNothingBack(t *testing.T) {
	h := newHarness(t)
	var rules []graphsim.FaultRule
	for _, name := range []string{"inbox", "sentitems", "deleteditems", "archive"} {
		rules = append(rules, graphsim.FaultRule{Path: "/me/mailFolders/" + name, Status: http.StatusNotFound})
	}
	h.sim.SetFaults(faults(rules...))
	h.sync(t)
	streams, err := h.store.Streams(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	mail := 0
	for _, s := range streams {
		if s.Kind == model.StreamMail && s.LastSyncAt != nil {
			mail++
		}
	}
	if mail < 3 {
		t.Fatalf("%d mail folders synced", mail)
	}
}
