package graphsim

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rapport/backend/model"
)

var testFileScopes = []string{"User.Read", "Mail.ReadBasic", "Files.Read.All", "Sites.Read.All"}

// driveKind pairs documented example items with simulator items of the
// same sort.
func driveKind(item map[string]any) string {
	_, deleted := item["deleted"]
	_, folder := item["folder"]
	switch {
	case deleted && folder:
		return "deleted folder"
	case deleted:
		return "deleted"
	case folder:
		return "folder"
	}
	return "file"
}

// checkDriveContract compares a documented delta page with the
// simulator's: the page's @odata links, and every example item with a
// simulator item of its kind. Business deletions drop the name (README
// §3), so an example deletion's name is not required.
func checkDriveContract(t *testing.T, file string, page answer, items []map[string]any) {
	t.Helper()
	ex := loadExample(t, file)
	for k := range ex {
		if strings.HasPrefix(k, "@odata.") {
			if _, ok := page.body[k]; !ok {
				t.Errorf("%s: top-level %s missing", file, k)
			}
		}
	}
	byKind := map[string]map[string]any{}
	for _, it := range items {
		k := driveKind(it)
		// Prefer the fullest deletion (not an id-only one) to compare.
		if prev, ok := byKind[k]; !ok || len(it) > len(prev) {
			byKind[k] = it
		}
	}
	for _, v := range ex["value"].([]any) {
		item := v.(map[string]any)
		sim, ok := byKind[driveKind(item)]
		if !ok {
			t.Errorf("%s: the simulator answer has no %s item to compare", file, driveKind(item))
			continue
		}
		if _, deleted := item["deleted"]; deleted {
			item = copyWithout(item, "name")
		}
		for _, p := range sameShape(file, "value[]", item, any(sim)) {
			t.Errorf("%s: %s", file, p)
		}
	}
}

func copyWithout(m map[string]any, drop string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != drop {
			out[k] = v
		}
	}
	return out
}

