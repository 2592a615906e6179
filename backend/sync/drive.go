package sync

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"rapport/backend/clients"
	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
)

// Drives: one delta stream per drive at its root (Business has no folder
// delta), pages applied in one transaction each with their checkpoint;
// ancestry, deletions of folders, auto-links and client links resolved at
// the round's end (store.ApplyDrivePage). A shared folder added to My
// files gets a stream of its own on the drive it lives in: a folder delta
// on OneDrive Personal, else a walk of its children, diffed against the
// store. Throttling is per drive host (SharePoint counts per tenant, not
// per mailbox): every drive request of the host passes one gate.

// fileScope is the scope whose grant turns drives on (with Sites.Read.All,
// auth.FileScopes); an account without it has no drive streams.
const fileScope = "files.read.all"

// HasFileScopes says whether an account granted the OneDrive and
// SharePoint scopes.
func HasFileScopes(acct model.Account) bool {
	for _, s := range acct.Scopes {
		s = strings.ToLower(s)
		if s == fileScope || strings.HasSuffix(s, "/"+fileScope) {
			return true
		}
	}
	return false
}

// FilesHint is the status line of an account without the file scopes.
const FilesHint = "OneDrive and SharePoint are not enabled for this account: re-authorize it with `rapport account reauth <upn> --files` (or Allow in the app)."

// driveClient is a Graph client whose requests pass the gate of a drive
// host: a throttling answer from SharePoint pauses that host's requests,
// not the mailbox's.
func (e *Engine) driveClient(acct model.Account, host string) *graph.Client {
	gc := e.client(acct)
	key := strings.ToLower(host)
	if key == "" {
		key = "graph-files:" + acct.HomeAccountID
	}
	e.mu.Lock()
	if e.driveGates == nil {
		e.driveGates = map[string]*graph.Gate{}
	}
	g := e.driveGates[key]
	if g == nil {
		g = graph.NewGate(e.o.MaxConcurrent)
		e.driveGates[key] = g
	}
	e.mu.Unlock()
	gc.Gate = g
	return gc
}

func hostOf(webURL string) string {
	u, err := url.Parse(webURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// DriveError is the last drive discovery's failure in words, with the
// action that fixes it ("" when it worked); without the file scopes it is
// FilesHint.
func (e *Engine) DriveError(acct model.Account) (msg, action string) {
	if !HasFileScopes(acct) {
		return strings.Replace(FilesHint, "<upn>", acct.UPN, 1), model.ActionReauthorize
	}
	as := e.state(acct.ID)
	e.mu.Lock()
	err := as.driveErr
	e.mu.Unlock()
	if err == nil || errors.Is(err, model.ErrOffline) || errors.Is(err, context.Canceled) {
		return "", ""
	}
	return Explain(err), Action(err)
}

// DiscoverDrives makes the drive streams match what the account syncs: its
// OneDrive (/me/drive), the libraries the user added, and the shared
// folders found in the OneDrive. Without the file scopes it does nothing.
func (e *Engine) DiscoverDrives(ctx context.Context, acct model.Account) (err error) {
	if !HasFileScopes(acct) {
		return nil
	}
	as := e.state(acct.ID)
	defer func() {
		e.mu.Lock()
		as.driveErr = err
		e.mu.Unlock()
	}()
	gc := e.driveClient(acct, "")
	d, err := gc.MyDrive(ctx)
	switch {
	case err == nil:
		if _, err := e.o.Store.SaveDrive(ctx, store.DriveRow{AccountID: acct.ID, ID: model.CanonicalDriveID(d.ID), GraphID: d.ID,
			Name: d.Name, DriveType: d.DriveType, Origin: model.DriveOneDrive, WebURL: d.WebURL, Host: hostOf(d.WebURL)}); err != nil {
			return err
		}
	case errors.Is(err, model.ErrNotFound):
		// No OneDrive provisioned (an unlicensed user): libraries may still sync.
	default:
		return err
	}
	return e.syncShortcuts(ctx, acct)
}

// syncShortcuts gives every shared folder found in the account's drives a
// stream, and drops the streams of shortcuts that are gone. A folder of a
// drive synced whole needs no stream of its own.
func (e *Engine) syncShortcuts(ctx context.Context, acct model.Account) error {
	items, err := e.o.Store.Shortcuts(ctx, acct.ID)
	if err != nil {
		return err
	}
	drives, err := e.o.Store.Drives(ctx, acct.ID)
	if err != nil {
		return err
	}
	whole := map[string]bool{}
	for _, d := range drives {
		if d.RootID == "" {
			whole[d.ID] = true
		}
	}
	want := map[string]bool{}
	for _, it := range items {
		if whole[it.RemoteDriveID] || it.RemoteGraphDriveID == "" {
			continue
		}
		key := it.RemoteDriveID + "/" + it.RemoteID
		if want[key] {
			continue
		}
		want[key] = true
		driveType := "business"
		if !strings.Contains(it.RemoteGraphDriveID, "!") {
			driveType = "personal"
		}
		if _, err := e.o.Store.SaveDrive(ctx, store.DriveRow{AccountID: acct.ID, ID: it.RemoteDriveID, RootID: it.RemoteID,
			GraphID: it.RemoteGraphDriveID, Name: it.Name, DriveType: driveType, Origin: model.DriveShortcut, WebURL: it.WebURL,
			Host: hostOf(it.WebURL), ShortcutDriveID: it.DriveID, ShortcutID: it.ID}); err != nil {
			return err
		}
	}
	for _, d := range drives {
		if d.Origin == model.DriveShortcut && !want[d.ID+"/"+d.RootID] {
			ids, err := e.o.Store.RemoveDrive(ctx, acct.ID, d.ID, d.RootID)
			if err != nil {
				return err
			}
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindFile}, ClientIDs: nonNil(ids)})
		}
	}
	return nil
}

