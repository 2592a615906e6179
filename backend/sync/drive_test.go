package sync_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
)

// Drive tests: the real engine and store against the simulator's drives,
// comparing the store with the simulator's truth after every change.

var fileScopes = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic", "Files.Read.All", "Sites.Read.All"}

// newDriveHarness is a harness whose account granted the file scopes.
func newDriveHarness(t *testing.T, opts ...func(*config)) *harness {
	t.Helper()
	h := newHarness(t, opts...)
	h.tokens.scopes = fileScopes
	h.acct.Scopes = fileScopes
	acct, err := h.store.UpsertAccount(context.Background(), h.acct)
	if err != nil {
		t.Fatal(err)
	}
	h.acct = acct
	return h
}

// syncDrives discovers the drives and runs every drive stream's round,
// including the streams that round found (shared folders).
func (h *harness) syncDrives(t *testing.T) {
	t.Helper()
	if err := h.trySyncDrives(); err != nil {
		t.Fatalf("sync drives: %v", err)
	}
}

func (h *harness) trySyncDrives() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := h.engine.DiscoverDrives(ctx, h.acct); err != nil {
		return err
	}
	done := map[int64]bool{}
	for round := 0; round < 3; round++ {
		streams, err := h.store.Streams(ctx, h.acct.ID)
		if err != nil {
			return err
		}
		var ids []int64
		for _, s := range streams {
			if s.Kind == model.StreamDrive && !done[s.ID] {
				ids = append(ids, s.ID)
				done[s.ID] = true
			}
		}
		if len(ids) == 0 {
			break
		}
		if err := h.engine.SyncStreams(ctx, h.acct, ids); err != nil {
			return err
		}
	}
	return nil
}

