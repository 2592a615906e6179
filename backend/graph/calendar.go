package graph

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Windows has no zone database; event times may name any zone

	"rapport/backend/model"
)

// Calendar endpoints. v1.0 documents change tracking only for the default
// calendar (/me/calendarView/delta); /me/calendars/{id}/calendarView/delta
// is documented for beta only, so other calendars are read by a windowed
// calendarView listing, diffed against the store by the caller.

// CalendarViewDeltaURL is the first request of a calendar delta round over
// [start, end). The window is fixed in the tokens that follow: sliding it
// means a new round from this URL.
func CalendarViewDeltaURL(start, end time.Time) string {
	return "/me/calendarView/delta?startDateTime=" + url.QueryEscape(start.UTC().Format(time.RFC3339)) +
		"&endDateTime=" + url.QueryEscape(end.UTC().Format(time.RFC3339))
}

// eventSelect names the metadata a listing asks for (delta takes no $select).
const eventSelect = "id,type,seriesMasterId,iCalUId,subject,start,end,isAllDay,originalStartTimeZone,originalEndTimeZone," +
	"isCancelled,isOnlineMeeting,onlineMeetingProvider,isOrganizer,organizer,attendees,showAs,webLink,changeKey"

// CalendarViewURL lists the events of one calendar in [start, end).
func CalendarViewURL(calendarID string, start, end time.Time, pageSize int) string {
	if pageSize <= 0 || pageSize > 1000 {
		pageSize = 100
	}
	return "/me/calendars/" + url.PathEscape(calendarID) + "/calendarView?startDateTime=" + url.QueryEscape(start.UTC().Format(time.RFC3339)) +
		"&endDateTime=" + url.QueryEscape(end.UTC().Format(time.RFC3339)) + "&$select=" + eventSelect + fmt.Sprintf("&$top=%d", pageSize)
}

type calendarJSON struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	CanEdit           flexBool        `json:"canEdit"`
	IsDefaultCalendar *flexBool       `json:"isDefaultCalendar"`
	Owner             model.Recipient `json:"owner"`
}

type calendarPage struct {
	Value    []calendarJSON `json:"value"`
	NextLink string         `json:"@odata.nextLink"`
}

// Calendars lists the user's calendars, the default one marked.
func (c *Client) Calendars(ctx context.Context) ([]model.Calendar, error) {
	// One request: the list says which calendar is the default
	// (isDefaultCalendar); /me/calendar is asked only if no entry does.
	var out []model.Calendar
	flagged := false
	for link := "/me/calendars?$select=id,name,canEdit,owner,isDefaultCalendar&$top=100"; link != ""; {
		var p calendarPage
		if err := c.get(ctx, link, immutableIDs, &p); err != nil {
			return nil, err
		}
		for _, j := range p.Value {
			def := j.IsDefaultCalendar != nil && bool(*j.IsDefaultCalendar)
			flagged = flagged || def
			out = append(out, model.Calendar{ID: j.ID, Name: j.Name, CanEdit: bool(j.CanEdit), Owner: j.Owner, IsDefault: def})
		}
		link = p.NextLink
	}
	if !flagged && len(out) > 0 {
		var def calendarJSON
		if err := c.get(ctx, "/me/calendar?$select=id,name", immutableIDs, &def); err != nil {
			return nil, err
		}
		for i := range out {
			out[i].IsDefault = out[i].ID == def.ID
		}
	}
	return out, nil
}

type dateTimeTZ struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

type attendeeJSON struct {
	Type   string `json:"type"`
	Status *struct {
		Response string `json:"response"`
	} `json:"status"`
	EmailAddress model.Recipient `json:"emailAddress"`
}

type eventJSON struct {
	ID                    string         `json:"id"`
	Removed               *removedMark   `json:"@removed"`
	Type                  string         `json:"type"`
	SeriesMasterID        string         `json:"seriesMasterId"`
	ICalUID               string         `json:"iCalUId"`
	Subject               string         `json:"subject"`
	Start                 *dateTimeTZ    `json:"start"`
	End                   *dateTimeTZ    `json:"end"`
	IsAllDay              flexBool       `json:"isAllDay"`
	OriginalStartTimeZone string         `json:"originalStartTimeZone"`
	OriginalEndTimeZone   string         `json:"originalEndTimeZone"`
	IsCancelled           flexBool       `json:"isCancelled"`
	IsOnlineMeeting       flexBool       `json:"isOnlineMeeting"`
	OnlineMeetingProvider string         `json:"onlineMeetingProvider"`
	IsOrganizer           flexBool       `json:"isOrganizer"`
	Organizer             *recipientJSON `json:"organizer"`
	Attendees             []attendeeJSON `json:"attendees"`
	ShowAs                string         `json:"showAs"`
	WebLink               string         `json:"webLink"`
	ChangeKey             string         `json:"changeKey"`
}

type eventPage struct {
	Value     []eventJSON `json:"value"`
	NextLink  string      `json:"@odata.nextLink"`
	DeltaLink string      `json:"@odata.deltaLink"`
	notes     []string    // items only partly read or skipped
}

// EventsDelta fetches one calendar delta page (a stored link or the URL from
// CalendarViewDeltaURL). Times come back in UTC: Rapport never sends
// Prefer: outlook.timezone.
func (c *Client) EventsDelta(ctx context.Context, link string) (model.Page[model.Event], error) {
	headers := map[string]string{"Prefer": fmt.Sprintf(`IdType="ImmutableId", odata.maxpagesize=%d`, c.PageSize)}
	var p eventPage
	if err := c.get(ctx, link, headers, &p); err != nil {
		return model.Page[model.Event]{}, err
	}
	if p.NextLink == "" && p.DeltaLink == "" {
		return model.Page[model.Event]{}, fmt.Errorf("graph: delta page without nextLink or deltaLink")
	}
	page, notes, err := decodeEventPageNotes(p)
	c.logNotes(append(p.notes, notes...))
	return page, err
}

