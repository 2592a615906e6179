package graphsim

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"rapport/backend/model"
)

// Drives: the consultant's OneDrive, SharePoint sites with document
// libraries, a colleague's OneDrive holding a folder shared with the
// consultant (a shortcut in My files points at it), and a personal
// OneDrive for the personal account. Like the mailbox, every change stamps
// a global sequence number; a drive delta token is "changes after seq N",
// deletions are remembered as tombstones.

// driveItem is a file or folder with the properties Graph returns.
type driveItem struct {
	id, name, parentID string
	folder             bool
	size               int64 // files; folders report their subtree's size
	mime               string
	created, modified  time.Time
	createdBy, modBy   person
	guid               string
	etagV, ctagV       int
	remote             *remoteRef // a shortcut / shared folder added to My files
	changed            int64      // seq of its last change
	hashSeed           string     // content identity: changes with every edit
}

type remoteRef struct {
	driveID, itemID string
}

// driveTomb remembers a deletion for delta rounds. idOnly tombstones are
// reported with nothing but the id and the deleted facet, as Business
// often does.
type driveTomb struct {
	id, parentID, name string
	folder             bool
	seq                int64
	idOnly             bool
}

// simDrive is one drive.
type simDrive struct {
	id          string // as Graph spells it in /me/drive and /sites/{id}/drives
	itemDriveID string // as parentReference.driveId spells it (personal: capitals, leading zero dropped)
	name        string
	driveType   string // personal | business | documentLibrary
	webURL      string
	description string
	owner       person
	siteID      string
	created     time.Time
	rootID      string
	items       map[string]*driveItem
	gone        []driveTomb
	// shared, when set, lists the only folders the consultant may read
	// (a colleague's drive): its root delta is refused.
	shared map[string]bool
	// state is the tenant's drives (for their change counter); facts is
	// folderFacts' last answer, computed when the counter was factsAt.
	state   *driveState
	facts   folderFacts
	factsAt int64
}

// driveState is every drive and site of the tenant. It lives behind s.mu.
type driveState struct {
	drives   []*simDrive
	sites    []*simSite
	seq      int64
	mine     string // the consultant's OneDrive
	personal string // the personal account's OneDrive
	tokens   map[string]*driveToken
	fifo     []string
	r        *rand.Rand
	// failAfter, when positive, invalidates every drive token after that
	// many more delta pages (a 410 in the middle of a round).
	failAfter int
}

func newDriveState(seed int64) *driveState {
	return &driveState{tokens: map[string]*driveToken{},
		r: rand.New(rand.NewPCG(uint64(seed), 0x64726976))} // "driv"
}

func (ds *driveState) add(d *simDrive) {
	d.state = ds
	ds.drives = append(ds.drives, d)
	if d.itemDriveID == "" {
		d.itemDriveID = d.id
	}
	if d.items == nil {
		d.items = map[string]*driveItem{}
	}
}

// drive finds a drive by id. Business ids ("b!…", base64) are
// case-sensitive; personal ids (hex) are found whatever their case and
// with or without their leading zeros, as Graph does.
func (ds *driveState) drive(id string) *simDrive {
	if strings.Contains(id, "!") {
		for _, d := range ds.drives {
			if d.id == id {
				return d
			}
		}
		return nil
	}
	want := strings.TrimLeft(strings.ToLower(id), "0")
	for _, d := range ds.drives {
		if !strings.Contains(d.id, "!") && strings.TrimLeft(strings.ToLower(d.id), "0") == want {
			return d
		}
	}
	return nil
}

func (ds *driveState) next() int64 {
	ds.seq++
	return ds.seq
}

// children returns a folder's children sorted by name.
func (d *simDrive) children(id string) []*driveItem {
	var out []*driveItem
	for _, it := range d.items {
		if it.parentID == id && it.id != d.rootID {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].name), strings.ToLower(out[j].name); a != b {
			return a < b
		}
		return out[i].id < out[j].id
	})
	return out
}

