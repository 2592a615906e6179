package graphsim

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // recurring series are expanded in their organizer's zone on any OS

	"rapport/backend/model"
)

// calendar is one of the consultant's calendars.
type calendar struct {
	ID, Name  string
	Default   bool
	CanEdit   bool
	Owner     person
	Color     string
	ChangeKey string
	Removable bool
	HexColor  string
}

// attendee is an invitee with their answer.
type attendee struct {
	who      person
	typ      string // required | optional | resource
	response string // none | accepted | tentativelyAccepted | declined | organizer
}

// event is a calendar item. Series masters are kept (GET /me/events/{id}
// serves them) but calendarView never lists them: it lists occurrences and
// exceptions, as Graph does.
type event struct {
	ID, CalendarID, ICalUID, Subject string
	Type                             string // singleInstance | occurrence | exception | seriesMaster
	SeriesMasterID                   string
	// Start/End are instants. An all-day event is a span of dates: its
	// Start/End are those dates' midnights in UTC, and it is rendered with
	// the dates unchanged in any requested zone.
	Start, End    time.Time
	AllDay        bool
	Zone          string // Windows zone name the organizer used (originalStartTimeZone)
	OriginalStart time.Time
	Cancelled     bool
	Online        bool
	Provider      string // teamsForBusiness | skypeForBusiness | unknown
	Organizer     person
	IsOrganizer   bool
	Attendees     []attendee
	Location      string
	Street, City  string
	ShowAs        string
	Importance    string
	Categories    []string
	Created       time.Time
	Modified      time.Time
	ChangeKey     string
	Recurrence    string // series masters: a short pattern description

	changed int64 // mailbox change sequence of its last change
}

// eventTombstone records that an event was deleted at seq.
type eventTombstone struct {
	id       string
	calendar string
	seq      int64
}

// windowsZones maps the Windows zone names Outlook writes to IANA names.
var windowsZones = map[string]string{
	"Eastern Standard Time":   "America/New_York",
	"Central Standard Time":   "America/Chicago",
	"Pacific Standard Time":   "America/Los_Angeles",
	"Mountain Standard Time":  "America/Denver",
	"W. Europe Standard Time": "Europe/Berlin",
	"Romance Standard Time":   "Europe/Paris",
	"GMT Standard Time":       "Europe/London",
	"UTC":                     "UTC",
}

