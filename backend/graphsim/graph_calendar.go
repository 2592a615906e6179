package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rapport/backend/model"
)

// Calendar endpoints, shaped like user-list-calendars.1.json,
// user-list-calendarview.1.json, event-delta.1.json and
// delta-query-events.*.json. As on v1.0, change tracking exists only for
// the default calendar's view (/me/calendarView/delta); other calendars are
// read by listing their calendarView.

var (
	scopesCalendar = []string{"calendars.readbasic", "calendars.read", "calendars.readwrite", "calendars.read.shared"}
	// scopesCalendarBody are the only ones that may see body and bodyPreview.
	scopesCalendarBody = []string{"calendars.read", "calendars.readwrite", "calendars.read.shared"}
)

func (c *graphCall) denyCalendar() bool {
	if !c.has(scopesCalendar) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return true
	}
	return false
}

func (s *Server) calendarObject(c *graphCall, cal *calendar) object {
	providers := []string{"teamsForBusiness"}
	return object{
		{"@odata.id", fmt.Sprintf("%s/v1.0/users('%s@%s')/calendars('%s')", c.base, c.user.graphID, c.user.tid, cal.ID)},
		{"id", cal.ID},
		{"name", cal.Name},
		{"color", cal.Color},
		{"changeKey", cal.ChangeKey},
		{"canShare", cal.CanEdit},
		{"canViewPrivateItems", cal.CanEdit},
		{"hexColor", cal.HexColor},
		{"canEdit", cal.CanEdit},
		{"allowedOnlineMeetingProviders", providers},
		{"defaultOnlineMeetingProvider", "teamsForBusiness"},
		{"isTallyingResponses", cal.CanEdit},
		{"isRemovable", cal.Removable},
		{"isDefaultCalendar", cal.Default},
		{"owner", object{{"name", cal.Owner.name}, {"address", cal.Owner.address}}},
	}
}

var calendarProps = []string{"id", "name", "color", "changeKey", "canShare", "canViewPrivateItems", "hexColor", "canEdit",
	"allowedOnlineMeetingProviders", "defaultOnlineMeetingProvider", "isTallyingResponses", "isRemovable", "isDefaultCalendar", "owner"}

