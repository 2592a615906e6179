package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Regression tests for defects the reliability suites found (issue 8).

type staticToken struct{}

func (staticToken) Token(context.Context, string, bool) (string, error) { return "t", nil }

// A stalled answer (a proxy that never replies, a connection that died
// while the laptop slept) used to hold its request — and one of the
// mailbox's 4 slots — forever: the default client has no timeout. Each
// attempt now has a deadline, and a timed-out attempt is retried.
func TestStalledAnswerTimesOutAndIsRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select { // stall until the client gives up
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"me","displayName":"Me"}`))
	}))
	defer srv.Close()
	c := New(srv.URL+"/v1.0", srv.Client(), staticToken{}, "acct")
	c.RequestTimeout = 150 * time.Millisecond
	c.BackoffBase = 10 * time.Millisecond
	start := time.Now()
	me, err := c.Me(context.Background())
	if err != nil || me.ID != "me" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v: the stalled attempt was not abandoned", d)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d requests, want 2", calls.Load())
	}
	if New("https://x/v1.0", nil, staticToken{}, "a").RequestTimeout != DefaultRequestTimeout {
		t.Fatal("no default request timeout")
	}
}

// A request that failed on the wire may still run at the service: its
// gate slot stays taken through the backoff, so the mailbox never sees
// more than 4 of our requests at once.
func TestSlotHeldThroughBackoffAfterTransportError(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			panic(http.ErrAbortHandler) // connection cut, no answer
		}
		w.Write([]byte(`{"id":"me"}`))
	}))
	defer srv.Close()
	c := New(srv.URL+"/v1.0", srv.Client(), staticToken{}, "acct")
	c.Gate = NewGate(1)
	held := -1
	c.sleep = func(ctx context.Context, d time.Duration) error {
		held = c.Gate.inFlight()
		return nil
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if held != 1 {
		t.Fatalf("during the backoff %d slots were taken, want 1 (the failed request's)", held)
	}
	if c.Gate.inFlight() != 0 {
		t.Fatal("a slot leaked")
	}
}

// One item of the wrong shape used to make the whole page an "unreadable
// response", retried until the stream gave up — on every poll, for good.
// Now the page is read item by item: the odd item is kept with what could
// be read, or skipped, and a line says so; the others are unharmed.
func TestMalformedItemDoesNotPoisonThePage(t *testing.T) {
	body := `{"@odata.deltaLink":"https://graph/v1.0/me/mailFolders('i')/messages/delta?$deltatoken=x","value":[
		{"id":"good","subject":"Hello","from":{"emailAddress":{"address":"a@contoso.com"}},"receivedDateTime":"2026-01-02T03:04:05Z"},
		{"id":"numeric-subject","subject":42,"isRead":true},
		{"id":"object-flag","subject":"Odd","isRead":{"x":1},"toRecipients":"everyone"},
		{"id":"gone","@removed":"deleted"},
		{"id":"gone2","@removed":{"reason":"deleted"}},
		{"subject":"no id"}
	]}`
	var p messagePage
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&p); err != nil {
		t.Fatalf("the page failed as a whole: %v", err)
	}
	page, err := decodeMessagePage(p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range page.Items {
		got[m.ID] = m.Subject
	}
	if len(got) != 3 || got["good"] != "Hello" || got["object-flag"] != "Odd" || got["numeric-subject"] != "" {
		t.Fatalf("items %v", got)
	}
	if strings.Join(page.Removed, ",") != "gone,gone2" {
		t.Fatalf("removed %v", page.Removed)
	}
	if len(p.notes) != 2 {
		t.Fatalf("notes %q", p.notes)
	}
	for _, n := range p.notes {
		if strings.Contains(n, "Odd") || strings.Contains(n, "Hello") {
			t.Fatalf("a note holds a subject: %q", n)
		}
	}
	var logged bytes.Buffer
	c := &Client{Log: slog.New(slog.NewTextHandler(&logged, nil))}
	c.logNotes(p.notes)
	if !strings.Contains(logged.String(), "numeric-subject") {
		t.Fatalf("log %q", logged.String())
	}
}

// An event without a start or end (or with one nobody can read) used to
// fail its page, so the calendar never synced again. It is skipped now,
// with a note, and the rest of the page is stored.
func TestEventWithoutTimesIsSkippedNotFatal(t *testing.T) {
	body := `{"@odata.deltaLink":"x","value":[
		{"id":"ok","subject":"Fine","start":{"dateTime":"2026-01-02T10:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-01-02T11:00:00.0000000","timeZone":"UTC"}},
		{"id":"nostart","subject":"No start","start":null,"end":{"dateTime":"2026-01-02T11:00:00","timeZone":"UTC"}},
		{"id":"garbled","subject":"Garbled","start":{"dateTime":"yesterday","timeZone":"UTC"},"end":{"dateTime":"2026-01-02T11:00:00","timeZone":"UTC"}},
		{"id":"wrongtype","subject":["x"],"start":{"dateTime":"2026-01-03T10:00:00","timeZone":"Mars/Olympus_Mons"},"end":{"dateTime":"2026-01-03T11:00:00","timeZone":"UTC"}}
	]}`
	var p eventPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("the page failed as a whole: %v", err)
	}
	page, notes, err := decodeEventPageNotes(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != "ok" || page.Items[1].ID != "wrongtype" {
		t.Fatalf("items %+v", page.Items)
	}
	if len(notes) != 2 || len(p.notes) != 1 {
		t.Fatalf("notes %q %q", notes, p.notes)
	}
}

// The same for drive pages (issue 5's decoder): a drive item of the wrong
// shape is kept with what could be read, the page goes through.
func TestMalformedDriveItemDoesNotPoisonThePage(t *testing.T) {
	body := `{"@odata.deltaLink":"x","value":[
		{"id":"good","name":"Plan.docx","size":10,"file":{},"parentReference":{"driveId":"b!AbC","id":"p"}},
		{"id":"bigsize","name":"Huge.bin","size":"enormous","file":{"mimeType":7}},
		{"id":"gone","deleted":{"state":"deleted"}}
	]}`
	var p drivePage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("the page failed as a whole: %v", err)
	}
	if len(p.Value) != 3 || p.Value[1].ID != "bigsize" || p.Value[1].Name != "Huge.bin" || len(p.notes) != 1 {
		t.Fatalf("items %+v notes %q", p.Value, p.notes)
	}
}