// errDriveGone is a drive or shared folder that answers 404: deleted, or
// no longer shared with the user.
var errDriveGone = errors.New("this library or shared folder no longer exists, or it is no longer shared with you")

// runDriveStream runs one drive stream's round to its end.
func (e *Engine) runDriveStream(ctx context.Context, acct model.Account, st model.Stream) error {
	driveID, rootID := store.ParseDriveResource(st.Resource)
	row, err := e.o.Store.Drive(ctx, acct.ID, driveID, rootID)
	if errors.Is(err, model.ErrNotFound) {
		return e.o.Store.DeleteStream(ctx, st.ID) // the drive was removed meanwhile
	}
	if err != nil {
		return err
	}
	gc := e.driveClient(acct, row.Host)
	if rootID != "" {
		err = e.runSharedFolder(ctx, gc, acct, st, row)
	} else {
		err = e.runDriveDelta(ctx, gc, acct, st, row, graph.DriveDeltaURL(row.GraphID, e.o.DrivePageSize))
	}
	if err != nil {
		if _, serr := e.o.Store.Stream(ctx, st.ID); errors.Is(serr, model.ErrNotFound) {
			return nil // removed meanwhile (a shortcut deleted from My files)
		}
	}
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("%w (%s)", errDriveGone, row.Name)
	}
	return err
}

// runDriveDelta runs a delta round from the stored link, or from first
// for a full round. A 410 resyncRequired restarts the round from the
// Location Graph gives (a fresh enumeration); the full round's end then
// deletes what it did not report, so nothing is duplicated or left behind.
func (e *Engine) runDriveDelta(ctx context.Context, gc *graph.Client, acct model.Account, st model.Stream, row store.DriveRow, first string) error {
	restart := ""
	for resyncs := 0; ; resyncs++ {
		cur, err := e.o.Store.BeginRound(ctx, st.ID)
		if err != nil {
			return err
		}
		link := cur.NextLink
		if link == "" {
			link = cur.DeltaLink
		}
		if link == "" {
			link = first
		}
		if restart != "" {
			link = restart
		}
		err = e.drivePages(ctx, gc, acct, cur, row, link)
		if errors.Is(err, model.ErrResyncRequired) && resyncs < 3 {
			e.o.Log.Info("drive delta link rejected; enumerating afresh", "stream", cur.Name)
			if err := e.o.Store.ResetStream(ctx, st.ID); err != nil {
				return err
			}
			restart = first
			var ge *graph.Error
			if errors.As(err, &ge) && ge.Location != "" {
				restart = ge.Location
			}
			continue
		}
		return err
	}
}

