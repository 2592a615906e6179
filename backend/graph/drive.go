package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"rapport/backend/model"
)

// OneDrive and SharePoint: drives, their root/delta, and site discovery.
// Business has no folder-level delta ("view.delta can only be called on
// the root"), so a shared folder on another business drive is read by a
// children walk instead (see IsNotSupported).

// driveItemSelect names the fields Rapport stores (abraunegg's list, plus
// the dates and webUrl the timeline shows).
const driveItemSelect = "id,name,eTag,cTag,deleted,file,folder,root,fileSystemInfo,remoteItem,parentReference,size," +
	"createdBy,lastModifiedBy,createdDateTime,lastModifiedDateTime,package,webUrl"

// driveHeaders: on OneDrive Personal, shared folders disappear from delta
// and children listings without this feature flag (since ~March 2025);
// other drives ignore it.
var driveHeaders = map[string]string{"Prefer": "Include-Feature=AddToOneDrive"}

// DriveDeltaURL is the first request of a full round over a whole drive.
// $top sets the page size ($select and $top are fixed in the tokens that
// follow). Never ?token=latest here: a first round must enumerate.
func DriveDeltaURL(graphDriveID string, pageSize int) string {
	return "/drives/" + url.PathEscape(graphDriveID) + "/root/delta?$select=" + driveItemSelect + fmt.Sprintf("&$top=%d", clampPage(pageSize))
}

// FolderDeltaURL is a delta round over one folder: OneDrive Personal only.
func FolderDeltaURL(graphDriveID, itemID string, pageSize int) string {
	return "/drives/" + url.PathEscape(graphDriveID) + "/items/" + url.PathEscape(itemID) + "/delta?$select=" + driveItemSelect +
		fmt.Sprintf("&$top=%d", clampPage(pageSize))
}

// ChildrenURL lists a folder's children, one page at a time.
func ChildrenURL(graphDriveID, itemID string, pageSize int) string {
	return "/drives/" + url.PathEscape(graphDriveID) + "/items/" + url.PathEscape(itemID) + "/children?$select=" + driveItemSelect +
		fmt.Sprintf("&$top=%d", clampPage(pageSize))
}

func clampPage(n int) int {
	if n <= 0 || n > 1000 {
		return 200
	}
	return n
}

// IsNotSupported says Graph refused a request the drive cannot serve (a
// folder-level delta on a business drive).
func IsNotSupported(err error) bool {
	var ge *Error
	if !errors.As(err, &ge) {
		return false
	}
	return (ge.Status == http.StatusBadRequest || ge.Status == http.StatusNotImplemented) &&
		(strings.EqualFold(ge.Code, "notSupported") || strings.EqualFold(ge.Code, "invalidRequest"))
}

type identityJSON struct {
	Email       string `json:"email"`
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

type identitySetJSON struct {
	User        *identityJSON `json:"user"`
	Application *identityJSON `json:"application"`
}

func (s *identitySetJSON) recipient() model.Recipient {
	switch {
	case s == nil:
		return model.Recipient{}
	case s.User != nil:
		return model.Recipient{Name: s.User.DisplayName, Address: s.User.Email}
	case s.Application != nil:
		return model.Recipient{Name: s.Application.DisplayName}
	}
	return model.Recipient{}
}

type parentRefJSON struct {
	DriveID   string `json:"driveId"`
	DriveType string `json:"driveType"`
	ID        string `json:"id"`
	SiteID    string `json:"siteId"`
}

type fileJSON struct {
	MimeType string `json:"mimeType"`
	Hashes   *struct {
		QuickXorHash string `json:"quickXorHash"`
	} `json:"hashes"`
}

type driveItemJSON struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	ETag            string           `json:"eTag"`
	CTag            string           `json:"cTag"`
	Size            *int64           `json:"size"`
	WebURL          string           `json:"webUrl"`
	CreatedAt       flexTime         `json:"createdDateTime"`
	ModifiedAt      flexTime         `json:"lastModifiedDateTime"`
	CreatedBy       *identitySetJSON `json:"createdBy"`
	LastModifiedBy  *identitySetJSON `json:"lastModifiedBy"`
	ParentReference *parentRefJSON   `json:"parentReference"`
	File            *fileJSON        `json:"file"`
	Folder          *struct{}        `json:"folder"`
	Package         *struct {
		Type string `json:"type"`
	} `json:"package"`
	Root       *struct{} `json:"root"`
	Deleted    *struct{} `json:"deleted"`
	RemoteItem *struct {
		ID              string         `json:"id"`
		Name            string         `json:"name"`
		WebURL          string         `json:"webUrl"`
		ParentReference *parentRefJSON `json:"parentReference"`
		Folder          *struct{}      `json:"folder"`
		File            *fileJSON      `json:"file"`
	} `json:"remoteItem"`
}

