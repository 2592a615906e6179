package graphsim

import (
	"math/rand/v2"
	"time"

	"rapport/backend/model"
)

// The demo consultant's calendars: recurring client meetings in their
// organizers' time zones (so the series cross daylight-saving changes in
// Europe and the US), exceptions and cancellations, Teams and in-person
// meetings, all-day events on the DST weekends, internal meetings the app
// must not keep, from 120 days back to 180 days ahead of the anchor.

type calBuilder struct {
	r      *rand.Rand
	g      idGen
	anchor time.Time
	mb     *mailbox
	me     person
}

// seriesSpec is a weekly series, expanded into its occurrences.
type seriesSpec struct {
	cal          *calendar
	subject      string
	zone         string // Windows zone name
	weekday      time.Weekday
	hour, minute int
	dur          time.Duration
	every        int // weeks
	fromDays     int // first day, relative to the anchor
	toDays       int
	online       bool
	provider     string
	organizer    person // zero: the consultant
	attendees    []attendee
	location     string
}

func buildDemoCalendar(mb *mailbox, seed int64, anchor time.Time, me person) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x63616c656e646172)) // "calendar": mail ids stay as they were
	b := &calBuilder{r: r, g: idGen{r}, anchor: anchor, mb: mb, me: me}
	main := &calendar{ID: b.g.calendarID(), Name: "Calendar", Default: true, CanEdit: true, Owner: me, Color: "auto", ChangeKey: b.g.changeKey()}
	side := &calendar{ID: b.g.calendarID(), Name: "Side projects", CanEdit: true, Owner: me, Color: "lightGreen", HexColor: "#87d28e", Removable: true, ChangeKey: b.g.changeKey()}
	holidays := &calendar{ID: b.g.calendarID(), Name: "United States holidays", Owner: person{"United States holidays", "en.usa#holiday@group.v.calendar.outlook.com"}, Color: "auto", Removable: true, ChangeKey: b.g.changeKey()}
	mb.calendars = []*calendar{main, side, holidays}

	c := func(i int) clientSpec { return demoClients[i] }
	req := func(p person) attendee { return attendee{who: p, typ: "required", response: "accepted"} }
	opt := func(p person) attendee { return attendee{who: p, typ: "optional", response: "tentativelyAccepted"} }
	meReq := attendee{who: me, typ: "required", response: "accepted"}

	// Contoso: weekly, organised by Contoso in New York time.
	contoso := b.series(seriesSpec{cal: main, subject: "Contoso weekly sync", zone: "Eastern Standard Time", weekday: time.Tuesday,
		hour: 10, minute: 0, dur: 45 * time.Minute, every: 1, fromDays: -120, toDays: 180, online: true, provider: "teamsForBusiness",
		organizer: c(0).contacts[0], attendees: []attendee{meReq, req(c(0).contacts[1]), opt(demoColleagues[0])}})
	b.moveOccurrence(contoso, -3, 2*time.Hour)
	b.cancelOccurrence(contoso, 4)

	// Fabrikam: every other week, organised by the consultant for
	// Fabrikam's Berlin team, in Berlin time.
	fabrikam := b.series(seriesSpec{cal: main, subject: "Fabrikam pilot check-in", zone: "W. Europe Standard Time", weekday: time.Thursday,
		hour: 14, minute: 0, dur: 30 * time.Minute, every: 2, fromDays: -110, toDays: 180, online: true, provider: "teamsForBusiness",
		attendees: []attendee{req(c(1).contacts[0]), req(c(1).contacts[1])}})
	b.cancelOccurrence(fabrikam, -2)

	// Adventure Works: weekly stand-up in Pacific time.
	aw := b.series(seriesSpec{cal: main, subject: "Adventure Works stand-up", zone: "Pacific Standard Time", weekday: time.Monday,
		hour: 9, minute: 30, dur: 30 * time.Minute, every: 1, fromDays: -60, toDays: 90, online: true, provider: "teamsForBusiness",
		organizer: c(5).contacts[0], attendees: []attendee{meReq, req(c(5).contacts[1])}})
	b.moveOccurrence(aw, 2, time.Hour)

	// Northwind: in-person meetings, all before they went quiet.
	for i, days := range []int{-80, -62, -45} {
		subj := []string{"Supply chain review — interviews", "Warehouse KPI walkthrough", "Project close-out"}[i]
		e := b.single(main, subj, "Pacific Standard Time", b.day(days, time.Thursday, 15, 0, "Pacific Standard Time"), 90*time.Minute,
			me, []attendee{req(c(2).contacts[0]), req(c(2).contacts[1])})
		e.Location, e.Street, e.City = "Northwind Traders HQ", "1 Northwind Way", "Seattle"
		e.Provider = "unknown"
	}

	// Tailspin: a monthly review; one of the next ones is cancelled, an
	// old one was on Skype for Business.
	for i, days := 0, -84; days < 170; i, days = i+1, days+28 {
		e := b.single(main, "Tailspin campaign review", "Eastern Standard Time", b.day(days, time.Wednesday, 11, 0, "Eastern Standard Time"),
			time.Hour, c(3).contacts[0], []attendee{meReq, req(c(3).contacts[1])})
		e.Online, e.Provider = true, "teamsForBusiness"
		if i == 0 {
			e.Provider = "skypeForBusiness"
		}
		if days > 0 && days <= 28 {
			e.Cancelled, e.Subject = true, "Canceled: Tailspin campaign review"
		}
	}

	// Woodgrove: a workshop, and an all-day onsite over the US DST weekend.
	ws := b.single(main, "Woodgrove security review workshop", "Eastern Standard Time", b.day(20, time.Tuesday, 13, 0, "Eastern Standard Time"),
		3*time.Hour, me, []attendee{req(c(4).contacts[0]), req(c(4).contacts[1])})
	ws.Location, ws.Street, ws.City = "Woodgrove Bank, 5th floor", "500 Woodgrove Ave", "New York"
	if d, ok := b.dstSunday("America/New_York"); ok {
		b.allDay(main, "Woodgrove onsite (travel)", "Eastern Standard Time", d, d.AddDate(0, 0, 2), me, []attendee{req(c(4).contacts[0])})
	}
	// Fabrikam: all-day store visits over the European DST weekend.
	if d, ok := b.dstSunday("Europe/Berlin"); ok {
		b.allDay(main, "Fabrikam store visits", "W. Europe Standard Time", d.AddDate(0, 0, -1), d.AddDate(0, 0, 1), me,
			[]attendee{req(c(1).contacts[2])})
	}

	// Internal only: nobody's client activity (the app keeps none of it).
	b.series(seriesSpec{cal: main, subject: "Adatum team weekly", zone: "Eastern Standard Time", weekday: time.Friday,
		hour: 9, minute: 0, dur: 30 * time.Minute, every: 1, fromDays: -120, toDays: 180, online: true, provider: "teamsForBusiness",
		organizer: demoColleagues[1], attendees: []attendee{meReq, req(demoColleagues[0]), req(demoColleagues[2])}})
	b.single(main, "Dentist", "Eastern Standard Time", b.day(12, time.Friday, 16, 0, "Eastern Standard Time"), time.Hour, me, nil)

	// Side projects: a prospect and a prep call.
	b.single(side, "Litware intro — data strategy", "Eastern Standard Time", b.day(10, time.Wednesday, 15, 0, "Eastern Standard Time"),
		30*time.Minute, me, []attendee{req(person{"Kim Akers", "kim.akers@litwareinc.com"})}).Online = true
	b.single(side, "Woodgrove risk analytics — prep", "Eastern Standard Time", b.day(-5, time.Monday, 12, 0, "Eastern Standard Time"),
		30*time.Minute, me, []attendee{req(c(4).contacts[0])})

	// Holidays: all-day, nobody invited.
	for _, y := range []int{anchor.Year() - 1, anchor.Year(), anchor.Year() + 1} {
		for _, h := range []struct {
			name string
			m    time.Month
			d    int
		}{{"New Year's Day", time.January, 1}, {"Independence Day", time.July, 4}, {"Christmas Day", time.December, 25}} {
			d := time.Date(y, h.m, h.d, 0, 0, 0, 0, time.UTC)
			if d.After(anchor.AddDate(0, 0, -120)) && d.Before(anchor.AddDate(0, 0, 180)) {
				e := b.allDay(holidays, h.name, "UTC", d, d.AddDate(0, 0, 1), holidays.Owner, nil)
				e.ShowAs, e.IsOrganizer = "free", false
			}
		}
	}
}

