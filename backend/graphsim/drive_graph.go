package graphsim

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Graph endpoints for drives: /me/drive, /me/drives, /drives/{id},
// root/delta (and a folder delta on personal drives), children, items;
// sites are in sites.go. Answers follow driveitem-delta.md: unordered
// pages, repeated items, deleted facets often carrying only an id, cTag
// omitted by Business delta, ?token=latest, and 410 resyncRequired with a
// Location to enumerate afresh once a token is forgotten.

var (
	// scopesFiles read the user's own OneDrive.
	scopesFiles = []string{"files.read", "files.read.all", "files.readwrite", "files.readwrite.all", "sites.read.all", "sites.readwrite.all"}
	// scopesFilesAll read other people's drives and libraries.
	scopesFilesAll = []string{"files.read.all", "files.readwrite.all", "sites.read.all", "sites.readwrite.all"}
)

// driveItemProps are the driveItem properties the simulator knows, for
// $select.
var driveItemProps = []string{"createdDateTime", "cTag", "eTag", "id", "lastModifiedDateTime", "name", "size", "webUrl",
	"createdBy", "lastModifiedBy", "parentReference", "fileSystemInfo", "file", "folder", "root", "remoteItem", "deleted",
	"package", "shared", "specialFolder", "image", "photo", "video", "audio", "location", "malware", "publication"}

type driveSpec struct {
	sel []string // nil: everything
	top int
}

type driveEntry struct {
	id   string
	tomb *driveTomb
}

type driveRound struct {
	entries []driveEntry
	upto    int64
}

type driveToken struct {
	driveID  string
	folderID string // "" = the root
	spec     driveSpec
	round    *driveRound // next pages
	offset   int
	since    int64 // delta tokens
	delta    bool
}

const maxDriveTokens = 100000

func (ds *driveState) put(t *driveToken) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	ds.tokens[tok] = t
	ds.fifo = append(ds.fifo, tok)
	for len(ds.fifo) > maxDriveTokens {
		delete(ds.tokens, ds.fifo[0])
		ds.fifo = ds.fifo[1:]
	}
	return tok
}

// routeDrive serves the drive and site endpoints; false when the path is
// not one of them. segs are the path's segments after /v1.0.
func (s *Server) routeDrive(c *graphCall, segs []string) bool {
	is := func(i int, name string) bool { return len(segs) > i && strings.EqualFold(segs[i], name) }
	switch {
	case is(0, "me") && is(1, "drive"):
		if !c.has(scopesFiles) {
			c.fail(http.StatusForbidden, "accessDenied", "Access denied")
			return true
		}
		s.mu.Lock()
		id := s.drives.mine
		if c.tok.personal {
			id = s.drives.personal
		}
		d := s.drives.drive(id)
		s.mu.Unlock()
		if d == nil {
			c.fail(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return true
		}
		s.serveDrive(c, d, segs[2:])
	case is(0, "me") && is(1, "drives") && len(segs) == 2:
		s.listMyDrives(c)
	case is(0, "me") && is(1, "followedSites") && len(segs) == 2:
		s.followedSites(c)
	case is(0, "drives") && len(segs) >= 2:
		if !c.has(scopesFiles) {
			c.fail(http.StatusForbidden, "accessDenied", "Access denied")
			return true
		}
		s.mu.Lock()
		d := s.drives.drive(segs[1])
		mine := d != nil && (d.id == s.drives.mine && !c.tok.personal || d.id == s.drives.personal && c.tok.personal)
		s.mu.Unlock()
		if d == nil {
			c.fail(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return true
		}
		if !mine && (!c.has(scopesFilesAll) || c.tok.personal) {
			c.fail(http.StatusForbidden, "accessDenied", "Access denied")
			return true
		}
		s.serveDrive(c, d, segs[2:])
	case is(0, "sites"):
		s.routeSites(c, segs[1:])
	default:
		return false
	}
	return true
}

// serveDrive serves /…/drive{/rest}.
func (s *Server) serveDrive(c *graphCall, d *simDrive, rest []string) {
	is := func(i int, name string) bool { return len(rest) > i && strings.EqualFold(rest[i], name) }
	// A colleague's drive: only the folders shared with the consultant.
	if d.shared != nil {
		var target string
		switch {
		case is(0, "items") && len(rest) >= 2:
			target = rest[1]
		default:
			c.fail(http.StatusForbidden, "accessDenied", "Access denied")
			return
		}
		s.mu.Lock()
		ok := false
		for top := range d.shared {
			ok = ok || d.within(target, top)
		}
		s.mu.Unlock()
		if !ok {
			c.fail(http.StatusForbidden, "accessDenied", "Access denied")
			return
		}
	}
	switch {
	case len(rest) == 0:
		s.mu.Lock()
		o := s.driveObject(c, d)
		s.mu.Unlock()
		writeGraphJSON(c.w, c.r, http.StatusOK, append(object{{"@odata.context", c.base + "/v1.0/$metadata#drives/$entity"}}, o...))
	case is(0, "root") && len(rest) == 1:
		s.getDriveItem(c, d, d.rootID)
	case is(0, "root") && is(1, "delta") && len(rest) == 2:
		s.driveDelta(c, d, "")
	case is(0, "root") && is(1, "children") && len(rest) == 2:
		s.driveChildren(c, d, d.rootID)
	case is(0, "items") && len(rest) == 2:
		s.getDriveItem(c, d, rest[1])
	case is(0, "items") && is(2, "delta") && len(rest) == 3:
		s.driveDelta(c, d, rest[1])
	case is(0, "items") && is(2, "children") && len(rest) == 3:
		s.driveChildren(c, d, rest[1])
	default:
		c.fail(http.StatusBadRequest, "invalidRequest", fmt.Sprintf("Resource not found for the segment '%s'.", rest[len(rest)-1]))
	}
}

func parseDriveSpec(c *graphCall) (driveSpec, bool) {
	spec := driveSpec{top: 200}
	sel, bad := parseSelect(c.q.Get("$select"), driveItemProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "invalidRequest", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.driveItem'.", bad))
		return spec, false
	}
	spec.sel = sel
	if v := c.q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(http.StatusBadRequest, "invalidRequest", "Invalid value for $top.")
			return spec, false
		}
		spec.top = min(n, 1000)
	}
	return spec, true
}