// path is the item's path from the root ("" for the root).
func (d *simDrive) path(id string) string {
	var parts []string
	for cur := d.items[id]; cur != nil && cur.id != d.rootID && len(parts) < 256; cur = d.items[cur.parentID] {
		parts = append(parts, cur.name)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// depth is how many names path(id) joins, without joining them (a full
// round sorts a whole drive by it).
func (d *simDrive) depth(id string) int {
	n := 0
	for cur := d.items[id]; cur != nil && cur.id != d.rootID && n < 256; cur = d.items[cur.parentID] {
		n++
	}
	return n
}

// within says whether id is top or lies under it.
func (d *simDrive) within(id, top string) bool {
	for cur, n := d.items[id], 0; cur != nil && n < 256; cur, n = d.items[cur.parentID], n+1 {
		if cur.id == top {
			return true
		}
	}
	return false
}

func (d *simDrive) subtreeSize(id string) int64 {
	it := d.items[id]
	if it == nil {
		return 0
	}
	if !it.folder {
		return it.size
	}
	return d.folderSizes()[id]
}

// folderSizes is every folder's subtree size, in one pass over the drive:
// each file adds its size to its ancestors. (Recursing through children(),
// which scans the whole drive, cost a 30,000-item drive minutes per delta
// page: issue 7's heavy tenant.)
//
// The answer is kept until the next change to any drive (every change
// takes a number from the drives' counter: newItem, touch, touchParents,
// a deletion's tombstones): a 30,000-item drive's first round asked for it
// at each of its 35 pages, ~1 s of the simulator's CPU per heavy sync on
// the two cores the engine it measures runs on (issue 7). Callers must not
// change the map.
func (d *simDrive) folderSizes() map[string]int64 { return d.folderFacts().sizes }

// childCounts is every folder's number of children (folder.childCount),
// kept like folderSizes: counting the whole drive at every page of its
// first round was another ~1.5 s of the simulator's CPU per heavy sync.
func (d *simDrive) childCounts() map[string]int64 { return d.folderFacts().children }

type folderFacts struct {
	sizes, children map[string]int64
}

func (d *simDrive) folderFacts() folderFacts {
	if d.facts.sizes != nil && d.state != nil && d.factsAt == d.state.seq {
		return d.facts
	}
	f := folderFacts{sizes: map[string]int64{}, children: map[string]int64{}}
	for _, it := range d.items {
		if it.id == d.rootID {
			continue
		}
		f.children[it.parentID]++
		if it.folder {
			continue
		}
		for cur, n := d.items[it.parentID], 0; cur != nil && n < 256; cur, n = d.items[cur.parentID], n+1 {
			f.sizes[cur.id] += it.size
			if cur.id == d.rootID {
				break
			}
		}
	}
	if d.state != nil {
		d.facts, d.factsAt = f, d.state.seq
	}
	return f
}

func (it *driveItem) quickXorHash() string {
	sum := sha1.Sum([]byte(it.id + "|" + it.hashSeed))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// newItemID looks like a Business drive item id: "01" and 32 capitals and digits.
func (ds *driveState) newItemID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alnum[ds.r.IntN(len(alnum))]
	}
	return "01" + string(b)
}

func (ds *driveState) newGUID() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(ds.r.Uint32())
	}
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}

// mimeFor guesses a file's MIME type from its extension.
func mimeFor(name string) string {
	ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:])
	switch ext {
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "pptx":
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	case "pdf":
		return "application/pdf"
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "zip":
		return "application/zip"
	case "txt", "md":
		return "text/plain"
	}
	return "application/octet-stream"
}

// newItem creates an item under parent. Callers hold s.mu.
func (ds *driveState) newItem(d *simDrive, parentID, name string, folder bool, size int64, by person, at time.Time) *driveItem {
	it := &driveItem{id: ds.newItemID(), name: name, parentID: parentID, folder: folder, size: size,
		created: at, modified: at, createdBy: by, modBy: by, guid: ds.newGUID(), etagV: 1, ctagV: 1, changed: ds.next()}
	it.hashSeed = fmt.Sprintf("%s#1", it.guid)
	if !folder {
		it.mime = mimeFor(name)
	}
	d.items[it.id] = it
	return it
}

// Errors of the drive API.
var (
	ErrNoSuchDrive = errors.New("graphsim: no such drive")
	ErrNoSuchItem  = errors.New("graphsim: no such drive item")
)

func (s *Server) driveAndItem(driveID, itemID string) (*simDrive, *driveItem, error) {
	d := s.drives.drive(driveID)
	if d == nil {
		return nil, nil, ErrNoSuchDrive
	}
	it := d.items[itemID]
	if it == nil {
		return d, nil, ErrNoSuchItem
	}
	return d, it, nil
}

func personOf(r model.Recipient) person { return person{r.Name, r.Address} }