// prepare sets what the store needs beyond Graph's fields: the folders'
// name keys for auto-link. A library's root goes by the library's name
// (a library named after a client maps to it); a OneDrive's root by none.
func prepare(items []model.DriveItem, row store.DriveRow) {
	for i := range items {
		it := &items[i]
		switch {
		case it.RemoteID != "":
			it.NameKey = "" // a shortcut maps through the folder it points at
		case it.IsRoot && row.Origin == model.DriveLibrary:
			it.NameKey = clients.FolderKey(row.Name)
		case it.IsRoot:
			it.NameKey = ""
		case it.IsFolder:
			it.NameKey = clients.FolderKey(it.Name)
		}
	}
}

func (e *Engine) clientKeys(ctx context.Context) (map[string]int64, error) {
	names, err := e.o.Store.ClientNames(ctx)
	if err != nil {
		return nil, err
	}
	return clients.FolderClientKeys(names), nil
}

// applyDrive applies one page and announces what changed.
func (e *Engine) applyDrive(ctx context.Context, acct model.Account, st model.Stream, row store.DriveRow, p store.DrivePage) error {
	return e.applyDrivePages(ctx, acct, st, row, []store.DrivePage{p})
}

// applyDrivePages writes consecutive pages of a drive stream in one
// transaction (store.ApplyDrivePages); only the last may end the round.
func (e *Engine) applyDrivePages(ctx context.Context, acct model.Account, st model.Stream, row store.DriveRow, pages []store.DrivePage) error {
	// Every page carries the clients' folder keys: a page places its new
	// folders, auto-links included (store/drive_place.go).
	keys, err := e.clientKeys(ctx)
	if err != nil {
		return err
	}
	for i := range pages {
		p := &pages[i]
		prepare(p.Items, row)
		p.StreamID, p.AccountID, p.DriveID, p.ClientKeys = st.ID, acct.ID, row.ID, keys
	}
	res, err := e.o.Store.ApplyDrivePages(ctx, pages)
	if err != nil {
		return err
	}
	if res.Upserted+res.Removed > 0 || len(res.ClientIDs) > 0 {
		e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindFile}, ClientIDs: nonNil(res.ClientIDs)})
	}
	e.emitProgress(ctx, acct, st.ID, pages[len(pages)-1].Complete)
	return nil
}

func (e *Engine) drivePages(ctx context.Context, gc *graph.Client, acct model.Account, st model.Stream, row store.DriveRow, link string) error {
	pages := newPager(ctx, link, drivePagesAhead, gc.DriveDelta, model.Page[model.DriveItem].Next)
	defer pages.close()
	for link != "" {
		page, err := pages.wait()
		if err != nil {
			return err
		}
		// The pages that arrived while the last ones were written go in
		// one transaction with this one (docs/PERFORMANCE.md §40).
		batch := make([]store.DrivePage, 0, drivePagesPerWrite)
		for ok := true; ok; page, ok = pages.ready() {
			batch = append(batch, store.DrivePage{Items: page.Items, NextLink: page.NextLink,
				DeltaLink: page.DeltaLink, Complete: page.DeltaLink != ""})
			if page.NextLink == "" || len(batch) == drivePagesPerWrite {
				break
			}
		}
		if err := e.applyDrivePages(ctx, acct, st, row, batch); err != nil {
			return err
		}
		link = batch[len(batch)-1].NextLink
	}
	if row.RootID == "" && row.Origin == model.DriveOneDrive {
		return e.syncShortcuts(ctx, acct) // the round may have brought or removed shortcuts
	}
	return nil
}

// runSharedFolder syncs a shared folder of another drive. OneDrive
// Personal has a folder delta; Business answers notSupported, so the
// folder is walked (its children, page by page, folder by folder) in a
// full round whose end deletes what the walk did not find.
func (e *Engine) runSharedFolder(ctx context.Context, gc *graph.Client, acct model.Account, st model.Stream, row store.DriveRow) error {
	if row.DriveType == "personal" {
		err := e.runDriveDelta(ctx, gc, acct, st, row, graph.FolderDeltaURL(row.GraphID, row.RootID, e.o.DrivePageSize))
		if !graph.IsNotSupported(err) {
			return err
		}
	}
	if err := e.o.Store.ResetStream(ctx, st.ID); err != nil {
		return err
	}
	cur, err := e.o.Store.BeginRound(ctx, st.ID) // links empty: a full round
	if err != nil {
		return err
	}
	top, err := gc.DriveItem(ctx, row.GraphID, row.RootID)
	if err != nil {
		return err
	}
	if err := e.applyDrive(ctx, acct, cur, row, store.DrivePage{Items: []model.DriveItem{top}}); err != nil {
		return err
	}
	queue := []string{row.RootID}
	for len(queue) > 0 && len(queue) < 100000 {
		folder := queue[0]
		queue = queue[1:]
		for link := graph.ChildrenURL(row.GraphID, folder, e.o.DrivePageSize); link != ""; {
			items, next, err := gc.ListChildren(ctx, link)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.IsFolder && it.RemoteID == "" {
					queue = append(queue, it.ID)
				}
			}
			if err := e.applyDrive(ctx, acct, cur, row, store.DrivePage{Items: items}); err != nil {
				return err
			}
			link = next
		}
	}
	return e.applyDrive(ctx, acct, cur, row, store.DrivePage{Complete: true})
}

