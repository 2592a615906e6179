// Package model declares the nouns every other package shares (accounts,
// messages, clients, timeline items, sync streams) and the small interfaces
// between packages. It holds no logic beyond validation, so a reader can learn
// the system's vocabulary from this one package.
package model

import "time"

// Account is one signed-in Microsoft 365 identity. Tokens never live here:
// they stay in the auth package's protected cache, keyed by HomeAccountID.
type Account struct {
	ID            int64     `json:"id"`
	UPN           string    `json:"upn"`
	DisplayName   string    `json:"displayName"`
	Mail          string    `json:"mail"`
	TenantID      string    `json:"tenantId"`
	HomeAccountID string    `json:"homeAccountId"`
	Scopes        []string  `json:"scopes"`
	AddedAt       time.Time `json:"addedAt"`
	// State is AccountOK, or why the account cannot sync until the user acts
	// (AccountSignInRequired, AccountConsentRequired); its data stays.
	State string `json:"state"`
	// StateError is the sentence shown with a State other than AccountOK.
	StateError string `json:"stateError,omitempty"`
	// Claims is a pending claims challenge (conditional access) the next
	// interactive sign-in must answer. Not a secret.
	Claims string `json:"-"`
}

// Account states.
const (
	AccountOK              = "ok"
	AccountSignInRequired  = "signin_required"
	AccountConsentRequired = "consent_required"
)

// Recipient is Graph's emailAddress shape flattened.
type Recipient struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// MailFolder is a mailbox folder as /me/mailFolders describes it.
type MailFolder struct {
	ID               string `json:"id"`
	DisplayName      string `json:"displayName"`
	ParentFolderID   string `json:"parentFolderId"`
	ChildFolderCount int    `json:"childFolderCount"`
	TotalItemCount   int    `json:"totalItemCount"`
	UnreadItemCount  int    `json:"unreadItemCount"`
	IsHidden         bool   `json:"isHidden"`
	// WellKnown is set by the caller that asked for a folder by its well-known
	// name ("inbox", "sentitems"); Graph itself does not return it.
	WellKnown string `json:"wellKnown,omitempty"`
}

// Message is the metadata of one mail item. Bodies are never requested.
type Message struct {
	ID                string      `json:"id"` // immutable id; case-sensitive
	ParentFolderID    string      `json:"parentFolderId"`
	ConversationID    string      `json:"conversationId"`
	InternetMessageID string      `json:"internetMessageId"`
	Subject           string      `json:"subject"`
	From              Recipient   `json:"from"`
	To                []Recipient `json:"to"`
	Cc                []Recipient `json:"cc"`
	Bcc               []Recipient `json:"bcc"`
	SentAt            time.Time   `json:"sentAt"`
	ReceivedAt        time.Time   `json:"receivedAt"`
	IsRead            bool        `json:"isRead"`
	IsDraft           bool        `json:"isDraft"`
	HasAttachments    bool        `json:"hasAttachments"`
	Categories        []string    `json:"categories"`
	WebLink           string      `json:"webLink"`
	ChangeKey         string      `json:"changeKey"`
}

// Page is one page of a delta round: the items that were added or changed,
// the ids Graph reported as removed, and exactly one of NextLink (more pages
// in this round) or DeltaLink (round complete; poll this link next time).
type Page[T any] struct {
	Items     []T
	Removed   []string
	NextLink  string
	DeltaLink string
}

// Next is the link to the page after this one; "" on a round's last page.
func (p Page[T]) Next() string { return p.NextLink }

// Client is a customer of the consultant: the unit every view is grouped by.
type Client struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
}

// ClientSummary is a client with the few figures the client list shows.
type ClientSummary struct {
	Client
	Items       int        `json:"items"`
	LastContact *time.Time `json:"lastContact"`
}

// Item kinds and mail directions as they appear in timelines and --json.
const (
	KindMail    = "mail"
	KindMeeting = "meeting"
	KindFile    = "file"

	DirectionIn  = "in"
	DirectionOut = "out"
)

// TimelineItem is one row of a client's timeline. The JSON field names are
// part of the command-line contract (`rapport timeline --json`).
type TimelineItem struct {
	Kind        string    `json:"kind"`
	At          time.Time `json:"at"`
	Direction   string    `json:"direction,omitempty"`
	Counterpart string    `json:"counterpart"`
	Title       string    `json:"title"`
	WebLink     string    `json:"webLink,omitempty"`
	ItemID      string    `json:"itemId"`
	// AccountID orders items that share a time (keyset cursors); internal.
	AccountID int64 `json:"-"`
	// Meetings only (additive fields).
	End       *time.Time `json:"end,omitempty"`       // meeting end (UTC)
	AllDay    bool       `json:"allDay,omitempty"`    // an all-day event: show Date, not a time
	Date      string     `json:"date,omitempty"`      // all-day events: first day, "2026-11-01" (no time zone)
	EndDate   string     `json:"endDate,omitempty"`   // all-day events: day after the last, exclusive
	Cancelled bool       `json:"cancelled,omitempty"` // the organizer cancelled it: show as cancelled
	Online    bool       `json:"online,omitempty"`    // a Teams/Skype meeting
	// OnlineProvider is Graph's onlineMeetingProvider (teamsForBusiness,
	// skypeForBusiness, …) for online meetings.
	OnlineProvider string `json:"onlineProvider,omitempty"`
	// Files only (additive fields): what happened (created | edited |
	// renamed | moved | deleted) and where, as the path was at the time.
	Action string `json:"action,omitempty"`
	Path   string `json:"path,omitempty"`
}

