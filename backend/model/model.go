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
}

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
}

// StreamStatus and AccountStatus are what `rapport status --json` prints.
type StreamStatus struct {
	Kind     string     `json:"kind"`
	Resource string     `json:"resource"`
	Name     string     `json:"name"`
	Items    int        `json:"items"`
	Total    int        `json:"total"`
	LastSync *time.Time `json:"lastSync"`
	Error    string     `json:"error"`
}

type AccountStatus struct {
	UPN         string         `json:"upn"`
	DisplayName string         `json:"displayName"`
	Streams     []StreamStatus `json:"streams"`
}

type Status struct {
	Accounts []AccountStatus `json:"accounts"`
	Syncing  bool            `json:"syncing"`
	Demo     bool            `json:"demo"`
	LastSync *time.Time      `json:"lastSync"`
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
