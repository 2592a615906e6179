package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/clients"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
	"rapport/backend/watch"
)

// OneDrive and SharePoint (issue 5): the synced libraries, the Folders
// screen (a lazily expanded tree read from the store, so it works
// offline), folder-to-client mappings and suggestions, a client's Files
// tab, and the local-folder watch that makes a saved file show up within
// seconds. Every method validates, calls one backend function and returns
// plain structs.

// KindFolders is the data:changed kind of a mapping change (the Folders
// screen reloads; the clients listed get "file" too).
const KindFolders = "folders"

// networkTimeout bounds the calls that go to Microsoft 365 (site search,
// a site's libraries).
const networkTimeout = 30 * time.Second

// fileAccount resolves the account a drive call is about: upn, or the only
// account when upn is empty.
func (a *App) fileAccount(upn string) (model.Account, error) {
	if strings.TrimSpace(upn) != "" {
		acct, err := a.st().AccountByUPN(a.ctx, strings.TrimSpace(upn))
		if errors.Is(err, model.ErrNotFound) {
			return acct, fmt.Errorf("no account %s: `rapport account list` shows them", upn)
		}
		return acct, err
	}
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return model.Account{}, err
	}
	switch len(accts) {
	case 0:
		return model.Account{}, errors.New("no account yet: sign in with `rapport account add --files`")
	case 1:
		return accts[0], nil
	}
	return model.Account{}, errors.New("several accounts are signed in: say which one with --account <upn>")
}

// needFiles refuses network calls for an account without the file scopes.
func needFiles(acct model.Account) error {
	if !rsync.HasFileScopes(acct) {
		return fmt.Errorf("OneDrive and SharePoint are not enabled for %s: run `rapport account reauth %s --files` (or Allow in the app)", acct.UPN, acct.UPN)
	}
	return nil
}

// Libraries lists the synced drives (the OneDrive, SharePoint libraries,
// shared folders) of one account, or of every account when upn is empty,
// with their sync state, root mapping and local folder.
func (a *App) Libraries(upn string) ([]model.LibraryView, error) {
	var accts []model.Account
	if upn != "" {
		acct, err := a.fileAccount(upn)
		if err != nil {
			return nil, err
		}
		accts = []model.Account{acct}
	} else {
		var err error
		if accts, err = a.st().Accounts(a.ctx); err != nil {
			return nil, err
		}
	}
	out := []model.LibraryView{}
	fw := a.files()
	fw.mu.Lock()
	watching := fw.w != nil
	fw.mu.Unlock()
	if !watching {
		fw.refresh(a) // (the command line: nothing watches, detect now)
	}
	detected := fw.detected()
	for _, acct := range accts {
		views, err := a.st().LibraryViews(a.ctx, acct)
		if err != nil {
			return nil, err
		}
		for i := range views {
			if views[i].LocalPath == "" {
				if dir := detected[watchKey{acct.ID, views[i].StreamID}]; dir != "" {
					views[i].LocalPath, views[i].LocalPathAuto = dir, true
				}
			}
		}
		out = append(out, views...)
	}
	return out, nil
}

// FindSites lists SharePoint sites to pick libraries from: the ones the
// user follows when query is empty, else a search.
func (a *App) FindSites(upn, query string) ([]model.SiteView, error) {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return nil, err
	}
	if err := needFiles(acct); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, networkTimeout)
	defer cancel()
	sites, err := a.eng().FindSites(ctx, acct, query)
	if err != nil {
		return nil, fmt.Errorf("could not list SharePoint sites: %s", rsync.Explain(err))
	}
	return sites, nil
}

// SiteLibraries lists a site's document libraries (from a pasted site URL
// or a site id), saying which are already synced.
func (a *App) SiteLibraries(upn, siteURLOrID string) ([]model.SiteLibrary, error) {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return nil, err
	}
	if err := needFiles(acct); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, networkTimeout)
	defer cancel()
	_, libs, err := a.eng().SiteLibraries(ctx, acct, siteURLOrID)
	if err != nil {
		return nil, siteError(err)
	}
	have, err := a.st().Drives(a.ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	added := map[string]bool{}
	for _, d := range have {
		if d.RootID == "" {
			added[d.ID] = true
		}
	}
	out := []model.SiteLibrary{}
	for _, d := range libs {
		out = append(out, model.SiteLibrary{DriveID: d.ID, Name: d.Name, WebURL: d.WebURL, Added: added[model.CanonicalDriveID(d.ID)]})
	}
	return out, nil
}

