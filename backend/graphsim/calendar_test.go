package graphsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
)

func windowQuery(start, end time.Time) string {
	return "startDateTime=" + url.QueryEscape(start.Format(time.RFC3339)) + "&endDateTime=" + url.QueryEscape(end.Format(time.RFC3339))
}

var (
	graphCalendarWindowStart = testAnchor.AddDate(0, 0, -90)
	graphCalendarWindowEnd   = testAnchor.AddDate(0, 0, 180)
)

func TestContractCalendars(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	two := []string{"Prefer", "odata.maxpagesize=2", "Prefer", `IdType="ImmutableId"`}

	page, items := allPages(t, s, tok, g+"/me/calendars")
	checkContract(t, "user-list-calendars.1.json", page, items)

	w := windowQuery(graphCalendarWindowStart, graphCalendarWindowEnd)
	page, items = allPages(t, s, tok, g+"/me/calendarView?"+w)
	checkContract(t, "user-list-calendarview.1.json", page, items)

	// Delta, first page, with the lower-case parameter names of the docs.
	first := get(t, s, tok, g+"/me/calendarView/delta?"+strings.ToLower(w[:len("startDateTime")])+w[len("startDateTime"):], two...)
	if first.status != http.StatusOK {
		t.Fatalf("delta: %d %s", first.status, first.raw)
	}
	checkContract(t, "event-delta.1.json", first, first.values(t))
	checkContract(t, "delta-query-events.1.json", first, first.values(t))
	second := get(t, s, tok, first.str("@odata.nextLink"), two...)
	checkContract(t, "delta-query-events.2.json", second, second.values(t))
	round := runRound(t, s, tok, second.str("@odata.nextLink"), two...)
	last := round.pages[len(round.pages)-1]
	checkContract(t, "delta-query-events.3.json", last, last.values(t))

	// A later round with a deletion and a change.
	var del, upd string
	for _, e := range s.Events() {
		if e.CalendarID == s.Calendars()[0].ID && e.Start.After(testAnchor) {
			if del == "" {
				del = e.ID
			} else if upd == "" {
				upd = e.ID
			}
		}
	}
	if err := s.DeleteEvent(del); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateEvent(upd, func(e *model.Event) { e.Subject += " (moved)" }); err != nil {
		t.Fatal(err)
	}
	r2 := runRound(t, s, tok, round.deltaLink, two...)
	checkContract(t, "delta-query-events.4.json", r2.pages[len(r2.pages)-1], r2.items)
	present, removed := idsOf(t, r2.items)
	if len(present) != 1 || len(removed) != 1 || removed[del] != 1 || present[upd] != 1 {
		t.Fatalf("second round: present %v removed %v", present, removed)
	}
}