func TestContractDrives(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	g := s.GraphURL()

	me := get(t, s, tok, g+"/me/drive")
	checkContract(t, "drive-get.1.json", me, nil)
	page, items := allPages(t, s, tok, g+"/me/drives")
	checkContract(t, "drive-list.1.json", page, items)

	page, items = allPages(t, s, tok, g+"/me/followedSites")
	checkContract(t, "sites-list-followed.1.json", page, items)
	page, items = allPages(t, s, tok, g+"/sites?search=projects")
	checkContract(t, "site-search.1.json", page, items)
	site := get(t, s, tok, g+"/sites/"+url.PathEscape(items[0]["id"].(string)))
	checkContract(t, "site-get.1.json", site, nil)

	// Pages of a first round and of a later round with deletions (a file, a
	// folder with its files): each documented page is compared with the
	// simulator's page of the same place (first, last) and its items with
	// the simulator's items of the same kind.
	drive := g + "/drives/" + s.MyDriveID()
	first := get(t, s, tok, drive+"/root/delta?$top=4")
	full := runRound(t, s, tok, drive+"/root/delta?$top=50")
	my := s.MyDriveID()
	for _, p := range []string{"Admin/Invoices/Invoice 2040.pdf", "Archive/Contoso Ltd", "Admin/Invoices/Invoice 2041.pdf"} {
		id, err := s.DriveItemByPath(my, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDriveItem(my, id); err != nil {
			t.Fatal(err)
		}
	}
	later := runRound(t, s, tok, full.deltaLink)
	pool := append(append([]map[string]any{}, full.items...), later.items...)
	checkDriveContract(t, "driveitem-delta.1.json", first, pool)
	checkDriveContract(t, "driveitem-delta.2.json", later.pages[len(later.pages)-1], pool)

	latest := get(t, s, tok, drive+"/root/delta?token=latest")
	checkContract(t, "driveitem-delta.3.json", latest, nil)
	if len(latest.values(t)) != 0 {
		t.Fatal("token=latest returned items")
	}
	since := get(t, s, tok, drive+"/root/delta?token="+url.QueryEscape("2021-09-29T20:00:00Z"))
	checkDriveContract(t, "driveitem-delta.4.json", since, append(since.values(t), pool...))
}

// A full round lists children before their parents and repeats items;
// every live item is in it; a later round has just the changes.
func TestDriveDeltaOrderAndRepeats(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	my := s.MyDriveID()
	r := runRound(t, s, tok, s.GraphURL()+"/drives/"+my+"/root/delta?$top=7")
	if len(r.pages) < 3 {
		t.Fatalf("%d pages", len(r.pages))
	}
	truth, _ := s.DriveItems(my, "")
	seen, pos := map[string]int{}, map[string]int{}
	for i, it := range r.items {
		id := it["id"].(string)
		seen[id]++
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	repeats, childFirst := 0, 0
	for _, it := range truth {
		if seen[it.ID] == 0 {
			t.Fatalf("%s missing from the round", it.Path)
		}
		if seen[it.ID] > 1 {
			repeats++
		}
		if !it.Root && pos[it.ID] < pos[it.ParentID] {
			childFirst++
		}
	}
	if len(seen) != len(truth) || repeats == 0 || childFirst == 0 {
		t.Fatalf("%d ids (truth %d), %d repeated, %d before their parent", len(seen), len(truth), repeats, childFirst)
	}
	// The first page holds items whose parents come later.
	for _, it := range r.pages[0].values(t) {
		if p, _ := it["parentReference"].(map[string]any); p != nil && pos[p["id"].(string)] < 7 {
			t.Fatalf("the first page holds a parent of its items")
		}
	}
	// Business delta omits cTag; items carry the quickXorHash.
	if _, ok := r.items[0]["cTag"]; ok {
		t.Fatal("business delta carries cTag")
	}
	id, _ := s.DriveItemByPath(my, "Clients/Contoso/Q3 budget.xlsx")
	if err := s.EditDriveFile(my, id, 0, model.Recipient{Name: "Lee Gu", Address: "lee.gu@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	next := runRound(t, s, tok, r.deltaLink)
	ids := map[string]bool{}
	for _, it := range next.items {
		ids[it["id"].(string)] = true
	}
	// The file and its ancestors (their cTag changed).
	if !ids[id] || len(ids) != 4 {
		t.Fatalf("a later round reports %d items", len(ids))
	}
}

// Deleted items come as the deleted facet, some with their id alone.
func TestDriveDeletedIDOnly(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	my := s.MyDriveID()
	r := runRound(t, s, tok, s.GraphURL()+"/drives/"+my+"/root/delta")
	folder, _ := s.DriveItemByPath(my, "Clients/Contoso/Workshops")
	if err := s.DeleteDriveItem(my, folder); err != nil {
		t.Fatal(err)
	}
	next := runRound(t, s, tok, r.deltaLink)
	idOnly, deleted := 0, 0
	for _, it := range next.items {
		if _, ok := it["deleted"]; ok {
			deleted++
			if len(it) == 2 {
				idOnly++
			}
		}
	}
	if deleted != 4 || idOnly < 2 {
		t.Fatalf("%d deleted items, %d with their id alone", deleted, idOnly)
	}
}

// A forgotten token answers 410 resyncRequired with a Location that
// enumerates the drive afresh.
func TestDriveResyncRequired(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	first := get(t, s, tok, s.GraphURL()+"/drives/"+s.MyDriveID()+"/root/delta?$top=5")
	s.InvalidateDriveTokens()
	gone := get(t, s, tok, first.str("@odata.nextLink"))
	loc := gone.header.Get("Location")
	inner, _ := gone.body["error"].(map[string]any)["innerError"].(map[string]any)
	if gone.status != http.StatusGone || gone.graphErrorCode() != "resyncRequired" || inner["code"] != "resyncChangesApplyDifferences" || loc == "" {
		t.Fatalf("410: %d %s %q", gone.status, gone.raw, loc)
	}
	r := runRound(t, s, tok, loc)
	truth, _ := s.DriveItems(s.MyDriveID(), "")
	if len(r.items) < len(truth) {
		t.Fatalf("the Location's round has %d items, the drive %d", len(r.items), len(truth))
	}
}

// Scopes, personal accounts, shared folders and business folder delta.
func TestDriveAccess(t *testing.T) {
	s := startSim(t, Options{})
	g := s.GraphURL()
	mailOnly := s.MintAccessToken()
	if a := get(t, s, mailOnly, g+"/me/drive"); a.status != http.StatusForbidden || a.graphErrorCode() != "accessDenied" {
		t.Fatalf("/me/drive without Files.Read: %d %s", a.status, a.raw)
	}
	filesOnly := s.MintAccessToken("Files.Read")
	if a := get(t, s, filesOnly, g+"/me/followedSites"); a.status != http.StatusForbidden {
		t.Fatalf("followedSites without Sites.Read.All: %d", a.status)
	}
	if a := get(t, s, filesOnly, g+"/me/drive/root/delta"); a.status != http.StatusOK {
		t.Fatalf("own drive with Files.Read: %d %s", a.status, a.raw)
	}
	tok := s.MintAccessToken(testFileScopes...)
	shortcut, remote, folder := s.SharedFolder()
	if shortcut == "" {
		t.Fatal("no shared folder")
	}
	if a := get(t, s, tok, g+"/drives/"+remote+"/root/delta"); a.status != http.StatusForbidden {
		t.Fatalf("a colleague's whole drive: %d", a.status)
	}
	if a := get(t, s, tok, g+"/drives/"+remote+"/items/"+folder+"/delta"); a.status != http.StatusBadRequest || a.graphErrorCode() != "notSupported" {
		t.Fatalf("business folder delta: %d %s", a.status, a.raw)
	}
	if kids := get(t, s, tok, g+"/drives/"+remote+"/items/"+folder+"/children"); kids.status != http.StatusOK || len(kids.values(t)) != 3 {
		t.Fatalf("shared folder children: %d %s", kids.status, kids.raw)
	}
	// Business drive ids are case-sensitive.
	if a := get(t, s, tok, g+"/drives/"+strings.ToLower(s.MyDriveID())); a.status != http.StatusNotFound {
		t.Fatalf("a lower-cased business drive id: %d", a.status)
	}
	// The shortcut in My files points at the shared folder.
	var sc map[string]any
	for _, it := range runRound(t, s, tok, g+"/me/drive/root/delta").items {
		if it["id"] == shortcut {
			sc = it
		}
	}
	ri, _ := sc["remoteItem"].(map[string]any)
	if ri == nil || ri["id"] != folder || ri["parentReference"].(map[string]any)["driveId"] != remote {
		t.Fatalf("shortcut %v", sc)
	}
	// The personal account: its own drive, spelt inconsistently, with a
	// folder delta.
	s.SetFaults(Faults{SignIn: SignInPersonal})
	personal := s.mintPersonal(t)
	d := get(t, s, personal, g+"/me/drive")
	if d.status != http.StatusOK || d.str("driveType") != "personal" || len(d.str("id")) != 15 {
		t.Fatalf("personal drive %d %s", d.status, d.raw)
	}
	r := runRound(t, s, personal, g+"/drives/"+strings.ToUpper("0"+d.str("id"))+"/root/delta")
	docs := ""
	for _, it := range r.items {
		if it["name"] == "Documents" {
			docs = it["id"].(string)
		}
		if p, _ := it["parentReference"].(map[string]any); p["driveId"] != strings.ToUpper(d.str("id")) {
			t.Fatalf("parentReference.driveId %v", p["driveId"])
		}
	}
	if fd := runRound(t, s, personal, g+"/drives/"+d.str("id")+"/items/"+docs+"/delta"); len(fd.items) < 2 {
		t.Fatalf("personal folder delta: %d items", len(fd.items))
	}
	if a := get(t, s, personal, g+"/drives/"+s.MyDriveID()); a.status != http.StatusForbidden {
		t.Fatalf("a personal account reading a work drive: %d", a.status)
	}
}

// mintPersonal issues a token for the personal account.
func (s *Server) mintPersonal(t *testing.T) string {
	t.Helper()
	tok := s.MintAccessToken(testFileScopes...)
	s.mu.Lock()
	s.idp.access[tok].personal = true
	s.mu.Unlock()
	return tok
}

func TestSitesByPath(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	g := s.GraphURL()
	site := get(t, s, tok, g+"/sites/adatum.sharepoint.com:/sites/ClientProjects")
	if site.status != http.StatusOK || site.str("displayName") != "Client Projects" {
		t.Fatalf("site by path: %d %s", site.status, site.raw)
	}
	drives := get(t, s, tok, g+"/sites/adatum.sharepoint.com:/sites/ClientProjects:/drives")
	if drives.status != http.StatusOK || len(drives.values(t)) != 2 || drives.values(t)[1]["name"] != "Fabrikam Projects" {
		t.Fatalf("drives by path: %d %s", drives.status, drives.raw)
	}
	byID := get(t, s, tok, g+"/sites/"+url.PathEscape(site.str("id"))+"/drives")
	if len(byID.values(t)) != 2 || byID.values(t)[0]["driveType"] != "documentLibrary" {
		t.Fatalf("drives by id: %s", byID.raw)
	}
	if root := get(t, s, tok, g+"/sites/root"); root.str("displayName") != "Adatum" {
		t.Fatalf("root site %s", root.raw)
	}
	if missing := get(t, s, tok, g+"/sites/adatum.sharepoint.com:/sites/Nope"); missing.status != http.StatusNotFound {
		t.Fatalf("missing site: %d", missing.status)
	}
	if all := get(t, s, tok, g+"/sites?search=*"); len(all.values(t)) != 4 {
		t.Fatalf("search *: %s", all.raw)
	}
}

func TestMirrorDrive(t *testing.T) {
	s := startSim(t, Options{})
	dir := t.TempDir()
	if err := s.MirrorDrive(s.MyDriveID(), dir); err != nil {
		t.Fatal(err)
	}
	truth, _ := s.DriveItems(s.MyDriveID(), "")
	for _, it := range truth {
		if it.Root || it.Shortcut {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(it.Path)))
		if err != nil || fi.IsDir() != it.Folder {
			t.Fatalf("%s: %v", it.Path, err)
		}
	}
}

// Live changes edit, add and rename files in the client folders.
func TestLiveDriveChanges(t *testing.T) {
	s := startSim(t, Options{})
	before, _ := s.DriveItems(s.MyDriveID(), "")
	s.mu.Lock()
	seq := s.drives.seq
	s.mu.Unlock()
	for n := 1; n <= 12; n++ {
		s.LiveTick(n)
	}
	after, _ := s.DriveItems(s.MyDriveID(), "")
	s.mu.Lock()
	changed := s.drives.seq > seq
	s.mu.Unlock()
	if !changed || len(after) <= len(before) {
		t.Fatalf("live ticks: changed %v, %d -> %d items", changed, len(before), len(after))
	}
}

// A drive's quota.used (its root's subtree size, kept between changes)
// follows every change: a file added, edited, moved under another folder,
// deleted with its folder.
func TestDriveSizesFollowChanges(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	used := func() int64 {
		t.Helper()
		q, _ := get(t, s, tok, s.GraphURL()+"/me/drive").body["quota"].(map[string]any)
		n, ok := q["used"].(float64)
		if !ok {
			t.Fatalf("no quota.used in /me/drive")
		}
		return int64(n)
	}
	by := model.Recipient{Name: "Avery", Address: "avery@adatum.com"}
	drive := s.MyDriveID()
	base := used()
	folder, err := s.AddDriveFolder(drive, "", "Size check", by)
	if err != nil {
		t.Fatal(err)
	}
	file, err := s.AddDriveFile(drive, folder, "a.bin", 1000, by)
	if err != nil {
		t.Fatal(err)
	}
	if got := used(); got != base+1000 {
		t.Fatalf("after adding 1,000 bytes: used %d, want %d", got, base+1000)
	}
	if err := s.EditDriveFile(drive, file, 5000, by); err != nil {
		t.Fatal(err)
	}
	if got := used(); got != base+5000 {
		t.Fatalf("after editing to 5,000 bytes: used %d, want %d", got, base+5000)
	}
	if err := s.DeleteDriveItem(drive, folder); err != nil {
		t.Fatal(err)
	}
	if got := used(); got != base {
		t.Fatalf("after deleting the folder: used %d, want %d", got, base)
	}
}

// A folder's childCount (kept between changes, like its size) follows the
// items added to and removed from it.
func TestDriveChildCountsFollowChanges(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken(testFileScopes...)
	by := model.Recipient{Name: "Avery", Address: "avery@adatum.com"}
	drive := s.MyDriveID()
	folder, err := s.AddDriveFolder(drive, "", "Count check", by)
	if err != nil {
		t.Fatal(err)
	}
	count := func() float64 {
		t.Helper()
		f, _ := get(t, s, tok, s.GraphURL()+"/drives/"+drive+"/items/"+folder).body["folder"].(map[string]any)
		n, ok := f["childCount"].(float64)
		if !ok {
			t.Fatalf("no folder.childCount")
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("new folder: childCount %v", n)
	}
	a, err := s.AddDriveFile(drive, folder, "a.bin", 10, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDriveFolder(drive, folder, "sub", by); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after a file and a folder: childCount %v, want 2", n)
	}
	if err := s.DeleteDriveItem(drive, a); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("after deleting the file: childCount %v, want 1", n)
	}
}