func siteError(err error) error {
	for _, s := range []error{model.ErrOffline, model.ErrAccessDenied, model.ErrThrottled, model.ErrSignInRequired, model.ErrConsentRequired} {
		if errors.Is(err, s) {
			return errors.New(rsync.Explain(err))
		}
	}
	return err
}

// AddLibrary syncs libraries of a SharePoint site: the given drive ids, or
// every document library of the site when driveIDs is empty.
func (a *App) AddLibrary(upn, siteURLOrID string, driveIDs []string) error {
	_, _, err := a.addLibrary(upn, siteURLOrID, driveIDs)
	return err
}

// addLibrary is AddLibrary returning the site's name and the libraries
// added (the command line prints them).
func (a *App) addLibrary(upn, siteURLOrID string, driveIDs []string) (string, []string, error) {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return "", nil, err
	}
	if err := needFiles(acct); err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, networkTimeout)
	defer cancel()
	site, libs, err := a.eng().SiteLibraries(ctx, acct, siteURLOrID)
	if err != nil {
		return "", nil, siteError(err)
	}
	if len(libs) == 0 {
		return site.DisplayName, nil, fmt.Errorf("the site %s has no document library", site.DisplayName)
	}
	var pick []model.Drive
	for _, want := range driveIDs {
		found := false
		for _, d := range libs {
			if d.ID == want || model.CanonicalDriveID(d.ID) == model.CanonicalDriveID(want) || strings.EqualFold(d.Name, want) {
				pick = append(pick, d)
				found = true
				break
			}
		}
		if !found {
			return site.DisplayName, nil, fmt.Errorf("the site %s has no library %q", site.DisplayName, want)
		}
	}
	if len(driveIDs) == 0 {
		pick = libs
	}
	var names []string
	for _, d := range pick {
		st, err := a.eng().AddLibrary(a.ctx, acct, site, d)
		if err != nil {
			return site.DisplayName, names, err
		}
		names = append(names, d.Name)
		a.kickStream(acct, st.ID)
	}
	a.files().refresh(a)
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{KindFolders}, ClientIDs: []int64{}})
	return site.DisplayName, names, nil
}

// RemoveLibrary stops syncing a SharePoint library and forgets its files,
// their activity and the mappings inside it.
func (a *App) RemoveLibrary(upn, driveID string) error {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return err
	}
	d, err := a.st().Drive(a.ctx, acct.ID, model.CanonicalDriveID(driveID), "")
	if err != nil {
		return fmt.Errorf("%s does not sync a library %s", acct.UPN, driveID)
	}
	if d.Origin != model.DriveLibrary {
		return fmt.Errorf("%s is not a SharePoint library you added; only those can be removed", d.Name)
	}
	ids, err := a.st().RemoveDrive(a.ctx, acct.ID, d.ID, "")
	if err != nil {
		return err
	}
	a.files().refresh(a)
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{model.KindFile, KindFolders}, ClientIDs: nonNilIDs(ids)})
	return nil
}

// Folders lists the subfolders of parentID in a drive ("" = its root), with
// each one's client (explicit, automatic or inherited), file count and last
// change. A shortcut's node names the drive its content lives in: expand it
// with that driveId and id.
func (a *App) Folders(upn, driveID, parentID string) ([]model.FolderNode, error) {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(driveID) == "" {
		return nil, errors.New("no drive selected")
	}
	return a.st().FolderNodes(a.ctx, acct, model.CanonicalDriveID(driveID), parentID)
}

// mappingChanged announces a mapping change.
func (a *App) mappingChanged(acct model.Account, ids []int64, err error) error {
	if err != nil {
		if errors.Is(err, store.ErrNotAFolder) {
			return errors.New("that folder is no longer in the synced drive; reload the Folders screen")
		}
		return err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{model.KindFile, KindFolders}, ClientIDs: nonNilIDs(ids)})
	return nil
}