func (j driveItemJSON) item() model.DriveItem {
	it := model.DriveItem{ID: j.ID, Name: j.Name, ETag: j.ETag, CTag: j.CTag, WebURL: j.WebURL,
		CreatedAt: j.CreatedAt.Time, ModifiedAt: j.ModifiedAt.Time,
		CreatedBy: j.CreatedBy.recipient(), ModifiedBy: j.LastModifiedBy.recipient(),
		Deleted: j.Deleted != nil, IsRoot: j.Root != nil}
	if j.Size != nil {
		it.Size, it.HasSize = *j.Size, true
	}
	if p := j.ParentReference; p != nil {
		it.DriveID = model.CanonicalDriveID(p.DriveID)
		if !it.IsRoot {
			it.ParentID = p.ID
		}
	}
	if j.File != nil {
		it.MimeType = j.File.MimeType
		if j.File.Hashes != nil {
			it.QuickXorHash = j.File.Hashes.QuickXorHash
		}
	}
	if j.Package != nil && it.MimeType == "" && j.Package.Type == "oneNote" {
		it.MimeType = "application/msonenote"
	}
	it.IsFolder = j.Folder != nil || it.IsRoot
	if r := j.RemoteItem; r != nil && r.ID != "" {
		it.RemoteID = r.ID
		it.RemoteIsFolder = r.Folder != nil
		it.IsFolder = it.IsFolder || it.RemoteIsFolder
		if r.ParentReference != nil {
			it.RemoteGraphDriveID = r.ParentReference.DriveID
			it.RemoteDriveID = model.CanonicalDriveID(r.ParentReference.DriveID)
		}
		if it.WebURL == "" {
			it.WebURL = r.WebURL
		}
	}
	return it
}

type drivePage struct {
	Value     []driveItemJSON `json:"value"`
	NextLink  string          `json:"@odata.nextLink"`
	DeltaLink string          `json:"@odata.deltaLink"`
	notes     []string        // items only partly read (tolerant.go)
}

// DriveDelta fetches one page of a drive (or personal folder) delta round:
// link is a stored next/delta link or a URL from DriveDeltaURL. Deleted
// items are returned among the items with Deleted set, in Graph's order.
func (c *Client) DriveDelta(ctx context.Context, link string) (model.Page[model.DriveItem], error) {
	var p drivePage
	if err := c.get(ctx, link, driveHeaders, &p); err != nil {
		return model.Page[model.DriveItem]{}, err
	}
	c.logNotes(p.notes)
	out := model.Page[model.DriveItem]{NextLink: p.NextLink, DeltaLink: p.DeltaLink}
	if out.NextLink == "" && out.DeltaLink == "" {
		return out, fmt.Errorf("graph: delta page without nextLink or deltaLink")
	}
	for _, j := range p.Value {
		if j.ID != "" {
			out.Items = append(out.Items, j.item())
		}
	}
	return out, nil
}

// ListChildren fetches one page of a folder's children; next is "" on the
// last page.
func (c *Client) ListChildren(ctx context.Context, link string) (items []model.DriveItem, next string, err error) {
	var p drivePage
	if err := c.get(ctx, link, driveHeaders, &p); err != nil {
		return nil, "", err
	}
	c.logNotes(p.notes)
	for _, j := range p.Value {
		if j.ID != "" {
			items = append(items, j.item())
		}
	}
	return items, p.NextLink, nil
}

// DriveItem reads one item (a shared folder's top, before walking it).
func (c *Client) DriveItem(ctx context.Context, graphDriveID, itemID string) (model.DriveItem, error) {
	var j driveItemJSON
	err := c.get(ctx, "/drives/"+url.PathEscape(graphDriveID)+"/items/"+url.PathEscape(itemID)+"?$select="+driveItemSelect, driveHeaders, &j)
	return j.item(), err
}

type driveJSON struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	DriveType string           `json:"driveType"`
	WebURL    string           `json:"webUrl"`
	Owner     *identitySetJSON `json:"owner"`
}

func (j driveJSON) drive() model.Drive {
	return model.Drive{ID: j.ID, Name: j.Name, DriveType: j.DriveType, WebURL: j.WebURL, Owner: j.Owner.recipient()}
}

const driveSelect = "id,name,driveType,webUrl,owner"

// MyDrive reads the signed-in user's OneDrive (404 when none is
// provisioned, 403 without Files.Read).
func (c *Client) MyDrive(ctx context.Context) (model.Drive, error) {
	var j driveJSON
	err := c.get(ctx, "/me/drive?$select="+driveSelect, nil, &j)
	return j.drive(), err
}