// getCalendar serves /me/calendar (ref "") and /me/calendars/{id}.
func (s *Server) getCalendar(c *graphCall, ref string) {
	if c.denyCalendar() {
		return
	}
	sel, bad := parseSelect(c.q.Get("$select"), calendarProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.calendar'.", bad))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mb.calendarOf(ref)
	if cal == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	o := s.calendarObject(c, cal)
	if sel != nil {
		o = project(o, append(sel, "@odata.id"), "id")
	}
	out := append(object{{"@odata.context", fmt.Sprintf("%s/v1.0/$metadata#users('%s')/calendars/$entity", c.base, c.user.graphID)}}, o...)
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// listCalendars serves /me/calendars, 10 per page unless $top.
func (s *Server) listCalendars(c *graphCall) {
	if c.denyCalendar() {
		return
	}
	sel, bad := parseSelect(c.q.Get("$select"), calendarProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.calendar'.", bad))
		return
	}
	skip, top, ok := skipTop(c, 10)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	values := []object{}
	for i := skip; i < len(s.mb.calendars) && i < skip+top; i++ {
		o := s.calendarObject(c, s.mb.calendars[i])
		if sel != nil {
			o = project(o, append(sel, "@odata.id"), "id")
		}
		values = append(values, o)
	}
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#me/calendars"}, {"value", values}}
	if skip+top < len(s.mb.calendars) {
		out = append(out, field{"@odata.nextLink", nextSkipLink(c, skip+top)})
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// qget reads a query parameter by name case-insensitively, as Graph does
// for startDateTime/endDateTime (the docs' own examples use lower case).
func qget(q url.Values, name string) string {
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func parseWindowTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// window reads startDateTime/endDateTime; ok=false means an error was written.
func window(c *graphCall) (start, end time.Time, ok bool) {
	sv, ev := qget(c.q, "startDateTime"), qget(c.q, "endDateTime")
	if sv == "" || ev == "" {
		c.fail(http.StatusBadRequest, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
		return start, end, false
	}
	start, ok1 := parseWindowTime(sv)
	end, ok2 := parseWindowTime(ev)
	if !ok1 || !ok2 || !end.After(start) {
		c.fail(http.StatusBadRequest, "ErrorInvalidParameter", "The value of the StartDateTime or EndDateTime parameter is invalid.")
		return start, end, false
	}
	return start, end, true
}

// preferTimeZone reads Prefer: outlook.timezone="…" ("" = UTC, Graph's default).
func preferTimeZone(r *http.Request) string {
	for _, h := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			p = strings.TrimSpace(p)
			if v, ok := strings.CutPrefix(p, "outlook.timezone="); ok {
				return strings.Trim(v, `"`)
			}
		}
	}
	return ""
}

// dateTimeTimeZone renders an instant as Graph's {dateTime, timeZone}; an
// all-day event's dates are written as they are in every zone.
func dateTimeTimeZone(t time.Time, allDay bool, tz string) object {
	name := tz
	if name == "" {
		name = "UTC"
	}
	if allDay {
		return object{{"dateTime", t.UTC().Format("2006-01-02") + "T00:00:00.0000000"}, {"timeZone", name}}
	}
	return object{{"dateTime", t.In(zone(name)).Format("2006-01-02T15:04:05.0000000")}, {"timeZone", name}}
}

var eventProps = []string{
	"id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "transactionId", "originalStartTimeZone",
	"originalEndTimeZone", "iCalUId", "reminderMinutesBeforeStart", "isReminderOn", "hasAttachments", "subject", "bodyPreview",
	"importance", "sensitivity", "isAllDay", "isCancelled", "isOrganizer", "responseRequested", "seriesMasterId", "showAs",
	"type", "webLink", "onlineMeetingUrl", "isOnlineMeeting", "onlineMeetingProvider", "allowNewTimeProposals", "isDraft",
	"hideAttendees", "responseStatus", "body", "start", "end", "originalStart", "location", "locations", "recurrence",
	"attendees", "organizer", "onlineMeeting",
}

// eventObject renders e as Graph does, in zone tz ("" = UTC), without body
// properties unless withBody (only Calendars.Read and above see them).
func (s *Server) eventObject(e *event, tz string, withBody bool) object {
	nullable := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	response := "none"
	var responseTime = "0001-01-01T00:00:00Z"
	if e.IsOrganizer {
		response, responseTime = "organizer", graphTime(e.Created)
	} else {
		for _, a := range e.Attendees {
			if strings.EqualFold(a.who.address, s.mb.meAddress) {
				response = a.response
				if response != "none" {
					responseTime = graphTime(e.Created.Add(time.Hour))
				}
			}
		}
	}
	attendees := []object{}
	for _, a := range e.Attendees {
		at := "0001-01-01T00:00:00Z"
		if a.response != "none" {
			at = graphTime(e.Created.Add(2 * time.Hour))
		}
		attendees = append(attendees, object{
			{"type", a.typ},
			{"status", object{{"response", a.response}, {"time", at}}},
			{"emailAddress", object{{"name", a.who.name}, {"address", a.who.address}}},
		})
	}
	loc := object{
		{"displayName", e.Location},
		{"locationType", "default"},
		{"uniqueIdType", "unknown"},
		{"address", object{{"street", e.Street}, {"city", e.City}, {"state", ""}, {"countryOrRegion", ""}, {"postalCode", ""}}},
		{"coordinates", object{}},
	}
	if e.Location != "" {
		loc = append(loc, field{"uniqueId", e.Location})
	}
	var locations []object
	if e.Location != "" {
		locations = []object{loc}
	} else {
		locations = []object{}
	}
	var onlineMeeting any
	if e.Online {
		onlineMeeting = object{{"joinUrl", "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + strings.TrimRight(e.ID[len(e.ID)-20:], "=") + "%40thread.v2/0"}}
	}
	o := object{
		{"@odata.type", "#microsoft.graph.event"},
		{"@odata.etag", `W/"` + e.ChangeKey + `"`},
		{"id", e.ID},
		{"createdDateTime", graphTime(e.Created)},
		{"lastModifiedDateTime", graphTime(e.Modified)},
		{"changeKey", e.ChangeKey},
		{"categories", append([]string{}, e.Categories...)},
		{"transactionId", nil},
		{"originalStartTimeZone", e.Zone},
		{"originalEndTimeZone", e.Zone},
		{"iCalUId", e.ICalUID},
		{"reminderMinutesBeforeStart", 15},
		{"isReminderOn", !e.AllDay},
		{"hasAttachments", false},
		{"subject", e.Subject},
	}
	if withBody {
		o = append(o, field{"bodyPreview", ""})
	}
	o = append(o,
		field{"importance", e.Importance},
		field{"sensitivity", "normal"},
		field{"isAllDay", e.AllDay},
		field{"isCancelled", e.Cancelled},
		field{"isOrganizer", e.IsOrganizer},
		field{"responseRequested", true},
		field{"seriesMasterId", nullable(e.SeriesMasterID)},
		field{"showAs", e.ShowAs},
		field{"type", e.Type},
		field{"webLink", eventWebLink(e.ID)},
		field{"onlineMeetingUrl", nil},
		field{"isOnlineMeeting", e.Online},
		field{"onlineMeetingProvider", e.Provider},
		field{"allowNewTimeProposals", true},
		field{"isDraft", false},
		field{"hideAttendees", false},
		field{"responseStatus", object{{"response", response}, {"time", responseTime}}},
	)
	if withBody {
		o = append(o, field{"body", object{{"contentType", "html"}, {"content", ""}}})
	}
	o = append(o,
		field{"start", dateTimeTimeZone(e.Start, e.AllDay, tz)},
		field{"end", dateTimeTimeZone(e.End, e.AllDay, tz)},
	)
	if e.Type == model.EventOccurrence || e.Type == model.EventException {
		o = append(o, field{"originalStart", graphTime(e.OriginalStart)})
	}
	var recurrence any
	if e.Type == model.EventSeries {
		recurrence = object{{"pattern", object{{"type", "weekly"}, {"interval", 1}}}, {"range", object{{"type", "noEnd"}}}}
	}
	o = append(o,
		field{"location", loc},
		field{"locations", locations},
		field{"recurrence", recurrence},
		field{"attendees", attendees},
		field{"organizer", object{{"emailAddress", object{{"name", e.Organizer.name}, {"address", e.Organizer.address}}}}},
		field{"onlineMeeting", onlineMeeting},
	)
	return o
}

// eventSelect validates $select for events; asking for a body without
// Calendars.Read is refused. ok=false means an error was written.
func eventSelect(c *graphCall) (sel []string, withBody, ok bool) {
	sel, bad := parseSelect(c.q.Get("$select"), eventProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.event'.", bad))
		return nil, false, false
	}
	canBody := c.has(scopesCalendarBody)
	for _, p := range sel {
		if (p == "body" || p == "bodyPreview") && !canBody {
			c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
			return nil, false, false
		}
	}
	return sel, canBody, true
}

// calendarView serves GET /me/calendarView (ref "") and
// /me/calendars/{id}/calendarView: the instances in a window, paged by
// $top/$skip or Prefer: odata.maxpagesize.
func (s *Server) calendarView(c *graphCall, ref string) {
	if c.denyCalendar() {
		return
	}
	start, end, ok := window(c)
	if !ok {
		return
	}
	sel, withBody, ok := eventSelect(c)
	if !ok {
		return
	}
	skip, top, ok := skipTop(c, 10)
	if !ok {
		return
	}
	if n := preferMaxPageSize(c.r); n > 0 && c.q.Get("$top") == "" {
		top = min(n, s.opts.PageCap)
	}
	tz := preferTimeZone(c.r)
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mb.calendarOf(ref)
	if cal == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	all := s.mb.instances(cal, start, end)
	values := []object{}
	for i := skip; i < len(all) && i < skip+top; i++ {
		o := s.eventObject(all[i], tz, withBody)
		if sel != nil {
			o = projectKeepType(o, sel)
		}
		values = append(values, o)
	}
	ctx := fmt.Sprintf("%s/v1.0/$metadata#users('%s')/calendarView", c.base, c.user.graphID)
	if ref != "" {
		ctx = fmt.Sprintf("%s/v1.0/$metadata#users('%s')/calendars('%s')/calendarView", c.base, c.user.graphID, cal.ID)
	}
	out := object{{"@odata.context", ctx}, {"value", values}}
	if skip+top < len(all) {
		out = append(out, field{"@odata.nextLink", nextSkipLink(c, skip+top)})
	}
	if tz != "" {
		c.w.Header().Set("Preference-Applied", `outlook.timezone="`+tz+`"`)
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// calendarViewDelta serves GET /me/calendarView/delta for the default
// calendar. The first request fixes the window for every token after it.
// A delta round reports events changed since the last round that are in the
// window, and @removed for events deleted — and for events changed or added
// outside the window, as Graph documents.
func (s *Server) calendarViewDelta(c *graphCall) {
	if c.denyCalendar() {
		return
	}
	skip, dtok := c.q.Get("$skiptoken"), c.q.Get("$deltatoken")
	var spec roundSpec
	if skip == "" && dtok == "" {
		for _, unsupported := range []string{"$select", "$filter", "$orderby", "$expand", "$search"} {
			if c.q.Get(unsupported) != "" {
				c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", fmt.Sprintf("The following parameters are not supported with change tracking over the 'CalendarView' resource: '%s'.", unsupported))
				return
			}
		}
		start, end, ok := window(c)
		if !ok {
			return
		}
		spec = roundSpec{winStart: start, winEnd: end}
	}
	size, applied := s.pageSize(c.r)
	tz := preferTimeZone(c.r)
	withBody := c.has(scopesCalendarBody)
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.mb.calendarOf("")
	key := "#calendarView:" + cal.ID
	var rd *round
	offset := 0
	switch {
	case skip != "":
		st := s.tokens.m[skip]
		if st == nil || st.delta || st.spec.folderID != key {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd, offset = st.round, st.offset
	case dtok != "":
		st := s.tokens.m[dtok]
		if st == nil || !st.delta || st.spec.folderID != key {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd = s.startCalendarRound(cal, st.spec, st.since)
	default:
		spec.folderID = key
		rd = s.startCalendarRound(cal, spec, fullRound)
	}
	end := min(offset+size, len(rd.items))
	values := []object{}
	for _, it := range rd.items[offset:end] {
		e := s.mb.events[it.id]
		if it.removed || e == nil || !e.overlaps(rd.spec.winStart, rd.spec.winEnd) {
			values = append(values, object{{"@odata.type", "#microsoft.graph.event"}, {"id", it.id}, {"@removed", object{{"reason", "deleted"}}}})
			continue
		}
		values = append(values, s.hostile(e.ID, s.eventObject(e, tz, withBody))) // hostile.go
	}
	link := c.base + "/v1.0/me/calendarView/delta?"
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#Collection(event)"}}
	if end < len(rd.items) {
		out = append(out, field{"@odata.nextLink", link + "$skiptoken=" + s.tokens.put(&tokenState{spec: rd.spec, round: rd, offset: end})})
	} else {
		out = append(out, field{"@odata.deltaLink", link + "$deltatoken=" + s.tokens.put(&tokenState{spec: rd.spec, since: rd.upto, delta: true})})
	}
	out = append(out, field{"value", values})
	if applied != "" {
		c.w.Header().Set("Preference-Applied", applied)
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// startCalendarRound snapshots a calendar round: every instance in the
// window (fullRound), or what changed after since. Callers hold s.mu.
func (s *Server) startCalendarRound(cal *calendar, spec roundSpec, since int64) *round {
	rd := &round{spec: spec, upto: s.mb.seq}
	if since == fullRound {
		for _, e := range s.mb.instances(cal, spec.winStart, spec.winEnd) {
			rd.items = append(rd.items, deltaItem{id: e.ID})
		}
		return rd
	}
	seen := map[string]bool{}
	for _, t := range s.mb.eventsGone {
		if t.seq > since && t.calendar == cal.ID && !seen[t.id] {
			seen[t.id] = true
			rd.items = append(rd.items, deltaItem{id: t.id, removed: true})
		}
	}
	var changed []*event
	for _, e := range s.mb.events {
		if e.CalendarID == cal.ID && e.Type != model.EventSeries && e.changed > since {
			changed = append(changed, e)
		}
	}
	sortEvents(changed)
	for _, e := range changed {
		// In the window: the event; outside it: @removed (rendered so when served).
		rd.items = append(rd.items, deltaItem{id: e.ID, removed: !e.overlaps(spec.winStart, spec.winEnd)})
	}
	return rd
}

// getEvent serves GET /me/events/{id} (series masters included).
func (s *Server) getEvent(c *graphCall, id string) {
	if c.denyCalendar() {
		return
	}
	sel, withBody, ok := eventSelect(c)
	if !ok {
		return
	}
	tz := preferTimeZone(c.r)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.mb.events[id]
	if e == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	o := s.eventObject(e, tz, withBody)
	if sel != nil {
		o = projectKeepType(o, sel)
	}
	out := append(object{{"@odata.context", fmt.Sprintf("%s/v1.0/$metadata#users('%s')/events/$entity", c.base, c.user.graphID)}}, o...)
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}
