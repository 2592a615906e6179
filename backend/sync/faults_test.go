package sync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

func faults(rules ...graphsim.FaultRule) graphsim.Faults { return graphsim.Faults{Graph: rules} }

func graphRequests(h *harness) []graphsim.RequestRecord {
	var out []graphsim.RequestRecord
	for _, r := range h.sim.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") {
			out = append(out, r)
		}
	}
	return out
}

// A 410 in the middle of a round (its nextLink rejected) restarts the folder
// with a full round that converges, without duplicates.
func TestResyncMidRound(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	inbox := h.folderID(t, "inbox")
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultResync, Path: inbox + "')/messages/delta", Times: 1, Skip: 1}))
	h.sync(t)
	var saw410 bool
	for _, r := range graphRequests(h) {
		if r.Status == http.StatusGone {
			saw410 = true
			if !strings.Contains(r.Query, "skiptoken") {
				t.Fatalf("the 410 hit %s?%s, not a nextLink", r.Path, r.Query)
			}
		}
	}
	if !saw410 {
		t.Fatal("the fault never fired")
	}
	h.assertMirrors(t)
	if got, want := h.folderItems(t, "Inbox"), h.stream(t, model.StreamMail, "Inbox").Items; got != want {
		t.Fatalf("Inbox items %d, stream says %d", got, want)
	}
}

// A rejected deltaLink (the sync state expired) gives a full round per
// stream. Rows stay visible while it runs — even when it is interrupted —
// and the round's end removes what it no longer reports.
func TestResyncOnDeltaLinkConverges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	ctx := context.Background()
	before, _ := h.store.MessageIDs(ctx, h.acct.ID)
	beforeEv, _ := h.store.EventIDs(ctx, h.acct.ID)

	inbox := h.folderID(t, "inbox")
	gone := h.clientMessageIn(t, inbox)
	if err := h.sim.DeleteMessage(gone); err != nil {
		t.Fatal(err)
	}
	added := h.sim.AddMessage("inbox", model.Message{Subject: "After the resync", From: model.Recipient{Address: "lee.gu@contoso.com"},
		To: []model.Recipient{{Address: h.acct.UPN}}})
	var goneEvent string
	for id, e := range h.expectedEvents(t) {
		if e.Start.After(time.Now()) && goneEvent == "" {
			goneEvent = id
		}
	}
	if err := h.sim.DeleteEvent(goneEvent); err != nil {
		t.Fatal(err)
	}
	h.sim.InvalidateDeltaTokens()

	// The full rounds are cut after their first page: nothing may vanish.
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultDrop, Path: "/delta", Skip: 12}))
	if err := h.trySync(); err == nil {
		t.Fatal("want the interrupted pass to fail")
	}
	// (The deleted message and meeting may go, if their stream's round
	// happened to finish before the cut; nothing else may.)
	now, _ := h.store.MessageIDs(ctx, h.acct.ID)
	if missing := diff(before, append(now, gone)); len(missing) > 0 {
		t.Fatalf("rows vanished during an unfinished full round: %v", missing)
	}
	nowEv, _ := h.store.EventIDs(ctx, h.acct.ID)
	if missing := diff(beforeEv, append(nowEv, goneEvent)); len(missing) > 0 {
		t.Fatalf("events vanished during an unfinished full round: %v", missing)
	}

	h.sim.SetFaults(graphsim.Faults{})
	h.sync(t)
	h.sync(t)
	h.assertMirrors(t)
	h.assertEvents(t)
	if h.has(t, gone) || !h.has(t, added.ID) {
		t.Fatal("the resync did not converge")
	}
	var resynced int
	for _, r := range graphRequests(h) {
		if r.Status == http.StatusGone && strings.Contains(r.Query, "deltatoken") {
			resynced++
		}
	}
	if resynced == 0 {
		t.Fatal("no deltaLink was rejected")
	}
}

