package graph

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for everything the client reads from the network (issue 8,
// suite 4): delta and list pages of messages and events, Graph's error
// bodies with their Retry-After, and the links a page hands back. Seeds
// are Microsoft's documented examples (../shared/graph/examples) plus the
// shapes the hostile-input suite plants; `go test` runs the seeds,
// `make fuzz` mutates them (scripts/fuzz.sh). Crashers go to
// testdata/fuzz/<Target>/ and stay as regression inputs.

// exampleSeeds adds every documented example whose name starts with one of
// prefixes; a checkout without ../shared simply has fewer seeds.
func exampleSeeds(f *testing.F, prefixes ...string) {
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		f.Logf("no documented examples (%v): hand-written seeds only", err)
		return
	}
	for _, e := range entries {
		for _, p := range prefixes {
			if strings.HasPrefix(e.Name(), p) && strings.HasSuffix(e.Name(), ".json") {
				b, err := os.ReadFile(filepath.Join(examplesDir, e.Name()))
				if err == nil {
					f.Add(b)
				}
			}
		}
	}
}

// decodeLikeGet decodes a body the way get() does.
func decodeLikeGet(body []byte, out any) error {
	return decodeBody(bytes.NewReader(body), out)
}

func FuzzMessagePage(f *testing.F) {
	exampleSeeds(f, "delta-query-messages", "message-delta")
	f.Add([]byte(`{"@odata.deltaLink":"x","value":[{"id":"a","subject":42,"isRead":{"x":1},"toRecipients":"all"},{"id":"b","@removed":"deleted"}]}`))
	f.Add([]byte(`{"@odata.nextLink":"x","value":[{"id":"a","receivedDateTime":"9999-12-31T23:59:59Z","sentDateTime":"0001-01-01T00:00:00Z","from":null}]}`))
	f.Add([]byte(`{"@odata.nextLink":"x","value":[{"id":"\u202e<img src=x onerror=alert(1)>","subject":"\u0000\u001b[31m"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var p messagePage
		if decodeLikeGet(body, &p) != nil {
			return
		}
		page, err := decodeMessagePage(p)
		if err != nil {
			if p.NextLink != "" || p.DeltaLink != "" {
				t.Fatalf("a page with a link was refused: %v", err)
			}
			return
		}
		removed := map[string]bool{}
		for _, id := range page.Removed {
			if id == "" {
				t.Fatal("an empty removed id")
			}
			removed[id] = true
		}
		for _, m := range page.Items {
			if m.ID == "" {
				t.Fatal("an item without an id")
			}
			for _, ts := range []time.Time{m.ReceivedAt, m.SentAt} {
				if !ts.IsZero() && ts.Location() != time.UTC {
					t.Fatalf("a time not in UTC: %v", ts)
				}
			}
		}
		// The list decoder shares the item decoding; it must agree.
		var lp messageListPage
		if decodeLikeGet(body, &lp) == nil {
			if _, err := decodeMessagePage(messagePage{Value: lp.Value, DeltaLink: "list"}); err != nil {
				t.Fatalf("list page: %v", err)
			}
		}
	})
}

func FuzzEventPage(f *testing.F) {
	exampleSeeds(f, "delta-query-events", "event-delta", "user-list-calendarview")
	f.Add([]byte(`{"@odata.deltaLink":"x","value":[{"id":"a","start":null,"end":{"dateTime":"2026-01-01T10:00:00","timeZone":"Mars/Olympus_Mons"}}]}`))
	f.Add([]byte(`{"@odata.deltaLink":"x","value":[{"id":"a","isAllDay":true,"start":{"dateTime":"9999-12-31T00:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"1","timeZone":""}}]}`))
	f.Add([]byte(`{"@odata.deltaLink":"x","value":[{"id":"a","subject":["x"],"attendees":[{"type":7,"status":"yes","emailAddress":{"address":null}}],"start":{"dateTime":"2026-03-29T02:30:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2026-03-29T03:30:00","timeZone":"Europe/Berlin"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var p eventPage
		if decodeLikeGet(body, &p) != nil {
			return
		}
		page, notes, err := decodeEventPageNotes(p)
		if err != nil {
			t.Fatalf("an event page failed as a whole: %v", err)
		}
		for _, e := range page.Items {
			if e.ID == "" || e.Type == "seriesMaster" {
				t.Fatalf("item %+v", e)
			}
			if e.Start.Location() != time.UTC || e.End.Location() != time.UTC {
				t.Fatal("a time not in UTC")
			}
			if e.IsAllDay && (len(e.StartDate) > 10 || len(e.EndDate) > 10) {
				t.Fatalf("all-day dates %q %q", e.StartDate, e.EndDate)
			}
		}
		for _, n := range append(notes, p.notes...) {
			if !utf8.ValidString(n) && utf8.Valid(body) {
				t.Fatalf("a note is not valid UTF-8: %q", n)
			}
		}
	})
}

func FuzzDrivePage(f *testing.F) {
	exampleSeeds(f, "driveitem-delta")
	f.Add([]byte(`{"@odata.deltaLink":"x","value":[{"id":"a","size":"big","root":{},"parentReference":{"driveId":"B!XyZ","id":"r"}},{"id":"b","deleted":{},"remoteItem":{"id":"r","parentReference":{"driveId":"0123"}}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var p drivePage
		if decodeLikeGet(body, &p) != nil {
			return
		}
		for _, j := range p.Value {
			if j.ID == "" {
				continue
			}
			it := j.item()
			if it.IsRoot && (it.ParentID != "" || !it.IsFolder) {
				t.Fatalf("root item %+v", it)
			}
			if it.DriveID != strings.ToLower(it.DriveID) && utf8.ValidString(it.DriveID) {
				t.Fatalf("drive id %q not canonical", it.DriveID)
			}
			for _, ts := range []time.Time{it.CreatedAt, it.ModifiedAt} {
				if !ts.IsZero() && ts.Location() != time.UTC {
					t.Fatal("a time not in UTC")
				}
			}
		}
	})
}

func FuzzErrorBody(f *testing.F) {
	for _, name := range []string{"errors.1.json", "throttling.1.json"} {
		if b, err := os.ReadFile(filepath.Join(examplesDir, name)); err == nil {
			f.Add(b, 429, "10")
			f.Add(b, 503, "")
		}
	}
	f.Add([]byte(`{"error":{"code":"SyncStateNotFound","message":"x"}}`), 410, "")
	f.Add([]byte(`{"error":{"code":"TooManyRequests","innerError":{"code":"MailboxConcurrency"}}}`), 429, "2.5")
	f.Add([]byte(`<html>Bad gateway</html>`), 502, "Wed, 21 Oct 2099 07:28:00 GMT")
	f.Add([]byte(`{"error":"not an object"}`), 503, "1e300")
	f.Add([]byte(`{}`), 429, "99999999")
	f.Fuzz(func(t *testing.T, body []byte, status int, retryAfter string) {
		if status < 100 || status > 999 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		resp.Header.Set("Retry-After", retryAfter)
		e := readError(resp)
		if e.Status != status {
			t.Fatalf("status %d, want %d", e.Status, status)
		}
		if e.RetryAfter < 0 || e.RetryAfter > MaxRetryAfter {
			t.Fatalf("Retry-After %q gives a pause of %v (want 0..%v)", retryAfter, e.RetryAfter, MaxRetryAfter)
		}
		_ = e.Error()
		_ = e.Unwrap()
		_ = e.Retryable()
	})
}

// FuzzDeltaLink: whatever link a page hands back, the client only ever
// sends its bearer token to the Graph origin it was configured with.
func FuzzDeltaLink(f *testing.F) {
	for _, s := range []string{
		"https://graph.microsoft.com/v1.0/me/mailFolders('AAMk')/messages/delta?$deltatoken=abc",
		"https://graph.microsoft.com.evil.test/v1.0/me", "https://graph.microsoft.com@evil.test/v1.0/me",
		"https://evil.test/https://graph.microsoft.com/v1.0", "//evil.test/v1.0/me", "HTTPS://evil.test/", "http://graph.microsoft.com/v1.0/me",
		".evil.test/x", "@evil.test/x", "https://graph.microsoft.com:443@evil.test/", "https://graph.microsoft.com/v1.0/\\\\evil.test",
		"/me/calendarView/delta?startDateTime=2026-01-01T00:00:00Z", "https://graph.microsoft.com\t/v1.0", "javascript:alert(1)",
	} {
		f.Add(s)
	}
	c := New(DefaultBaseURL, nil, nil, "")
	f.Fuzz(func(t *testing.T, link string) {
		u, err := c.resolve(link)
		if err != nil {
			return
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return // net/http would refuse to send it
		}
		if req.URL.Scheme != "https" || req.URL.Host != "graph.microsoft.com" || req.URL.User != nil {
			t.Fatalf("link %q would send the token to %s://%s (user %v)", link, req.URL.Scheme, req.URL.Host, req.URL.User)
		}
		if parsed, err := url.Parse(u); err == nil && parsed.Hostname() != "graph.microsoft.com" {
			t.Fatalf("link %q resolves to host %q", link, parsed.Hostname())
		}
	})
}