// resyncRequired answers a forgotten token: 410 with a Location that
// enumerates the drive (or folder) afresh.
func (s *Server) resyncRequired(c *graphCall, d *simDrive, folderID string) {
	loc := c.base + "/v1.0/drives/" + d.id + "/root/delta"
	if folderID != "" {
		loc = c.base + "/v1.0/drives/" + d.id + "/items/" + folderID + "/delta"
	}
	c.w.Header().Set("Location", loc)
	writeGraphErrorInner(c.w, c.r, http.StatusGone, "resyncRequired",
		"Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
		object{{"code", "resyncChangesApplyDifferences"}})
}

// driveDelta serves root/delta (folderID "") and a folder's delta.
func (s *Server) driveDelta(c *graphCall, d *simDrive, folderID string) {
	// The page is encoded after the tenant's lock is released: its values
	// are built afresh (strings, numbers, new objects), and encoding 1,000
	// items under the lock held every mailbox request back for several
	// milliseconds a page (docs/PERFORMANCE.md §44).
	if out, ok := s.driveDeltaPage(c, d, folderID); ok {
		writeGraphJSON(c.w, c.r, http.StatusOK, out)
	}
}

// driveDeltaPage builds a delta page under the tenant's lock; false when it
// answered with an error.
func (s *Server) driveDeltaPage(c *graphCall, d *simDrive, folderID string) (object, bool) {
	if folderID != "" && d.driveType != "personal" {
		// onedrive-api-docs #842: Business has no folder-level delta.
		c.fail(http.StatusBadRequest, "notSupported", "view.delta can only be called on the root.")
		return nil, false
	}
	skip, token := c.q.Get("$skiptoken"), c.q.Get("token")
	var spec driveSpec
	if skip == "" && (token == "" || token == "latest" || isTimeToken(token)) {
		var ok bool
		if spec, ok = parseDriveSpec(c); !ok {
			return nil, false
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ds := s.drives
	if folderID != "" && d.items[folderID] == nil {
		c.fail(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return nil, false
	}
	var rd *driveRound
	offset := 0
	switch {
	case skip != "":
		st := ds.tokens[skip]
		if st == nil || st.delta || st.driveID != d.id || st.folderID != folderID {
			s.resyncRequired(c, d, folderID)
			return nil, false
		}
		rd, offset, spec = st.round, st.offset, st.spec
	case token == "latest":
		rd = &driveRound{upto: ds.seq}
	case isTimeToken(token):
		if d.driveType == "personal" {
			c.fail(http.StatusBadRequest, "invalidRequest", "Invalid token.")
			return nil, false
		}
		t, _ := time.Parse(time.RFC3339, token)
		rd = s.startDriveRoundSince(d, folderID, t)
	case token != "":
		st := ds.tokens[token]
		if st == nil || !st.delta || st.driveID != d.id || st.folderID != folderID {
			s.resyncRequired(c, d, folderID)
			return nil, false
		}
		spec = st.spec
		rd = s.startDriveRound(d, folderID, st.since)
	default:
		rd = s.startDriveRound(d, folderID, fullRound)
	}
	end := min(offset+spec.top, len(rd.entries))
	values := []object{}
	sel := newSelector(spec.sel, "id")
	for _, e := range rd.entries[offset:end] {
		if e.tomb != nil {
			values = append(values, s.tombObject(d, e.tomb))
			continue
		}
		it := d.items[e.id]
		if it == nil || (folderID != "" && !d.within(it.id, folderID)) {
			continue // deleted during the round: the next round reports it
		}
		values = append(values, sel.apply(s.driveItemObject(c, d, it, true)))
	}
	base := c.base + "/v1.0/drives/" + d.id + "/root/delta?"
	if folderID != "" {
		base = c.base + "/v1.0/drives/" + d.id + "/items/" + folderID + "/delta?"
	}
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#Collection(driveItem)"}}
	if end < len(rd.entries) {
		tok := ds.put(&driveToken{driveID: d.id, folderID: folderID, spec: spec, round: rd, offset: end})
		out = append(out, field{"@odata.nextLink", base + "$skiptoken=" + tok})
	} else {
		tok := ds.put(&driveToken{driveID: d.id, folderID: folderID, spec: spec, since: rd.upto, delta: true})
		out = append(out, field{"@odata.deltaLink", base + "token=" + tok})
	}
	out = append(out, field{"value", values})
	if ds.failAfter > 0 {
		ds.failAfter--
		if ds.failAfter == 0 {
			ds.tokens, ds.fifo = map[string]*driveToken{}, nil
		}
	}
	return out, true
}

func isTimeToken(t string) bool {
	_, err := time.Parse(time.RFC3339, t)
	return err == nil
}

// startDriveRound snapshots a round: every item of the drive (or folder)
// for fullRound, else the changes and deletions after since. Graph
// guarantees no order, so a full round lists the deepest items first and
// shuffles its pages (parents come after their children), and repeats
// some items on later pages. Callers hold s.mu.
func (s *Server) startDriveRound(d *simDrive, folderID string, since int64) *driveRound {
	ds := s.drives
	rd := &driveRound{upto: ds.seq}
	// Deepest first, then by id. The depth is kept beside each id rather
	// than looked up while sorting: a full round of the 30,000-item
	// OneDrive took ~60 ms under the tenant's lock, which every mailbox
	// request waits for too (issue 7, docs/PERFORMANCE.md §42).
	type ranked struct {
		id    string
		depth int
	}
	var ids []ranked
	// Nothing changed in any drive since: no item to look at (this is
	// every poll of an unchanged drive). Otherwise the change is tested
	// first, as within walks the item's parents.
	if since == fullRound || since < ds.seq {
		for id, it := range d.items {
			if (since == fullRound || it.changed > since) && (folderID == "" || d.within(id, folderID)) {
				depth := max(d.depth(id), 1) // one more than the slashes in path (names hold none)
				if id == d.rootID {
					depth = 0
				}
				ids = append(ids, ranked{id, depth})
			}
		}
	}
	slices.SortFunc(ids, func(a, b ranked) int {
		if a.depth != b.depth {
			return b.depth - a.depth
		}
		return strings.Compare(a.id, b.id)
	})
	rd.entries = make([]driveEntry, 0, len(ids))
	for _, r := range ids {
		rd.entries = append(rd.entries, driveEntry{id: r.id})
	}
	if since != fullRound {
		for i := range d.gone {
			if t := &d.gone[i]; t.seq > since {
				rd.entries = append(rd.entries, driveEntry{id: t.id, tomb: t})
			}
		}
	}
	// Shuffle in chunks (as pages would come) and repeat every 7th entry
	// further on: consumers must cope with both.
	const chunk = 5
	var chunks [][]driveEntry
	for i := 0; i < len(rd.entries); i += chunk {
		chunks = append(chunks, rd.entries[i:min(i+chunk, len(rd.entries))])
	}
	ds.r.Shuffle(len(chunks), func(i, j int) {
		// Keep the deepest chunk first so a full round's first page always
		// holds children whose parents come later.
		if i == 0 || j == 0 {
			return
		}
		chunks[i], chunks[j] = chunks[j], chunks[i]
	})
	var out []driveEntry
	for _, c := range chunks {
		out = append(out, c...)
	}
	n := len(out)
	for i := 0; i < n; i += 7 {
		out = append(out, out[i])
	}
	rd.entries = out
	return rd
}

// startDriveRoundSince is ?token=<time>: the items modified since t.
func (s *Server) startDriveRoundSince(d *simDrive, folderID string, t time.Time) *driveRound {
	rd := &driveRound{upto: s.drives.seq}
	var ids []string
	for id, it := range d.items {
		if (folderID == "" || d.within(id, folderID)) && !it.modified.Before(t) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		rd.entries = append(rd.entries, driveEntry{id: id})
	}
	return rd
}

// driveChildren lists a folder's children ($top, $skiptoken).
func (s *Server) driveChildren(c *graphCall, d *simDrive, folderID string) {
	spec, ok := parseDriveSpec(c)
	if !ok {
		return
	}
	offset := 0
	if v := c.q.Get("$skiptoken"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 {
			c.fail(http.StatusBadRequest, "invalidRequest", "Invalid skip token.")
			return
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := d.items[folderID]
	if f == nil || !f.folder {
		c.fail(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return
	}
	kids := d.children(folderID)
	end := min(offset+spec.top, len(kids))
	values := []object{}
	for _, it := range kids[min(offset, len(kids)):end] {
		values = append(values, project(s.driveItemObject(c, d, it, false), spec.sel, "id"))
	}
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#drives('" + d.id + "')/items('" + folderID + "')/children"}}
	if end < len(kids) {
		q := url.Values{}
		for k, v := range c.q {
			q[k] = v
		}
		q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
		out = append(out, field{"@odata.nextLink", c.base + "/v1.0/drives/" + d.id + "/items/" + folderID + "/children?" + q.Encode()})
	}
	out = append(out, field{"value", values})
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

func (s *Server) getDriveItem(c *graphCall, d *simDrive, id string) {
	spec, ok := parseDriveSpec(c)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it := d.items[id]
	if it == nil {
		c.fail(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return
	}
	o := project(s.driveItemObject(c, d, it, false), spec.sel, "id")
	writeGraphJSON(c.w, c.r, http.StatusOK, append(object{{"@odata.context", c.base + "/v1.0/$metadata#drives('" + d.id + "')/items/$entity"}}, o...))
}

// identitySet renders Graph's identitySet for a person (user with email,
// id and displayName).
func identitySet(p person) object {
	if p.address == "" {
		return object{{"user", object{{"displayName", p.name}}}}
	}
	sum := sha1.Sum([]byte(strings.ToLower(p.address)))
	id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
	return object{{"user", object{{"email", p.address}, {"id", id}, {"displayName", p.name}}}}
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// driveItemObject renders an item in Graph's shape. delta drops cTag on
// Business drives, as their delta does. Callers hold s.mu.
func (s *Server) driveItemObject(c *graphCall, d *simDrive, it *driveItem, delta bool) object {
	name := it.name
	isRoot := it.id == d.rootID
	if isRoot {
		name = "root"
	}
	size := d.subtreeSize(it.id) // a folder's from folderSizes, kept between changes
	web := d.webURL
	if p := d.path(it.id); p != "" {
		web += "/" + escapePath(p)
	}
	o := object{{"createdDateTime", graphTime(it.created)}}
	if !delta || d.driveType == "personal" {
		o = append(o, field{"cTag", fmt.Sprintf(`"c:{%s},%d"`, it.guid, it.ctagV)})
	}
	o = append(o,
		field{"eTag", fmt.Sprintf(`"{%s},%d"`, it.guid, it.etagV)},
		field{"id", it.id},
		field{"lastModifiedDateTime", graphTime(it.modified)},
		field{"name", name},
		field{"size", size},
		field{"webUrl", web},
		field{"createdBy", identitySet(it.createdBy)},
		field{"lastModifiedBy", identitySet(it.modBy)},
	)
	parent := object{{"driveType", d.driveType}, {"driveId", d.itemDriveID}}
	if !isRoot {
		parent = append(parent, field{"id", it.parentID})
		if p := d.items[it.parentID]; p != nil && !delta {
			pname := p.name
			if p.id == d.rootID {
				pname = "root"
			}
			parent = append(parent, field{"name", pname}, field{"path", "/drive/root:" + strings.TrimSuffix("/"+d.path(p.id), "/")})
		}
	}
	if d.siteID != "" {
		parent = append(parent, field{"siteId", d.siteID})
	}
	o = append(o, field{"parentReference", parent})
	o = append(o, field{"fileSystemInfo", object{{"createdDateTime", graphTime(it.created)}, {"lastModifiedDateTime", graphTime(it.modified)}}})
	switch {
	case it.remote != nil:
		rd := s.drives.drive(it.remote.driveID)
		ro := object{{"id", it.remote.itemID}, {"name", it.name}}
		if rd != nil {
			if target := rd.items[it.remote.itemID]; target != nil {
				ro = append(ro, field{"webUrl", rd.webURL + "/" + escapePath(rd.path(target.id))},
					field{"folder", object{{"childCount", len(rd.children(target.id))}}},
					field{"parentReference", object{{"driveType", rd.driveType}, {"driveId", rd.itemDriveID}, {"id", target.parentID}}},
					field{"createdBy", identitySet(target.createdBy)}, field{"size", rd.subtreeSize(target.id)})
			}
		}
		o = append(o, field{"remoteItem", ro})
	case it.folder:
		o = append(o, field{"folder", object{{"childCount", d.childCounts()[it.id]}}})
		if isRoot {
			o = append(o, field{"root", object{}})
		}
	default:
		o = append(o, field{"file", object{{"mimeType", it.mime}, {"hashes", object{{"quickXorHash", it.quickXorHash()}}}}})
	}
	return o
}

// tombObject is a deleted item as delta reports it: Business drops the
// name, cTag and size, and often everything but the id.
func (s *Server) tombObject(d *simDrive, t *driveTomb) object {
	o := object{{"id", t.id}}
	if !t.idOnly {
		if d.driveType == "personal" {
			o = append(o, field{"name", t.name})
		}
		o = append(o, field{"parentReference", object{{"driveType", d.driveType}, {"driveId", d.itemDriveID}, {"id", t.parentID}}})
		if t.folder {
			o = append(o, field{"folder", object{}})
		} else {
			o = append(o, field{"file", object{}})
		}
	}
	return append(o, field{"deleted", object{{"state", "deleted"}}})
}

// driveObject renders a drive in Graph's shape (drive-list.1.json).
// Callers hold s.mu.
func (s *Server) driveObject(c *graphCall, d *simDrive) object {
	used := d.subtreeSize(d.rootID)
	owner := identitySet(d.owner)
	if d.driveType == "documentLibrary" {
		owner = object{{"group", object{{"id", d.siteID}, {"displayName", d.owner.name}}}}
	}
	const total = int64(1099511627776)
	return object{
		{"createdDateTime", graphTime(d.created)},
		{"description", d.description},
		{"id", d.id},
		{"lastModifiedDateTime", graphTime(d.created)},
		{"name", d.name},
		{"webUrl", d.webURL},
		{"driveType", d.driveType},
		{"createdBy", object{{"user", object{{"displayName", "System Account"}}}}},
		{"lastModifiedBy", identitySet(d.owner)},
		{"owner", owner},
		{"quota", object{{"deleted", int64(0)}, {"remaining", total - used}, {"state", "normal"}, {"total", total}, {"used", used}}},
	}
}

// listMyDrives serves /me/drives: the user's OneDrive.
func (s *Server) listMyDrives(c *graphCall) {
	if !c.has(scopesFiles) {
		c.fail(http.StatusForbidden, "accessDenied", "Access denied")
		return
	}
	s.mu.Lock()
	id := s.drives.mine
	if c.tok.personal {
		id = s.drives.personal
	}
	values := []object{}
	if d := s.drives.drive(id); d != nil {
		values = append(values, s.driveObject(c, d))
	}
	s.mu.Unlock()
	writeGraphJSON(c.w, c.r, http.StatusOK, object{{"@odata.context", c.base + "/v1.0/$metadata#drives"}, {"value", values}})
}