// MapFolder maps a folder (a drive's root too) to an existing client: its
// files and everything beneath belong to that client unless a deeper
// folder is mapped differently.
func (a *App) MapFolder(upn, driveID, folderID string, clientID int64) error {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return err
	}
	if clientID <= 0 {
		return errors.New("no client selected")
	}
	ids, err := a.st().MapFolder(a.ctx, acct.ID, model.CanonicalDriveID(driveID), folderID, clientID)
	if errors.Is(err, model.ErrNotFound) {
		return errors.New("that client no longer exists; reload the client list")
	}
	return a.mappingChanged(acct, append(ids, clientID), err)
}

// MapFolderToNewClient creates a client (no mail domains yet) and maps the
// folder to it.
func (a *App) MapFolderToNewClient(upn, driveID, folderID, name string) (model.Client, error) {
	if _, err := a.fileAccount(upn); err != nil {
		return model.Client{}, err
	}
	c, err := a.AddClient(name, nil)
	if err != nil {
		return c, err
	}
	if err := a.MapFolder(upn, driveID, folderID, c.ID); err != nil {
		return c, err
	}
	return c, nil
}

// UnmapFolder removes a folder's mapping: it inherits its parent's client
// again, and is not mapped by name any more.
func (a *App) UnmapFolder(upn, driveID, folderID string) error {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return err
	}
	ids, err := a.st().UnmapFolder(a.ctx, acct.ID, model.CanonicalDriveID(driveID), folderID)
	return a.mappingChanged(acct, ids, err)
}

// SuppressAutoMap is "don't auto-map this folder": an automatic mapping
// goes and never comes back (a mapping the user made stays). It is also
// how a suggestion is dismissed.
func (a *App) SuppressAutoMap(upn, driveID, folderID string) error {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return err
	}
	ids, err := a.st().SuppressAutoMap(a.ctx, acct.ID, model.CanonicalDriveID(driveID), folderID)
	return a.mappingChanged(acct, ids, err)
}

// maxFolderSuggestions bounds the list (the best first).
const maxFolderSuggestions = 50

// FolderSuggestions lists folders whose name is close to a client's ("Contoso
// Ltd" for Contoso, "Tailspin" for Tailspin Toys) and that no mapping
// covers yet: accept one with MapFolder, dismiss it with SuppressAutoMap.
func (a *App) FolderSuggestions() ([]model.FolderSuggestion, error) {
	names, err := a.st().ClientNames(a.ctx)
	if err != nil {
		return nil, err
	}
	cands, err := a.st().FolderCandidates(a.ctx)
	if err != nil {
		return nil, err
	}
	m := clients.NewMatcher(names)
	out := []model.FolderSuggestion{}
	for _, f := range cands {
		// (A folder that already belongs to a client through an ancestor is
		// not offered to that client again.)
		id, reason, ok := m.Suggest(f.Name, f.ClientID)
		if !ok {
			continue
		}
		s := model.FolderSuggestion{Account: f.UPN, DriveID: f.DriveID, DriveName: f.DriveName, FolderID: f.FolderID,
			FolderName: f.Name, Path: f.Path, ClientID: id, ClientName: names[id], Reason: reason}
		if s.FileCount, s.LastChange, err = a.st().SubtreeStats(a.ctx, f.AccountID, f.DriveID, f.Path); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	// Shallow folders first (a client's folder, not a subfolder that
	// happens to look like a name), then the busiest.
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := strings.Count(out[i].Path, "/"), strings.Count(out[j].Path, "/")
		if di != dj {
			return di < dj
		}
		return out[i].FileCount > out[j].FileCount
	})
	if len(out) > maxFolderSuggestions {
		out = out[:maxFolderSuggestions]
	}
	return out, nil
}

// ClientFiles is a page of a client's file activity, newest first (the
// client page's Files tab): rows of kind "file" with action and path.
func (a *App) ClientFiles(clientID int64, cursor string, limit int) (model.TimelinePage, error) {
	if clientID <= 0 {
		return model.TimelinePage{}, errors.New("no client selected")
	}
	p, err := a.st().ClientFiles(a.ctx, clientID, cursor, limit)
	if errors.Is(err, store.ErrBadCursor) {
		return p, errors.New("the timeline position is no longer valid; reload the client")
	}
	return p, err
}