// day is the first given weekday on or after anchor+days, at hour:minute
// wall-clock time in the zone, as an instant.
func (b *calBuilder) day(days int, wd time.Weekday, hour, minute int, zoneName string) time.Time {
	loc := zone(zoneName)
	d := b.anchor.AddDate(0, 0, days).In(loc)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc).UTC()
}

func (b *calBuilder) newEvent(cal *calendar, subject, zoneName string, organizer person, attendees []attendee) *event {
	if organizer.address == "" {
		organizer = b.me
	}
	created := b.anchor.AddDate(0, 0, -130-b.r.IntN(20)).Truncate(time.Second)
	e := &event{
		ID: b.g.eventID(), CalendarID: cal.ID, ICalUID: b.g.iCalUID(), Subject: subject, Type: model.EventSingle,
		Zone: zoneName, Organizer: organizer, IsOrganizer: organizer.address == b.me.address, Attendees: attendees,
		ShowAs: "busy", Importance: "normal", Categories: []string{}, Created: created, Modified: created, ChangeKey: b.g.changeKey(),
		Provider: "unknown",
	}
	b.mb.events[e.ID] = e
	return e
}

func (b *calBuilder) single(cal *calendar, subject, zoneName string, start time.Time, dur time.Duration, organizer person, attendees []attendee) *event {
	e := b.newEvent(cal, subject, zoneName, organizer, attendees)
	e.Start, e.End = start, start.Add(dur)
	return e
}