// resyncDrives polls every drive stream once more.
func (h *harness) resyncDrives(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	streams, err := h.store.Streams(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range streams {
		if s.Kind == model.StreamDrive {
			ids = append(ids, s.ID)
		}
	}
	if err := h.engine.SyncStreams(ctx, h.acct, ids); err != nil {
		t.Fatalf("sync drives: %v", err)
	}
}

// checkDriveTruth compares the live items stored for a drive (or a shared
// folder's subtree) with the simulator's.
func (h *harness) checkDriveTruth(t *testing.T, driveID, top string) map[string]store.StoredDriveItem {
	t.Helper()
	truth, err := h.sim.DriveItems(driveID, top)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.store.DriveItems(context.Background(), h.acct.ID, model.CanonicalDriveID(driveID))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.StoredDriveItem{}
	for _, it := range stored {
		byID[it.ID] = it
	}
	prefix := ""
	if top != "" {
		for _, it := range truth {
			if it.ID == top {
				prefix = strings.TrimSuffix(it.Path, it.Name) // the shared folder's path is its name in the store
			}
		}
	}
	var problems []string
	for _, want := range truth {
		got, ok := byID[want.ID]
		if !ok {
			problems = append(problems, "missing "+want.Path)
			continue
		}
		delete(byID, want.ID)
		wantPath := strings.TrimPrefix(want.Path, prefix)
		wantParent := want.ParentID
		if want.Root || want.ID == top {
			wantParent = got.ParentID // the root has none; a shared folder's parent is outside
		}
		if got.Path != wantPath || got.Name != want.Name && !want.Root || got.ParentID != wantParent || got.IsFolder != (want.Folder || want.Shortcut) {
			problems = append(problems, fmt.Sprintf("%s: stored path %q name %q parent %q folder %v", wantPath, got.Path, got.Name, got.ParentID, got.IsFolder))
		}
		if !want.Folder && !want.Shortcut && (got.Size != want.Size || got.QuickXorHash != want.QuickXorHash) {
			problems = append(problems, fmt.Sprintf("%s: stored size %d hash %s, want %d %s", wantPath, got.Size, got.QuickXorHash, want.Size, want.QuickXorHash))
		}
	}
	for _, extra := range byID {
		problems = append(problems, "extra "+extra.Path)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if t.Failed() {
		t.FailNow()
	}
	out := map[string]store.StoredDriveItem{}
	for _, it := range stored {
		out[it.Path] = it
	}
	return out
}

func (h *harness) clientID(t *testing.T, name string) int64 {
	t.Helper()
	c, err := h.store.ClientByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// fileTimeline returns a client's file rows, newest first.
func (h *harness) fileTimeline(t *testing.T, client string) []model.TimelineItem {
	t.Helper()
	p, err := h.store.ClientFiles(context.Background(), h.clientID(t, client), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func (h *harness) activities(t *testing.T) []store.FileActivity {
	t.Helper()
	acts, err := h.store.FileActivities(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

func (h *harness) simPath(t *testing.T, driveID, path string) string {
	t.Helper()
	id, err := h.sim.DriveItemByPath(driveID, path)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The first round stores every item whatever the page order (the
// simulator lists the deepest items first, shuffles pages and repeats
// items), builds paths locally, records each file's creation and latest
// edit, and maps folders named after clients.
func TestDriveInitialRoundMatchesTruth(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	my := h.sim.MyDriveID()
	items := h.checkDriveTruth(t, my, "")

	// Each file: created, plus edited when it was edited after creation.
	truth, _ := h.sim.DriveItems(my, "")
	acts := h.activities(t)
	created, edited := map[string]int{}, map[string]int{}
	for _, a := range acts {
		switch a.Action {
		case model.FileCreated:
			created[a.ItemID]++
		case model.FileEdited:
			edited[a.ItemID]++
		default:
			t.Errorf("first round recorded %s for %s", a.Action, a.Path)
		}
	}
	files := 0
	for _, it := range truth {
		if it.Folder || it.Shortcut {
			if created[it.ID]+edited[it.ID] > 0 {
				t.Errorf("folder %s has activity", it.Path)
			}
			continue
		}
		files++
		if created[it.ID] != 1 || edited[it.ID] > 1 {
			t.Errorf("%s: %d created, %d edited", it.Path, created[it.ID], edited[it.ID])
		}
	}
	if files == 0 || len(edited) == 0 {
		t.Fatalf("%d files, %d edited", files, len(edited))
	}

	// "Clients/Contoso" and "Clients/Northwind Traders" are mapped by name;
	// "Clients/Tailspin" (client "Tailspin Toys") is not.
	for path, client := range map[string]string{"Clients/Contoso": "Contoso", "Clients/Northwind Traders": "Northwind Traders"} {
		m, err := h.store.FolderMapping(context.Background(), h.acct.ID, items[path].DriveID, items[path].ID)
		if err != nil || m.ClientID != h.clientID(t, client) || m.Origin != model.OriginAuto {
			t.Fatalf("%s mapping %+v %v", path, m, err)
		}
	}
	if it := items["Clients/Tailspin/Holiday campaign analytics.xlsx"]; it.ClientID != 0 {
		t.Fatalf("Tailspin file linked to client %d", it.ClientID)
	}
	if it := items["Clients/Contoso/Deliverables/Risk register.xlsx"]; it.ClientID != h.clientID(t, "Contoso") {
		t.Fatalf("a file two levels under Contoso has client %d", it.ClientID)
	}
	// The client's timeline shows file rows: title, actor, action, path.
	rows := h.fileTimeline(t, "Contoso")
	if len(rows) == 0 {
		t.Fatal("no file activity on Contoso's timeline")
	}
	for _, r := range rows {
		if r.Kind != model.KindFile || r.Title == "" || r.Counterpart == "" || r.Action == "" || !strings.HasPrefix(r.Path, "Clients/Contoso/") || r.Direction != "" {
			t.Fatalf("file row %+v", r)
		}
	}
	tl, err := h.store.Timeline(context.Background(), h.clientID(t, "Contoso"), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range tl.Items {
		kinds[it.Kind]++
	}
	if kinds[model.KindFile] == 0 || kinds[model.KindMail] != 0 && kinds[model.KindFile] == len(tl.Items) {
		t.Fatalf("timeline kinds %v", kinds)
	}
	st := h.stream(t, model.StreamDrive, "OneDrive")
	if st.LastSyncAt == nil || st.LastError != "" || st.Items != len(truth) {
		t.Fatalf("stream %+v, truth has %d items", st, len(truth))
	}
	// A second poll with nothing changed records nothing.
	h.resyncDrives(t)
	if n := len(h.activities(t)); n != len(acts) {
		t.Fatalf("an idle poll added %d activities", n-len(acts))
	}
}

// An account without Files.Read.All has no drive streams, and a hint.
func TestDriveNeedsFileScopes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	streams, _ := h.store.Streams(context.Background(), h.acct.ID)
	for _, s := range streams {
		if s.Kind == model.StreamDrive {
			t.Fatalf("drive stream %+v without the file scopes", s)
		}
	}
	if msg, action := h.engine.DriveError(h.acct); !strings.Contains(msg, "rapport account reauth "+h.acct.UPN+" --files") || action != model.ActionReauthorize {
		t.Fatalf("hint %q %q", msg, action)
	}
	for _, r := range h.sim.Requests() {
		if strings.Contains(r.Path, "/drive") {
			t.Fatalf("asked for %s without the scopes", r.Path)
		}
	}
}

func (h *harness) me() model.Recipient {
	u := h.sim.User()
	return model.Recipient{Name: u.DisplayName, Address: u.Mail}
}

// fileRowsByPath indexes a client's file rows by path and action.
func fileRowsByPath(rows []model.TimelineItem) map[string]bool {
	out := map[string]bool{}
	for _, r := range rows {
		out[r.Action+" "+r.Path] = true
	}
	return out
}

// Renaming and moving folders: paths of every descendant follow (delta
// re-reports only the folder), an automatic mapping follows the name, a
// manual one the folder, and the activity under a moved folder is
// re-linked to the client its new place belongs to.
func TestDriveRenameAndMoveMappedFolder(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	ctx := context.Background()
	my := h.sim.MyDriveID()
	me := h.me()
	items := h.checkDriveTruth(t, my, "")
	contoso, northwind, aw := h.clientID(t, "Contoso"), h.clientID(t, "Northwind Traders"), h.clientID(t, "Adventure Works")
	if len(h.fileTimeline(t, "Northwind Traders")) == 0 {
		t.Fatal("Northwind has no file activity to start with")
	}

	// 1. A manual mapping travels with its folder: map "Archive/Contoso Ltd"
	// to Contoso, then move it under "Clients/Adventure Works".
	cl := items["Archive/Contoso Ltd"]
	if _, err := h.store.MapFolder(ctx, h.acct.ID, cl.DriveID, cl.ID, contoso); err != nil {
		t.Fatal(err)
	}
	if got := fileRowsByPath(h.fileTimeline(t, "Contoso")); !got["created Archive/Contoso Ltd/Old proposal.docx"] {
		t.Fatalf("mapping did not link the folder's files: %v", got)
	}
	if err := h.sim.MoveDriveItem(my, cl.ID, h.simPath(t, my, "Clients/Adventure Works"), me); err != nil {
		t.Fatal(err)
	}
	// 2. An unmapped folder moves into a mapped one: "Admin/Templates" under
	// "Clients/Contoso" (its files become Contoso's).
	tpl := items["Admin/Templates"]
	if err := h.sim.MoveDriveItem(my, tpl.ID, h.simPath(t, my, "Clients/Contoso"), me); err != nil {
		t.Fatal(err)
	}
	// 3. An automatically mapped folder is renamed away from its client's
	// name: the mapping goes with the name.
	nw := items["Clients/Northwind Traders"]
	if err := h.sim.RenameDriveItem(my, nw.ID, "Northwind (closed)", me); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	items = h.checkDriveTruth(t, my, "")

	if it := items["Clients/Adventure Works/Contoso Ltd/Old proposal.docx"]; it.ClientID != contoso {
		t.Fatalf("moved manual mapping: file has client %d, want Contoso %d", it.ClientID, contoso)
	}
	if it := items["Clients/Adventure Works/Spring launch timeline.pptx"]; it.ClientID != aw {
		t.Fatalf("Adventure Works file has client %d", it.ClientID)
	}
	if it := items["Clients/Contoso/Templates/SOW template.docx"]; it.ClientID != contoso {
		t.Fatalf("file under a folder moved into Contoso has client %d", it.ClientID)
	}
	if it := items["Clients/Northwind (closed)/Interviews/Interview notes - Nancy Davolio.docx"]; it.ClientID != 0 {
		t.Fatalf("file under a renamed auto-mapped folder still has client %d", it.ClientID)
	}
	if m, _ := h.store.FolderMapping(ctx, h.acct.ID, nw.DriveID, nw.ID); m.ClientID != 0 {
		t.Fatalf("renamed folder kept its automatic mapping %+v", m)
	}
	if rows := h.fileTimeline(t, "Northwind Traders"); len(rows) != 0 {
		t.Fatalf("Northwind still shows %d file rows after its folder was renamed", len(rows))
	}
	got := fileRowsByPath(h.fileTimeline(t, "Contoso"))
	if !got["created Admin/Templates/SOW template.docx"] {
		t.Fatalf("activity under a folder moved into Contoso is not Contoso's: %v", got)
	}
	if !got["created Archive/Contoso Ltd/Old proposal.docx"] {
		t.Fatal("the moved manual mapping lost its activity")
	}
	_ = northwind
	// Renamed back: mapped again by name.
	if err := h.sim.RenameDriveItem(my, nw.ID, "Northwind Traders", me); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	if rows := h.fileTimeline(t, "Northwind Traders"); len(rows) == 0 {
		t.Fatal("renamed back, Northwind's folder was not mapped again")
	}
	// No folder move or rename produced file activity.
	for _, a := range h.activities(t) {
		if a.Action == model.FileMoved || a.Action == model.FileRenamed {
			t.Fatalf("folder change recorded as %s of %s", a.Action, a.Path)
		}
	}
}

// Deletions: a deleted file (often reported with its id alone) leaves the
// store with a "deleted" activity; a deleted folder goes once empty at
// the round's end, and whatever Graph did not report inside it goes with it.
func TestDriveDeletesWithIDOnlyItems(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	my := h.sim.MyDriveID()
	items := h.checkDriveTruth(t, my, "")
	risk := items["Clients/Contoso/Deliverables/Risk register.xlsx"]
	workshops := items["Clients/Contoso/Workshops"]
	for _, id := range []string{risk.ID, workshops.ID} {
		if err := h.sim.DeleteDriveItem(my, id); err != nil {
			t.Fatal(err)
		}
	}
	h.resyncDrives(t)
	h.checkDriveTruth(t, my, "")
	got := fileRowsByPath(h.fileTimeline(t, "Contoso"))
	for _, want := range []string{"deleted Clients/Contoso/Deliverables/Risk register.xlsx", "deleted Clients/Contoso/Workshops/Workshop 1 notes.docx",
		"deleted Clients/Contoso/Workshops/Whiteboard photos.zip"} {
		if !got[want] {
			t.Errorf("no %q on Contoso's timeline", want)
		}
	}
	if it, err := h.store.DriveItem(context.Background(), h.acct.ID, workshops.DriveID, workshops.ID); err != nil || it.DeletedAt == nil {
		t.Fatalf("deleted folder %+v %v", it, err)
	}
	// (The simulator reports every other deletion with its id alone:
	// graphsim's TestDriveDeletedIDOnly.)
}

// A 410 resyncRequired in the middle of the first round restarts it from
// the Location Graph gives; a 410 on a later delta link re-enumerates and
// deletes what is gone. Neither duplicates anything.
func TestDrive410MidRound(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.sim.InvalidateDriveTokensAfter(2)
	h.syncDrives(t)
	my := h.sim.MyDriveID()
	items := h.checkDriveTruth(t, my, "")
	gone := 0
	for _, r := range h.sim.Requests() {
		if r.Status == http.StatusGone && strings.Contains(r.Path, "/delta") {
			gone++
		}
	}
	if gone == 0 {
		t.Fatal("the simulator never answered 410")
	}
	count := func() map[string]int {
		n := map[string]int{}
		for _, a := range h.activities(t) {
			n[a.Action+" "+a.ItemID]++
			if n[a.Action+" "+a.ItemID] > 1 {
				t.Fatalf("duplicate %s of %s", a.Action, a.Path)
			}
		}
		return n
	}
	before := count()

	// Changes while the deltaLink expires: a file deleted, one edited.
	old := items["Admin/Invoices/Invoice 2040.pdf"]
	edited := items["Admin/Invoices/Invoice 2041.pdf"]
	if err := h.sim.DeleteDriveItem(my, old.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.EditDriveFile(my, edited.ID, edited.Size+100, h.me()); err != nil {
		t.Fatal(err)
	}
	h.sim.InvalidateDriveTokens()
	h.resyncDrives(t)
	h.checkDriveTruth(t, my, "")
	after := count()
	if after["deleted "+old.ID] != 1 || after["edited "+edited.ID] != 1 || len(after) != len(before)+2 {
		t.Fatalf("after a resync: %d activities (before %d); deleted %d edited %d", len(after), len(before), after["deleted "+old.ID], after["edited "+edited.ID])
	}
}

// A shortcut to a folder a colleague shared gets a stream of its own on
// the colleague's drive: Business has no folder delta, so the folder is
// walked, and the walk is diffed against the store.
func TestDriveShortcutStream(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	shortcut, remoteDrive, folder := h.sim.SharedFolder()
	if shortcut == "" {
		t.Fatal("the demo has no shared folder")
	}
	st := h.stream(t, model.StreamDrive, store.DriveResource(model.CanonicalDriveID(remoteDrive), folder))
	if st.LastSyncAt == nil || st.LastError != "" {
		t.Fatalf("shared folder stream %+v", st)
	}
	items := h.checkDriveTruth(t, remoteDrive, folder)
	wg := h.clientID(t, "Woodgrove Bank")
	if it := items["Woodgrove Bank/Calls/Intro call - risk analytics.docx"]; it.ClientID != wg {
		t.Fatalf("shared folder's file has client %d, want Woodgrove Bank", it.ClientID)
	}
	// Business has no folder delta: the folder was walked, child by child.
	walked := false
	for _, r := range h.sim.Requests() {
		walked = walked || (r.Status == http.StatusOK && strings.HasSuffix(r.Path, folder+"/children"))
	}
	if !walked {
		t.Fatal("the shared folder was not walked")
	}

	// A change inside, one gone, one new.
	colleague := model.Recipient{Name: "Jordan Lee", Address: "jordan.lee@adatum.com"}
	q := items["Woodgrove Bank/Security review questionnaire.xlsx"]
	if err := h.sim.EditDriveFile(remoteDrive, q.ID, q.Size+10, colleague); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.DeleteDriveItem(remoteDrive, items["Woodgrove Bank/Procurement onboarding documents.pdf"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sim.AddDriveFile(remoteDrive, items["Woodgrove Bank/Calls"].ID, "Follow-up call.docx", 1000, colleague); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	h.checkDriveTruth(t, remoteDrive, folder)
	got := fileRowsByPath(h.fileTimeline(t, "Woodgrove Bank"))
	for _, want := range []string{"edited Woodgrove Bank/Security review questionnaire.xlsx", "deleted Woodgrove Bank/Procurement onboarding documents.pdf",
		"created Woodgrove Bank/Calls/Follow-up call.docx"} {
		if !got[want] {
			t.Errorf("no %q on Woodgrove Bank's timeline: %v", want, got)
		}
	}
	// Removing the shortcut from My files drops its stream and its items.
	if err := h.sim.DeleteDriveItem(h.sim.MyDriveID(), shortcut); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	streams, _ := h.store.Streams(context.Background(), h.acct.ID)
	for _, s := range streams {
		if s.ID == st.ID {
			t.Fatal("the shortcut's stream survived the shortcut")
		}
	}
	if left, _ := h.store.DriveItems(context.Background(), h.acct.ID, model.CanonicalDriveID(remoteDrive)); len(left) != 0 {
		t.Fatalf("%d items of the shared folder remain", len(left))
	}
}

// "Don't auto-map" removes an automatic mapping and keeps it away; a
// client added later maps the folders named after it; a folder renamed to
// a client's name is mapped.
func TestDriveAutoLinkAndSuppression(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	ctx := context.Background()
	my := h.sim.MyDriveID()
	items := h.checkDriveTruth(t, my, "")
	aw := items["Clients/Adventure Works"]
	if _, err := h.store.SuppressAutoMap(ctx, h.acct.ID, aw.DriveID, aw.ID); err != nil {
		t.Fatal(err)
	}
	if rows := h.fileTimeline(t, "Adventure Works"); len(rows) != 0 {
		t.Fatalf("suppressed folder still links %d rows", len(rows))
	}
	// A rename and a new round do not bring it back.
	if err := h.sim.RenameDriveItem(my, aw.ID, "adventure  WORKS", h.me()); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	if rows := h.fileTimeline(t, "Adventure Works"); len(rows) != 0 {
		t.Fatalf("suppressed folder re-mapped after a rename: %d rows", len(rows))
	}
	// A client added later: its folder ("Clients/Tailspin") maps at once.
	c, err := h.store.AddClient(ctx, "Tailspin", []string{"tailspin.example"})
	if err != nil {
		t.Fatal(err)
	}
	names, _ := h.store.ClientNames(ctx)
	keys := map[string]int64{}
	for id, n := range names {
		if id == c.ID {
			keys[strings.ToLower(n)] = id
		}
	}
	if _, err := h.store.AutoMapFolders(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if rows := h.fileTimeline(t, "Tailspin"); len(rows) == 0 {
		t.Fatal("a new client's folder was not mapped by name")
	}
	// Accents and case do not matter: a folder renamed "CONTÓSO" under
	// Archive maps to Contoso.
	if err := h.sim.RenameDriveItem(my, items["Archive/Contoso Ltd"].ID, "CONTÓSO", h.me()); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	// (Activity keeps the path it had when it happened.)
	if !fileRowsByPath(h.fileTimeline(t, "Contoso"))["created Archive/Contoso Ltd/Old proposal.docx"] {
		t.Fatal("an accented, capitalised folder name was not matched")
	}
}

// Content changes are told apart from metadata ones: an eTag change alone
// is not an edit; a save is, with its actor; a rename is a rename.
func TestDriveContentChangeDetection(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	h.syncDrives(t)
	my := h.sim.MyDriveID()
	items := h.checkDriveTruth(t, my, "")
	deck := items["Clients/Contoso/Deliverables/Steering committee deck.pptx"]
	megan := model.Recipient{Name: "Megan Bowen", Address: "megan.bowen@contoso.com"}
	before := len(h.activities(t))
	if err := h.sim.TouchDriveItem(my, deck.ID); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	if n := len(h.activities(t)); n != before {
		t.Fatalf("an eTag-only change made %d activities", n-before)
	}
	if err := h.sim.EditDriveFile(my, deck.ID, 0, megan); err != nil { // same size, new content
		t.Fatal(err)
	}
	h.resyncDrives(t)
	if err := h.sim.RenameDriveItem(my, deck.ID, "Steering committee deck v2.pptx", h.me()); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.MoveDriveItem(my, deck.ID, h.simPath(t, my, "Clients/Contoso"), h.me()); err != nil {
		t.Fatal(err)
	}
	h.resyncDrives(t)
	var got []string
	for _, a := range h.activities(t)[before:] {
		got = append(got, a.Action+" by "+a.Actor.Address+" "+a.Path)
	}
	sort.Strings(got)
	want := []string{
		"edited by megan.bowen@contoso.com Clients/Contoso/Deliverables/Steering committee deck.pptx",
		"moved by avery@adatum.com Clients/Contoso/Steering committee deck v2.pptx",
		"renamed by avery@adatum.com Clients/Contoso/Steering committee deck v2.pptx",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("activity:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// SharePoint libraries: sites the user follows, a search, a pasted URL,
// then a library's own stream.
func TestDriveLibraries(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t)
	ctx := context.Background()
	followed, err := h.engine.FindSites(ctx, h.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range followed {
		names = append(names, s.DisplayName)
		if !s.Followed {
			t.Fatalf("followed site %+v", s)
		}
	}
	if strings.Join(names, ",") != "Client Projects,Adatum Intranet" {
		t.Fatalf("followed sites %v", names)
	}
	found, err := h.engine.FindSites(ctx, h.acct, "sales")
	if err != nil || len(found) != 1 || found[0].DisplayName != "Sales Team" || found[0].Followed {
		t.Fatalf("search: %+v %v", found, err)
	}
	site, libs, err := h.engine.SiteLibraries(ctx, h.acct, "https://adatum.sharepoint.com/sites/ClientProjects/Fabrikam%20Projects/Forms/AllItems.aspx")
	if err != nil || site.DisplayName != "Client Projects" || len(libs) != 2 {
		t.Fatalf("site %+v libs %+v %v", site, libs, err)
	}
	byID, _, err := h.engine.SiteLibraries(ctx, h.acct, site.ID)
	if err != nil || byID.ID != site.ID {
		t.Fatalf("site by id: %+v %v", byID, err)
	}
	var fab model.Drive
	for _, d := range libs {
		if d.Name == "Fabrikam Projects" {
			fab = d
		}
	}
	if _, err := h.engine.AddLibrary(ctx, h.acct, site, fab); err != nil {
		t.Fatal(err)
	}
	h.syncDrives(t)
	h.checkDriveTruth(t, fab.ID, "")
	// Its root is not named after a client ("Fabrikam Projects" is a near
	// miss for Fabrikam): nothing is linked until the user maps it.
	if rows := h.fileTimeline(t, "Fabrikam"); len(rows) != 0 {
		t.Fatalf("unmapped library linked %d rows", len(rows))
	}
	if _, _, err := h.store.ResolveFolderPath(ctx, h.acct.ID, model.CanonicalDriveID(fab.ID), "", "Retail analytics pilot"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.engine.SiteLibraries(ctx, h.acct, "https://adatum.sharepoint.com/sites/Nope"); err == nil {
		t.Fatal("a missing site was found")
	}
}

// Throttling of a drive host pauses that host's requests, and the round
// completes once Retry-After has passed.
func TestDriveThrottledHost(t *testing.T) {
	t.Parallel()
	h := newDriveHarness(t, func(c *config) {
		c.sim.Faults = graphsim.Faults{Graph: []graphsim.FaultRule{{Path: "/root/delta", Status: 429, RetryAfter: "0.2", Times: 2}}}
	})
	start := time.Now()
	h.syncDrives(t)
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("Retry-After was not obeyed")
	}
	h.checkDriveTruth(t, h.sim.MyDriveID(), "")
}
