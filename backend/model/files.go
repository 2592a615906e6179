package model

import (
	"strings"
	"time"
)

// Drive origins: how a synced drive came to be synced.
const (
	DriveOneDrive = "onedrive" // the account's own OneDrive (/me/drive)
	DriveLibrary  = "library"  // a SharePoint document library the user picked
	DriveShortcut = "shortcut" // a shared folder / shortcut added to My files (remoteItem)
)

// File activity actions (file_activity.action, TimelineItem.Action).
const (
	FileCreated = "created"
	FileEdited  = "edited" // content changed: hash, cTag or size, never a bare eTag change
	FileRenamed = "renamed"
	FileMoved   = "moved"
	FileDeleted = "deleted"
)

// Folder mapping origins (FolderNode.Origin).
const (
	OriginManual    = "manual"    // the user mapped this folder
	OriginAuto      = "auto"      // its name equals a client's name
	OriginInherited = "inherited" // a mapped ancestor decides
	OriginNone      = "none"
)

// Drive is a OneDrive or a document library as Graph describes it.
type Drive struct {
	ID        string    `json:"id"`        // as Graph spells it (use it in requests)
	Name      string    `json:"name"`      // "OneDrive", "Documents", "Fabrikam Projects"
	DriveType string    `json:"driveType"` // personal | business | documentLibrary
	WebURL    string    `json:"webUrl"`
	Owner     Recipient `json:"owner"`
}

// Site is a SharePoint site as /sites and /me/followedSites describe it.
type Site struct {
	ID          string `json:"id"` // "host,siteCollectionGuid,webGuid"
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	WebURL      string `json:"webUrl"`
	Hostname    string `json:"hostname"`
}

// DriveItem is the metadata of one file or folder as a drive delta reports
// it. Content is never downloaded.
type DriveItem struct {
	DriveID  string // canonical id of the drive holding it (CanonicalDriveID)
	ID       string // case-sensitive
	ParentID string // "" for the root (and for items Graph sent without a parent)
	Name     string
	IsFolder bool
	IsRoot   bool
	Size     int64
	HasSize  bool // Graph sent a size (deletes and some updates do not)
	MimeType string
	WebURL   string

	CreatedAt  time.Time
	CreatedBy  Recipient
	ModifiedAt time.Time
	ModifiedBy Recipient

	ETag, CTag   string
	QuickXorHash string

	// A shortcut or shared folder added to My files: its content lives in
	// another drive, synced by a stream of its own.
	RemoteDriveID      string // canonical
	RemoteGraphDriveID string // as Graph spells it, for requests
	RemoteID           string
	RemoteIsFolder     bool

	// Deleted: Graph's deleted facet. Often nothing else but the id is set.
	Deleted bool

	// NameKey is the name folded for auto-link (clients.FolderKey); the
	// sync engine sets it for folders.
	NameKey string
}

// CanonicalDriveID is the form drive ids are stored and compared in:
// lower-cased, and a personal drive id (up to 16 hex digits, which Graph
// sometimes sends in capitals or without its leading zeros) left-padded to
// 16. Requests keep using the id as Graph spelt it.
func CanonicalDriveID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" || strings.Contains(id, "!") || len(id) >= 16 {
		return id
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return id
		}
	}
	return strings.Repeat("0", 16-len(id)) + id
}

// FolderNode is one folder of a drive's tree on the Folders screen, read
// from the store (it works offline). The JSON names are a contract (the UI,
// `rapport folders --json`).
type FolderNode struct {
	Account string `json:"account"` // UPN
	DriveID string `json:"driveId"` // canonical; a shortcut's node names the drive its content lives in
	ID      string `json:"id"`
	Name    string `json:"name"`
	Path    string `json:"path"` // "Clients/Contoso" ("" for a drive's root)
	// ClientID is the client its files belong to (0: none), Origin why:
	// manual | auto | inherited | none. MappedPath names the ancestor an
	// inherited mapping comes from.
	ClientID   int64  `json:"clientId"`
	ClientName string `json:"clientName"`
	Origin     string `json:"origin"`
	MappedPath string `json:"mappedPath,omitempty"`
	// Suppressed: the user said "don't auto-map this folder" (or unmapped it).
	Suppressed  bool       `json:"suppressed"`
	FileCount   int        `json:"fileCount"`  // files in its whole subtree
	LastChange  *time.Time `json:"lastChange"` // newest modification in its subtree
	HasChildren bool       `json:"hasChildren"`
	Shortcut    bool       `json:"shortcut"` // a shared folder added to My files
	WebURL      string     `json:"webUrl"`
}

// LibraryView is one synced drive (the OneDrive, a library, a shortcut) as
// the Folders screen and `rapport libraries --json` list it.
type LibraryView struct {
	Account   string `json:"account"`
	DriveID   string `json:"driveId"` // canonical
	Name      string `json:"name"`
	Kind      string `json:"kind"` // onedrive | library | shortcut
	DriveType string `json:"driveType"`
	SiteID    string `json:"siteId"`
	SiteName  string `json:"siteName"`
	WebURL    string `json:"webUrl"`
	// Root is the drive's root folder (a shortcut: the shared folder) with
	// its mapping and figures; nil until the first round brought it.
	Root *FolderNode `json:"root"`
	// Sync state of its stream.
	StreamID int64      `json:"streamId"`
	Items    int        `json:"items"`
	LastSync *time.Time `json:"lastSync"`
	State    string     `json:"state"` // pending | syncing | ok | error
	Error    string     `json:"error"`
	Action   string     `json:"action"`
	// LocalPath is the locally synced copy watched for changes ("": none);
	// LocalPathAuto says it was detected rather than set by the user.
	LocalPath     string `json:"localPath"`
	LocalPathAuto bool   `json:"localPathAuto"`
}

// SiteView is a SharePoint site offered by FindSites.
type SiteView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	WebURL      string `json:"webUrl"`
	Hostname    string `json:"hostname"`
	Followed    bool   `json:"followed"`
}

// SiteLibrary is one document library of a site, for picking.
type SiteLibrary struct {
	DriveID string `json:"driveId"` // as Graph spells it; AddLibrary accepts it
	Name    string `json:"name"`
	WebURL  string `json:"webUrl"`
	Added   bool   `json:"added"` // already synced for this account
}

// FolderSuggestion is a folder whose name is close to a client's
// ("Contoso Ltd" and client "Contoso"), offered for one-click mapping:
// accept with MapFolder, dismiss with SuppressAutoMap.
type FolderSuggestion struct {
	Account    string     `json:"account"`
	DriveID    string     `json:"driveId"`
	DriveName  string     `json:"driveName"`
	FolderID   string     `json:"folderId"`
	FolderName string     `json:"folderName"`
	Path       string     `json:"path"`
	ClientID   int64      `json:"clientId"`
	ClientName string     `json:"clientName"`
	Reason     string     `json:"reason"`
	FileCount  int        `json:"fileCount"`
	LastChange *time.Time `json:"lastChange"`
}

// ClientFolder is a folder mapped to a client (explicitly or
// automatically): the client page's Files tab lists them.
type ClientFolder struct {
	FolderNode
	DriveName string `json:"driveName"`
}