// zone returns the location of a Windows or IANA zone name (UTC if unknown).
func zone(name string) *time.Location {
	if iana, ok := windowsZones[name]; ok {
		name = iana
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

// overlaps says whether e lies in [start, end) as calendarView counts it.
func (e *event) overlaps(start, end time.Time) bool {
	if e.End.Equal(e.Start) {
		return !e.Start.Before(start) && e.Start.Before(end)
	}
	return e.Start.Before(end) && e.End.After(start)
}

func (g idGen) eventID() string {
	return "AAMkAGI2TG93AAA" + base64.RawURLEncoding.EncodeToString(g.bytes(33)) + "AAA="
}

func (g idGen) calendarID() string {
	return "AAMkAGI2TGuLAAA" + base64.RawURLEncoding.EncodeToString(g.bytes(24)) + "AAA="
}

func (g idGen) iCalUID() string {
	return fmt.Sprintf("040000008200E00074C5B7101A82E00800000000%X", g.bytes(28))
}

func eventWebLink(id string) string {
	return "https://outlook.office365.com/owa/?itemid=" + strings.ReplaceAll(id, "=", "%3D") + "&exvsurl=1&path=/calendar/item"
}

// calendarOf resolves a calendar id; "" is the default calendar.
func (mb *mailbox) calendarOf(id string) *calendar {
	for _, c := range mb.calendars {
		if (id == "" && c.Default) || c.ID == id {
			return c
		}
	}
	return nil
}

// instances lists a calendar's events (no series masters) overlapping
// [start, end), by start then id.
func (mb *mailbox) instances(cal *calendar, start, end time.Time) []*event {
	var out []*event
	for _, e := range mb.events {
		if e.CalendarID == cal.ID && e.Type != model.EventSeries && e.overlaps(start, end) {
			out = append(out, e)
		}
	}
	sortEvents(out)
	return out
}

func sortEvents(es []*event) {
	sort.Slice(es, func(i, j int) bool {
		if !es[i].Start.Equal(es[j].Start) {
			return es[i].Start.Before(es[j].Start)
		}
		return es[i].ID < es[j].ID
	})
}

// ---- truth and live changes ----

// Calendars returns the consultant's calendars, the default first.
func (s *Server) Calendars() []model.Calendar {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.Calendar
	for _, c := range s.mb.calendars {
		out = append(out, model.Calendar{ID: c.ID, Name: c.Name, IsDefault: c.Default, CanEdit: c.CanEdit, Owner: c.Owner.recipient()})
	}
	return out
}

// Events returns every event instance (occurrences, exceptions and single
// instances; no series masters) of every calendar, by start: what a correct
// sync over a window must hold of it.
func (s *Server) Events() []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var es []*event
	for _, e := range s.mb.events {
		if e.Type != model.EventSeries {
			es = append(es, e)
		}
	}
	sortEvents(es)
	out := make([]model.Event, len(es))
	for i, e := range es {
		out[i] = e.model()
	}
	return out
}

func (e *event) model() model.Event {
	m := model.Event{
		ID: e.ID, CalendarID: e.CalendarID, ICalUID: e.ICalUID, Subject: e.Subject, Type: e.Type, SeriesMasterID: e.SeriesMasterID,
		Start: e.Start, End: e.End, IsAllDay: e.AllDay, TimeZone: e.Zone, EndTimeZone: e.Zone,
		IsCancelled: e.Cancelled, IsOnlineMeeting: e.Online, OnlineMeetingProvider: e.Provider,
		IsOrganizer: e.IsOrganizer, Organizer: e.Organizer.recipient(), ShowAs: e.ShowAs,
		WebLink: eventWebLink(e.ID), ChangeKey: e.ChangeKey,
	}
	if e.AllDay {
		m.StartDate, m.EndDate = e.Start.Format("2006-01-02"), e.End.Format("2006-01-02")
	}
	for _, a := range e.Attendees {
		m.Attendees = append(m.Attendees, model.Attendee{Type: a.typ, Response: a.response, Email: a.who.recipient()})
	}
	return m
}

// AddEvent puts a single-instance event into a calendar ("" = the default)
// and returns it as stored. Start/End are instants; for an all-day event,
// give IsAllDay and StartDate/EndDate ("2026-11-01", end exclusive).
// Organizer defaults to the consultant; TimeZone to "Eastern Standard Time".
func (s *Server) AddEvent(calendarID string, ev model.Event) (model.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mb.calendarOf(calendarID)
	if cal == nil {
		return model.Event{}, fmt.Errorf("graphsim: no calendar %q", calendarID)
	}
	g := idGen{s.live}
	now := time.Now().UTC().Truncate(time.Second)
	e := &event{
		ID: g.eventID(), CalendarID: cal.ID, ICalUID: g.iCalUID(), Subject: ev.Subject, Type: model.EventSingle,
		Start: ev.Start.UTC(), End: ev.End.UTC(), AllDay: ev.IsAllDay, Zone: ev.TimeZone, Cancelled: ev.IsCancelled,
		Online: ev.IsOnlineMeeting, Provider: ev.OnlineMeetingProvider, ShowAs: "busy", Importance: "normal",
		Created: now, Modified: now, ChangeKey: g.changeKey(), Categories: []string{},
	}
	if e.Zone == "" {
		e.Zone = "Eastern Standard Time"
	}
	if e.Provider == "" {
		e.Provider = "unknown"
		if e.Online {
			e.Provider = "teamsForBusiness"
		}
	}
	if ev.IsAllDay {
		var err1, err2 error
		e.Start, err1 = time.Parse("2006-01-02", ev.StartDate)
		e.End, err2 = time.Parse("2006-01-02", ev.EndDate)
		if err1 != nil || err2 != nil {
			return model.Event{}, fmt.Errorf("graphsim: all-day event needs StartDate and EndDate")
		}
	}
	me := person{s.tenant.me.name, s.tenant.me.mail}
	e.Organizer, e.IsOrganizer = me, true
	if ev.Organizer.Address != "" && !strings.EqualFold(ev.Organizer.Address, me.address) {
		e.Organizer, e.IsOrganizer = person{ev.Organizer.Name, ev.Organizer.Address}, false
	}
	for _, a := range ev.Attendees {
		typ := a.Type
		if typ == "" {
			typ = "required"
		}
		e.Attendees = append(e.Attendees, attendee{who: person{a.Email.Name, a.Email.Address}, typ: typ, response: "none"})
	}
	s.mb.seq++
	e.changed = s.mb.seq
	s.mb.events[e.ID] = e
	return e.model(), nil
}

// UpdateEvent changes an event: subject, times (both or neither), the
// cancelled flag and the online flag are taken from change when set. A
// change shows up in the next delta round; an event moved out of a delta's
// window shows up there as @removed.
func (s *Server) UpdateEvent(id string, change func(*model.Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.mb.events[id]
	if e == nil {
		return fmt.Errorf("graphsim: no event %q", id)
	}
	m := e.model()
	change(&m)
	e.Subject, e.Cancelled, e.Online = m.Subject, m.IsCancelled, m.IsOnlineMeeting
	if e.AllDay {
		if st, err := time.Parse("2006-01-02", m.StartDate); err == nil {
			e.Start = st
		}
		if en, err := time.Parse("2006-01-02", m.EndDate); err == nil {
			e.End = en
		}
	} else {
		e.Start, e.End = m.Start.UTC(), m.End.UTC()
	}
	if e.Type == model.EventOccurrence && (!m.Start.Equal(e.OriginalStart) || m.IsCancelled) {
		e.Type = model.EventException
	}
	s.mb.seq++
	e.changed = s.mb.seq
	e.ChangeKey = idGen{s.live}.changeKey()
	e.Modified = time.Now().UTC().Truncate(time.Second)
	return nil
}

// DeleteEvent removes an event for good; the next delta round reports it
// @removed.
func (s *Server) DeleteEvent(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.mb.events[id]
	if e == nil {
		return fmt.Errorf("graphsim: no event %q", id)
	}
	s.mb.seq++
	s.mb.eventsGone = append(s.mb.eventsGone, eventTombstone{id: id, calendar: e.CalendarID, seq: s.mb.seq})
	delete(s.mb.events, id)
	return nil
}