// ClientFolders lists the folders mapped to a client (explicitly or by
// name), with their file counts and last change.
func (a *App) ClientFolders(clientID int64) ([]model.ClientFolder, error) {
	if clientID <= 0 {
		return nil, errors.New("no client selected")
	}
	return a.st().ClientFolders(a.ctx, clientID)
}

// SetLocalFolder tells Rapport where a drive is synced on this computer
// (the OneDrive client's folder): a change saved there triggers that
// drive's sync within 2 seconds. "" forgets it (auto-detection applies
// again).
func (a *App) SetLocalFolder(upn, driveID, path string) error {
	acct, err := a.fileAccount(upn)
	if err != nil {
		return err
	}
	path = strings.TrimSpace(path)
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("%q is not a usable folder path", path)
		}
		fi, err := os.Stat(abs)
		if err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a folder on this computer", abs)
		}
		path = abs
	}
	id := model.CanonicalDriveID(driveID)
	root := ""
	if _, err := a.st().Drive(a.ctx, acct.ID, id, ""); err != nil {
		// A shared folder's drive: its row is keyed by the folder.
		rows, err := a.st().Drives(a.ctx, acct.ID)
		if err != nil {
			return err
		}
		for _, d := range rows {
			if d.ID == id {
				root = d.RootID
				break
			}
		}
	}
	if err := a.st().SetDriveLocalPath(a.ctx, acct.ID, id, root, path); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("%s does not sync a drive %s", acct.UPN, driveID)
		}
		return err
	}
	a.files().refresh(a)
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{KindFolders}, ClientIDs: []int64{}})
	return nil
}

// autoMapFolders applies the name rule to every stored folder (after a
// client was added).
func (a *App) autoMapFolders() {
	names, err := a.st().ClientNames(a.ctx)
	if err != nil {
		return
	}
	ids, err := a.st().AutoMapFolders(a.ctx, clients.FolderClientKeys(names))
	if err != nil {
		a.log.Warn("auto-mapping folders failed", "error", err)
		return
	}
	if len(ids) > 0 {
		a.emit(rsync.EventDataChanged, rsync.DataChanged{Kinds: []string{model.KindFile, KindFolders}, ClientIDs: ids})
	}
}

func nonNilIDs(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

// --- freshness: the local-folder watch ---

// watchKey names a drive stream for the watcher.
type watchKey struct {
	account, stream int64
}

func (k watchKey) String() string { return fmt.Sprintf("%d/%d", k.account, k.stream) }

// fileWatch is the App's fsnotify watch over the local copies of its
// drives (the folders the user set, else the detected ones).
type fileWatch struct {
	mu   gosync.Mutex
	w    *watch.Watcher
	home string // where to look for OneDrive folders ("" = the user's home)
	auto map[watchKey]string
	keys map[string]watchKey
	// followUps re-poll a drive a few seconds after a local change: the
	// OneDrive client needs a moment to upload what was saved.
	followUps []time.Duration
}

// files returns the App's watch state, created on first use.
func (a *App) files() *fileWatch {
	a.filesOnce.Do(func() {
		home, _ := os.UserHomeDir()
		a.fileWatch = &fileWatch{home: home, auto: map[watchKey]string{}, keys: map[string]watchKey{},
			followUps: []time.Duration{3 * time.Second, 8 * time.Second}}
	})
	return a.fileWatch
}

func (fw *fileWatch) detected() map[watchKey]string {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	out := make(map[watchKey]string, len(fw.auto))
	for k, v := range fw.auto {
		out[k] = v
	}
	return out
}

// startWatching starts the watch (the scheduler runs it: the desktop
// window, `rapport serve`, `rapport sync`) and returns its stop.
func (a *App) startWatching(ctx context.Context) func() {
	fw := a.files()
	w, err := watch.New(func(key string) { a.localChange(key) }, watch.Options{Log: a.log})
	if err != nil {
		a.log.Warn("local folders cannot be watched; drives are polled", "error", err)
		return func() {}
	}
	fw.mu.Lock()
	fw.w = w
	fw.mu.Unlock()
	fw.refresh(a)
	done := make(chan struct{})
	go func() {
		// Drives and shortcuts appear with discovery: look again now and then.
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-t.C:
				fw.refresh(a)
			}
		}
	}()
	return func() {
		close(done)
		fw.mu.Lock()
		fw.w = nil
		fw.mu.Unlock()
		w.Close()
	}
}