// MyDriveID is the consultant's OneDrive id, as /me/drive spells it.
func (s *Server) MyDriveID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drives.mine
}

// PersonalDriveID is the personal account's OneDrive id ("" when none).
func (s *Server) PersonalDriveID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drives.personal
}

// Drives lists every drive of the tenant.
func (s *Server) Drives() []model.Drive {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.Drive
	for _, d := range s.drives.drives {
		out = append(out, model.Drive{ID: d.id, Name: d.name, DriveType: d.driveType, WebURL: d.webURL, Owner: d.owner.recipient()})
	}
	return out
}

// DriveIDByName finds a drive by its name and, for libraries, its site's
// name ("" matches any site): "OneDrive", "Fabrikam Projects".
func (s *Server) DriveIDByName(site, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.drives.drives {
		if !strings.EqualFold(d.name, name) {
			continue
		}
		if site == "" {
			return d.id
		}
		for _, st := range s.drives.sites {
			if st.id() == d.siteID && strings.EqualFold(st.displayName, site) {
				return d.id
			}
		}
	}
	return ""
}

// DriveItems returns the truth a correct sync must hold for a drive (or,
// with top set, the subtree of one shared folder): every live item with
// its parent, name, path, size and hash. The root is included.
func (s *Server) DriveItems(driveID, top string) ([]SimDriveItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drives.drive(driveID)
	if d == nil {
		return nil, ErrNoSuchDrive
	}
	var out []SimDriveItem
	for _, it := range d.items {
		if top != "" && !d.within(it.id, top) {
			continue
		}
		out = append(out, SimDriveItem{ID: it.id, ParentID: it.parentID, Name: it.name, Path: d.path(it.id), Folder: it.folder,
			Root: it.id == d.rootID, Size: it.size, QuickXorHash: it.quickXorHash(), Shortcut: it.remote != nil,
			Modified: it.modified, ModifiedBy: it.modBy.recipient()})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Path < out[j].Path || (out[i].Path == out[j].Path && out[i].ID < out[j].ID)
	})
	return out, nil
}

// SimDriveItem is one drive item of the simulator's truth.
type SimDriveItem struct {
	ID, ParentID, Name, Path string
	Folder, Root, Shortcut   bool
	Size                     int64
	QuickXorHash             string
	Modified                 time.Time
	ModifiedBy               model.Recipient
}

// DriveItemByPath finds an item by its path in a drive ("" is the root).
func (s *Server) DriveItemByPath(driveID, path string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drives.drive(driveID)
	if d == nil {
		return "", ErrNoSuchDrive
	}
	cur := d.rootID
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "" {
			continue
		}
		found := ""
		for _, c := range d.children(cur) {
			if strings.EqualFold(c.name, seg) {
				found = c.id
				break
			}
		}
		if found == "" {
			return "", fmt.Errorf("%w: %s", ErrNoSuchItem, path)
		}
		cur = found
	}
	return cur, nil
}

// SharedFolder returns the shortcut in the consultant's OneDrive and the
// shared folder (drive, item) it points at.
func (s *Server) SharedFolder() (shortcutID, driveID, folderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drives.drive(s.drives.mine)
	if d == nil {
		return "", "", ""
	}
	for _, it := range d.items {
		if it.remote != nil {
			return it.id, it.remote.driveID, it.remote.itemID
		}
	}
	return "", "", ""
}

func (s *Server) touch(it *driveItem, by model.Recipient, at time.Time) {
	it.changed = s.drives.next()
	it.etagV++
	if by.Address != "" || by.Name != "" {
		it.modBy = personOf(by)
	}
	if at.IsZero() {
		at = time.Now().UTC()
	}
	it.modified = at.UTC().Truncate(time.Second)
}

// AddDriveFolder creates a folder under parentID ("" = the root).
func (s *Server) AddDriveFolder(driveID, parentID, name string, by model.Recipient) (string, error) {
	return s.addDriveItem(driveID, parentID, name, true, 0, by)
}

// AddDriveFile creates a file of size bytes under parentID ("" = the root).
func (s *Server) AddDriveFile(driveID, parentID, name string, size int64, by model.Recipient) (string, error) {
	return s.addDriveItem(driveID, parentID, name, false, size, by)
}