// allDay adds an all-day event over the dates [from, to).
func (b *calBuilder) allDay(cal *calendar, subject, zoneName string, from, to time.Time, organizer person, attendees []attendee) *event {
	e := b.newEvent(cal, subject, zoneName, organizer, attendees)
	e.AllDay, e.ShowAs = true, "oof"
	e.Start = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	e.End = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return e
}

// series adds a weekly series: its master (never listed by calendarView)
// and one occurrence per week, each at the same wall-clock time in the
// series' zone — so its UTC time moves by an hour across a DST change.
func (b *calBuilder) series(sp seriesSpec) []*event {
	loc := zone(sp.zone)
	first := b.day(sp.fromDays, sp.weekday, sp.hour, sp.minute, sp.zone).In(loc)
	last := b.anchor.AddDate(0, 0, sp.toDays)
	master := b.newEvent(sp.cal, sp.subject, sp.zone, sp.organizer, sp.attendees)
	master.Type, master.Start, master.End = model.EventSeries, first.UTC(), first.UTC().Add(sp.dur)
	master.Online, master.Provider, master.Location = sp.online, sp.provider, sp.location
	master.Recurrence = "weekly"
	var out []*event
	for d := first; d.Before(last); d = d.AddDate(0, 0, 7*sp.every) {
		st := time.Date(d.Year(), d.Month(), d.Day(), sp.hour, sp.minute, 0, 0, loc).UTC()
		e := b.newEvent(sp.cal, sp.subject, sp.zone, sp.organizer, sp.attendees)
		e.Type, e.SeriesMasterID, e.ICalUID = model.EventOccurrence, master.ID, master.ICalUID+"-"+st.Format("20060102")
		e.Start, e.End, e.OriginalStart = st, st.Add(sp.dur), st
		e.Online, e.Provider, e.Location = sp.online, sp.provider, sp.location
		e.Created, e.Modified, e.ChangeKey = master.Created, master.Modified, master.ChangeKey
		out = append(out, e)
	}
	return out
}

// occurrence picks the n-th occurrence from the anchor (n < 0: in the past).
func (b *calBuilder) occurrence(occ []*event, n int) *event {
	i := 0
	for i < len(occ) && occ[i].Start.Before(b.anchor) {
		i++
	}
	i += n
	if i < 0 || i >= len(occ) {
		return nil
	}
	return occ[i]
}

func (b *calBuilder) moveOccurrence(occ []*event, n int, by time.Duration) {
	if e := b.occurrence(occ, n); e != nil {
		e.Type = model.EventException
		e.Start, e.End = e.Start.Add(by), e.End.Add(by)
		e.ChangeKey = b.g.changeKey()
	}
}

func (b *calBuilder) cancelOccurrence(occ []*event, n int) {
	if e := b.occurrence(occ, n); e != nil {
		e.Type, e.Cancelled = model.EventException, true
		e.Subject = "Canceled: " + e.Subject
		e.ChangeKey = b.g.changeKey()
	}
}

// dstSunday is the first day in the demo's window (from 80 days back to
// 170 ahead) on which the zone's UTC offset changes.
func (b *calBuilder) dstSunday(iana string) (time.Time, bool) {
	loc, err := time.LoadLocation(iana)
	if err != nil {
		return time.Time{}, false
	}
	noon := func(d time.Time) int {
		_, off := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Zone()
		return off
	}
	start := b.anchor.AddDate(0, 0, -80)
	for i := 0; i < 250; i++ {
		d := start.AddDate(0, 0, i)
		if noon(d) != noon(d.AddDate(0, 0, -1)) {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}
