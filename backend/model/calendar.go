package model

import "time"

// Calendar is one of the user's calendars as /me/calendars lists it.
type Calendar struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	IsDefault bool      `json:"isDefault"`
	CanEdit   bool      `json:"canEdit"`
	Owner     Recipient `json:"owner"`
}

// Event types as Graph names them. calendarView never returns series
// masters: a recurring series arrives as its occurrences and exceptions.
const (
	EventSingle     = "singleInstance"
	EventOccurrence = "occurrence"
	EventException  = "exception"
	EventSeries     = "seriesMaster"
)

// Attendee roles (participant roles on an event).
const (
	RoleOrganizer = "organizer"
	RoleRequired  = "required"
	RoleOptional  = "optional"
	RoleResource  = "resource"
)

// Attendee is one invitee of an event with their answer.
type Attendee struct {
	Type     string    `json:"type"` // required | optional | resource
	Response string    `json:"response"`
	Email    Recipient `json:"emailAddress"`
}

// Event is the metadata of one calendar item: a single instance, or one
// occurrence or exception of a series. Bodies are never requested.
type Event struct {
	ID             string `json:"id"` // immutable id; case-sensitive
	CalendarID     string `json:"calendarId"`
	ICalUID        string `json:"iCalUId"`
	Subject        string `json:"subject"`
	Type           string `json:"type"`
	SeriesMasterID string `json:"seriesMasterId"`
	// Start and End are instants in UTC. For all-day events they are the
	// dates' midnights in UTC and StartDate/EndDate carry the dates, which is
	// what must be shown (an all-day event has no time zone to shift by).
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	IsAllDay  bool      `json:"isAllDay"`
	StartDate string    `json:"startDate"` // "2026-11-01"; all-day only
	EndDate   string    `json:"endDate"`   // exclusive; all-day only
	// TimeZone is the zone the organizer created it in (Graph's
	// originalStartTimeZone, e.g. "Eastern Standard Time").
	TimeZone              string     `json:"timeZone"`
	EndTimeZone           string     `json:"endTimeZone"`
	IsCancelled           bool       `json:"isCancelled"`
	IsOnlineMeeting       bool       `json:"isOnlineMeeting"`
	OnlineMeetingProvider string     `json:"onlineMeetingProvider"`
	IsOrganizer           bool       `json:"isOrganizer"`
	Organizer             Recipient  `json:"organizer"`
	Attendees             []Attendee `json:"attendees"`
	ShowAs                string     `json:"showAs"`
	WebLink               string     `json:"webLink"`
	ChangeKey             string     `json:"changeKey"`
}

// EventRecord is an event ready to store: Graph's metadata plus its
// participants (organizer and attendees, roles organizer|required|optional|resource).
type EventRecord struct {
	Event
	Participants []Participant
}

// FolderView is a mail folder as the Settings screen lists it.
type FolderView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Path      string `json:"path"` // "Inbox/Clients"
	ParentID  string `json:"parentId"`
	WellKnown string `json:"wellKnown"`
	Hidden    bool   `json:"hidden"`
	Included  bool   `json:"included"`
	// Default says whether Rapport would sync it without a choice by the
	// user (Junk, Drafts, Outbox, Conversation History, Sync Issues: no).
	Default bool `json:"default"`
	Items   int  `json:"items"` // messages stored from it
	Total   int  `json:"total"` // messages the folder holds (Graph's totalItemCount)
}

// CalendarView is a calendar as the Settings screen lists it.
type CalendarView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	IsDefault bool   `json:"isDefault"`
	Included  bool   `json:"included"`
	Items     int    `json:"items"` // events stored from it
}

// SyncSettings are an account's history settings.
type SyncSettings struct {
	// HistoryDays is 30, 90 (default) or 180; 0 when HistorySince is set.
	HistoryDays int `json:"historyDays"`
	// HistorySince is a fixed first day chosen instead of a number of days.
	HistorySince *time.Time `json:"historySince"`
	// BackfillFrom is how far "Load older history" reaches (nil: never used).
	BackfillFrom *time.Time `json:"backfillFrom"`
	// HistoryStart is the effective start of the mirrored history now.
	HistoryStart time.Time `json:"historyStart"`
}

// BackfillStatus is the progress of "Load older history".
type BackfillStatus struct {
	From    time.Time `json:"from"`    // the date it reaches back to
	Items   int       `json:"items"`   // messages listed so far
	Total   int       `json:"total"`   // messages to list, when known
	Folders int       `json:"folders"` // folders still to finish
	Done    bool      `json:"done"`
}

// FirstSyncSummary is the "We found N messages, M meetings with K clients"
// card: what the first complete sync of an account brought in.
type FirstSyncSummary struct {
	Account  string    `json:"account"`
	Messages int       `json:"messages"` // stored messages (internal-only mail is never stored)
	Meetings int       `json:"meetings"` // stored, non-cancelled events
	Clients  int       `json:"clients"`  // clients with at least one linked item of the account
	At       time.Time `json:"at"`       // when the first sync completed
}

// Stream error actions (StreamStatus.Action).
const (
	ActionNone         = "none"
	ActionReauthorize  = "reauthorize"
	ActionAdminConsent = "admin-consent"
	ActionUnavailable  = "unavailable" // the mailbox cannot be synced (on-premises)
)