// Drive reads a drive by id.
func (c *Client) Drive(ctx context.Context, graphDriveID string) (model.Drive, error) {
	var j driveJSON
	err := c.get(ctx, "/drives/"+url.PathEscape(graphDriveID)+"?$select="+driveSelect, nil, &j)
	return j.drive(), err
}

type drivesPage struct {
	Value    []driveJSON `json:"value"`
	NextLink string      `json:"@odata.nextLink"`
}

// SiteDrives lists a site's document libraries.
func (c *Client) SiteDrives(ctx context.Context, siteID string) ([]model.Drive, error) {
	var out []model.Drive
	for link := "/sites/" + url.PathEscape(siteID) + "/drives?$select=" + driveSelect; link != ""; {
		var p drivesPage
		if err := c.get(ctx, link, nil, &p); err != nil {
			return nil, err
		}
		for _, j := range p.Value {
			out = append(out, j.drive())
		}
		link = p.NextLink
	}
	return out, nil
}

type siteJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	DisplayName    string `json:"displayName"`
	Description    string `json:"description"`
	WebURL         string `json:"webUrl"`
	SiteCollection *struct {
		Hostname string `json:"hostname"`
	} `json:"siteCollection"`
}

func (j siteJSON) site() model.Site {
	s := model.Site{ID: j.ID, Name: j.Name, DisplayName: j.DisplayName, Description: j.Description, WebURL: j.WebURL}
	if j.SiteCollection != nil {
		s.Hostname = j.SiteCollection.Hostname
	}
	if s.Hostname == "" {
		s.Hostname, _, _ = strings.Cut(j.ID, ",")
	}
	if s.DisplayName == "" {
		s.DisplayName = s.Name
	}
	return s
}

type sitesPage struct {
	Value    []siteJSON `json:"value"`
	NextLink string     `json:"@odata.nextLink"`
}

func (c *Client) sites(ctx context.Context, link string) ([]model.Site, error) {
	var out []model.Site
	for link != "" {
		var p sitesPage
		if err := c.get(ctx, link, nil, &p); err != nil {
			return nil, err
		}
		for _, j := range p.Value {
			out = append(out, j.site())
		}
		link = p.NextLink
	}
	return out, nil
}

// FollowedSites lists the sites the user follows.
func (c *Client) FollowedSites(ctx context.Context) ([]model.Site, error) {
	return c.sites(ctx, "/me/followedSites")
}

// SearchSites finds sites by keyword.
func (c *Client) SearchSites(ctx context.Context, query string) ([]model.Site, error) {
	return c.sites(ctx, "/sites?search="+url.QueryEscape(query))
}

// Site reads a site by id ("host,siteCollectionGuid,webGuid").
func (c *Client) Site(ctx context.Context, id string) (model.Site, error) {
	var j siteJSON
	err := c.get(ctx, "/sites/"+url.PathEscape(id), nil, &j)
	return j.site(), err
}

// SiteByPath reads a site by host name and server-relative path
// ("contoso.sharepoint.com", "/sites/Proj"); an empty path is the host's
// root site.
func (c *Client) SiteByPath(ctx context.Context, hostname, path string) (model.Site, error) {
	var j siteJSON
	p := "/sites/" + url.PathEscape(hostname)
	if path = strings.Trim(path, "/"); path != "" {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		p += ":/" + strings.Join(segs, "/")
	}
	err := c.get(ctx, p, nil, &j)
	return j.site(), err
}

// SiteRef is what a user gave to name a site: its id, or its host name
// and server-relative path (from a pasted URL).
type SiteRef struct {
	ID       string
	Hostname string
	Path     string // "/sites/Proj"; "" for the host's root site
}

// ParseSiteRef reads a pasted site URL ("https://contoso.sharepoint.com/
// sites/Proj/Shared%20Documents/Forms/AllItems.aspx" names the site
// /sites/Proj), a URL without its scheme, or a site id
// ("host,guid,guid").
func ParseSiteRef(s string) (SiteRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return SiteRef{}, errors.New("give a SharePoint site URL or site id")
	}
	if strings.Count(s, ",") == 2 && !strings.Contains(s, "/") {
		return SiteRef{ID: s}, nil
	}
	raw := s
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !strings.Contains(u.Host, ".") || (u.Scheme != "https" && u.Scheme != "http") {
		return SiteRef{}, fmt.Errorf("%q is not a SharePoint site URL (https://<tenant>.sharepoint.com/sites/<name>) or site id", s)
	}
	var segs []string
	for _, p := range strings.Split(u.Path, "/") {
		if p != "" {
			segs = append(segs, p)
		}
	}
	ref := SiteRef{Hostname: strings.ToLower(u.Hostname())}
	if len(segs) >= 2 {
		switch strings.ToLower(segs[0]) {
		case "sites", "teams", "personal", "portals":
			ref.Path = "/" + segs[0] + "/" + segs[1]
		}
	}
	return ref, nil
}