// Retry-After pauses every request of the account — not only the stream
// that got the 429 — for the whole delay, fractional seconds included.
func TestRetryAfterPausesTheWholeAccount(t *testing.T) {
	for _, ra := range []string{"1", "0.6"} {
		t.Run(ra, func(t *testing.T) {
			h := newHarness(t, func(c *config) { c.sim.Latency = 3 * time.Millisecond })
			h.sim.SetFaults(faults(graphsim.FaultRule{Status: http.StatusTooManyRequests, RetryAfter: ra, Path: "/messages/delta", Skip: 8, Times: 1}))
			h.sync(t)
			h.assertMirrors(t)
			var f float64
			if _, err := fmt.Sscanf(ra, "%g", &f); err != nil {
				t.Fatal(err)
			}
			wait := time.Duration(f * float64(time.Second))
			reqs := graphRequests(h)
			var throttled *graphsim.RequestRecord
			for i := range reqs {
				if reqs[i].Status == http.StatusTooManyRequests {
					throttled = &reqs[i]
				}
			}
			if throttled == nil {
				t.Fatal("the 429 never fired")
			}
			// Requests already on the wire when the 429 came back (at most 3:
			// the gate holds 4) may land just after it; nothing may start
			// later within the delay.
			grace := 250 * time.Millisecond
			var after, straddling int
			for _, r := range reqs {
				if r.At.After(throttled.Done) && r.At.Before(throttled.Done.Add(wait)) {
					straddling++
					if r.At.After(throttled.Done.Add(grace)) || straddling > 3 {
						t.Fatalf("%s?%s at +%v: a request inside the Retry-After of %ss", r.Path, r.Query, r.At.Sub(throttled.Done), ra)
					}
				}
				if !r.At.Before(throttled.Done.Add(wait)) {
					after++
				}
			}
			if after == 0 {
				t.Fatal("nothing was requested after the pause")
			}
		})
	}
}

// At most 4 requests per mailbox are in flight, mail and calendar
// together, however many streams run.
func TestAtMostFourRequestsInFlight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *config) {
		c.sim.Latency = 10 * time.Millisecond
		c.sim.MailboxConcurrency = -1 // measure, do not throttle
	})
	h.sync(t)
	h.sync(t)
	if got := h.sim.MaxInFlight(); got > 4 || got < 2 {
		t.Fatalf("max in flight = %d, want 2..4", got)
	}
	for _, r := range graphRequests(h) {
		if r.Fault == "mailbox-concurrency" {
			t.Fatal("the mailbox concurrency limit was hit")
		}
	}
}

// 503 without Retry-After, truncated bodies, dropped connections and an
// expired token are all survived: backoff, retry, one silent refresh.
func TestTransientFaultsAreSurvived(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.SetFaults(faults(
		graphsim.FaultRule{Status: http.StatusServiceUnavailable, Path: "/messages/delta", Skip: 3, Times: 2},
		graphsim.FaultRule{Kind: graphsim.FaultTruncate, Path: "/messages/delta", Skip: 6, Times: 2},
		graphsim.FaultRule{Kind: graphsim.FaultDrop, Path: "/calendarView", Times: 2},
		graphsim.FaultRule{Kind: graphsim.FaultExpired, Path: "/mailFolders", Skip: 12, Times: 1},
	))
	h.sync(t)
	h.assertMirrors(t)
	h.assertEvents(t)
	if h.tokens.refresh == 0 {
		t.Fatal("the expired token was not refreshed")
	}
}

// A stream that keeps failing records its error in words, with the action
// that fixes it, and every other stream completes.
func TestFailingStreamDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	archive := h.folderID(t, "archive")
	h.sim.SetFaults(faults(
		graphsim.FaultRule{Status: http.StatusForbidden, Path: archive + "')/messages"},
		graphsim.FaultRule{Status: http.StatusForbidden, Path: archive + "/messages"},
		graphsim.FaultRule{Kind: graphsim.FaultOnPrem, Path: "/calendarView/delta"},
	))
	err := h.trySync()
	var pe *rsync.PassError
	if !errors.As(err, &pe) || len(pe.Failed) != 2 {
		t.Fatalf("want a pass error naming Archive and the calendar, got %v", err)
	}
	for _, s := range mustStreams(t, h) {
		switch {
		case s.Resource == archive:
			if !strings.Contains(s.LastError, "re-authorize") || s.ErrorAction != model.ActionReauthorize {
				t.Errorf("Archive: %q (%s)", s.LastError, s.ErrorAction)
			}
		case s.Kind == model.StreamCalendar && s.Hot:
			if s.LastError != "This mailbox is on-premises; mail and calendar are unavailable." || s.ErrorAction != model.ActionUnavailable {
				t.Errorf("calendar: %q (%s)", s.LastError, s.ErrorAction)
			}
		default:
			if s.LastError != "" || s.LastSyncAt == nil {
				t.Errorf("stream %s did not complete: %q", s.Name, s.LastError)
			}
		}
	}
	if h.folderItems(t, "Inbox") == 0 || h.folderItems(t, "Sent Items") == 0 {
		t.Fatal("the other folders were not synced")
	}
	h.sim.SetFaults(graphsim.Faults{})
	h.sync(t)
	for _, s := range mustStreams(t, h) {
		if s.LastError != "" {
			t.Fatalf("stream %s kept its error after a good round: %q", s.Name, s.LastError)
		}
	}
	h.assertMirrors(t)
}

