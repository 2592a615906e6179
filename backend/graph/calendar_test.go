package graph

import (
	"context"
	"testing"
	"time"
)

// Our decoder must read Microsoft's documented calendar delta pages.
func TestDecodeDocumentedEventDeltaPages(t *testing.T) {
	for _, name := range []string{"delta-query-events.1.json", "delta-query-events.2.json", "delta-query-events.3.json", "delta-query-events.4.json"} {
		var p eventPage
		loadExample(t, name, &p)
		page, err := decodeEventPage(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if page.NextLink == "" && page.DeltaLink == "" {
			t.Fatalf("%s: no link", name)
		}
		for _, e := range page.Items {
			if e.Start.IsZero() || e.End.Before(e.Start) || e.Subject == "" || e.Organizer.Address == "" {
				t.Fatalf("%s: event %+v", name, e)
			}
			if e.Start.Location() != time.UTC {
				t.Fatalf("%s: start not in UTC", name)
			}
		}
	}
	var p eventPage
	loadExample(t, "delta-query-events.1.json", &p)
	page, _ := decodeEventPage(p)
	if got := page.Items[0].Start.Format(time.RFC3339); got != "2016-12-09T20:30:00Z" {
		t.Fatalf("start %s", got)
	}
	loadExample(t, "delta-query-events.4.json", &p)
	page, _ = decodeEventPage(p)
	if len(page.Removed) != 1 || len(page.Items) != 1 {
		t.Fatalf("page 4: %d removed, %d items", len(page.Removed), len(page.Items))
	}
}

// Graph answers in UTC unless asked otherwise; if a zone comes back anyway
// (Windows or IANA name), the instant must still be right on both sides of
// a DST change, and all-day events keep their dates.
func TestEventTimesAcrossDST(t *testing.T) {
	raw := eventPage{DeltaLink: "x", Value: []eventJSON{
		{ID: "a", Subject: "Before", Start: &dateTimeTZ{"2026-10-23T10:00:00.0000000", "W. Europe Standard Time"}, End: &dateTimeTZ{"2026-10-23T11:00:00.0000000", "W. Europe Standard Time"}},
		{ID: "b", Subject: "After", Start: &dateTimeTZ{"2026-10-26T10:00:00.0000000", "Europe/Berlin"}, End: &dateTimeTZ{"2026-10-26T11:00:00.0000000", "Europe/Berlin"}},
		{ID: "c", Subject: "NY", Start: &dateTimeTZ{"2026-11-02T10:00:00.0000000", "Eastern Standard Time"}, End: &dateTimeTZ{"2026-11-02T10:30:00", "Eastern Standard Time"}},
		{ID: "d", Subject: "UTC", Start: &dateTimeTZ{"2026-11-02T15:00:00.0000000", "UTC"}, End: &dateTimeTZ{"2026-11-02T15:30:00.0000000", "UTC"}},
		{ID: "e", Subject: "Offsite", IsAllDay: true, Start: &dateTimeTZ{"2026-11-01T00:00:00.0000000", "UTC"}, End: &dateTimeTZ{"2026-11-03T00:00:00.0000000", "UTC"}},
		{ID: "f", Subject: "Offsite in Berlin time", IsAllDay: true, Start: &dateTimeTZ{"2026-10-25T00:00:00.0000000", "W. Europe Standard Time"}, End: &dateTimeTZ{"2026-10-26T00:00:00.0000000", "W. Europe Standard Time"}},
	}}
	page, err := decodeEventPage(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "2026-10-23T08:00:00Z", "b": "2026-10-26T09:00:00Z", "c": "2026-11-02T15:00:00Z", "d": "2026-11-02T15:00:00Z",
		"e": "2026-11-01T00:00:00Z", "f": "2026-10-25T00:00:00Z"}
	for _, e := range page.Items {
		if got := e.Start.Format(time.RFC3339); got != want[e.ID] {
			t.Errorf("%s starts %s, want %s", e.Subject, got, want[e.ID])
		}
	}
	e := page.Items[4]
	if e.StartDate != "2026-11-01" || e.EndDate != "2026-11-03" || !e.IsAllDay {
		t.Fatalf("all-day: %+v", e)
	}
	if f := page.Items[5]; f.StartDate != "2026-10-25" || f.EndDate != "2026-10-26" {
		t.Fatalf("all-day in a zone: %+v", f)
	}
}

// The gate holds at most N requests and a pause holds all of them.
func TestGate(t *testing.T) {
	g := NewGate(4)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := g.acquire(short); err == nil {
		t.Fatal("a fifth request got a slot")
	}
	for i := 0; i < 4; i++ {
		g.release()
	}
	g.Pause(150 * time.Millisecond)
	start := time.Now()
	if err := g.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 140*time.Millisecond {
		t.Fatalf("acquired %v into a 150ms pause", d)
	}
	g.release()
	g.Pause(10 * time.Millisecond) // a shorter pause does not shorten a longer one
	g.Pause(100 * time.Millisecond)
	g.Pause(10 * time.Millisecond)
	if until := time.Until(g.PausedUntil()); until < 80*time.Millisecond {
		t.Fatalf("pause shortened to %v", until)
	}
}