func (s *Server) addDriveItem(driveID, parentID, name string, folder bool, size int64, by model.Recipient) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.drives.drive(driveID)
	if d == nil {
		return "", ErrNoSuchDrive
	}
	if parentID == "" {
		parentID = d.rootID
	}
	if p := d.items[parentID]; p == nil || !p.folder {
		return "", ErrNoSuchItem
	}
	it := s.drives.newItem(d, parentID, name, folder, size, personOf(by), time.Now().UTC().Truncate(time.Second))
	s.touchParents(d, parentID)
	return it.id, nil
}

// touchParents: a folder's cTag changes with any descendant, its eTag
// with its children list; Graph re-reports the folders.
func (s *Server) touchParents(d *simDrive, id string) {
	for cur, n := d.items[id], 0; cur != nil && n < 256; cur, n = d.items[cur.parentID], n+1 {
		cur.ctagV++
		cur.changed = s.drives.next()
		if cur.id == d.rootID {
			break
		}
	}
}

// EditDriveFile changes a file's content (size, hash, cTag and eTag
// change), as saving it does.
func (s *Server) EditDriveFile(driveID, itemID string, size int64, by model.Recipient) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it, err := s.driveAndItem(driveID, itemID)
	if err != nil {
		return err
	}
	if it.folder {
		return fmt.Errorf("graphsim: %s is a folder", itemID)
	}
	it.ctagV++
	it.hashSeed = fmt.Sprintf("%s#%d", it.guid, it.ctagV)
	if size > 0 {
		it.size = size
	}
	s.touch(it, by, time.Time{})
	s.touchParents(d, it.parentID)
	return nil
}

// TouchDriveItem changes only an item's metadata (its eTag): a sharing
// change or background processing, not an edit.
func (s *Server) TouchDriveItem(driveID, itemID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, it, err := s.driveAndItem(driveID, itemID)
	if err != nil {
		return err
	}
	it.etagV++
	it.changed = s.drives.next()
	return nil
}

// RenameDriveItem renames a file or folder. Its children are not
// re-reported (delta never does), which is why paths are built locally.
func (s *Server) RenameDriveItem(driveID, itemID, name string, by model.Recipient) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it, err := s.driveAndItem(driveID, itemID)
	if err != nil {
		return err
	}
	it.name = name
	if !it.folder {
		it.ctagV++ // OneDrive changes cTag on a rename too
	}
	s.touch(it, by, time.Time{})
	s.touchParents(d, it.parentID)
	return nil
}

// MoveDriveItem moves an item under another folder of the same drive.
func (s *Server) MoveDriveItem(driveID, itemID, newParentID string, by model.Recipient) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it, err := s.driveAndItem(driveID, itemID)
	if err != nil {
		return err
	}
	if newParentID == "" {
		newParentID = d.rootID
	}
	if p := d.items[newParentID]; p == nil || !p.folder || d.within(newParentID, itemID) {
		return fmt.Errorf("graphsim: cannot move %s under %s", itemID, newParentID)
	}
	old := it.parentID
	it.parentID = newParentID
	s.touch(it, by, time.Time{})
	s.touchParents(d, old)
	s.touchParents(d, newParentID)
	return nil
}

// DeleteDriveItem deletes an item; a folder goes with everything in it.
// Every other tombstone is reported with its id alone.
func (s *Server) DeleteDriveItem(driveID, itemID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, it, err := s.driveAndItem(driveID, itemID)
	if err != nil {
		return err
	}
	if itemID == d.rootID {
		return fmt.Errorf("graphsim: cannot delete the root")
	}
	var doomed []*driveItem
	var walk func(x *driveItem)
	walk = func(x *driveItem) {
		doomed = append(doomed, x)
		for _, c := range d.children(x.id) {
			walk(c)
		}
	}
	walk(it)
	parent := it.parentID
	for _, x := range doomed {
		delete(d.items, x.id)
		d.gone = append(d.gone, driveTomb{id: x.id, parentID: x.parentID, name: x.name, folder: x.folder, seq: s.drives.next(),
			idOnly: len(d.gone)%2 == 0})
	}
	s.touchParents(d, parent)
	return nil
}

// InvalidateDriveTokens forgets every drive sync state: each outstanding
// nextLink and deltaLink then answers 410 resyncRequired with a Location
// to enumerate afresh.
func (s *Server) InvalidateDriveTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drives.tokens = map[string]*driveToken{}
	s.drives.fifo = nil
}

// InvalidateDriveTokensAfter lets n more drive delta pages through, then
// forgets every drive sync state: a 410 in the middle of a round.
func (s *Server) InvalidateDriveTokensAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drives.failAfter = n
}