// No network: the streams fail with "offline", the engine says so, the
// store keeps everything, and the first round after the network returns
// picks up what changed meanwhile.
func TestOfflineThenOnline(t *testing.T) {
	t.Parallel()
	var mu gosync.Mutex
	var flips []bool
	h := newHarness(t, func(c *config) {
		c.engine = func(o *rsync.Options) {
			o.OnConnectivity = func(_ model.Account, offline bool) {
				mu.Lock()
				flips = append(flips, offline)
				mu.Unlock()
			}
		}
	})
	h.sync(t)
	ctx := context.Background()
	before, _ := h.store.MessageIDs(ctx, h.acct.ID)
	if err := h.sim.Disconnect(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := h.trySync()
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("sync without a network: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("noticing the network is gone took %v", time.Since(start))
	}
	if off, since := h.engine.Offline(h.acct.ID); !off || since.IsZero() {
		t.Fatal("the engine does not say offline")
	}
	h.syncStream2(t, "Inbox") // a stream round offline records the sentence
	if s := h.stream(t, model.StreamMail, "Inbox"); !strings.HasPrefix(s.LastError, "Offline") {
		t.Fatalf("Inbox error %q", s.LastError)
	}
	now, _ := h.store.MessageIDs(ctx, h.acct.ID)
	if len(now) != len(before) {
		t.Fatal("going offline changed the store")
	}
	added := h.sim.AddMessage("inbox", model.Message{Subject: "While you were offline", From: model.Recipient{Address: "megan.bowen@contoso.com"},
		To: []model.Recipient{{Address: h.acct.UPN}}})
	if err := h.sim.Reconnect(); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if off, _ := h.engine.Offline(h.acct.ID); off {
		t.Fatal("still offline after a good pass")
	}
	if !h.has(t, added.ID) {
		t.Fatal("mail that arrived while offline was not synced")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(flips) != 2 || !flips[0] || flips[1] {
		t.Fatalf("connectivity changes %v, want [true false]", flips)
	}
}

// syncStream2 runs a stream's round and ignores its error.
func (h *harness) syncStream2(t *testing.T, name string) {
	t.Helper()
	st := h.stream(t, model.StreamMail, name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = h.engine.SyncStream(ctx, h.acct, st.ID)
}

// An on-premises mailbox cannot be listed at all: the account says so in
// words, with the action, and nothing else is attempted.
func TestMailboxOnPremises(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultOnPrem, Path: "/me/"}))
	err := h.trySync()
	if !errors.Is(err, model.ErrMailboxUnavailable) {
		t.Fatalf("sync of an on-premises mailbox: %v", err)
	}
	msg, action := h.engine.DiscoveryError(h.acct.ID)
	if msg != "This mailbox is on-premises; mail and calendar are unavailable." || action != model.ActionUnavailable {
		t.Fatalf("discovery error %q (%s)", msg, action)
	}
	if off, _ := h.engine.Offline(h.acct.ID); off {
		t.Fatal("an on-premises mailbox is not offline")
	}
}

// A hybrid account — its mailbox on-premises, its OneDrive in Microsoft
// 365 — still gets its files: the drives no longer wait for the mailbox's
// discovery, and the mailbox's error is still the pass's and the
// account's.
func TestFilesSyncBesideAnOnPremisesMailbox(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultOnPrem, Path: "/me/mailFolders"}))
	err := h.trySync()
	if !errors.Is(err, model.ErrMailboxUnavailable) {
		t.Fatalf("sync beside an on-premises mailbox: %v", err)
	}
	if msg, _ := h.engine.DiscoveryError(h.acct.ID); msg != "This mailbox is on-premises; mail and calendar are unavailable." {
		t.Fatalf("discovery error %q", msg)
	}
	if items := h.checkDriveTruth(t, h.sim.MyDriveID(), ""); len(items) == 0 {
		t.Fatal("no file of the OneDrive was stored")
	}
}

// A sign-in without Calendars.ReadBasic still syncs mail.
func TestMailWithoutCalendarPermission(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.tokens.scopes = []string{"User.Read", "Mail.ReadBasic"}
	err := h.trySync()
	var ce *rsync.CalendarAccessError
	if !errors.As(err, &ce) || !errors.Is(err, model.ErrAccessDenied) {
		t.Fatalf("sync without calendar permission: %v", err)
	}
	h.assertMirrors(t)
	if msg, action := h.engine.DiscoveryError(h.acct.ID); !strings.Contains(msg, "re-authorize") || action != model.ActionReauthorize {
		t.Fatalf("discovery error %q (%s)", msg, action)
	}
}