// CalendarView fetches one page of a calendarView listing; the last page
// has neither link.
func (c *Client) CalendarView(ctx context.Context, link string) (model.Page[model.Event], error) {
	var p eventPage
	if err := c.get(ctx, link, immutableIDs, &p); err != nil {
		return model.Page[model.Event]{}, err
	}
	p.DeltaLink = ""
	page, notes, err := decodeEventPageNotes(p)
	c.logNotes(append(p.notes, notes...))
	return page, err
}

func decodeEventPage(p eventPage) (model.Page[model.Event], error) {
	page, _, err := decodeEventPageNotes(p)
	return page, err
}

// decodeEventPageNotes also returns a note per event it had to skip: an
// event without a readable start or end has no place on a timeline, and
// failing the page for it would stop the whole calendar for good.
func decodeEventPageNotes(p eventPage) (model.Page[model.Event], []string, error) {
	var notes []string
	out := model.Page[model.Event]{NextLink: p.NextLink, DeltaLink: p.DeltaLink}
	for _, j := range p.Value {
		if j.ID == "" {
			continue
		}
		if j.Removed != nil {
			out.Removed = append(out.Removed, j.ID)
			continue
		}
		ev := model.Event{
			ID: j.ID, ICalUID: j.ICalUID, Subject: j.Subject, Type: j.Type, SeriesMasterID: j.SeriesMasterID,
			IsAllDay: bool(j.IsAllDay), TimeZone: j.OriginalStartTimeZone, EndTimeZone: j.OriginalEndTimeZone,
			IsCancelled: bool(j.IsCancelled), IsOnlineMeeting: bool(j.IsOnlineMeeting),
			OnlineMeetingProvider: j.OnlineMeetingProvider, IsOrganizer: bool(j.IsOrganizer),
			ShowAs: j.ShowAs, WebLink: j.WebLink, ChangeKey: j.ChangeKey,
		}
		if ev.Type == "" {
			ev.Type = model.EventSingle
		}
		if ev.Type == model.EventSeries {
			continue // calendarView never returns masters; be safe if one comes
		}
		if j.Organizer != nil {
			ev.Organizer = j.Organizer.EmailAddress
		}
		for _, a := range j.Attendees {
			at := model.Attendee{Type: a.Type, Email: a.EmailAddress}
			if a.Status != nil {
				at.Response = a.Status.Response
			}
			ev.Attendees = append(ev.Attendees, at)
		}
		if j.Start == nil || j.End == nil {
			notes = append(notes, fmt.Sprintf("event %s has no start or end; skipped", j.ID))
			continue
		}
		if ev.IsAllDay {
			// An all-day event is a span of dates, not of instants: keep the
			// dates as written, so no time zone or DST change can move it.
			ev.StartDate, ev.EndDate = datePart(j.Start.DateTime), datePart(j.End.DateTime)
			ev.Start, _ = time.Parse("2006-01-02", ev.StartDate)
			ev.End, _ = time.Parse("2006-01-02", ev.EndDate)
		} else {
			var ok1, ok2 bool
			ev.Start, ok1 = j.Start.instant()
			ev.End, ok2 = j.End.instant()
			if !ok1 || !ok2 {
				notes = append(notes, fmt.Sprintf("event %s has an unreadable start or end; skipped", j.ID))
				continue
			}
		}
		out.Items = append(out.Items, ev)
	}
	return out, notes, nil
}

func datePart(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// instant reads Graph's {dateTime, timeZone} pair. dateTime has no offset;
// timeZone says where the wall clock is — "UTC" unless someone asked for
// another zone, in which case both IANA and Windows names are understood.
func (d dateTimeTZ) instant() (time.Time, bool) {
	loc := zoneLocation(d.TimeZone)
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, d.DateTime, loc); err == nil {
			return t.UTC(), true
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, d.DateTime); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// windowsZones maps the Windows zone names Outlook uses to IANA names (the
// common ones; CLDR's windowsZones.xml is the full table).
var windowsZones = map[string]string{
	"Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
	"Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix",
	"Pacific Standard Time": "America/Los_Angeles", "Alaskan Standard Time": "America/Anchorage",
	"Hawaiian Standard Time": "Pacific/Honolulu", "Atlantic Standard Time": "America/Halifax",
	"Canada Central Standard Time": "America/Regina", "E. South America Standard Time": "America/Sao_Paulo",
	"GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
	"W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
	"Central Europe Standard Time": "Europe/Budapest", "Central European Standard Time": "Europe/Warsaw",
	"E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest",
	"Russian Standard Time": "Europe/Moscow", "Israel Standard Time": "Asia/Jerusalem", "Arabian Standard Time": "Asia/Dubai",
	"India Standard Time": "Asia/Kolkata", "China Standard Time": "Asia/Shanghai", "Singapore Standard Time": "Asia/Singapore",
	"Tokyo Standard Time": "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul", "AUS Eastern Standard Time": "Australia/Sydney",
	"New Zealand Standard Time": "Pacific/Auckland", "South Africa Standard Time": "Africa/Johannesburg",
}

func zoneLocation(name string) *time.Location {
	n := strings.TrimSpace(name)
	switch strings.ToLower(n) {
	case "", "utc", "etc/utc", "coordinated universal time", "tzone://microsoft/utc":
		return time.UTC
	}
	if iana, ok := windowsZones[n]; ok {
		n = iana
	}
	if loc, err := time.LoadLocation(n); err == nil {
		return loc
	}
	return time.UTC
}
