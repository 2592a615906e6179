package sync_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
)

// dstAnchor is a week before both daylight-saving changes of autumn 2026:
// Europe on Sunday 25 October, the US on Sunday 1 November.
var dstAnchor = time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)

func (h *harness) storedEvents(t *testing.T, subject string) []model.EventRecord {
	t.Helper()
	ctx := context.Background()
	ids, err := h.store.EventIDs(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.EventRecord
	for _, id := range ids {
		e, err := h.store.Event(ctx, h.acct.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Subject, subject) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// A weekly series keeps its wall-clock time in its organizer's zone across
// the DST change, so its UTC time moves by an hour; an all-day event over
// the DST weekend keeps its dates.
func TestDaylightSavingWeek(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *config) { c.anchor = dstAnchor })
	h.sync(t)
	h.assertEvents(t)

	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	check := func(subject string, loc *time.Location, hour int, change time.Time, utcBefore, utcAfter int) {
		t.Helper()
		evs := h.storedEvents(t, subject)
		if len(evs) < 10 {
			t.Fatalf("%s: %d occurrences stored", subject, len(evs))
		}
		var sawBefore, sawAfter bool
		for _, e := range evs {
			if e.Type == model.EventException || e.Start.Sub(change).Abs() > 60*24*time.Hour {
				continue // moved by the organizer, or near the spring change
			}
			if e.Type != model.EventOccurrence || e.SeriesMasterID == "" {
				t.Fatalf("%s: type %q master %q", subject, e.Type, e.SeriesMasterID)
			}
			if l := e.Start.In(loc); l.Hour() != hour || l.Minute() != 0 {
				t.Fatalf("%s on %s starts at %s local, want %d:00", subject, e.Start.Format(time.RFC3339), l.Format("15:04"), hour)
			}
			want := utcAfter
			if e.Start.Before(change) {
				want = utcBefore
			}
			if e.Start.UTC().Hour() != want {
				t.Fatalf("%s on %s at %d:00Z, want %d:00Z", subject, e.Start.Format("2006-01-02"), e.Start.UTC().Hour(), want)
			}
			if d := e.Start.Sub(change); d > -15*24*time.Hour && d < 0 {
				sawBefore = true
			} else if d > 0 && d < 15*24*time.Hour {
				sawAfter = true
			}
		}
		if !sawBefore || !sawAfter {
			t.Fatalf("%s: no occurrence on both sides of the DST change", subject)
		}
	}
	// Contoso, Tuesdays 10:00 New York: 14:00Z in EDT, 15:00Z in EST.
	check("Contoso weekly sync", ny, 10, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), 14, 15)
	// Fabrikam, every other Thursday 14:00 Berlin: 12:00Z in CEST, 13:00Z in CET.
	check("Fabrikam pilot check-in", berlin, 14, time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), 12, 13)

	for _, c := range []struct{ subject, start, end string }{
		{"Woodgrove onsite (travel)", "2026-11-01", "2026-11-03"},
		{"Fabrikam store visits", "2026-10-24", "2026-10-26"},
	} {
		evs := h.storedEvents(t, c.subject)
		if len(evs) != 1 {
			t.Fatalf("%s: %d stored", c.subject, len(evs))
		}
		e := evs[0]
		if !e.IsAllDay || e.StartDate != c.start || e.EndDate != c.end || e.Start.Format(time.RFC3339) != c.start+"T00:00:00Z" {
			t.Fatalf("%s: all-day %v %s..%s start %s", c.subject, e.IsAllDay, e.StartDate, e.EndDate, e.Start)
		}
	}

	// The timeline shows meetings with their dates, cancellations marked.
	ctx := context.Background()
	woodgrove, err := h.store.ClientByName(ctx, "Woodgrove Bank")
	if err != nil {
		t.Fatal(err)
	}
	page, err := h.store.Timeline(ctx, woodgrove.ID, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	var allDay bool
	for _, it := range page.Items {
		if it.Kind == model.KindMeeting && it.Title == "Woodgrove onsite (travel)" {
			allDay = it.AllDay && it.Date == "2026-11-01" && it.EndDate == "2026-11-03" && it.Counterpart != ""
		}
	}
	if !allDay {
		t.Fatalf("the all-day meeting is not on Woodgrove's timeline as a date: %+v", page.Items[:min(5, len(page.Items))])
	}
	contoso, _ := h.store.ClientByName(ctx, "Contoso")
	page, _ = h.store.Timeline(ctx, contoso.ID, "", 1000)
	upcoming, _ := h.store.Upcoming(ctx, contoso.ID, 1000)
	var cancelled, meetings int
	for _, it := range append(page.Items, upcoming...) {
		if it.Kind == model.KindMeeting {
			meetings++
			if it.Counterpart == "" || it.End == nil || !it.Online {
				t.Fatalf("meeting item %+v", it)
			}
			if it.Cancelled {
				cancelled++
			}
		}
	}
	if meetings < 20 || cancelled != 1 {
		t.Fatalf("Contoso timeline: %d meetings, %d cancelled", meetings, cancelled)
	}
}