// FindSites lists SharePoint sites: the followed ones when query is
// empty, else a search; each says whether the user follows it.
func (e *Engine) FindSites(ctx context.Context, acct model.Account, query string) ([]model.SiteView, error) {
	gc := e.driveClient(acct, "")
	followed, err := gc.FollowedSites(ctx)
	if err != nil {
		return nil, err
	}
	isFollowed := map[string]bool{}
	for _, s := range followed {
		isFollowed[strings.ToLower(s.ID)] = true
	}
	sites := followed
	if strings.TrimSpace(query) != "" {
		if sites, err = gc.SearchSites(ctx, strings.TrimSpace(query)); err != nil {
			return nil, err
		}
	}
	out := []model.SiteView{}
	for _, s := range sites {
		out = append(out, model.SiteView{ID: s.ID, Name: s.Name, DisplayName: s.DisplayName, Description: s.Description,
			WebURL: s.WebURL, Hostname: s.Hostname, Followed: isFollowed[strings.ToLower(s.ID)]})
	}
	return out, nil
}

// SiteLibraries resolves a pasted site URL or a site id and lists its
// document libraries.
func (e *Engine) SiteLibraries(ctx context.Context, acct model.Account, siteURLOrID string) (model.Site, []model.Drive, error) {
	ref, err := graph.ParseSiteRef(siteURLOrID)
	if err != nil {
		return model.Site{}, nil, err
	}
	gc := e.driveClient(acct, ref.Hostname)
	var site model.Site
	if ref.ID != "" {
		site, err = gc.Site(ctx, ref.ID)
	} else {
		site, err = gc.SiteByPath(ctx, ref.Hostname, ref.Path)
	}
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return site, nil, fmt.Errorf("no SharePoint site at %s: check the URL", siteURLOrID)
		}
		return site, nil, err
	}
	drives, err := gc.SiteDrives(ctx, site.ID)
	if err != nil {
		return site, nil, err
	}
	var libs []model.Drive
	for _, d := range drives {
		if d.DriveType == "" || d.DriveType == "documentLibrary" {
			libs = append(libs, d)
		}
	}
	return site, libs, nil
}

// AddLibrary records a library of a site to sync and returns its stream.
func (e *Engine) AddLibrary(ctx context.Context, acct model.Account, site model.Site, d model.Drive) (model.Stream, error) {
	return e.o.Store.SaveDrive(ctx, store.DriveRow{AccountID: acct.ID, ID: model.CanonicalDriveID(d.ID), GraphID: d.ID, Name: d.Name,
		DriveType: d.DriveType, Origin: model.DriveLibrary, WebURL: d.WebURL, Host: hostOf(d.WebURL), SiteID: site.ID,
		SiteName: site.DisplayName, AddedAt: time.Now()})
}

// syncNewDriveStreams runs the drive streams that appeared during a pass
// (the shared folders its OneDrive round found), so one `sync --once`
// brings them too.
func (e *Engine) syncNewDriveStreams(ctx context.Context, acct model.Account, done []int64) error {
	if ctx.Err() != nil || !HasFileScopes(acct) {
		return nil
	}
	seen := map[int64]bool{}
	for _, id := range done {
		seen[id] = true
	}
	ids, err := e.streamIDs(ctx, acct.ID, func(s model.Stream) bool { return s.Kind == model.StreamDrive && !seen[s.ID] })
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return e.SyncStreams(ctx, acct, ids)
}
