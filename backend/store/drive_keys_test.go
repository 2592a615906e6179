package store

import (
	"context"
	"testing"

	"rapport/backend/model"
)

// A shortcut in the OneDrive mapped before its shared folder's content was
// ever synced keeps its mapping, under the key the shared folder's drive
// gets then, and the content takes the client when it comes; the drive's
// items, its folder tree and a path through the shortcut are found by its
// id.
func TestAShortcutMappedBeforeItsContentCameMapsIt(t *testing.T) {
	const shared = "b!qX4dF2k1-remote-drive-of-a-colleague-0123456789abcdefghijklmnopq"
	ctx := context.Background()
	f := newDriveFixture(t)
	shortcut := folderItem("sc", "root", "Fabrikam shared")
	shortcut.RemoteDriveID, shortcut.RemoteGraphDriveID, shortcut.RemoteID, shortcut.RemoteIsFolder = shared, shared, "RF", true
	f.round(t, []model.DriveItem{rootItem(), shortcut})
	if _, err := f.s.MapFolder(ctx, f.acct.ID, testDrive, "sc", f.fabrikam.ID); err != nil {
		t.Fatal(err)
	}
	if m, err := f.s.FolderMapping(ctx, f.acct.ID, shared, "RF"); err != nil || m.ClientID != f.fabrikam.ID {
		t.Fatalf("the shared folder's mapping before its content came: %+v, %v", m, err)
	}

	st, err := f.s.EnsureStream(ctx, f.acct.ID, model.StreamDrive, DriveResource(shared, "RF"), "Fabrikam shared", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.BeginRound(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	top := folderItem("RF", "", "Fabrikam shared")
	if _, err := f.s.ApplyDrivePage(ctx, DrivePage{StreamID: st.ID, AccountID: f.acct.ID, DriveID: shared, DeltaLink: "d", Complete: true,
		Items: []model.DriveItem{top, fileItem("doc", "RF", "Brief.docx", 10, "Ann"), folderItem("sub", "RF", "Pilot")}}); err != nil {
		t.Fatal(err)
	}
	// A path through the shortcut leads into the shared folder's drive.
	if drive, id, err := f.s.ResolveFolderPath(ctx, f.acct.ID, testDrive, "", "fabrikam SHARED/pilot"); err != nil || drive != shared || id != "sub" {
		t.Errorf("ResolveFolderPath(through the shortcut) = %q, %q, %v; want %q, sub", drive, id, err, shared)
	}
	doc, err := f.s.DriveItem(ctx, f.acct.ID, shared, "doc")
	if err != nil || doc.ClientID != f.fabrikam.ID || doc.DriveID != shared {
		t.Errorf("the shared folder's file: %+v, %v; want Fabrikam's, in %s", doc, err, shared)
	}
	nodes, err := f.s.FolderNodes(ctx, f.acct, testDrive, "")
	if err != nil || len(nodes) != 1 || !nodes[0].Shortcut || nodes[0].DriveID != shared || nodes[0].ClientID != f.fabrikam.ID || nodes[0].FileCount != 1 {
		t.Errorf("the OneDrive's folders: %+v, %v", nodes, err)
	}
	// An unknown drive has nothing, and is not given a key by a read.
	if items, err := f.s.DriveItems(ctx, f.acct.ID, "b!never-seen"); err != nil || len(items) != 0 {
		t.Errorf("DriveItems(unknown drive) = %v, %v", items, err)
	}
	var keys int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM drive_keys`).Scan(&keys); err != nil || keys != 2 {
		t.Errorf("%d drive keys (%v), want the OneDrive's and the shared folder's", keys, err)
	}
}