// The calendar window slides with a new baseline round a week later. While
// that round runs — even if it is interrupted — the old rows stay; when it
// ends, what it did not report inside the new window goes, and rows that
// slid out of the window stay as history.
func TestCalendarWindowSlidesWithoutGap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *config) { c.anchor = dstAnchor })
	h.sync(t)
	ctx := context.Background()
	old := h.stream(t, model.StreamCalendar, "Calendar")
	before, _ := h.store.EventIDs(ctx, h.acct.ID)

	// Something changes while nobody polls: a meeting is deleted.
	var gone string
	for id, e := range h.expectedEvents(t) {
		if e.CalendarID == old.Resource && e.Start.After(dstAnchor.AddDate(0, 0, 30)) {
			gone = id
			break
		}
	}
	if err := h.sim.DeleteEvent(gone); err != nil {
		t.Fatal(err)
	}

	h.advance(8 * 24 * time.Hour)
	n := len(h.sim.Requests())
	h.sim.SetFaults(faults(graphsim.FaultRule{Kind: graphsim.FaultDrop, Path: "/calendarView/delta", Skip: 2}))
	if err := h.trySync(); err == nil {
		t.Fatal("want the interrupted baseline to fail")
	}
	during, _ := h.store.EventIDs(ctx, h.acct.ID)
	if missing := diff(before, during); len(missing) > 0 {
		t.Fatalf("events vanished while the new window's round ran: %v", missing)
	}
	cur := h.stream(t, model.StreamCalendar, "Calendar")
	if !cur.WindowStart.After(old.WindowStart) || cur.NextLink == "" {
		t.Fatalf("no new baseline under way: window %s (was %s), next %q", cur.WindowStart, old.WindowStart, cur.NextLink)
	}
	var newWindow bool
	for _, r := range h.sim.Requests()[n:] {
		if strings.HasSuffix(r.Path, "/calendarView/delta") && strings.Contains(r.Query, cur.WindowStart.Format("2006-01-02")) {
			newWindow = true
		}
	}
	if !newWindow {
		t.Fatal("the baseline did not ask for the new window")
	}

	h.sim.SetFaults(graphsim.Faults{})
	h.sync(t)
	after, _ := h.store.EventIDs(ctx, h.acct.ID)
	want := map[string]bool{}
	for id := range h.expectedEvents(t) {
		want[id] = true
	}
	// Rows from before the new window's start are history: kept.
	for _, id := range before {
		e, err := h.store.Event(ctx, h.acct.ID, id)
		if err == nil && e.End.Before(cur.WindowStart) {
			want[id] = true
		}
	}
	var wantIDs []string
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	sort.Strings(wantIDs)
	if len(diff(wantIDs, after)) > 0 || len(diff(after, wantIDs)) > 0 {
		t.Fatalf("after the slide: missing %v, extra %v", diff(wantIDs, after), diff(after, wantIDs))
	}
	for _, id := range after {
		if id == gone {
			t.Fatal("a deleted meeting survived the new baseline")
		}
	}
	var slidOut int
	for _, id := range before {
		if e, err := h.store.Event(ctx, h.acct.ID, id); err == nil && e.End.Before(cur.WindowStart) {
			slidOut++
		}
	}
	if slidOut == 0 {
		t.Fatal("no meeting slid out of the window: the test proves nothing")
	}
}

// An event moved out of the window arrives as @removed; one outside the
// window changing arrives as @removed too and must not delete history.
func TestCalendarRemovedOutsideWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *config) { c.anchor = dstAnchor })
	h.sync(t)
	ctx := context.Background()
	cal := h.stream(t, model.StreamCalendar, "Calendar")
	var inside model.Event
	for _, e := range h.expectedEvents(t) {
		if e.Start.After(dstAnchor.AddDate(0, 0, 10)) && !e.IsAllDay {
			inside = e
			break
		}
	}
	// Moved beyond the window's end: Graph says @removed; it goes.
	if err := h.sim.UpdateEvent(inside.ID, func(e *model.Event) {
		e.Start, e.End = cal.WindowEnd.AddDate(0, 0, 3), cal.WindowEnd.AddDate(0, 0, 3).Add(time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if _, err := h.store.Event(ctx, h.acct.ID, inside.ID); err != model.ErrNotFound {
		t.Fatalf("an event moved out of the window is still stored: %v", err)
	}
	h.assertEvents(t)

	// A stored row outside the window (history kept from an older, wider
	// window) stays when Graph reports its id @removed because it changed
	// out there.
	h.advance(8 * 24 * time.Hour)
	h.sync(t)
	cal = h.stream(t, model.StreamCalendar, "Calendar")
	var history string
	ids, _ := h.store.EventIDs(ctx, h.acct.ID)
	for _, id := range ids {
		if e, _ := h.store.Event(ctx, h.acct.ID, id); e.End.Before(cal.WindowStart) && e.CalendarID == cal.Resource {
			history = id
			break
		}
	}
	if history == "" {
		t.Fatal("no history row outside the window")
	}
	if err := h.sim.UpdateEvent(history, func(e *model.Event) { e.Subject += " (notes)" }); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if _, err := h.store.Event(ctx, h.acct.ID, history); err != nil {
		t.Fatalf("a history row outside the window was deleted on @removed: %v", err)
	}
}
