package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// syncedDemo is the demo app after one full pass (mail, calendar, the
// OneDrive, its shared folder and the Fabrikam Projects library).
func syncedDemo(t *testing.T) *App {
	t.Helper()
	a := newDemoApp(t, PollIntervals{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.syncAll(ctx, ""); err != nil {
		t.Fatal(err)
	}
	return a
}

func clientNamed(t *testing.T, a *App, name string) model.Client {
	t.Helper()
	c, err := a.st().ClientByName(a.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func library(t *testing.T, a *App, name string) model.LibraryView {
	t.Helper()
	libs, err := a.Libraries("")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range libs {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no library %q in %+v", name, libs)
	return model.LibraryView{}
}

func folderNamed(t *testing.T, nodes []model.FolderNode, name string) model.FolderNode {
	t.Helper()
	for _, n := range nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no folder %q", name)
	return model.FolderNode{}
}

// The demo signs in with the file scopes and syncs its drives: the
// Folders screen has a tree with automatic mappings and suggestions, a
// client's Files tab and timeline show file activity, and mapping a folder
// fills another client's.
func TestDemoFoldersScreen(t *testing.T) {
	t.Parallel()
	a := syncedDemo(t)
	upn := a.demo.sim.User().UPN
	st, err := a.Status()
	if err != nil || len(st.Accounts) != 1 || !st.Accounts[0].FilesEnabled || st.Accounts[0].FilesError != "" {
		t.Fatalf("status %+v %v", st, err)
	}
	for _, name := range []string{"OneDrive", "Fabrikam Projects", "Woodgrove Bank"} {
		if l := library(t, a, name); l.State != "ok" || l.Root == nil || l.Items == 0 {
			t.Fatalf("%s: %+v", name, l)
		}
	}
	od := library(t, a, "OneDrive")
	top, err := a.Folders(upn, od.DriveID, "")
	if err != nil {
		t.Fatal(err)
	}
	clientsDir := folderNamed(t, top, "Clients")
	if !clientsDir.HasChildren || clientsDir.Origin != model.OriginNone || clientsDir.FileCount == 0 {
		t.Fatalf("Clients %+v", clientsDir)
	}
	shortcut := folderNamed(t, top, "Woodgrove Bank")
	if !shortcut.Shortcut || shortcut.ClientName != "Woodgrove Bank" || shortcut.Origin != model.OriginAuto || shortcut.DriveID == od.DriveID {
		t.Fatalf("shared folder node %+v", shortcut)
	}
	inShared, err := a.Folders(upn, shortcut.DriveID, shortcut.ID)
	if err != nil || len(inShared) != 1 || inShared[0].Origin != model.OriginInherited || inShared[0].MappedPath != "Woodgrove Bank" {
		t.Fatalf("inside the shared folder: %+v %v", inShared, err)
	}
	perClient, err := a.Folders(upn, od.DriveID, clientsDir.ID)
	if err != nil {
		t.Fatal(err)
	}
	contosoDir := folderNamed(t, perClient, "Contoso")
	if contosoDir.ClientName != "Contoso" || contosoDir.Origin != model.OriginAuto || contosoDir.FileCount != 10 || contosoDir.LastChange == nil {
		t.Fatalf("Contoso folder %+v", contosoDir)
	}
	deliverables := folderNamed(t, mustFolders(t, a, upn, od.DriveID, contosoDir.ID), "Deliverables")
	if deliverables.Origin != model.OriginInherited || deliverables.MappedPath != "Clients/Contoso" || deliverables.ClientName != "Contoso" {
		t.Fatalf("Deliverables %+v", deliverables)
	}
	if tail := folderNamed(t, perClient, "Tailspin"); tail.ClientID != 0 {
		t.Fatalf("Tailspin mapped: %+v", tail)
	}

	// Suggestions: near misses only.
	sugs, err := a.FolderSuggestions()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range sugs {
		got[s.DriveName+":"+s.Path] = s.ClientName
	}
	want := map[string]string{"OneDrive:Archive/Contoso Ltd": "Contoso", "OneDrive:Clients/Tailspin": "Tailspin Toys", "Fabrikam Projects:": "Fabrikam"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("suggestion %s -> %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("suggestions %v", got)
	}

	// Contoso's Files tab: its folder and its activity; the timeline mixes
	// files with mail and meetings.
	contoso := clientNamed(t, a, "Contoso")
	folders, err := a.ClientFolders(contoso.ID)
	if err != nil || len(folders) != 1 || folders[0].Path != "Clients/Contoso" || folders[0].DriveName != "OneDrive" {
		t.Fatalf("Contoso's folders %+v %v", folders, err)
	}
	files, err := a.ClientFiles(contoso.ID, "", 5)
	if err != nil || len(files.Items) != 5 || files.Cursor == "" {
		t.Fatalf("Contoso's files %+v %v", files, err)
	}
	more, err := a.ClientFiles(contoso.ID, files.Cursor, 100)
	if err != nil || len(more.Items) == 0 || !more.Items[0].At.Before(files.Items[4].At.Add(time.Millisecond)) {
		t.Fatalf("second page %+v %v", more, err)
	}
	raw, _ := json.Marshal(files.Items[0])
	for _, k := range []string{`"kind":"file"`, `"action":`, `"path":"Clients/Contoso/`, `"webLink":"https://`} {
		if !strings.Contains(string(raw), k) {
			t.Fatalf("file row %s lacks %s", raw, k)
		}
	}
	tl, err := a.Timeline(contoso.ID, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, it := range tl.Items {
		kinds[it.Kind] = true
	}
	if !kinds[model.KindFile] || !kinds[model.KindMail] {
		t.Fatalf("timeline kinds %v", kinds)
	}

	// Accept the library suggestion: Fabrikam's Files tab fills.
	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	fabrikam := clientNamed(t, a, "Fabrikam")
	fab := library(t, a, "Fabrikam Projects")
	if err := a.MapFolder(upn, fab.DriveID, fab.Root.ID, fabrikam.ID); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, ch, 5*time.Second, "data:changed", func(e event) bool { return e.Name == rsync.EventDataChanged })
	if !strings.Contains(string(ev.Data), `"folders"`) || !strings.Contains(string(ev.Data), "") {
		t.Fatalf("event %s", ev.Data)
	}
	fabFiles, err := a.ClientFiles(fabrikam.ID, "", 100)
	if err != nil || len(fabFiles.Items) < 7 {
		t.Fatalf("Fabrikam's files after mapping its library: %d %v", len(fabFiles.Items), err)
	}
	if l := library(t, a, "Fabrikam Projects"); l.Root.ClientName != "Fabrikam" || l.Root.Origin != model.OriginManual {
		t.Fatalf("library root %+v", l.Root)
	}
	// A new client from a folder; unmapping; don't auto-map.
	tail := folderNamed(t, perClient, "Tailspin")
	c, err := a.MapFolderToNewClient(upn, od.DriveID, tail.ID, "Tailspin Analytics")
	if err != nil || c.ID == 0 {
		t.Fatalf("new client: %+v %v", c, err)
	}
	if rows, _ := a.ClientFiles(c.ID, "", 100); len(rows.Items) == 0 {
		t.Fatal("the new client has no files")
	}
	if err := a.UnmapFolder(upn, od.DriveID, tail.ID); err != nil {
		t.Fatal(err)
	}
	if rows, _ := a.ClientFiles(c.ID, "", 100); len(rows.Items) != 0 {
		t.Fatal("unmapped folder still linked")
	}
	if err := a.SuppressAutoMap(upn, od.DriveID, contosoDir.ID); err != nil {
		t.Fatal(err)
	}
	if rows, _ := a.ClientFiles(contoso.ID, "", 100); len(rows.Items) != 0 {
		t.Fatalf("suppressed folder still links %d rows", len(rows.Items))
	}
	if err := a.MapFolder(upn, od.DriveID, "no-such-folder", contoso.ID); err == nil || !strings.Contains(err.Error(), "no longer in the synced drive") {
		t.Fatalf("mapping a missing folder: %v", err)
	}
	if err := a.RemoveLibrary(upn, od.DriveID); err == nil {
		t.Fatal("the OneDrive could be removed as a library")
	}
	if err := a.RemoveLibrary(upn, fab.DriveID); err != nil {
		t.Fatal(err)
	}
	if rows, _ := a.ClientFiles(fabrikam.ID, "", 100); len(rows.Items) != 0 {
		t.Fatal("a removed library's activity is still on the timeline")
	}
}

func mustFolders(t *testing.T, a *App, upn, drive, parent string) []model.FolderNode {
	t.Helper()
	n, err := a.Folders(upn, drive, parent)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A file saved in the locally synced copy of the OneDrive triggers that
// drive's delta within 2 seconds (fsnotify on the real file system; the
// scheduler's own polls are minutes away), and the edit reaches the store.
func TestLocalChangeTriggersDriveDelta(t *testing.T) {
	t.Parallel()
	a := newDemoApp(t, PollIntervals{Focused: time.Minute, Background: time.Minute, Other: time.Minute, Discovery: time.Minute})
	sim := a.demo.sim
	a.files().home = t.TempDir() // no auto-detected folders from the machine running the test
	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	startScheduler(t, a)
	upn := sim.User().UPN
	waitEvent(t, ch, 60*time.Second, "the OneDrive's first round", func(e event) bool {
		if e.Name != rsync.EventProgress {
			return false
		}
		var p rsync.Progress
		return json.Unmarshal(e.Data, &p) == nil && p.Kind == model.StreamDrive && p.Stream == "OneDrive" && p.Done
	})

	dir := filepath.Join(t.TempDir(), "OneDrive - Adatum")
	if err := sim.MirrorDrive(sim.MyDriveID(), dir); err != nil {
		t.Fatal(err)
	}
	od := library(t, a, "OneDrive")
	if err := a.SetLocalFolder(upn, od.DriveID, dir); err != nil {
		t.Fatal(err)
	}
	if l := library(t, a, "OneDrive"); l.LocalPath != dir || l.LocalPathAuto {
		t.Fatalf("local folder %+v", l)
	}
	// The OneDrive client uploads the saved file (the simulator's truth
	// changes), and the save lands on disk.
	id, err := sim.DriveItemByPath(sim.MyDriveID(), "Clients/Contoso/Deliverables/Risk register.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	megan := model.Recipient{Name: "Megan Bowen", Address: "megan.bowen@contoso.com"}
	if err := sim.EditDriveFile(sim.MyDriveID(), id, 0, megan); err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	if err := os.WriteFile(filepath.Join(dir, "Clients", "Contoso", "Deliverables", "Risk register.xlsx"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	contoso := clientNamed(t, a, "Contoso")
	waitEvent(t, ch, 10*time.Second, "the edit on Contoso's timeline", func(e event) bool {
		if e.Name != rsync.EventDataChanged {
			return false
		}
		rows, err := a.ClientFiles(contoso.ID, "", 1)
		return err == nil && len(rows.Items) == 1 && rows.Items[0].Action == model.FileEdited && rows.Items[0].Counterpart == "Megan Bowen" &&
			rows.Items[0].Title == "Risk register.xlsx"
	})
	var first time.Time
	for _, r := range sim.Requests() {
		if strings.Contains(r.Path, "/drives/"+sim.MyDriveID()+"/root/delta") && r.At.After(saved) && (first.IsZero() || r.At.Before(first)) {
			first = r.At
		}
	}
	if first.IsZero() || first.Sub(saved) > 2*time.Second {
		t.Fatalf("the drive's delta came %v after the local save", first.Sub(saved))
	}
}

// Auto-detection: a work OneDrive folder in the home directory is watched
// without the user saying so.
func TestDetectedLocalFolder(t *testing.T) {
	t.Parallel()
	a := syncedDemo(t)
	home := t.TempDir()
	dir := filepath.Join(home, "OneDrive - Adatum")
	if err := os.MkdirAll(filepath.Join(home, "Adatum", "Client Projects - Fabrikam Projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a.files().home = home
	a.files().refresh(a)
	if l := library(t, a, "OneDrive"); l.LocalPath != dir || !l.LocalPathAuto {
		t.Fatalf("OneDrive %+v", l)
	}
	if l := library(t, a, "Fabrikam Projects"); l.LocalPath != filepath.Join(home, "Adatum", "Client Projects - Fabrikam Projects") || !l.LocalPathAuto {
		t.Fatalf("library %+v", l)
	}
	if err := a.SetLocalFolder(a.demo.sim.User().UPN, library(t, a, "OneDrive").DriveID, filepath.Join(home, "nope")); err == nil {
		t.Fatal("a missing folder was accepted")
	}
}