// refresh recomputes what to watch: each drive's local folder as set by
// the user, else as detected (a work OneDrive when exactly one work
// OneDrive is synced, a library by its site and library names).
func (fw *fileWatch) refresh(a *App) {
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return
	}
	cands := watch.Detect(fw.home)
	type drive struct {
		acct model.Account
		row  store.DriveRow
		id   int64
	}
	var drives []drive
	businessDrives := 0
	for _, acct := range accts {
		rows, err := a.st().Drives(a.ctx, acct.ID)
		if err != nil {
			return
		}
		streams, err := a.st().Streams(a.ctx, acct.ID)
		if err != nil {
			return
		}
		byRes := map[string]int64{}
		for _, s := range streams {
			if s.Kind == model.StreamDrive {
				byRes[s.Resource] = s.ID
			}
		}
		for _, r := range rows {
			id := byRes[store.DriveResource(r.ID, r.RootID)]
			if id == 0 {
				continue
			}
			drives = append(drives, drive{acct, r, id})
			if r.Origin == model.DriveOneDrive && r.DriveType != "personal" {
				businessDrives++
			}
		}
	}
	auto := map[watchKey]string{}
	keys := map[string]watchKey{}
	var roots []watch.Root
	for _, d := range drives {
		k := watchKey{d.acct.ID, d.id}
		dir := d.row.LocalPath
		if dir == "" {
			for _, c := range cands {
				switch {
				case d.row.Origin == model.DriveOneDrive && d.row.DriveType == "personal" && c.Kind == watch.KindPersonal,
					d.row.Origin == model.DriveOneDrive && d.row.DriveType != "personal" && c.Kind == watch.KindBusiness && businessDrives == 1,
					d.row.Origin == model.DriveLibrary && c.Kind == watch.KindLibrary && strings.EqualFold(c.Library, d.row.Name) &&
						(strings.EqualFold(c.Site, d.row.SiteName) || d.row.SiteName == ""):
					dir = c.Dir
					auto[k] = c.Dir
				}
				if dir != "" {
					break
				}
			}
		}
		if dir != "" {
			keys[k.String()] = k
			roots = append(roots, watch.Root{Key: k.String(), Dir: dir})
		}
	}
	fw.mu.Lock()
	fw.auto, fw.keys = auto, keys
	w := fw.w
	fw.mu.Unlock()
	if w != nil {
		if err := w.Set(roots); err != nil {
			a.log.Debug("watching local folders", "error", err)
		}
	}
}

// localChange polls the drive whose local copy changed at once, then again
// a few seconds later (the upload may not be done yet); a change in the
// OneDrive also polls the shared folders of that account, which the
// OneDrive client keeps inside it.
func (a *App) localChange(key string) {
	fw := a.files()
	fw.mu.Lock()
	k, ok := fw.keys[key]
	follow := fw.followUps
	fw.mu.Unlock()
	if !ok {
		return
	}
	acct, ok := a.accountByID(k.account)
	if !ok {
		return
	}
	ids := []int64{k.stream}
	if st, err := a.st().Stream(a.ctx, k.stream); err == nil && !strings.Contains(st.Resource, "/") {
		if streams, err := a.st().Streams(a.ctx, acct.ID); err == nil {
			for _, s := range streams {
				if s.Kind == model.StreamDrive && strings.Contains(s.Resource, "/") {
					ids = append(ids, s.ID)
				}
			}
		}
	}
	for _, id := range ids {
		a.kickStream(acct, id)
	}
	for _, d := range follow {
		time.AfterFunc(d, func() {
			if a.ctx.Err() == nil {
				a.kickStream(acct, k.stream)
			}
		})
	}
}

// kickStream makes a stream due now when the scheduler runs (the window,
// `rapport serve`, `rapport sync`); otherwise the next sync picks it up.
func (a *App) kickStream(_ model.Account, streamID int64) {
	a.sched().kick(streamID)
}

func (a *App) accountByID(id int64) (model.Account, bool) {
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return model.Account{}, false
	}
	for _, acct := range accts {
		if acct.ID == id {
			return acct, true
		}
	}
	return model.Account{}, false
}