func TestCalendarViewDeltaSemantics(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	start, end := testAnchor.AddDate(0, 0, -30), testAnchor.AddDate(0, 0, 60)
	r := runRound(t, s, tok, g+"/me/calendarView/delta?"+windowQuery(start, end), "Prefer", "odata.maxpagesize=7")
	def := s.Calendars()[0]
	want := map[string]bool{}
	for _, e := range s.Events() {
		if e.CalendarID == def.ID && e.Start.Before(end) && e.End.After(start) {
			want[e.ID] = true
		}
	}
	present, removed := idsOf(t, r.items)
	if len(removed) != 0 || len(present) != len(want) {
		t.Fatalf("full round: %d items (%d removed), window holds %d", len(present), len(removed), len(want))
	}
	for _, it := range r.items {
		if it["type"] == model.EventSeries {
			t.Fatal("calendarView returned a series master")
		}
		if _, ok := it["body"]; ok {
			t.Fatal("Calendars.ReadBasic answer carries a body")
		}
		st := it["start"].(map[string]any)
		if st["timeZone"] != "UTC" {
			t.Fatalf("start zone %v without Prefer: outlook.timezone", st["timeZone"])
		}
	}
	// Moved out of the window: @removed. Changed outside the window: @removed.
	var inside, outside model.Event
	for _, e := range s.Events() {
		if e.CalendarID != def.ID || e.IsAllDay {
			continue
		}
		if want[e.ID] && inside.ID == "" && e.Start.After(testAnchor) {
			inside = e
		}
		if !want[e.ID] && outside.ID == "" && e.Start.After(end) {
			outside = e
		}
	}
	if err := s.UpdateEvent(inside.ID, func(e *model.Event) { e.Start, e.End = end.Add(24*time.Hour), end.Add(25*time.Hour) }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateEvent(outside.ID, func(e *model.Event) { e.Subject = "Renamed" }); err != nil {
		t.Fatal(err)
	}
	r2 := runRound(t, s, tok, r.deltaLink)
	_, removed = idsOf(t, r2.items)
	if removed[inside.ID] != 1 || removed[outside.ID] != 1 || len(r2.items) != 2 {
		t.Fatalf("second round %v", r2.items)
	}
	// Other calendars have no v1.0 change tracking; listing works.
	side := s.Calendars()[1]
	if a := get(t, s, tok, g+"/me/calendars/"+url.PathEscape(side.ID)+"/calendarView/delta?"+windowQuery(start, end)); a.status != http.StatusBadRequest {
		t.Fatalf("calendar delta on a secondary calendar: %d", a.status)
	}
	if a := get(t, s, tok, g+"/me/calendarView/delta"); a.status != http.StatusBadRequest || a.graphErrorCode() != "ErrorInvalidParameter" {
		t.Fatalf("delta without a window: %d %s", a.status, a.raw)
	}
	_, items := allPages(t, s, tok, g+"/me/calendars/"+url.PathEscape(side.ID)+"/calendarView?"+windowQuery(start, end)+"&$top=1")
	if len(items) == 0 {
		t.Fatal("the side calendar lists nothing")
	}
	// Prefer: outlook.timezone converts, and all-day dates stay put.
	a := get(t, s, tok, g+"/me/calendarView?"+windowQuery(testAnchor, testAnchor.AddDate(0, 0, 60))+"&$top=200", "Prefer", `outlook.timezone="Pacific Standard Time"`)
	for _, it := range a.values(t) {
		st := it["start"].(map[string]any)
		if st["timeZone"] != "Pacific Standard Time" {
			t.Fatalf("zone %v", st["timeZone"])
		}
		if it["isAllDay"] == true && !strings.HasSuffix(st["dateTime"].(string), "T00:00:00.0000000") {
			t.Fatalf("all-day start %v", st["dateTime"])
		}
	}
}

// The demo's series keep their wall-clock time in their zone across DST.
func TestDemoCalendarShape(t *testing.T) {
	s, err := New(Options{Anchor: testAnchor})
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	var occ, exc, cancelled, allDay, online int
	utcHours := map[int]bool{}
	for _, e := range s.Events() {
		switch e.Type {
		case model.EventOccurrence:
			occ++
			if strings.HasPrefix(e.Subject, "Contoso weekly sync") {
				if l := e.Start.In(ny); l.Hour() != 10 {
					t.Fatalf("Contoso sync at %s New York time", l.Format("15:04"))
				}
				utcHours[e.Start.UTC().Hour()] = true
			}
		case model.EventException:
			exc++
		}
		if e.IsCancelled {
			cancelled++
		}
		if e.IsAllDay {
			allDay++
		}
		if e.IsOnlineMeeting {
			online++
		}
	}
	if occ < 50 || exc < 3 || cancelled < 2 || allDay < 2 || online < 30 || !utcHours[14] || !utcHours[15] {
		t.Fatalf("occurrences %d exceptions %d cancelled %d all-day %d online %d, Contoso UTC hours %v", occ, exc, cancelled, allDay, online, utcHours)
	}
	a, _ := New(Options{Anchor: testAnchor, Seed: 7})
	b, _ := New(Options{Anchor: testAnchor, Seed: 7})
	if len(a.Events()) != len(b.Events()) || a.Events()[3].ID != b.Events()[3].ID {
		t.Fatal("the calendar is not deterministic")
	}
}

func TestListMessagesFilterAndCount(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	from, to := testAnchor.AddDate(0, 0, -60), testAnchor.AddDate(0, 0, -30)
	inbox := folderID(t, s, "inbox")
	want := 0
	for _, m := range s.Messages() {
		if m.ParentFolderID == inbox && !m.ReceivedAt.Before(from) && m.ReceivedAt.Before(to) {
			want++
		}
	}
	f := url.QueryEscape("receivedDateTime ge " + from.Format(time.RFC3339) + " and receivedDateTime lt " + to.Format(time.RFC3339))
	first, items := allPages(t, s, tok, s.GraphURL()+"/me/mailFolders/inbox/messages?$filter="+f+"&$count=true&$top=7&$select=subject,receivedDateTime")
	if n, _ := first.body["@odata.count"].(float64); int(n) != want || len(items) != want || want == 0 {
		t.Fatalf("count %v, %d items, want %d", first.body["@odata.count"], len(items), want)
	}
}

func TestDisconnectReconnectAndLive(t *testing.T) {
	s := startSim(t, Options{MailboxConcurrency: -1})
	tok := s.MintAccessToken()
	url := s.GraphURL() + "/me/mailFolders/inbox"
	if a := get(t, s, tok, url); a.status != http.StatusOK {
		t.Fatal(a.status)
	}
	if err := s.Disconnect(); err != nil {
		t.Fatal(err)
	}
	s.HTTPClient().CloseIdleConnections()
	if _, err := s.HTTPClient().Get(url); err == nil {
		t.Fatal("a disconnected simulator answered")
	}
	if err := s.Reconnect(); err != nil {
		t.Fatal(err)
	}
	if a := get(t, s, tok, url); a.status != http.StatusOK {
		t.Fatal(a.status)
	}
	if s.MaxInFlight() < 1 {
		t.Fatal("in-flight not tracked")
	}
	n, ev := len(s.Messages()), s.Events()
	for i := 1; i <= 12; i++ {
		s.LiveTick(i)
	}
	if got := len(s.Messages()); got < n+12-3 { // 12 new, a few purged
		t.Fatalf("live ticks: %d -> %d messages", n, got)
	}
	changed := 0
	after := map[string]model.Event{}
	for _, e := range s.Events() {
		after[e.ID] = e
	}
	for _, e := range ev {
		if a := after[e.ID]; a.Subject != e.Subject || !a.Start.Equal(e.Start) || a.IsCancelled != e.IsCancelled {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("live ticks changed no meeting")
	}
}