// TimelinePage is a slice of a timeline, newest first. Cursor, when not
// empty, fetches the next (older) page.
type TimelinePage struct {
	Items  []TimelineItem `json:"items"`
	Cursor string         `json:"cursor"`
}

// Stream kinds.
const (
	StreamMail     = "mail"
	StreamCalendar = "calendar"
	StreamDrive    = "drive"
	// StreamMailBackfill is a bounded listing of one folder's older mail
	// ("Load older history"); it ends when it reaches the requested date.
	StreamMailBackfill = "mail-backfill"
)

// Stream is one delta cursor: a mail folder, a calendar window or a drive.
type Stream struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"accountId"`
	Kind       string     `json:"kind"`
	Resource   string     `json:"resource"` // folder id, calendar id, drive id
	Name       string     `json:"name"`     // display name ("Inbox")
	NextLink   string     `json:"-"`
	DeltaLink  string     `json:"-"`
	Items      int        `json:"items"`
	Total      int        `json:"total"` // denominator for progress when known
	LastSyncAt *time.Time `json:"lastSync"`
	LastError  string     `json:"error"`
	// WindowStart/WindowEnd bound what the stream mirrors: the mail delta's
	// receivedDateTime filter, the calendar window, a backfill segment.
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	// Hot streams (Inbox, Sent Items, the default calendar) are polled most often.
	Hot bool `json:"hot"`
	// LastAttemptAt is when a round last started or resumed.
	LastAttemptAt *time.Time `json:"lastAttempt"`
	// ErrorAction is what fixes LastError: see the Action* constants.
	ErrorAction string `json:"-"`
}

// StreamStatus and AccountStatus are what `rapport status --json` prints.
// The JSON names are a contract (`rapport status --json`, the UI); fields
// are only ever added.
type StreamStatus struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"`
	Resource string     `json:"resource"`
	Name     string     `json:"name"`
	Items    int        `json:"items"`
	Total    int        `json:"total"`
	LastSync *time.Time `json:"lastSync"`
	Error    string     `json:"error"`
	// State is "pending" (never completed), "syncing" (a round is part-way),
	// "ok" or "error".
	State string `json:"state"`
	// Action names what fixes Error: "reauthorize", "admin-consent",
	// "none" (Rapport retries by itself) or "" when there is no error.
	Action      string     `json:"action"`
	LastAttempt *time.Time `json:"lastAttempt"`
}

type AccountStatus struct {
	UPN         string         `json:"upn"`
	DisplayName string         `json:"displayName"`
	Streams     []StreamStatus `json:"streams"`
	// Offline: Microsoft 365 cannot be reached for this account right now.
	Offline bool `json:"offline"`
	// Error is why its folders or calendars could not be listed ("" when
	// they could), with the Action that fixes it — e.g. an on-premises
	// mailbox, which has no streams to carry the error.
	Error  string `json:"error"`
	Action string `json:"action"`
	// AdminConsentURL is set when Action (or a stream's) is admin-consent:
	// the link to send to the tenant's administrator.
	AdminConsentURL string `json:"adminConsentUrl,omitempty"`
	// LastSync is the newest successful round of any of its streams.
	LastSync *time.Time `json:"lastSync"`
	// FirstSync is set once every stream completed its first round.
	FirstSync *FirstSyncSummary `json:"firstSync"`
	// Listing: its folders and calendars have never been listed completely,
	// so its first sync's streams are not all known yet (the largest folder
	// starts before the others are listed).
	Listing bool `json:"listing"`
	// Backfill reports "Load older history" while it runs (nil otherwise).
	Backfill *BackfillStatus `json:"backfill"`
	// FilesEnabled: the OneDrive and SharePoint scopes are granted.
	// FilesError is why drives do not sync (the scopes are missing, or the
	// OneDrive could not be listed) with FilesAction that fixes it; "" when
	// they sync.
	FilesEnabled bool   `json:"filesEnabled"`
	FilesError   string `json:"filesError"`
	FilesAction  string `json:"filesAction"`
}

type Status struct {
	Accounts []AccountStatus `json:"accounts"`
	Syncing  bool            `json:"syncing"`
	Demo     bool            `json:"demo"`
	LastSync *time.Time      `json:"lastSync"`
	// Offline: no account's service can be reached (no network); the views
	// keep working from the local store and sync resumes by itself.
	Offline bool `json:"offline"`
	// Focused mirrors SetFocused: polls run every 15 s instead of 60 s.
	Focused bool `json:"focused"`
}

// Participant roles on a message.
const (
	RoleFrom = "from"
	RoleTo   = "to"
	RoleCc   = "cc"
	RoleBcc  = "bcc"
)

// Participant is one address on a message, with its registrable domain
// (public-suffix aware) precomputed so client matching is an index join.
type Participant struct {
	Role    string `json:"role"`
	Name    string `json:"name"`
	Address string `json:"address"` // lower-cased
	Domain  string `json:"domain"`  // registrable domain, lower-cased
}

// MailRecord is a message ready to store: Graph's metadata plus what the
// clients package decided about it (direction, participants).
type MailRecord struct {
	Message
	Direction    string
	Participants []Participant
}
